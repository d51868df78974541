import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { ConflictError, Role } from '@app/common';
import { isUniqueViolation, translateDbError } from '@app/database';
import { UserEntity } from './user.entity';

export interface UserListFilter {
  /** Part of a username, display name or badge number (letter case ignored). */
  q?: string;
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

  /** Up to `limit` users whose username or display name contains `q` (any letter case; '' matches all): an exact username first. */
  findActors(q: string, limit: number): Promise<UserEntity[]> {
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return this.repo
      .createQueryBuilder('u')
      .where(`(u.username ILIKE :like ESCAPE '\\' OR u.display_name ILIKE :like ESCAPE '\\')`, { like })
      .orderBy('CASE WHEN lower(u.username) = lower(:q) THEN 0 ELSE 1 END', 'ASC')
      .setParameter('q', q)
      .addOrderBy('u.username', 'ASC')
      .addOrderBy('u.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  async activeAdminExists(): Promise<boolean> {
    return (await this.repo.count({ where: { role: 'ADMIN', active: true } })) > 0;
  }

  async list(f: UserListFilter): Promise<[UserEntity[], number]> {
    const qb = this.repo.createQueryBuilder('u');
    if (f.role) qb.andWhere('u.role = :role', { role: f.role });
    if (f.active !== undefined) qb.andWhere('u.active = :active', { active: f.active });
    if (f.q) {
      // What was typed is a literal: % _ and \ match themselves.
      const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere(
        `(u.username ILIKE :like ESCAPE '\\' OR u.display_name ILIKE :like ESCAPE '\\' OR u.badge_number ILIKE :like ESCAPE '\\')`,
        { like },
      );
    }
    return qb
      .orderBy('u.created_at', 'ASC')
      .addOrderBy('u.id', 'ASC')
      .skip((f.page - 1) * f.pageSize)
      .take(f.pageSize)
      .getManyAndCount();
  }

  /**
   * Refuses a badge number another account holds in any letter case (409 naming that account). Serialised per
   * badge for the rest of the caller's transaction, so two accounts cannot take "d7-1" and "D7-1" at once.
   */
  async assertBadgeFree(em: EntityManager, badge: string, exceptUserId: string | null): Promise<void> {
    await em.query(`SELECT pg_advisory_xact_lock(hashtext('user-badge:' || lower($1)))`, [badge]);
    const rows: { username: string; display_name: string }[] = await em.query(
      `SELECT username, display_name FROM users WHERE lower(badge_number) = lower($1) AND ($2::uuid IS NULL OR id <> $2::uuid) LIMIT 1`,
      [badge, exceptUserId],
    );
    if (rows[0]) {
      throw new ConflictError(
        `badgeNumber: ${badge} is already assigned to ${rows[0].username} (${rows[0].display_name}).`,
        { heldBy: rows[0].username },
      );
    }
  }

  async insert(em: EntityManager, user: Partial<UserEntity>): Promise<UserEntity> {
    try {
      const repo = em.getRepository(UserEntity);
      return await repo.save(repo.create(user));
    } catch (e) {
      if (isUniqueViolation(e, 'users_badge_uq'))
        throw new ConflictError(`badgeNumber: ${user.badgeNumber} is already assigned to another user.`);
      translateDbError(e, () => new ConflictError(`username: ${user.username} is already taken.`));
    }
  }

  async save(em: EntityManager, user: UserEntity): Promise<UserEntity> {
    try {
      return await em.getRepository(UserEntity).save(user);
    } catch (e) {
      translateDbError(
        e,
        () => new ConflictError(`badgeNumber: ${user.badgeNumber} is already assigned to another user.`),
      );
    }
  }

  /**
   * Mirrors the username's failure count and lock (counted in login_failures, see
   * LoginFailuresRepository) onto the account, for the administrator's view.
   */
  async recordFailedLogin(em: EntityManager, id: string, failedCount: number, lockedUntil: Date | null): Promise<void> {
    await em.query(`UPDATE users SET failed_login_count = $2, locked_until = $3::timestamptz WHERE id = $1`, [
      id,
      failedCount,
      lockedUntil?.toISOString() ?? null,
    ]);
  }

  /** Every token of the user issued at or before `at` is refused from now on (JwtStrategy). */
  async endTokens(em: EntityManager, id: string, at: Date): Promise<void> {
    await em.query(`UPDATE users SET tokens_valid_after = $2::timestamptz WHERE id = $1`, [id, at.toISOString()]);
  }

  async recordSuccessfulLogin(em: EntityManager, id: string, at: Date): Promise<void> {
    await em.query(`UPDATE users SET failed_login_count = 0, locked_until = NULL, last_login_at = $2 WHERE id = $1`, [
      id,
      at.toISOString(),
    ]);
  }
}
