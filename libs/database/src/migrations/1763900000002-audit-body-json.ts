import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keeps, with each audit event, the exact bytes its hash covers: the canonical JSON of the event
 * body (`body_json`). Anyone with SQL can then check a row with standard functions, the database
 * refuses a new row whose hash does not match those bytes, and an export streams them as they are
 * instead of rebuilding every line (bench/audit-export, 1M rows: ~60,000/s when lines were rebuilt
 * from the columns in SQL, 160,000-230,000/s spliced from body_json).
 *
 * Existing rows are backfilled from their columns, in this migration's transaction, with the
 * append-only trigger suspended for exactly that UPDATE. `/audit/verify` still recomputes every
 * hash from the columns, so a column altered later is found whatever body_json says.
 */
export class AuditBodyJson1763900000002 implements MigrationInterface {
  name = 'AuditBodyJson1763900000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_events ADD COLUMN body_json text`);
    await q.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`);
    let after = 0;
    for (;;) {
      const rows: AuditRow[] = await q.query(`SELECT * FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT 2000`, [
        after,
      ]);
      if (!rows.length) break;
      const seqs = rows.map((r) => r.seq);
      const bodies = rows.map((r) =>
        canonicalAuditBody1763900000002({
          seq: Number(r.seq),
          id: r.id,
          occurredAt: new Date(r.occurred_at).toISOString(),
          actorId: r.actor_id,
          actorUsername: r.actor_username,
          actorRole: r.actor_role,
          action: r.action,
          outcome: r.outcome,
          targetType: r.target_type,
          targetId: r.target_id,
          caseId: r.case_id,
          requestId: r.request_id,
          clientIp: r.client_ip,
          userAgent: r.user_agent,
          details: r.details,
        }),
      );
      await q.query(
        `UPDATE audit_events a SET body_json = v.b FROM unnest($1::bigint[], $2::text[]) AS v(s, b) WHERE a.seq = v.s`,
        [seqs, bodies],
      );
      after = Number(rows[rows.length - 1].seq);
    }
    await q.query(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete`);
    await q.query(`ALTER TABLE audit_events ALTER COLUMN body_json SET NOT NULL`);
    // New rows must hash to their body; existing rows are judged by /audit/verify, not by this migration.
    await q.query(`
      ALTER TABLE audit_events ADD CONSTRAINT audit_events_hash_covers_body
      CHECK (hash = encode(sha256(convert_to(prev_hash || body_json, 'UTF8')), 'hex')) NOT VALID`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_events DROP CONSTRAINT audit_events_hash_covers_body`);
    await q.query(`ALTER TABLE audit_events DROP COLUMN body_json`);
  }
}

/** An audit_events row as this migration reads it (`SELECT *`; seq is a bigint, so pg returns it as a string). */
interface AuditRow {
  seq: string | number;
  id: string;
  occurred_at: Date;
  actor_id: string | null;
  actor_username: string | null;
  actor_role: string;
  action: string;
  outcome: string;
  target_type: string | null;
  target_id: string | null;
  case_id: string | null;
  request_id: string | null;
  client_ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
}

/**
 * FROZEN COPY, do not edit: `canonicalAuditBody` of `libs/audit/src/audit-hash.ts` (with `canonicalJson` of
 * `libs/common/src/canonical-json.ts`, written plainly, without its speed-ups) as it was when this migration was
 * written. A migration must keep meaning what it meant when it ran, so it imports nothing of ours: were the live
 * function to change, this backfill would still write the bytes the existing hashes cover.
 * `libs/audit/src/audit-hash.migration-copy.spec.ts` checks that the copy still equals today's function.
 */
export function canonicalAuditBody1763900000002(body: {
  seq: number;
  id: string;
  occurredAt: string;
  actorId: string | null;
  actorUsername: string | null;
  actorRole: string;
  action: string;
  outcome: string;
  targetType: string | null;
  targetId: string | null;
  caseId: string | null;
  requestId: string | null;
  clientIp: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}): string {
  const hashed = {
    seq: body.seq,
    id: body.id,
    occurredAt: body.occurredAt,
    actorId: body.actorId,
    actorUsername: body.actorUsername,
    actorRole: body.actorRole,
    action: body.action,
    outcome: body.outcome,
    targetType: body.targetType,
    targetId: body.targetId,
    caseId: body.caseId,
    requestId: body.requestId,
    clientIp: body.clientIp,
    userAgent: body.userAgent,
    details: body.details,
  };
  return canonicalJson1763900000002(hashed, '');
}

/**
 * Canonical JSON as of this migration: object keys sorted by UTF-16 code units, no whitespace, strings and numbers as
 * JSON.stringify writes them, `undefined` members dropped, `undefined` elements and holes `null`, `toJSON` honoured,
 * boxed primitives unwrapped; non-finite numbers, functions, symbols, bigints and a top-level `undefined` refused.
 */
function canonicalJson1763900000002(input: unknown, key: string): string {
  let value = input;
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(key: string): unknown }).toJSON(key);
  }
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
      return JSON.stringify(value);
    case 'object': {
      if (value instanceof String || value instanceof Number || value instanceof Boolean) {
        return canonicalJson1763900000002(value.valueOf(), key);
      }
      if (Array.isArray(value)) {
        const items: string[] = [];
        for (let i = 0; i < value.length; i++) {
          const v: unknown = value[i];
          items.push(v === undefined ? 'null' : canonicalJson1763900000002(v, String(i)));
        }
        return `[${items.join(',')}]`;
      }
      const obj = value as Record<string, unknown>;
      const members: string[] = [];
      for (const k of Object.keys(obj).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
        if (obj[k] !== undefined) members.push(`${JSON.stringify(k)}:${canonicalJson1763900000002(obj[k], k)}`);
      }
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: unsupported type ${typeof value}`);
  }
}
