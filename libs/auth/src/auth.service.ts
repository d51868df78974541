import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { ApiProperty } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccountLockedError, Clock, InvalidCredentialsError } from '@app/common';
import { ANONYMOUS_ACTOR, AuditService } from '@app/audit';
import { authConfig } from './auth.config';
import { PasswordService } from './password.service';
import { toAuthUser, toUserView, UserView } from './user.mapper';
import { UsersRepository } from './users.repository';

/** POST /auth/login. */
export class LoginResult {
  @ApiProperty({ type: String, description: 'JWT to send as `Authorization: Bearer <accessToken>`' })
  accessToken: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType: 'Bearer';

  @ApiProperty({ type: Number, description: 'Seconds until the token expires' })
  expiresIn: number;

  @ApiProperty({ type: () => UserView })
  user: UserView;
}

export interface JwtPayload {
  sub: string;
  role: string;
  username: string;
}

@Injectable()
export class AuthService {
  constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly users: UsersRepository,
    private readonly passwords: PasswordService,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * Every attempt is audited here, in the same transaction as the counters it changes; errors are
   * thrown after commit and marked audited so the exception filter does not record them twice.
   * The lock check, the password check and the failure count run under the user's row lock, so
   * parallel guesses are serialised: at most `lockoutThreshold` passwords are ever tried.
   */
  async login(username: string, password: string): Promise<LoginResult> {
    const result = await this.ds.transaction(async (em) => {
      const user = await this.users.findByUsernameForUpdate(em, username);
      const attempt = { action: 'auth.login', targetType: 'user', targetId: user?.id ?? null };
      if (!user || !user.active) {
        await this.passwords.verify(null, password);
        await this.audit.append(em, {
          ...attempt, outcome: 'FAILED', actor: ANONYMOUS_ACTOR,
          details: { username, reason: user ? 'account_inactive' : 'unknown_username' },
        });
        return { kind: 'invalid' as const };
      }
      const now = this.clock.now();
      if (user.lockedUntil && user.lockedUntil > now) {
        await this.audit.append(em, {
          ...attempt, outcome: 'DENIED', actor: ANONYMOUS_ACTOR,
          details: { username: user.username, reason: 'account_locked', lockedUntil: user.lockedUntil.toISOString() },
        });
        return { kind: 'locked' as const, until: user.lockedUntil };
      }
      if (!(await this.passwords.verify(user.passwordHash, password))) {
        const lockUntil = new Date(now.getTime() + this.config.lockoutMinutes * 60_000);
        const r = await this.users.recordFailedLogin(em, user.id, this.config.lockoutThreshold, lockUntil);
        await this.audit.append(
          em,
          {
            ...attempt, outcome: 'FAILED', actor: ANONYMOUS_ACTOR,
            details: { username: user.username, reason: 'wrong_password', consecutiveFailures: r.failedCount },
          },
          ...(r.lockedUntil
            ? [{
                action: 'user.locked', actor: ANONYMOUS_ACTOR, targetType: 'user', targetId: user.id,
                details: {
                  username: user.username, lockedUntil: r.lockedUntil.toISOString(),
                  reason: `${this.config.lockoutThreshold} consecutive failed logins`,
                },
              }]
            : []),
        );
        return { kind: 'wrong_password' as const };
      }
      await this.users.recordSuccessfulLogin(em, user.id, now);
      await this.audit.append(em, { ...attempt, actor: toAuthUser(user), details: { username: user.username } });
      return { kind: 'ok' as const, user: { ...user, lastLoginAt: now, failedLoginCount: 0, lockedUntil: null } };
    });

    if (result.kind === 'locked') throw new AccountLockedError(result.until).markAudited();
    if (result.kind !== 'ok') throw new InvalidCredentialsError().markAudited();
    const user = result.user;
    const payload: JwtPayload = { sub: user.id, role: user.role, username: user.username };
    return {
      accessToken: await this.jwt.signAsync(payload),
      tokenType: 'Bearer',
      expiresIn: this.config.jwtTtlSeconds,
      user: toUserView(user),
    };
  }
}
