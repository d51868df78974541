import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Full-text search over cases (GET /cases?q=), issue 15 section 1.
 *
 * Two tsvector columns, kept by a BEFORE INSERT OR UPDATE trigger (so no write path can leave them stale):
 * - search_meta: what every role that sees a case at all may search, auditors included: the case number,
 *   status, origin, activity type, agencies and disposition. Never narrative, location or personnel text.
 * - search_content: search_meta plus the substance: incident location, narrative, federal personnel names,
 *   badges (as recorded and normalised), descriptions (vehicles, unit markings), identification notes,
 *   citations and violation descriptions.
 * The case number is also kept as exact lexemes (whole, year, sequence number with and without leading zeros),
 * so "ION-2026-000123", "000123" and "123" all find it.
 * An auditor's q is matched against search_meta only, by construction (a different column and index), so
 * a word that occurs only in a narrative can neither match nor be counted for them.
 *
 * English stemming ('english' configuration); exact lexemes for the case number and the normalised badges
 * (array_to_tsvector: not reparsed), so "ION-2026-000123" and "#004471" find what they name.
 *
 * federal_badge_normalise(): the one definition of a "normalised badge" (lower case, no white space, no
 * leading '#', no leading zeros): the personnel index groups by it, and the API mirrors it for queries
 * (libs/common/src/text-search.ts; the e2e suite checks the two agree).
 */
export class CaseSearch1764430000000 implements MigrationInterface {
  name = 'CaseSearch1764430000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION federal_badge_normalise(b text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE
          WHEN b IS NULL THEN NULL
          WHEN ltrim(lower(regexp_replace(b, '[ \\t\\r\\n\\f\\v]+', '', 'g')), '#') = '' THEN NULL
          ELSE COALESCE(NULLIF(ltrim(ltrim(lower(regexp_replace(b, '[ \\t\\r\\n\\f\\v]+', '', 'g')), '#'), '0'), ''), '0')
        END
      $$`);
    await q.query(`ALTER TABLE cases ADD COLUMN search_meta tsvector NOT NULL DEFAULT ''::tsvector`);
    await q.query(`ALTER TABLE cases ADD COLUMN search_content tsvector NOT NULL DEFAULT ''::tsvector`);
    await q.query(`
      CREATE FUNCTION cases_search_vectors() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        meta tsvector;
        officers text := '';
        officer_detail text := '';
        badges text := '';
        norm_badges text[] := '{}';
        citations text := '';
        violation_text text := '';
      BEGIN
        -- The case number whole, its year and its sequence number as typed and without leading zeros.
        meta := array_to_tsvector(array_remove(ARRAY[lower(NEW.case_number), split_part(NEW.case_number, '-', 2),
                  nullif(split_part(NEW.case_number, '-', 3), ''), federal_badge_normalise(nullif(split_part(NEW.case_number, '-', 3), ''))], NULL))
          || setweight(to_tsvector('english', NEW.case_number), 'A')
          || to_tsvector('english', concat_ws(' ', NEW.status, NEW.origin, replace(NEW.activity_type, '_', ' '),
               replace(array_to_string(NEW.agencies, ' '), '_', ' '), replace(NEW.disposition, '_', ' ')));
        SELECT coalesce(string_agg(o->>'name', ' '), ''),
               coalesce(string_agg(concat_ws(' ', o->>'description', o->>'identificationNotes'), ' '), ''),
               coalesce(string_agg(o->>'badgeNumber', ' '), ''),
               coalesce(array_agg(federal_badge_normalise(o->>'badgeNumber')) FILTER (WHERE federal_badge_normalise(o->>'badgeNumber') IS NOT NULL), '{}')
          INTO officers, officer_detail, badges, norm_badges
          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(NEW.federal_officers) = 'array' THEN NEW.federal_officers ELSE '[]'::jsonb END) o;
        SELECT coalesce(string_agg(v->>'citation', ' '), ''), coalesce(string_agg(v->>'description', ' '), '')
          INTO citations, violation_text
          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(NEW.violations) = 'array' THEN NEW.violations ELSE '[]'::jsonb END) v;
        NEW.search_meta := meta;
        NEW.search_content := meta
          || array_to_tsvector(norm_badges)
          || setweight(to_tsvector('english', badges || ' ' || citations), 'A')
          || setweight(to_tsvector('english', officers || ' ' || coalesce(NEW.incident_location, '')), 'B')
          || setweight(to_tsvector('english', coalesce(NEW.narrative, '') || ' ' || violation_text), 'C')
          || setweight(to_tsvector('english', officer_detail), 'D');
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER cases_search_vectors BEFORE INSERT OR UPDATE ON cases
      FOR EACH ROW EXECUTE FUNCTION cases_search_vectors()`);
    // Fill the vectors of existing cases (the trigger recomputes them on this no-op update).
    await q.query(`UPDATE cases SET search_meta = search_meta`);
    await q.query(`CREATE INDEX cases_search_meta_idx ON cases USING gin (search_meta)`);
    await q.query(`CREATE INDEX cases_search_content_idx ON cases USING gin (search_content)`);
    // Sorts (incident time = incident_at, or creation before it is set; last change) within each scope.
    await q.query(`CREATE INDEX cases_incident_sort_idx ON cases ((COALESCE(incident_at, created_at)) DESC, id DESC)`);
    await q.query(
      `CREATE INDEX cases_district_incident_idx ON cases (district, (COALESCE(incident_at, created_at)) DESC, id DESC)`,
    );
    await q.query(
      `CREATE INDEX cases_author_incident_idx ON cases (created_by, (COALESCE(incident_at, created_at)) DESC, id DESC)`,
    );
    await q.query(`CREATE INDEX cases_updated_idx ON cases (updated_at DESC, id DESC)`);
    await q.query(`CREATE INDEX cases_district_updated_idx ON cases (district, updated_at DESC, id DESC)`);
    await q.query(`CREATE INDEX cases_created_idx ON cases (created_at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const i of [
      'cases_created_idx',
      'cases_district_updated_idx',
      'cases_updated_idx',
      'cases_author_incident_idx',
      'cases_district_incident_idx',
      'cases_incident_sort_idx',
      'cases_search_content_idx',
      'cases_search_meta_idx',
    ]) {
      await q.query(`DROP INDEX ${i}`);
    }
    await q.query(`DROP TRIGGER cases_search_vectors ON cases`);
    await q.query(`DROP FUNCTION cases_search_vectors()`);
    await q.query(`ALTER TABLE cases DROP COLUMN search_content, DROP COLUMN search_meta`);
    await q.query(`DROP FUNCTION federal_badge_normalise(text)`);
  }
}
