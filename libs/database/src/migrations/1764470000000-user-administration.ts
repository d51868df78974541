import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 16 (the administrator's user management):
 * - must_change_password: an administrator reset the password; until the user sets a new one, their
 *   tokens serve only POST /auth/password (enforced by the global guard). password_changed_at: when the
 *   user last set their own password.
 * - deactivation_reason / deactivated_at / deactivated_by: why, when and by whom an account was
 *   deactivated (required from now on: a CHECK keeps every inactive account with a reason). Accounts
 *   deactivated before reasons were recorded get a reason that says exactly that, and their time and
 *   administrator stay unknown (the audit trail has them).
 */
export class UserAdministration1764470000000 implements MigrationInterface {
  name = 'UserAdministration1764470000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE users
        ADD COLUMN must_change_password boolean NOT NULL DEFAULT false,
        ADD COLUMN password_changed_at timestamptz,
        ADD COLUMN deactivation_reason text,
        ADD COLUMN deactivated_at timestamptz,
        ADD COLUMN deactivated_by uuid REFERENCES users (id)`);
    await q.query(
      `UPDATE users SET deactivation_reason = 'Deactivated before reasons were recorded (see the audit trail).' WHERE NOT active`,
    );
    await q.query(`
      ALTER TABLE users ADD CONSTRAINT users_deactivation_chk CHECK (
        (active AND deactivation_reason IS NULL AND deactivated_at IS NULL AND deactivated_by IS NULL)
        OR (NOT active AND deactivation_reason IS NOT NULL AND length(deactivation_reason) BETWEEN 1 AND 1000)
      )`);
    // Search by badge ignores letter case, and so does the collision check (one advisory lock per badge).
    await q.query(`CREATE INDEX users_badge_lower_idx ON users (lower(badge_number)) WHERE badge_number IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX users_badge_lower_idx`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_deactivation_chk`);
    await q.query(`
      ALTER TABLE users DROP COLUMN deactivated_by, DROP COLUMN deactivated_at, DROP COLUMN deactivation_reason,
        DROP COLUMN password_changed_at, DROP COLUMN must_change_password`);
  }
}
