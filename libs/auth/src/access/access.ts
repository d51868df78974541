/**
 * THE object-level access rule, written once (issue 17). The guard checks a caller's ROLE against a route's
 * permission (permissions.ts); this module decides which OBJECTS (cases, packets, evidence) the caller reaches:
 *
 * - a PROSECUTOR reaches a thing only through the packets sent to their office: a packet addressed to the office;
 *   an evidence item a packet disclosed to the office (evidence_disclosures); a case's recorded content (its federal
 *   personnel) while the case is with prosecutors (REFERRED, IN_REVIEW, CLOSED) and its latest packet went to the
 *   office. A prosecutor reaches no case through the case routes;
 * - everyone else reaches a thing through its CASE's scope: an OFFICER their own cases (created_by), a SUPERVISOR
 *   the cases of their district, an AUDITOR every case (metadata only: the mappers leave content out), an ADMIN none.
 *   A packet or an evidence item is reached when its case is.
 *
 * Anything else fails closed (an unknown role, a prosecutor without an office, a supervisor without a district).
 * Out of scope answers the same 404 as a missing id (the services decide that; this module only says yes or no).
 *
 * The rule is expressed as SQL conditions (`scopeSql`), so that lists filter in the database with their indexes
 * (GET /cases, the personnel index, the queues) and a check by id is one set-returning query
 * (`AccessRepository.check`, in the spirit of immich's access repository). Every value of the caller reaches SQL only
 * as a bound parameter.
 */
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from '@app/common';

/**
 * What a caller may reach, each kind named for the table its alias stands for:
 * - `case` (cases): a case through the case routes (GET /cases, /cases/:id and everything under it);
 * - `caseAsSent` (cases): what a case recorded, as the personnel index shows it: for a prosecutor the cases whose
 *   latest packet went to their office while they are with prosecutors (then the case is exactly what that packet
 *   sent); for everyone else the same as `case`;
 * - `packet` (packets): a packet;
 * - `evidence` (evidence): an evidence item, its metadata, content and custody.
 */
export type AccessKind = 'case' | 'caseAsSent' | 'packet' | 'evidence';
export const ACCESS_KINDS: readonly AccessKind[] = ['case', 'caseAsSent', 'packet', 'evidence'];

/** The table each kind's alias names (AccessRepository.check selects from it). */
export const ACCESS_TABLE: Readonly<Record<AccessKind, string>> = {
  case: 'cases',
  caseAsSent: 'cases',
  packet: 'packets',
  evidence: 'evidence',
};

/** Binds a value as a query parameter and returns the placeholder to write in its place ($3, :access_0, ...). */
export type Bind = (value: unknown) => string;

/** The case statuses during which a case is with prosecutors (what its latest packet sent is what it is). */
const WITH_PROSECUTORS = `('REFERRED', 'IN_REVIEW', 'CLOSED')`;

const ALIAS = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkAlias(alias: string): string {
  if (!ALIAS.test(alias)) throw new Error(`access: "${alias}" is not a plain SQL alias`);
  return alias;
}

/** Which cases (alias `c`) a case-side role reaches; prosecutors none. `true`/`false` when it does not depend on the row. */
function caseSideSql(auth: AuthUser, c: string, bind: Bind): string {
  switch (auth.role) {
    case 'OFFICER':
      return `${c}.created_by = ${bind(auth.id)}`;
    case 'SUPERVISOR':
      return auth.district == null ? 'false' : `${c}.district = ${bind(auth.district)}`;
    case 'AUDITOR':
      return 'true';
    default:
      return 'false';
  }
}

/** The row's case (by `caseIdColumn`, never null: a foreign key) is in the case-side scope. */
function throughCase(auth: AuthUser, caseIdColumn: string, bind: Bind): string {
  const cond = caseSideSql(auth, 'access_c', bind);
  if (cond === 'true' || cond === 'false') return cond;
  return `EXISTS (SELECT 1 FROM cases access_c WHERE access_c.id = ${caseIdColumn} AND ${cond})`;
}

/**
 * The condition, over the row `alias` of the kind's table, that the caller reaches it. Returns exactly `true` or
 * `false` when the answer does not depend on the row (an auditor's cases; an admin), so callers may skip a query.
 */
export function scopeSql(auth: AuthUser, kind: AccessKind, alias: string, bind: Bind): string {
  const a = checkAlias(alias);
  const prosecutor = auth.role === 'PROSECUTOR';
  if (prosecutor && auth.office == null) return 'false';
  switch (kind) {
    case 'case':
      return caseSideSql(auth, a, bind);
    case 'caseAsSent':
      return prosecutor
        ? `${a}.status IN ${WITH_PROSECUTORS}
        AND (SELECT access_lp.office FROM packets access_lp WHERE access_lp.case_id = ${a}.id ORDER BY access_lp.version DESC LIMIT 1) = ${bind(auth.office)}`
        : caseSideSql(auth, a, bind);
    case 'packet':
      return prosecutor ? `${a}.office = ${bind(auth.office)}` : throughCase(auth, `${a}.case_id`, bind);
    case 'evidence':
      return prosecutor
        ? `EXISTS (SELECT 1 FROM evidence_disclosures access_d WHERE access_d.evidence_id = ${a}.id AND access_d.office = ${bind(auth.office)})`
        : throughCase(auth, `${a}.case_id`, bind);
    default:
      return 'false';
  }
}

/** Positional parameters ($1, $2, ...) for raw SQL: `bind` is a Bind for scopeSql. */
export class SqlParams {
  readonly values: unknown[];
  constructor(initial: unknown[] = []) {
    this.values = [...initial];
  }
  readonly bind: Bind = (v) => {
    this.values.push(v);
    return `$${this.values.length}`;
  };
}

/**
 * Adds the caller's scope to a TypeORM query builder whose `alias` is a row of the kind's table, with named
 * parameters that do not collide with the builder's own. An auditor's case scope adds nothing (every case).
 */
export function whereInScope<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  auth: AuthUser,
  kind: AccessKind,
  alias: string,
): SelectQueryBuilder<T> {
  const taken = qb.getParameters();
  const params: Record<string, unknown> = {};
  let n = 0;
  const sql = scopeSql(auth, kind, alias, (v) => {
    let name = `access_${n++}`;
    while (name in taken) name = `access_${n++}`;
    params[name] = v;
    return `:${name}`;
  });
  return sql === 'true' ? qb : qb.andWhere(sql, params);
}
