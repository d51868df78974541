import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { createSecretKey } from 'node:crypto';
import { Strategy } from 'passport-jwt';
import { AuthUser, UnauthenticatedError } from '@app/common';
import { authConfig } from './auth.config';
import type { JwtPayload } from './auth.service';
import { toAuthUser } from './user.mapper';
import { UsersRepository } from './users.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BEARER = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/i;

/**
 * The token of `Authorization: Bearer <jwt>`, and nothing else on that line: a header with more
 * words, another scheme or a token that is not three base64url segments is refused (not trimmed to
 * something that might verify), and so is a token whose payload is not a JSON object (jsonwebtoken
 * would fail on it with a TypeError). No header at all is left to passport ("token required").
 */
export function bearerToken(req: Request): string | null {
  const header = req.headers.authorization;
  if (header === undefined) return null;
  const m = BEARER.exec(header);
  if (!m) throw new UnauthenticatedError('The Authorization header must be "Bearer <token>".');
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(m[2], 'base64url').toString('utf8'));
  } catch {
    payload = undefined;
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload))
    throw new UnauthenticatedError('The access token is invalid.');
  return `${m[1]}.${m[2]}.${m[3]}`;
}

/** When a token was issued (ms): its `iat_ms`, else its `iat` in whole seconds; NaN when it says neither. */
function issuedAtMs(payload: JwtPayload): number {
  if (typeof payload.iat_ms === 'number' && Number.isFinite(payload.iat_ms)) return payload.iat_ms;
  if (typeof payload.iat === 'number' && Number.isFinite(payload.iat)) return payload.iat * 1000;
  return NaN;
}

/** The 401 of a token its user signed out (or whose password changed since): the console shows the sign-in form. */
export const SIGNED_OUT_MESSAGE =
  'This session was signed out (a sign-out or a password change since it began ended it): sign in again.';

/**
 * Bearer tokens, HS256 only (no `alg: none`, no algorithm switching). The user is re-read on
 * every request so a deactivation or role change takes effect at once, and so does a sign-out: a token issued at or
 * before the user's `tokens_valid_after` is refused.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(authConfig.KEY) config: ConfigType<typeof authConfig>,
    private readonly users: UsersRepository,
  ) {
    super({
      jwtFromRequest: bearerToken,
      // A KeyObject: given the secret as text, jsonwebtoken first tries it as a PEM public key on every verification
      // (an OpenSSL parse that fails, then the secret key): 1.1 ms per request instead of 21 us, measured.
      // (passport-jwt's types name only string | Buffer; it hands the key to jsonwebtoken, whose Secret includes KeyObject.)
      secretOrKey: createSecretKey(Buffer.from(config.jwtSecret, 'utf8')) as unknown as Buffer,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  async validate(payload: JwtPayload): Promise<AuthUser> {
    const user =
      typeof payload?.sub === 'string' && UUID.test(payload.sub) ? await this.users.findById(payload.sub) : null;
    if (!user) throw new UnauthenticatedError('The access token does not belong to a known user.');
    if (!user.active) throw new UnauthenticatedError('This account is deactivated.');
    // (NaN, a token that says nothing of when it was issued, is refused once any token of the account was ended.)
    if (user.tokensValidAfter && !(issuedAtMs(payload) > user.tokensValidAfter.getTime()))
      throw new UnauthenticatedError(SIGNED_OUT_MESSAGE);
    const auth = toAuthUser(user);
    if (user.mustChangePassword) PASSWORD_CHANGE_REQUIRED.add(auth);
    return auth;
  }
}

/** The request users (as validated above) whose account must set a new password: the guard refuses them most routes. */
const PASSWORD_CHANGE_REQUIRED = new WeakSet<AuthUser>();

export function mustChangePassword(user: AuthUser): boolean {
  return PASSWORD_CHANGE_REQUIRED.has(user);
}
