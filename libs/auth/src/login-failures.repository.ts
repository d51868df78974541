import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/** A streak of failed logins is forgotten this long after its last failure (and its row swept). */
export const FAILURE_MEMORY_MS = 24 * 60 * 60_000;

/** Advisory-lock class of the per-username login lock (the two-key space; other locks use one key). */
const LOGIN_LOCK_CLASS = 0x4c4f47; // "LOG"

export interface LoginFailureState {
  lockedUntil: Date | null;
}

/**
 * Login failures and lockouts per submitted username, keyed by lower(username) exactly as
 * UsersRepository looks accounts up, whether or not an account has that name (table login_failures).
 */
@Injectable()
export class LoginFailuresRepository {
  private readonly logger = new Logger(LoginFailuresRepository.name);
  private failures = 0;

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * Serialises the attempts on one username (known or not) for the rest of the caller's
   * transaction, and returns its lock as it stands.
   */
  async lockAndRead(em: EntityManager, username: string): Promise<LoginFailureState> {
    await em.query('SELECT pg_advisory_xact_lock($1, hashtext(lower($2)))', [LOGIN_LOCK_CLASS, username]);
    const rows: Array<{ locked_until: Date | null }> = await em.query(
      'SELECT locked_until FROM login_failures WHERE username_key = lower($1)',
      [username],
    );
    return { lockedUntil: rows[0]?.locked_until ?? null };
  }

  /**
   * Counts one failure at `now`. A streak restarts after a lock has ended or when its last failure is
   * older than FAILURE_MEMORY_MS; at `threshold` the username locks until `lockUntil` and the count restarts.
   */
  async recordFailure(
    em: EntityManager,
    username: string,
    now: Date,
    threshold: number,
    lockUntil: Date,
  ): Promise<{ failedCount: number; lockedUntil: Date | null }> {
    const forgetBefore = new Date(now.getTime() - FAILURE_MEMORY_MS);
    const rows: Array<{ failed_count: number; locked: boolean }> = await em.query(
      `WITH prev AS (
         SELECT CASE WHEN f.locked_until IS NOT NULL OR f.last_failed_at < $3::timestamptz THEN 0 ELSE f.failed_count END AS n
           FROM login_failures f WHERE f.username_key = lower($1)
       ), next AS (
         SELECT coalesce((SELECT n FROM prev), 0) + 1 AS n
       )
       INSERT INTO login_failures AS t (username_key, failed_count, locked_until, last_failed_at)
       SELECT lower($1), CASE WHEN n >= $4 THEN 0 ELSE n END, CASE WHEN n >= $4 THEN $5::timestamptz END, $2::timestamptz FROM next
       ON CONFLICT (username_key) DO UPDATE SET
         failed_count = excluded.failed_count, locked_until = excluded.locked_until, last_failed_at = excluded.last_failed_at
       RETURNING failed_count, locked_until IS NOT NULL AS locked`,
      [username, now.toISOString(), forgetBefore.toISOString(), threshold, lockUntil.toISOString()],
    );
    if (++this.failures % 200 === 0) this.sweep(forgetBefore, now);
    const row = rows[0];
    return row.locked
      ? { failedCount: threshold, lockedUntil: lockUntil }
      : { failedCount: row.failed_count, lockedUntil: null };
  }

  /** A successful login, or an administrator's unlock, clears the username's streak and lock. */
  async clear(em: EntityManager, username: string): Promise<void> {
    await em.query('DELETE FROM login_failures WHERE username_key = lower($1)', [username]);
  }

  /** Forgets streaks that are old and not locked (not awaited: never delays a login). */
  private sweep(forgetBefore: Date, now: Date): void {
    this.ds
      .query(
        `DELETE FROM login_failures WHERE last_failed_at < $1::timestamptz AND (locked_until IS NULL OR locked_until < $2::timestamptz)`,
        [forgetBefore.toISOString(), now.toISOString()],
      )
      .catch((e: unknown) => this.logger.warn(`Could not sweep login failures: ${e instanceof Error ? e.message : e}`));
  }
}
