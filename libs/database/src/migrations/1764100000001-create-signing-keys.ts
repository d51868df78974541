import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every public key the service has signed with. Packets, audit checkpoints and export seals name
 * their key by id; after the service key is rotated, GET /keys must still publish the old ones so
 * that what they signed stays verifiable. A row is written (or its last_used_at moved) when an API
 * process starts with a key; the key itself is never changed or removed (the API role may update
 * last_used_at only, and may not delete).
 */
export class CreateSigningKeys1764100000001 implements MigrationInterface {
  name = 'CreateSigningKeys1764100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE signing_keys (
        key_id varchar(64) PRIMARY KEY,
        algorithm varchar(16) NOT NULL CHECK (algorithm = 'Ed25519'),
        public_key_pem text NOT NULL,
        first_used_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`REVOKE ALL ON signing_keys FROM PUBLIC`);
    await q.query(`GRANT SELECT, INSERT ON signing_keys TO ion_app`);
    await q.query(`GRANT UPDATE (last_used_at) ON signing_keys TO ion_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE signing_keys`);
  }
}
