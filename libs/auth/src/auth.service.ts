import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  AccountLockedError,
  AuthUser,
  Clock,
  InvalidCredentialsError,
  NotFoundError,
  ValidationError,
} from '@app/common';
import { ANONYMOUS_ACTOR, AuditService, AuditAction } from '@app/audit';
import { authConfig } from './auth.config';
import { PasswordService } from './password.service';
import { toAuthUser, toUserView } from './user.mapper';
import { SystemUseNoticeView } from './dto/user-views';
import type { ChangePasswordDto } from './dto/user.dto';
import type { UserEntity } from './user.entity';
import { UsersRepository } from './users.repository';
import { LoginFailuresRepository } from './login-failures.repository';
import { LoginResult } from './dto/login-result';

export interface JwtPayload {
  sub: string;
  role: string;
  username: string;
  /**
   * When the token was issued, in milliseconds since the epoch (jsonwebtoken's `iat` counts whole seconds): the user's
   * `tokens_valid_after` ends every token issued at or before it. A token without it is taken as issued at `iat * 1000`.
   */
  iat_ms?: number;
  /** Set by jsonwebtoken when signing (seconds). */
  iat?: number;
}

/**
 * The new `tokens_valid_after` when a user's tokens are ended at `now`: never earlier than before, and past every token
 * issued so far (a token is issued at most 1 ms after the previous cutoff: see AuthService.tokenFor).
 */
export function tokensEndedAt(previous: Date | null, now: Date): Date {
  return new Date(Math.max(now.getTime(), (previous?.getTime() ?? -Infinity) + 1));
}

@Injectable()
export class AuthService {
  constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly users: UsersRepository,
    private readonly failures: LoginFailuresRepository,
    private readonly passwords: PasswordService,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * Every attempt is audited here, in the same transaction as the counters it changes; errors are
   * thrown after commit and marked audited so the exception filter does not record them twice.
   *
   * Failures and lockouts are counted per submitted username (LoginFailuresRepository), whether or
   * not an account has that name, and every path runs one argon2 verification (a dummy hash when
   * there is no usable account), locked or not: an unknown username gets the same answers
   * (401 five times, then 423 with the same body) in the same time as a real one. Attempts on one
   * username are serialised (advisory lock), so at most `lockoutThreshold` passwords are ever tried.
   */
  async login(username: string, password: string, systemUseNotice?: string): Promise<LoginResult> {
    const notice = this.noticeAcknowledgement(systemUseNotice);
    const result = await this.ds.transaction(async (em) => {
      const state = await this.failures.lockAndRead(em, username);
      const user = await this.users.findByUsernameForUpdate(em, username);
      const account = user?.active ? user : null;
      const passwordOk = await this.passwords.verify(account?.passwordHash ?? null, password);
      const now = this.clock.now();
      const attempt = {
        action: AuditAction.AuthLogin,
        targetType: 'user',
        targetId: user?.id ?? null,
        actor: ANONYMOUS_ACTOR,
      };
      // What the person acknowledged before signing in (AC-8), on every sign-in event: granted, refused or locked.
      const noticeFacts = { systemUseNotice: notice };
      // The account's own spelling when there is one; else the name as submitted (never the password).
      const name = user?.username ?? username;

      if (state.lockedUntil && state.lockedUntil > now) {
        await this.audit.append(em, {
          ...attempt,
          outcome: 'DENIED',
          details: {
            username: name,
            reason: 'account_locked',
            lockedUntil: state.lockedUntil.toISOString(),
            ...noticeFacts,
          },
        });
        return { kind: 'locked' as const, until: state.lockedUntil };
      }
      if (account && passwordOk) {
        await this.failures.clear(em, username);
        await this.users.recordSuccessfulLogin(em, account.id, now);
        await this.audit.append(em, {
          ...attempt,
          actor: toAuthUser(account),
          details: {
            username: account.username,
            ...noticeFacts,
            ...(account.mustChangePassword ? { mustChangePassword: true } : {}),
          },
        });
        return {
          kind: 'ok' as const,
          user: { ...account, lastLoginAt: now, failedLoginCount: 0, lockedUntil: null },
          issuedAt: now,
        };
      }

      const lockUntil = new Date(now.getTime() + this.config.lockoutMinutes * 60_000);
      const r = await this.failures.recordFailure(em, username, now, this.config.lockoutThreshold, lockUntil);
      // The administrator's view of a real account's lock (GET /users) mirrors the count.
      if (user)
        await this.users.recordFailedLogin(em, user.id, r.failedCount % this.config.lockoutThreshold, r.lockedUntil);
      const reason = !user ? 'unknown_username' : !user.active ? 'account_inactive' : 'wrong_password';
      await this.audit.append(
        em,
        {
          ...attempt,
          outcome: 'FAILED',
          details: { username: name, reason, consecutiveFailures: r.failedCount, ...noticeFacts },
        },
        ...(r.lockedUntil
          ? [
              {
                action: AuditAction.UserLocked,
                actor: ANONYMOUS_ACTOR,
                targetType: 'user',
                targetId: user?.id ?? null,
                details: {
                  username: name,
                  lockedUntil: r.lockedUntil.toISOString(),
                  reason: `${this.config.lockoutThreshold} consecutive failed logins`,
                  ...(user ? {} : { accountExists: false }),
                },
              },
            ]
          : []),
      );
      return { kind: 'invalid' as const };
    });

    if (result.kind === 'locked') throw new AccountLockedError(result.until).markAudited();
    if (result.kind !== 'ok') throw new InvalidCredentialsError().markAudited();
    return this.tokenFor(result.user, result.issuedAt);
  }

  /**
   * `now`: the time read in the transaction that locked the user's row, so that a sign-out committed after it (which
   * reads its own time under the same lock) ends this token too, however soon after it is signed.
   */
  private async tokenFor(user: UserEntity, now: Date): Promise<LoginResult> {
    // Issued after the account's last sign-out, even within the same millisecond (the fresh token of a password change).
    const issuedAt = Math.max(now.getTime(), (user.tokensValidAfter?.getTime() ?? -Infinity) + 1);
    const payload: JwtPayload = { sub: user.id, role: user.role, username: user.username, iat_ms: issuedAt };
    return {
      accessToken: await this.jwt.signAsync(payload),
      tokenType: 'Bearer',
      expiresIn: this.config.jwtTtlSeconds,
      user: toUserView(user),
    };
  }

  /** The system use notification (AC-8) the sign-in page shows, and the SHA-256 a sign-in acknowledges it with. */
  systemUseNotice(): SystemUseNoticeView {
    return { ...this.config.systemUseNotice, acknowledgementRequired: this.config.requireNoticeAck };
  }

  /**
   * What a sign-in acknowledged, for its audit event. A hash that is not the current notification's (the text
   * changed since the page was shown, or a made-up value) is refused before anything is tried: the record must
   * say which words the person accepted.
   */
  private noticeAcknowledgement(sha256: string | undefined): { acknowledged: boolean; sha256: string } {
    const current = this.config.systemUseNotice.sha256;
    if (sha256 === undefined) {
      if (this.config.requireNoticeAck) {
        throw ValidationError.field(
          'systemUseNotice',
          'acknowledge the system use notification (send its sha256) to sign in',
        );
      }
      return { acknowledged: false, sha256: current };
    }
    if (sha256 !== current) {
      throw ValidationError.field(
        'systemUseNotice',
        'is not the current system use notification: read it again (GET /auth/system-use-notice)',
      );
    }
    return { acknowledged: true, sha256 };
  }

  /**
   * The caller sets their own password (after an administrator reset it, the only thing their token may do).
   * The current password is checked like a sign-in: a wrong one counts towards the account's lockout, every
   * attempt is audited in the transaction of what it changes, and no password reaches the trail. Every token issued
   * before (this session's and the account's other sessions') ends with it; answers a fresh token (the user no longer
   * flagged), the one that stays valid.
   */
  async changePassword(auth: AuthUser, dto: ChangePasswordDto): Promise<LoginResult> {
    const newHash = await this.passwords.hash(dto.newPassword);
    const result = await this.ds.transaction(async (em) => {
      const state = await this.failures.lockAndRead(em, auth.username);
      const user = await this.users.findByIdForUpdate(em, auth.id);
      if (!user) throw new NotFoundError('user', auth.id);
      const now = this.clock.now();
      const attempt = {
        action: AuditAction.AuthPasswordChangeAttempt,
        targetType: 'user',
        targetId: user.id,
        actor: auth,
      };
      const currentOk = await this.passwords.verify(user.passwordHash, dto.currentPassword);
      if (state.lockedUntil && state.lockedUntil > now) {
        await this.audit.append(em, {
          ...attempt,
          outcome: 'FAILED',
          details: { username: user.username, reason: 'account_locked', lockedUntil: state.lockedUntil.toISOString() },
        });
        return { kind: 'locked' as const, until: state.lockedUntil };
      }
      if (!currentOk) {
        const lockUntil = new Date(now.getTime() + this.config.lockoutMinutes * 60_000);
        const r = await this.failures.recordFailure(em, user.username, now, this.config.lockoutThreshold, lockUntil);
        await this.users.recordFailedLogin(em, user.id, r.failedCount % this.config.lockoutThreshold, r.lockedUntil);
        // One event (the request was refused): a lock this failure triggers is part of it, not a separate step.
        await this.audit.append(em, {
          ...attempt,
          outcome: 'FAILED',
          details: {
            username: user.username,
            reason: 'wrong_current_password',
            consecutiveFailures: r.failedCount,
            fields: ['currentPassword'],
            ...(r.lockedUntil
              ? {
                  lockedUntil: r.lockedUntil.toISOString(),
                  locked: `${this.config.lockoutThreshold} consecutive failed password checks`,
                }
              : {}),
          },
        });
        return { kind: 'wrong' as const };
      }
      if (dto.newPassword === dto.currentPassword) {
        await this.audit.append(em, {
          ...attempt,
          outcome: 'FAILED',
          details: { username: user.username, reason: 'same_password', fields: ['newPassword'] },
        });
        return { kind: 'same' as const };
      }
      const wasRequired = user.mustChangePassword;
      user.passwordHash = newHash;
      user.mustChangePassword = false;
      user.passwordChangedAt = now;
      user.tokensValidAfter = tokensEndedAt(user.tokensValidAfter, now);
      const saved = await this.users.save(em, user);
      await this.failures.clear(em, user.username);
      await this.audit.append(em, {
        action: AuditAction.AuthPasswordChanged,
        actor: auth,
        targetType: 'user',
        targetId: user.id,
        details: { username: user.username, afterReset: wasRequired },
      });
      return { kind: 'ok' as const, user: saved, issuedAt: now };
    });
    if (result.kind === 'locked') throw new AccountLockedError(result.until).markAudited();
    if (result.kind === 'wrong')
      throw ValidationError.field('currentPassword', 'is not the current password of this account').markAudited();
    if (result.kind === 'same')
      throw ValidationError.field('newPassword', 'must differ from the current password').markAudited();
    return this.tokenFor(result.user, result.issuedAt);
  }

  /**
   * POST /auth/logout: signs the caller out of every session (every token of the account issued until now, in this
   * browser and any other, stops being accepted), audited in the same transaction.
   */
  async logout(auth: AuthUser): Promise<void> {
    await this.ds.transaction(async (em) => {
      const user = await this.users.findByIdForUpdate(em, auth.id);
      if (!user) throw new NotFoundError('user', auth.id);
      const at = tokensEndedAt(user.tokensValidAfter, this.clock.now());
      await this.users.endTokens(em, user.id, at);
      await this.audit.append(em, {
        action: AuditAction.AuthLoggedOut,
        actor: auth,
        targetType: 'user',
        targetId: user.id,
        details: { username: user.username, tokensValidAfter: at.toISOString() },
      });
    });
  }

  /**
   * A user as the users table says now (a deactivation or role change counts at once), for credentials other
   * than the bearer token (download and playback tickets). Null when there is no such user.
   */
  async currentUser(id: string): Promise<{ user: AuthUser; active: boolean; mustChangePassword: boolean } | null> {
    const u = await this.users.findById(id);
    return u ? { user: toAuthUser(u), active: u.active, mustChangePassword: u.mustChangePassword } : null;
  }

  /** The user id an `Authorization: Bearer <jwt>` value names when the token verifies; null otherwise (never throws). */
  async bearerSubject(header: string): Promise<string | null> {
    const m = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i.exec(header);
    if (!m) return null;
    try {
      const payload = await this.jwt.verifyAsync<JwtPayload>(m[1]);
      return typeof payload?.sub === 'string' ? payload.sub : null;
    } catch {
      return null;
    }
  }
}
