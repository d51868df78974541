import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The review queue's q (issue 15): full-text search over what a packet's signed manifest says (every string
 * value in it: case fields, federal personnel, violations, evidence metadata), derived from the frozen
 * manifest text by a generated column, so it can never disagree with the manifest as signed. The case
 * number is also an exact lexeme. English stemming, like GET /cases.
 */
export class ReviewQueueSearch1764430000002 implements MigrationInterface {
  name = 'ReviewQueueSearch1764430000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE packets ADD COLUMN manifest_search tsvector GENERATED ALWAYS AS (
        array_to_tsvector(ARRAY[lower(case_number)]) || jsonb_to_tsvector('english', manifest::jsonb, '["string"]')
      ) STORED`);
    await q.query(`CREATE INDEX packets_manifest_search_idx ON packets USING gin (manifest_search)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX packets_manifest_search_idx`);
    await q.query(`ALTER TABLE packets DROP COLUMN manifest_search`);
  }
}
