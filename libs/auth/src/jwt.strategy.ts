import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AuthUser, UnauthenticatedError } from '@app/common';
import { authConfig } from './auth.config';
import type { JwtPayload } from './auth.service';
import { toAuthUser } from './user.mapper';
import { UsersRepository } from './users.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Bearer tokens, HS256 only (no `alg: none`, no algorithm switching). The user is re-read on
 * every request so a deactivation or role change takes effect at once.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(authConfig.KEY) config: ConfigType<typeof authConfig>,
    private readonly users: UsersRepository,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwtSecret,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  async validate(payload: JwtPayload): Promise<AuthUser> {
    const user = typeof payload?.sub === 'string' && UUID.test(payload.sub) ? await this.users.findById(payload.sub) : null;
    if (!user) throw new UnauthenticatedError('The access token does not belong to a known user.');
    if (!user.active) throw new UnauthenticatedError('This account is deactivated.');
    return toAuthUser(user);
  }
}
