import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Login lockout counted per submitted username (normalised like the account lookup, lower()),
 * whether or not an account has that name: an unknown username locks out exactly like a real one,
 * so a lockout tells nobody which usernames exist. users.failed_login_count / locked_until stay
 * as the administrator's view of a real account's lock.
 *
 * Bounded: a row is kept only while its streak of failures is recent (the service forgets a streak
 * a day after its last failure and sweeps such rows), and the per-IP login rate limit caps how fast
 * anyone can add rows. Existing counters and locks of real accounts carry over.
 */
export class CreateLoginFailures1764200000003 implements MigrationInterface {
  name = 'CreateLoginFailures1764200000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE login_failures (
        username_key varchar(64) PRIMARY KEY,
        failed_count integer NOT NULL CHECK (failed_count >= 0),
        locked_until timestamptz,
        last_failed_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX login_failures_last_failed_idx ON login_failures (last_failed_at)`);
    await q.query(`REVOKE ALL ON login_failures FROM PUBLIC`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON login_failures TO ion_app`);
    await q.query(`
      INSERT INTO login_failures (username_key, failed_count, locked_until, last_failed_at)
      SELECT lower(username), failed_login_count, locked_until, now() FROM users
       WHERE failed_login_count > 0 OR locked_until > now()
      ON CONFLICT (username_key) DO NOTHING`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE login_failures`);
  }
}
