import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The federal personnel index (issue 15 section 2): every federal officer recorded on any case.
 *
 * - federal_personnel: the entries. Records with an agency and a badge are ONE entry per (agency,
 *   normalised badge) (entry_key 'badge:<AGENCY>:<normalised badge>'), except under the catch-all agencies
 *   FEDERAL_UNKNOWN and DHS_OTHER, where the same number may belong to different components. Every other
 *   record (no badge, no agency, descriptions only) is an entry of its own, keyed by its case and a
 *   fingerprint of what was recorded ('record:<case>:<md5>:<n>'): never merged by name. An edited record
 *   becomes a new entry (its old one keeps its id and links, and lists no case), so a link can never
 *   silently move to another person. Entries are never deleted.
 * - federal_personnel_records: one row per officer record per case, DERIVED from cases.federal_officers
 *   by a trigger in the same statement (so in the same transaction) as every write of that column: the
 *   index cannot drift from the cases. The API role may only read it; the trigger function runs as the
 *   schema owner (SECURITY DEFINER) and is the only writer.
 * - federal_personnel_links: a user's statement that two entries are one person, with a reason; undone
 *   (never deleted) by a user with another reason. Only the undo fields change, once (trigger).
 */
export class FederalPersonnelIndex1764430000001 implements MigrationInterface {
  name = 'FederalPersonnelIndex1764430000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE federal_personnel (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        entry_key text NOT NULL UNIQUE,
        keyed boolean NOT NULL,
        agency varchar(32),
        badge_normalised varchar(64),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX federal_personnel_badge_idx ON federal_personnel (badge_normalised) WHERE badge_normalised IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE federal_personnel_records (
        case_id uuid NOT NULL REFERENCES cases (id),
        position integer NOT NULL,
        personnel_id uuid NOT NULL REFERENCES federal_personnel (id),
        is_supervisor boolean NOT NULL,
        name varchar(200),
        agency varchar(32),
        badge_recorded varchar(64),
        badge_normalised varchar(64),
        identification_outcome varchar(16),
        description text,
        search tsvector NOT NULL,
        PRIMARY KEY (case_id, position)
      )`);
    await q.query(
      `CREATE INDEX federal_personnel_records_entry_idx ON federal_personnel_records (personnel_id, case_id)`,
    );
    await q.query(`CREATE INDEX federal_personnel_records_search_idx ON federal_personnel_records USING gin (search)`);
    await q.query(
      `CREATE INDEX federal_personnel_records_badge_idx ON federal_personnel_records (badge_normalised) WHERE badge_normalised IS NOT NULL`,
    );

    // The entry key of each record of a case (the one rule for "same person").
    await q.query(`
      CREATE FUNCTION federal_personnel_keys(case_id uuid, officers jsonb)
      RETURNS TABLE (pos integer, entry_key text, keyed boolean, agency text, norm text, o jsonb)
      LANGUAGE sql IMMUTABLE AS $$
        WITH r AS (
          SELECT (e.ord - 1)::int AS pos, e.o, nullif(btrim(e.o->>'agency'), '') AS agency,
                 federal_badge_normalise(e.o->>'badgeNumber') AS norm,
                 md5(concat_ws('|', e.o->>'agency', lower(e.o->>'name'), e.o->>'badgeNumber', e.o->>'description',
                   e.o->>'isSupervisor')) AS fp
            FROM jsonb_array_elements(CASE WHEN jsonb_typeof(officers) = 'array' THEN officers ELSE '[]'::jsonb END)
                 WITH ORDINALITY AS e(o, ord)
        )
        SELECT r.pos,
               CASE WHEN r.agency IS NOT NULL AND r.agency NOT IN ('FEDERAL_UNKNOWN', 'DHS_OTHER') AND r.norm IS NOT NULL
                    THEN 'badge:' || r.agency || ':' || r.norm
                    ELSE 'record:' || case_id || ':' || r.fp || ':' || row_number() OVER (PARTITION BY r.fp ORDER BY r.pos) END,
               r.agency IS NOT NULL AND r.agency NOT IN ('FEDERAL_UNKNOWN', 'DHS_OTHER') AND r.norm IS NOT NULL,
               r.agency, r.norm, r.o
          FROM r
      $$`);
    await q.query(`
      CREATE FUNCTION federal_personnel_rebuild(c uuid, officers jsonb) RETURNS void
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
      -- Planned for the table as it is at each call (a generic plan made while the index tables were small would
      -- scan them whole on every later call of the session: quadratic on a bulk load).
      SET plan_cache_mode = force_custom_plan AS $$
      BEGIN
        DELETE FROM federal_personnel_records WHERE case_id = c;
        INSERT INTO federal_personnel (entry_key, keyed, agency, badge_normalised)
          SELECT DISTINCT ON (k.entry_key) k.entry_key, k.keyed, k.agency, k.norm FROM federal_personnel_keys(c, officers) k
          ORDER BY k.entry_key
          ON CONFLICT (entry_key) DO NOTHING;
        INSERT INTO federal_personnel_records
          (case_id, position, personnel_id, is_supervisor, name, agency, badge_recorded, badge_normalised,
           identification_outcome, description, search)
          SELECT c, k.pos, p.id, coalesce((k.o->>'isSupervisor')::boolean, false), k.o->>'name', k.agency, k.o->>'badgeNumber',
                 k.norm, k.o->>'identificationOutcome', k.o->>'description',
                 setweight(to_tsvector('english', concat_ws(' ', k.o->>'name', k.o->>'badgeNumber')), 'A')
                   || array_to_tsvector(CASE WHEN k.norm IS NULL THEN '{}'::text[] ELSE ARRAY[k.norm] END)
                   || setweight(to_tsvector('english', replace(coalesce(k.agency, ''), '_', ' ')), 'B')
                   || setweight(to_tsvector('english', concat_ws(' ', k.o->>'description', k.o->>'identificationNotes')), 'C')
            FROM federal_personnel_keys(c, officers) k JOIN federal_personnel p ON p.entry_key = k.entry_key;
      END $$`);
    await q.query(`
      CREATE FUNCTION federal_personnel_sync() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      BEGIN
        PERFORM federal_personnel_rebuild(NEW.id, NEW.federal_officers);
        RETURN NULL;
      END $$`);
    await q.query(
      `CREATE TRIGGER cases_federal_personnel_insert AFTER INSERT ON cases FOR EACH ROW EXECUTE FUNCTION federal_personnel_sync()`,
    );
    await q.query(`
      CREATE TRIGGER cases_federal_personnel_update AFTER UPDATE ON cases FOR EACH ROW
      WHEN (OLD.federal_officers IS DISTINCT FROM NEW.federal_officers) EXECUTE FUNCTION federal_personnel_sync()`);
    await q.query(`SELECT federal_personnel_rebuild(id, federal_officers) FROM cases`);

    await q.query(`
      CREATE TABLE federal_personnel_links (
        id uuid PRIMARY KEY,
        entry_a uuid NOT NULL REFERENCES federal_personnel (id),
        entry_b uuid NOT NULL REFERENCES federal_personnel (id),
        reason text NOT NULL CHECK (btrim(reason) <> ''),
        linked_by uuid NOT NULL REFERENCES users (id),
        linked_at timestamptz NOT NULL,
        unlinked_by uuid REFERENCES users (id),
        unlinked_at timestamptz,
        unlink_reason text,
        CHECK (entry_a < entry_b),
        CHECK ((unlinked_at IS NULL) = (unlinked_by IS NULL) AND (unlinked_at IS NULL) = (unlink_reason IS NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX federal_personnel_links_active ON federal_personnel_links (entry_a, entry_b) WHERE unlinked_at IS NULL`,
    );
    await q.query(`CREATE INDEX federal_personnel_links_b_idx ON federal_personnel_links (entry_b)`);
    await q.query(`
      CREATE FUNCTION federal_personnel_links_undo_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (NEW.id, NEW.entry_a, NEW.entry_b, NEW.reason, NEW.linked_by, NEW.linked_at)
             IS DISTINCT FROM (OLD.id, OLD.entry_a, OLD.entry_b, OLD.reason, OLD.linked_by, OLD.linked_at)
           OR OLD.unlinked_at IS NOT NULL THEN
          RAISE EXCEPTION 'federal personnel link % may only be undone, once', OLD.id USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER federal_personnel_links_undo_only BEFORE UPDATE ON federal_personnel_links
      FOR EACH ROW EXECUTE FUNCTION federal_personnel_links_undo_only()`);

    await q.query(`REVOKE ALL ON federal_personnel, federal_personnel_records, federal_personnel_links FROM PUBLIC`);
    await q.query(`GRANT SELECT ON federal_personnel, federal_personnel_records TO ion_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON federal_personnel_links TO ion_app`);
    await q.query(`REVOKE ALL ON FUNCTION federal_personnel_rebuild(uuid, jsonb) FROM PUBLIC`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE federal_personnel_links`);
    await q.query(`DROP FUNCTION federal_personnel_links_undo_only()`);
    await q.query(`DROP TRIGGER cases_federal_personnel_update ON cases`);
    await q.query(`DROP TRIGGER cases_federal_personnel_insert ON cases`);
    await q.query(`DROP FUNCTION federal_personnel_sync()`);
    await q.query(`DROP FUNCTION federal_personnel_rebuild(uuid, jsonb)`);
    await q.query(`DROP FUNCTION federal_personnel_keys(uuid, jsonb)`);
    await q.query(`DROP TABLE federal_personnel_records`);
    await q.query(`DROP TABLE federal_personnel`);
  }
}
