import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { ConflictError, Role } from '@app/common';
import { isUniqueViolation, translateDbError } from '@app/database';
import { UserEntity } from './user.entity';

export interface UserListFilter {
  role?: Role;
  active?: boolean;
  page: number;
  pageSize: number;
}

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(UserEntity) private readonly repo: Repository<UserEntity>) {}

  findById(id: string): Promise<UserEntity | null> {
    return this.repo.findOne({ where: { id } });
  }

  findByIdForUpdate(em: EntityManager, id: string): Promise<UserEntity | null> {
    return em.getRepository(UserEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.byUsername(this.repo, username).getOne();
  }

  /** The user, locked FOR UPDATE in the caller's transaction (login serialises per account). */
  findByUsernameForUpdate(em: EntityManager, username: string): Promise<UserEntity | null> {
    return this.byUsername(em.getRepository(UserEntity), username).setLock('pessimistic_write').getOne();
  }

  private byUsername(repo: Repository<UserEntity>, username: string) {
    return repo.createQueryBuilder('u').where('lower(u.username) = lower(:username)', { username });
  }

  async activeAdminExists(): Promise<boolean> {
    return (await this.repo.count({ where: { role: 'ADMIN', active: true } })) > 0;
  }

  async list(f: UserListFilter): Promise<[UserEntity[], number]> {
    const where: Partial<Pick<UserEntity, 'role' | 'active'>> = {};
    if (f.role) where.role = f.role;
    if (f.active !== undefined) where.active = f.active;
    return this.repo.findAndCount({
      where,
      order: { createdAt: 'ASC', id: 'ASC' },
      skip: (f.page - 1) * f.pageSize,
      take: f.pageSize,
    });
  }

  async insert(em: EntityManager, user: Partial<UserEntity>): Promise<UserEntity> {
    try {
      const repo = em.getRepository(UserEntity);
      return await repo.save(repo.create(user));
    } catch (e) {
      if (isUniqueViolation(e, 'users_badge_uq')) throw new ConflictError(`badgeNumber: ${user.badgeNumber} is already assigned to another user.`);
      translateDbError(e, () => new ConflictError(`username: ${user.username} is already taken.`));
    }
  }

  async save(em: EntityManager, user: UserEntity): Promise<UserEntity> {
    try {
      return await em.getRepository(UserEntity).save(user);
    } catch (e) {
      translateDbError(e, () => new ConflictError(`badgeNumber: ${user.badgeNumber} is already assigned to another user.`));
    }
  }

  /**
   * Mirrors the username's failure count and lock (counted in login_failures, see
   * LoginFailuresRepository) onto the account, for the administrator's view.
   */
  async recordFailedLogin(em: EntityManager, id: string, failedCount: number, lockedUntil: Date | null): Promise<void> {
    await em.query(
      `UPDATE users SET failed_login_count = $2, locked_until = $3::timestamptz WHERE id = $1`,
      [id, failedCount, lockedUntil?.toISOString() ?? null],
    );
  }

  async recordSuccessfulLogin(em: EntityManager, id: string, at: Date): Promise<void> {
    await em.query(
      `UPDATE users SET failed_login_count = 0, locked_until = NULL, last_login_at = $2 WHERE id = $1`,
      [id, at.toISOString()],
    );
  }
}
