import type { SelectQueryBuilder } from 'typeorm';
import type { AuthUser, Role } from '@app/common';
import { ACCESS_KINDS, AccessKind, scopeSql, SqlParams, whereInScope } from './access';

const user = (role: Role, over: Partial<AuthUser> = {}): AuthUser => ({
  id: `id-${role.toLowerCase()}`,
  username: role.toLowerCase(),
  role,
  displayName: role,
  badgeNumber: null,
  district: role === 'OFFICER' || role === 'SUPERVISOR' ? 7 : null,
  office: role === 'PROSECUTOR' ? 'CCSAO' : null,
  ...over,
});

function sql(auth: AuthUser, kind: AccessKind, alias = 'x'): { sql: string; values: unknown[] } {
  const p = new SqlParams();
  const text = scopeSql(auth, kind, alias, p.bind).replace(/\s+/g, ' ');
  return { sql: text, values: p.values };
}

const THROUGH_CASE = (cond: string) =>
  `EXISTS (SELECT 1 FROM cases access_c WHERE access_c.id = x.case_id AND ${cond})`;

describe('access rule (scopeSql)', () => {
  // role x kind: the SQL condition and the values bound, exactly.
  const table: [Role, AccessKind, string, unknown[]][] = [
    ['OFFICER', 'case', 'x.created_by = $1', ['id-officer']],
    ['OFFICER', 'caseAsSent', 'x.created_by = $1', ['id-officer']],
    ['OFFICER', 'packet', THROUGH_CASE('access_c.created_by = $1'), ['id-officer']],
    ['OFFICER', 'evidence', THROUGH_CASE('access_c.created_by = $1'), ['id-officer']],
    ['SUPERVISOR', 'case', 'x.district = $1', [7]],
    ['SUPERVISOR', 'caseAsSent', 'x.district = $1', [7]],
    ['SUPERVISOR', 'packet', THROUGH_CASE('access_c.district = $1'), [7]],
    ['SUPERVISOR', 'evidence', THROUGH_CASE('access_c.district = $1'), [7]],
    ['PROSECUTOR', 'case', 'false', []],
    [
      'PROSECUTOR',
      'caseAsSent',
      "x.status IN ('REFERRED', 'IN_REVIEW', 'CLOSED') AND (SELECT access_lp.office FROM packets access_lp WHERE access_lp.case_id = x.id " +
        'ORDER BY access_lp.version DESC LIMIT 1) = $1',
      ['CCSAO'],
    ],
    ['PROSECUTOR', 'packet', 'x.office = $1', ['CCSAO']],
    [
      'PROSECUTOR',
      'evidence',
      'EXISTS (SELECT 1 FROM evidence_disclosures access_d WHERE access_d.evidence_id = x.id AND access_d.office = $1)',
      ['CCSAO'],
    ],
    ['AUDITOR', 'case', 'true', []],
    ['AUDITOR', 'caseAsSent', 'true', []],
    ['AUDITOR', 'packet', 'true', []],
    ['AUDITOR', 'evidence', 'true', []],
    ['ADMIN', 'case', 'false', []],
    ['ADMIN', 'caseAsSent', 'false', []],
    ['ADMIN', 'packet', 'false', []],
    ['ADMIN', 'evidence', 'false', []],
  ];
  it.each(table)('%s reaches %s where: %s', (role, kind, expected, values) => {
    expect(sql(user(role), kind)).toEqual({ sql: expected, values });
  });

  it('covers every role and kind', () => {
    const roles: Role[] = ['OFFICER', 'SUPERVISOR', 'PROSECUTOR', 'AUDITOR', 'ADMIN'];
    for (const r of roles)
      for (const k of ACCESS_KINDS) expect(table.some(([tr, tk]) => tr === r && tk === k)).toBe(true);
  });

  it('fails closed: a prosecutor without an office, a supervisor without a district, an unknown role reach nothing', () => {
    for (const kind of ACCESS_KINDS) {
      expect(sql(user('PROSECUTOR', { office: null }), kind)).toEqual({ sql: 'false', values: [] });
      expect(sql(user('SUPERVISOR', { district: null }), kind)).toEqual({ sql: 'false', values: [] });
      expect(sql(user('SYSTEM' as Role), kind)).toEqual({ sql: 'false', values: [] });
    }
    expect(sql(user('OFFICER'), 'nonsense' as AccessKind)).toEqual({ sql: 'false', values: [] });
  });

  it("binds the caller's values as parameters, never as SQL text", () => {
    const evil = "x' OR true --";
    for (const kind of ACCESS_KINDS) {
      for (const auth of [user('OFFICER', { id: evil }), user('PROSECUTOR', { office: evil as 'CCSAO' })]) {
        const r = sql(auth, kind);
        expect(r.sql).not.toContain(evil);
        if (r.sql !== 'false') expect(r.values).toContain(evil);
      }
    }
  });

  it('refuses an alias that is not a plain SQL identifier', () => {
    expect(() => sql(user('OFFICER'), 'case', 'c; DROP TABLE cases')).toThrow(/not a plain SQL alias/);
    expect(() => sql(user('OFFICER'), 'case', '')).toThrow(/not a plain SQL alias/);
  });

  it('numbers positional parameters after the ones already there', () => {
    const p = new SqlParams(['first', 2]);
    expect(scopeSql(user('SUPERVISOR'), 'packet', 'p', p.bind)).toContain('access_c.district = $3');
    expect(p.values).toEqual(['first', 2, 7]);
  });
});

describe('whereInScope (TypeORM query builders)', () => {
  /** The two methods whereInScope uses, recorded. */
  function fakeQb(existing: Record<string, unknown>) {
    const calls: [string, Record<string, unknown>][] = [];
    const qb = {
      getParameters: () => existing,
      andWhere(where: string, params: Record<string, unknown>) {
        calls.push([where, params]);
        return qb;
      },
    };
    return { qb: qb as unknown as SelectQueryBuilder<object>, calls };
  }

  it('adds the condition with named parameters that do not collide with the builder’s own', () => {
    const { qb, calls } = fakeQb({ access_0: 'taken', id: 'x' });
    expect(whereInScope(qb, user('OFFICER'), 'case', 'c')).toBe(qb);
    expect(calls).toEqual([['c.created_by = :access_1', { access_1: 'id-officer' }]]);
  });

  it("adds nothing for an auditor's cases (every case) and `false` for an admin", () => {
    const a = fakeQb({});
    whereInScope(a.qb, user('AUDITOR'), 'case', 'c');
    expect(a.calls).toEqual([]);
    const b = fakeQb({});
    whereInScope(b.qb, user('ADMIN'), 'case', 'c');
    expect(b.calls).toEqual([['false', {}]]);
  });
});
