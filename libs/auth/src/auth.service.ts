import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccountLockedError, Clock, InvalidCredentialsError } from '@app/common';
import { ANONYMOUS_ACTOR, AuditService } from '@app/audit';
import { authConfig } from './auth.config';
import { PasswordService } from './password.service';
import { toAuthUser, toUserView, UserView } from './user.mapper';
import { UsersRepository } from './users.repository';

export interface LoginResult {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
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
   * Every attempt is audited here, in the same transaction as the counters it changes;
   * errors are marked audited so the exception filter does not record them twice.
   */
  async login(username: string, password: string): Promise<LoginResult> {
    const user = await this.users.findByUsername(username);
    const now = this.clock.now();
    const attempt = { action: 'auth.login', targetType: 'user', targetId: user?.id ?? null };

    if (!user || !user.active) {
      await this.passwords.verify(null, password);
      await this.audit.record({
        ...attempt, outcome: 'FAILED', actor: ANONYMOUS_ACTOR,
        details: { username, reason: user ? 'account_inactive' : 'unknown_username' },
      });
      throw new InvalidCredentialsError().markAudited();
    }
    if (user.lockedUntil && user.lockedUntil > now) {
      await this.audit.record({
        ...attempt, outcome: 'DENIED', actor: ANONYMOUS_ACTOR,
        details: { username: user.username, reason: 'account_locked', lockedUntil: user.lockedUntil.toISOString() },
      });
      throw new AccountLockedError(user.lockedUntil).markAudited();
    }
    if (!(await this.passwords.verify(user.passwordHash, password))) {
      const lockUntil = new Date(now.getTime() + this.config.lockoutMinutes * 60_000);
      await this.ds.transaction(async (em) => {
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
      });
      throw new InvalidCredentialsError().markAudited();
    }
    await this.ds.transaction(async (em) => {
      await this.users.recordSuccessfulLogin(em, user.id, now);
      await this.audit.append(em, { ...attempt, actor: toAuthUser(user), details: { username: user.username } });
    });
    const payload: JwtPayload = { sub: user.id, role: user.role, username: user.username };
    return {
      accessToken: await this.jwt.signAsync(payload),
      tokenType: 'Bearer',
      expiresIn: this.config.jwtTtlSeconds,
      user: toUserView({ ...user, lastLoginAt: now, failedLoginCount: 0, lockedUntil: null }),
    };
  }
}
