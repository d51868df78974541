import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuthUser, ConflictError, ForbiddenError, NotFoundError, pageOf } from '@app/common';
import { AuditService, SYSTEM_ACTOR } from '@app/audit';
import { CreateUserDto, ListUsersQuery, UpdateUserDto } from './dto/user.dto';
import { PasswordService } from './password.service';
import { assertRoleScope } from './role-scope';
import { toUserView, UserPage, UserView } from './user.mapper';
import { UsersRepository } from './users.repository';
import { LoginFailuresRepository } from './login-failures.repository';
import { UserEntity } from './user.entity';

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly users: UsersRepository,
    private readonly failures: LoginFailuresRepository,
    private readonly passwords: PasswordService,
    private readonly audit: AuditService,
  ) {}

  async create(actor: AuthUser | 'SYSTEM', dto: CreateUserDto, via?: string): Promise<UserView> {
    const district = dto.district ?? null;
    const office = dto.office ?? null;
    assertRoleScope(dto.role, district, office);
    const passwordHash = await this.passwords.hash(dto.password);
    return this.ds.transaction(async (em) => {
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
        action: 'user.created',
        actor: actor === 'SYSTEM' ? SYSTEM_ACTOR : actor,
        targetType: 'user',
        targetId: user.id,
        details: {
          username: user.username, role: user.role, district, office, badgeNumber: user.badgeNumber,
          ...(via ? { via } : {}),
        },
      });
      return toUserView(user);
    });
  }

  async list(q: ListUsersQuery): Promise<UserPage> {
    const [rows, total] = await this.users.list({ role: q.role, active: q.active, page: q.page, pageSize: q.pageSize });
    return pageOf(rows.map((u) => toUserView(u)), total, q);
  }

  async get(id: string): Promise<UserView> {
    const u = await this.users.findById(id);
    if (!u) throw new NotFoundError('user', id);
    return toUserView(u);
  }

  async me(auth: AuthUser): Promise<UserView> {
    return this.get(auth.id);
  }

  async update(actor: AuthUser, id: string, dto: UpdateUserDto): Promise<UserView> {
    const passwordHash = dto.password ? await this.passwords.hash(dto.password) : undefined;
    return this.ds.transaction(async (em) => {
      const user = await this.users.findByIdForUpdate(em, id);
      if (!user) throw new NotFoundError('user', id);
      if (user.id === actor.id && ((dto.role && dto.role !== 'ADMIN') || dto.active === false)) {
        throw new ForbiddenError('An administrator cannot remove their own administrator access; ask another administrator.');
      }
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      const set = <K extends 'displayName' | 'role' | 'badgeNumber' | 'district' | 'office' | 'active'>(k: K, v: UserEntity[K] | undefined) => {
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
      const extra: Record<string, boolean> = {};
      if (passwordHash) {
        user.passwordHash = passwordHash;
        extra.passwordReset = true;
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
        action: 'user.updated',
        actor,
        targetType: 'user',
        targetId: user.id,
        details: { username: user.username, changes, ...extra },
      });
      return toUserView(saved);
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
