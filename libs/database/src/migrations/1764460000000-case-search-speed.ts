import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Case search speed (issue 15, "Done when (measured)": bench/search.js first page p95 < 50 ms at 100,000 cases).
 *
 * - The search vectors stay in the row (STORAGE MAIN). A case row is ~2.5 kB, past PostgreSQL's 2 kB TOAST
 *   target, and a tsvector barely compresses, so search_content (~1.2 kB) was moved out of line: every row the
 *   search had to look at (a phrase's recheck, `@@` as a filter while walking the incident-time index, ranking)
 *   cost a TOAST index lookup and chunk reads, about 3 extra buffers a row. With MAIN the narrative and the
 *   personnel JSON are moved out first and the vectors stay in the heap tuple (measured on 100,000 cases: a
 *   capped phrase count 711 instead of ~6,000 buffers, the ranking of 10,836 matches 5,755 instead of 36,899).
 *   Existing rows are rewritten once below (the BEFORE trigger recomputes the same vectors).
 * - Finer statistics of the search vectors (1,000 instead of 100 most common lexemes): with the default, a rare
 *   word or badge was estimated at ~1% of the rows (the least common tracked lexeme's frequency), so the personnel
 *   search planned for ~2,000 matching records and hash-joined whole tables (221 ms for a badge on 3 records);
 *   with 1,000 it is estimated at 17 and runs as nested index lookups (0.6 ms). ANALYZE then samples 300,000 rows.
 * - Filter + sort within a supervisor's scope: the district with the activity type or the status, then incident
 *   time (the default order of a search), so "ARREST in my district, newest first" walks one index range.
 */
export class CaseSearchSpeed1764460000000 implements MigrationInterface {
  name = 'CaseSearchSpeed1764460000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE cases ALTER COLUMN search_content SET STORAGE MAIN, ALTER COLUMN search_meta SET STORAGE MAIN`,
    );
    await q.query(`UPDATE cases SET search_content = search_content`);
    await q.query(
      `ALTER TABLE cases ALTER COLUMN search_content SET STATISTICS 1000, ALTER COLUMN search_meta SET STATISTICS 1000`,
    );
    await q.query(`ALTER TABLE federal_personnel_records ALTER COLUMN search SET STATISTICS 1000`);
    await q.query(
      `CREATE INDEX cases_district_activity_incident_idx ON cases (district, activity_type, (COALESCE(incident_at, created_at)) DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX cases_district_status_incident_idx ON cases (district, status, (COALESCE(incident_at, created_at)) DESC, id DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX cases_district_status_incident_idx`);
    await q.query(`DROP INDEX cases_district_activity_incident_idx`);
    await q.query(`ALTER TABLE federal_personnel_records ALTER COLUMN search SET STATISTICS -1`);
    await q.query(
      `ALTER TABLE cases ALTER COLUMN search_content SET STATISTICS -1, ALTER COLUMN search_meta SET STATISTICS -1`,
    );
    await q.query(
      `ALTER TABLE cases ALTER COLUMN search_content SET STORAGE EXTENDED, ALTER COLUMN search_meta SET STORAGE EXTENDED`,
    );
  }
}
