/**
 * The audit export's SQL (AuditReviewService.exportStream), in a file of its own so that
 * bench/audit-export.js runs and explains exactly these statements (it requires the built file)
 * rather than a copy of them.
 */

/** occurred_at as the API writes it: ISO 8601 UTC with milliseconds. */
export const ISO_MS = `to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Every column as text, in CSV_COLUMNS order (after `record`): CSV lines are assembled from strings. */
export const CSV_SELECT = `SELECT seq::text, id::text, ${ISO_MS}, actor_id::text, actor_username, actor_role, action, outcome,
  target_type, target_id, case_id::text, request_id, client_ip, user_agent, details::text, prev_hash, hash FROM audit_events`;

/** The raw columns an NDJSON line is spliced from (NDJSON_COPY). */
export const NDJSON_SELECT = 'SELECT seq, body_json, prev_hash, hash FROM audit_events';

/**
 * NDJSON lines are the stored canonical body (the exact bytes the hash covers) with type, prevHash
 * and hash added. They stream from COPY as raw bytes and are spliced without ever being decoded:
 * nothing is rebuilt and nothing per row lands on the JS heap (measured: flat memory, where a
 * cursor decoding every row grew the heap by over 100 MB per million rows; docs/decisions/0001-audit-export-copy-splice.md). The CSV and unit
 * separator bytes (0x01, 0x02) cannot occur in JSON text, so COPY's CSV mode passes fields as-is.
 */
export const NDJSON_COPY = (where: string): string =>
  `COPY (${NDJSON_SELECT} WHERE ${where} ORDER BY seq) ` + `TO STDOUT (FORMAT csv, DELIMITER e'\\x02', QUOTE e'\\x01')`;
