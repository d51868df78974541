import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { randomInt } from 'node:crypto';
import {
  AuthUser,
  Clock,
  ConflictError,
  NotFoundError,
  pageOf,
  SelfDeactivationError,
  SelfPasswordResetError,
  SelfRoleChangeError,
  ValidationError,
} from '@app/common';
import { AuditService, SYSTEM_ACTOR, AuditAction } from '@app/audit';
import { CreateUserDto, ListUsersQuery, ResetPasswordDto, UpdateUserDto } from './dto/user.dto';
import { AuditActorList } from './dto/audit-actor.dto';
import { PasswordService } from './password.service';
import { assertRoleScope } from './role-scope';
import { toUserView } from './user.mapper';
import { PasswordResetResult, UserPage, UserView } from './dto/user-views';
import { UsersRepository } from './users.repository';
import { LoginFailuresRepository } from './login-failures.repository';
import { UserEntity } from './user.entity';
import { tokensEndedAt } from './auth.service';

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly users: UsersRepository,
    private readonly failures: LoginFailuresRepository,
    private readonly passwords: PasswordService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async create(actor: AuthUser | 'SYSTEM', dto: CreateUserDto, via?: string): Promise<UserView> {
    const district = dto.district ?? null;
    const office = dto.office ?? null;
    assertRoleScope(dto.role, district, office);
    const passwordHash = await this.passwords.hash(dto.password);
    return this.ds.transaction(async (em) => {
      if (dto.badgeNumber) await this.users.assertBadgeFree(em, dto.badgeNumber, null);
      const user = await this.users.insert(em, {
        username: dto.username,
        displayName: dto.displayName,
        passwordHash,
        role: dto.role,
        badgeNumber: dto.badgeNumber ?? null,
        district,
        office,
        active: true,
      });
      // A new account starts with no failures, even if its name was tried while it did not exist.
      await this.failures.clear(em, user.username);
      await this.audit.append(em, {
        action: AuditAction.UserCreated,
        actor: actor === 'SYSTEM' ? SYSTEM_ACTOR : actor,
        targetType: 'user',
        targetId: user.id,
        details: {
          username: user.username,
          role: user.role,
          district,
          office,
          badgeNumber: user.badgeNumber,
          ...(via ? { via } : {}),
        },
      });
      return toUserView(user);
    });
  }

  async list(q: ListUsersQuery): Promise<UserPage> {
    const [rows, total] = await this.users.list({
      q: q.q,
      role: q.role,
      active: q.active,
      page: q.page,
      pageSize: q.pageSize,
    });
    return pageOf(
      rows.map((u) => toUserView(u)),
      total,
      q,
    );
  }

  /**
   * GET /audit/actors: the people of the audit trail by part of their username or name (the auditor's "events by"
   * picker), deactivated accounts included. Recorded: who looked up whom.
   */
  async findActors(auth: AuthUser, q: string): Promise<AuditActorList> {
    const rows = await this.users.findActors(q, 20);
    await this.audit.record({
      action: AuditAction.AuditActorsSearched,
      actor: auth,
      targetType: 'user',
      details: { q, matched: rows.length },
    });
    return {
      items: rows.map((u) => ({
        id: u.id,
        username: u.username,
        displayName: u.displayName,
        role: u.role,
        active: u.active,
      })),
    };
  }

  async get(id: string): Promise<UserView> {
    const u = await this.users.findById(id);
    if (!u) throw new NotFoundError('user', id);
    return toUserView(u);
  }

  async me(auth: AuthUser): Promise<UserView> {
    return this.get(auth.id);
  }

  /**
   * Edits an account: name, badge, role and its district or office, deactivation (with a reason) and
   * reactivation, a temporary password, clearing a lockout. One audit event per edit, with every field's
   * before and after, in the transaction of the change.
   *
   * Decisions (issue 16):
   * - A badge number belongs to one account, whatever its letter case, active or not (records name officers by
   *   badge): a collision is 409 naming the account that holds it, and nothing changes.
   * - Moving an officer or supervisor to another district moves their scope, not their cases: a case stays in the
   *   district where it was opened (its incident's), so its review stays with that district's supervisors; the
   *   officer keeps their own cases (officers' scope is authorship), a supervisor leaves the old district's queue.
   */
  async update(actor: AuthUser, id: string, dto: UpdateUserDto): Promise<UserView> {
    if (dto.deactivationReason !== undefined && dto.active !== false) {
      throw ValidationError.field(
        'deactivationReason',
        'is only taken with active: false (a reason for deactivating the account)',
      );
    }
    const passwordHash = dto.password ? await this.passwords.hash(dto.password) : undefined;
    return this.ds.transaction(async (em) => {
      const user = await this.users.findByIdForUpdate(em, id);
      if (!user) throw new NotFoundError('user', id);
      if (user.id === actor.id && dto.active === false) throw new SelfDeactivationError();
      if (user.id === actor.id && dto.role && dto.role !== 'ADMIN') throw new SelfRoleChangeError();
      if (user.id === actor.id && passwordHash) throw new SelfPasswordResetError();
      const deactivating = dto.active === false && user.active;
      if (deactivating && dto.deactivationReason === undefined) {
        throw ValidationError.field(
          'deactivationReason',
          'is required to deactivate an account (it is stored, audited and shown)',
        );
      }
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      const set = <K extends 'displayName' | 'role' | 'badgeNumber' | 'district' | 'office' | 'active'>(
        k: K,
        v: UserEntity[K] | undefined,
      ) => {
        if (v === undefined || v === user[k]) return;
        changes[k] = { from: user[k], to: v };
        user[k] = v;
      };
      set('displayName', dto.displayName);
      set('role', dto.role);
      set('badgeNumber', dto.badgeNumber);
      set('district', dto.district);
      set('office', dto.office);
      set('active', dto.active);
      assertRoleScope(user.role, user.district, user.office);
      if (changes.badgeNumber && user.badgeNumber) await this.users.assertBadgeFree(em, user.badgeNumber, user.id);
      const extra: Record<string, unknown> = {};
      if (deactivating) {
        user.deactivationReason = dto.deactivationReason!.trim();
        user.deactivatedAt = new Date();
        // Their sessions end for good: a reactivation does not bring a token of before back.
        user.tokensValidAfter = tokensEndedAt(user.tokensValidAfter, this.clock.now());
        user.deactivatedBy = actor.id;
        extra.deactivationReason = user.deactivationReason;
      } else if (changes.active && user.active) {
        // Reactivated: the reason it was deactivated stays in the trail (the event of then, and named here).
        extra.previousDeactivationReason = user.deactivationReason;
        user.deactivationReason = null;
        user.deactivatedAt = null;
        user.deactivatedBy = null;
      }
      if (passwordHash) {
        user.passwordHash = passwordHash;
        user.mustChangePassword = true;
        user.tokensValidAfter = tokensEndedAt(user.tokensValidAfter, this.clock.now());
        extra.passwordReset = true;
        extra.mustChangePassword = true;
      }
      if (dto.unlock) {
        extra.unlocked = true;
        user.lockedUntil = null;
        user.failedLoginCount = 0;
      }
      if (!Object.keys(changes).length && !Object.keys(extra).length) {
        return toUserView(user);
      }
      const saved = await this.users.save(em, user);
      if (dto.unlock) await this.failures.clear(em, user.username);
      await this.audit.append(em, {
        action: AuditAction.UserUpdated,
        actor,
        targetType: 'user',
        targetId: user.id,
        details: { username: user.username, changes, ...extra },
      });
      return toUserView(saved);
    });
  }

  /**
   * An administrator resets another user's password: a temporary one (chosen, or generated and returned this
   * once) that the user must replace at their next sign-in; every token they held ends with it, and the one they sign in
   * with next serves only POST /auth/password until then. A lockout is cleared with it (the administrator has just
   * dealt with the account). Audited without the password.
   */
  async resetPassword(actor: AuthUser, id: string, dto: ResetPasswordDto): Promise<PasswordResetResult> {
    if (id === actor.id) throw new SelfPasswordResetError();
    const generated = dto.temporaryPassword === undefined ? generateTemporaryPassword() : null;
    const passwordHash = await this.passwords.hash(dto.temporaryPassword ?? generated!);
    return this.ds.transaction(async (em) => {
      const user = await this.users.findByIdForUpdate(em, id);
      if (!user) throw new NotFoundError('user', id);
      const wasLocked = !!user.lockedUntil && user.lockedUntil > new Date();
      user.passwordHash = passwordHash;
      user.mustChangePassword = true;
      user.tokensValidAfter = tokensEndedAt(user.tokensValidAfter, this.clock.now());
      user.lockedUntil = null;
      user.failedLoginCount = 0;
      const saved = await this.users.save(em, user);
      await this.failures.clear(em, user.username);
      await this.audit.append(em, {
        action: AuditAction.UserPasswordReset,
        actor,
        targetType: 'user',
        targetId: user.id,
        details: {
          username: user.username,
          generated: generated !== null,
          mustChangePassword: true,
          ...(wasLocked ? { unlocked: true } : {}),
        },
      });
      return { user: toUserView(saved), temporaryPassword: generated };
    });
  }

  /** The first administrator of a real deployment (CLI); refused once an active admin exists. */
  async createFirstAdmin(username: string, displayName: string, password: string): Promise<UserView> {
    if (await this.users.activeAdminExists()) {
      throw new ConflictError('An active administrator already exists; create further users through the API.');
    }
    return this.create('SYSTEM', { username, displayName, password, role: 'ADMIN' }, 'cli');
  }
}

/** Unambiguous letters and digits (no 0/o, 1/l/i): read aloud or copied by hand. */
const TEMPORARY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** Four groups of four (about 79 bits), e.g. `k7qm-3xnd-8pwa-2hfc`: 19 characters, over the 12 the rules ask. */
export function generateTemporaryPassword(): string {
  const group = () =>
    Array.from({ length: 4 }, () => TEMPORARY_ALPHABET[randomInt(TEMPORARY_ALPHABET.length)]).join('');
  return [group(), group(), group(), group()].join('-');
}
