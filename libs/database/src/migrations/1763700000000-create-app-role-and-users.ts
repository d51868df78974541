import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The API connects as a login role that is a member of `ion_app`; the schema owner runs
 * migrations. `ion_app` gets only what the API needs: no DELETE anywhere (nothing is ever
 * deleted) and, on the audit trail, SELECT and INSERT only.
 */
export class CreateAppRoleAndUsers1763700000000 implements MigrationInterface {
  name = 'CreateAppRoleAndUsers1763700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ion_app') THEN
          CREATE ROLE ion_app NOLOGIN;
        END IF;
      END $$`);
    await q.query(`GRANT USAGE ON SCHEMA public TO ion_app`);
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username varchar(64) NOT NULL,
        display_name varchar(200) NOT NULL,
        password_hash text NOT NULL,
        role varchar(16) NOT NULL CHECK (role IN ('OFFICER','SUPERVISOR','PROSECUTOR','AUDITOR','ADMIN')),
        badge_number varchar(32),
        district smallint,
        office varchar(16) CHECK (office IN ('CCSAO','CITY_LAW')),
        active boolean NOT NULL DEFAULT true,
        failed_login_count integer NOT NULL DEFAULT 0,
        locked_until timestamptz,
        last_login_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_scope_chk CHECK (
          (role IN ('OFFICER','SUPERVISOR') AND district IS NOT NULL AND office IS NULL)
          OR (role = 'PROSECUTOR' AND office IS NOT NULL AND district IS NULL)
          OR (role IN ('AUDITOR','ADMIN') AND district IS NULL AND office IS NULL)
        )
      )`);
    await q.query(`CREATE UNIQUE INDEX users_username_uq ON users (lower(username))`);
    await q.query(`CREATE UNIQUE INDEX users_badge_uq ON users (badge_number) WHERE badge_number IS NOT NULL`);
    await q.query(`CREATE INDEX users_role_idx ON users (role, created_at)`);
    await q.query(`REVOKE ALL ON users FROM PUBLIC`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON users TO ion_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE users`);
  }
}
