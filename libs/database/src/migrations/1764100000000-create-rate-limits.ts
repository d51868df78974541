import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Counters for the login and upload rate limits (@nestjs/throttler's storage), kept in PostgreSQL
 * so that every API replica counts against the same limit. UNLOGGED: a counter lost in a crash
 * only forgives a minute of attempts, and the table is written on every login and upload.
 *
 * Also lets the API's role read which migrations were applied: with DATABASE_MIGRATE_ON_START=false
 * an API replica checks, without the owner's credentials, that its database is up to date.
 */
export class CreateRateLimits1764100000000 implements MigrationInterface {
  name = 'CreateRateLimits1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNLOGGED TABLE rate_limit_hits (
        key varchar(128) PRIMARY KEY,
        hits integer NOT NULL CHECK (hits >= 0),
        window_ends timestamptz NOT NULL,
        blocked_until timestamptz
      )`);
    await q.query(`CREATE INDEX rate_limit_hits_window_idx ON rate_limit_hits (window_ends)`);
    await q.query(`REVOKE ALL ON rate_limit_hits FROM PUBLIC`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limit_hits TO ion_app`);
    await q.query(`GRANT SELECT ON schema_migrations TO ion_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`REVOKE SELECT ON schema_migrations FROM ion_app`);
    await q.query(`DROP TABLE rate_limit_hits`);
  }
}
