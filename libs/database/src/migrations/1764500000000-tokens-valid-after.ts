import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Server-side sign-out: tokens_valid_after is the moment before which (inclusive) every bearer token of the user stops
 * being accepted. Set by POST /auth/logout (every session of the user ends), by a change of one's own password (the
 * fresh token it answers is issued after it), and by an administrator's password reset or deactivation. NULL: no
 * token of the account was ended (its tokens expire by themselves, JWT_TTL_SECONDS).
 */
export class TokensValidAfter1764500000000 implements MigrationInterface {
  name = 'TokensValidAfter1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN tokens_valid_after timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN tokens_valid_after`);
  }
}
