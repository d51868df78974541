import { DataSource, ObjectLiteral, Repository } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { ACCESS_KINDS, AccessKind, AccessRepository, whereInScope } from '@app/auth';
import { CaseEntity } from '@app/cases';
import type { AuthUser } from '@app/common';
import { EvidenceEntity } from '@app/evidence';
import { PacketEntity } from '@app/packets';
import { createTestApp, TestApp, TestUser } from './harness/test-app';

/**
 * THE access rule (libs/auth access.ts) against the real database: every role x kind x own/other thing, checked by id
 * (AccessRepository.check, what the services use) and as a list filter (whereInScope on a query builder, what lists
 * use), which must agree.
 *
 * District 1: officer o1 wrote case c1 (evidence e1; approved by s1 and sent to CCSAO as packet p1) and draft c3
 * (evidence e3, never sent). District 2: officer o2 wrote c2 (evidence e2; sent by s2 to CITY_LAW as packet p2).
 * o1b is another officer of district 1 who wrote nothing.
 */
describe('access module (libs/auth access.ts) on the real database', () => {
  let t: TestApp;
  let access: AccessRepository;
  let ds: DataSource;
  const u: Record<string, TestUser> = {};
  const id: Record<string, string> = {};
  const auth = (x: TestUser): AuthUser => ({
    id: x.id,
    username: x.username,
    role: x.role,
    district: x.district,
    office: x.office,
    badgeNumber: null,
    displayName: x.username,
  });

  beforeAll(async () => {
    t = await createTestApp();
    access = t.app.get(AccessRepository, { strict: false });
    ds = t.app.get(getDataSourceToken());
    const g = t.given;
    [u.o1, u.o1b, u.o2, u.s1, u.s2, u.pC, u.pL, u.aud, u.adm] = await Promise.all([
      g.officer(1),
      g.officer(1),
      g.officer(2),
      g.supervisor(1),
      g.supervisor(2),
      g.prosecutor('CCSAO'),
      g.prosecutor('CITY_LAW'),
      g.auditor(),
      g.admin(),
    ]);
    const sent = async (author: TestUser, sup: TestUser, office: 'CCSAO' | 'CITY_LAW') => {
      const c = await g.caseReadyToSubmit(author);
      const e = await g.evidence(author, c.id);
      await g.submit(author, c.id);
      await g.approve(sup, c.id);
      const p = await g.sendPacket(sup, c.id, office);
      return { c: c.id, e: e.id, p: p.id };
    };
    ({ c: id.c1, e: id.e1, p: id.p1 } = await sent(u.o1, u.s1, 'CCSAO'));
    ({ c: id.c2, e: id.e2, p: id.p2 } = await sent(u.o2, u.s2, 'CITY_LAW'));
    id.c3 = (await g.draftCase(u.o1)).id;
    id.e3 = (await g.evidence(u.o1, id.c3)).id;
  });
  afterAll(async () => t?.close());

  const all: Record<AccessKind, string[]> = {
    case: ['c1', 'c2', 'c3'],
    caseAsSent: ['c1', 'c2', 'c3'],
    packet: ['p1', 'p2'],
    evidence: ['e1', 'e2', 'e3'],
  };
  /** Who reaches what (names of the fixtures above). */
  const expected: Record<string, Record<AccessKind, string[]>> = {
    o1: { case: ['c1', 'c3'], caseAsSent: ['c1', 'c3'], packet: ['p1'], evidence: ['e1', 'e3'] },
    o1b: { case: [], caseAsSent: [], packet: [], evidence: [] },
    o2: { case: ['c2'], caseAsSent: ['c2'], packet: ['p2'], evidence: ['e2'] },
    s1: { case: ['c1', 'c3'], caseAsSent: ['c1', 'c3'], packet: ['p1'], evidence: ['e1', 'e3'] },
    s2: { case: ['c2'], caseAsSent: ['c2'], packet: ['p2'], evidence: ['e2'] },
    // Prosecutors: through the packets sent to their office only; no case through the case routes.
    pC: { case: [], caseAsSent: ['c1'], packet: ['p1'], evidence: ['e1'] },
    pL: { case: [], caseAsSent: ['c2'], packet: ['p2'], evidence: ['e2'] },
    aud: {
      case: ['c1', 'c2', 'c3'],
      caseAsSent: ['c1', 'c2', 'c3'],
      packet: ['p1', 'p2'],
      evidence: ['e1', 'e2', 'e3'],
    },
    adm: { case: [], caseAsSent: [], packet: [], evidence: [] },
  };
  const names = (ids: Iterable<string>) => [...ids].map((x) => Object.keys(id).find((k) => id[k] === x) ?? x).sort();

  const rows = Object.keys(expected).flatMap((who) => ACCESS_KINDS.map((kind) => [who, kind] as const));
  it.each(rows)('%s reaches exactly the expected %s (by id and as a list filter)', async (who, kind) => {
    const ids = all[kind].map((n) => id[n]);
    const byId = await access.check(auth(u[who]), kind, ids);
    expect(names(byId)).toEqual(expected[who][kind]);
    // The same rule as a list filter on a TypeORM query builder (named parameters) finds the same rows.
    const repo: Repository<ObjectLiteral> = ds.getRepository(
      kind === 'packet' ? PacketEntity : kind === 'evidence' ? EvidenceEntity : CaseEntity,
    );
    const listed = await whereInScope(
      repo.createQueryBuilder('r').where('r.id IN (:...ids)', { ids }),
      auth(u[who]),
      kind,
      'r',
    ).getMany();
    expect(names(listed.map((r) => r.id as string))).toEqual(expected[who][kind]);
  });

  it('answers nothing for ids that do not exist, and nothing for an empty list', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    expect([...(await access.check(auth(u.aud), 'case', [missing]))]).toEqual([]);
    expect([...(await access.check(auth(u.o1), 'evidence', []))]).toEqual([]);
    expect(await access.has(auth(u.o1), 'case', id.c1)).toBe(true);
    expect(await access.has(auth(u.o1b), 'case', id.c1)).toBe(false);
  });

  it('a supervisor moved to another district loses the old district and gains the new one', async () => {
    const moved = { ...auth(u.s1), district: 2 };
    expect(names(await access.check(moved, 'case', [id.c1, id.c2, id.c3]))).toEqual(['c2']);
    expect(names(await access.check(moved, 'evidence', [id.e1, id.e2, id.e3]))).toEqual(['e2']);
  });

  it('after a prosecutor asks for more information, the case is no longer "as sent" to them, but the packet and its evidence are', async () => {
    await t.given.claim(u.pL, id.p2);
    await t.given.decide(u.pL, id.p2, {
      decision: 'MORE_INFO_REQUESTED',
      reason: 'Footage of the arrest itself is needed.',
    });
    const pL = auth(u.pL);
    expect(names(await access.check(pL, 'caseAsSent', [id.c2]))).toEqual([]);
    expect(names(await access.check(pL, 'packet', [id.p2]))).toEqual(['p2']);
    expect(names(await access.check(pL, 'evidence', [id.e2]))).toEqual(['e2']);
    // The case is back with its officer and district.
    expect(names(await access.check(auth(u.o2), 'caseAsSent', [id.c2]))).toEqual(['c2']);
    // Through the API: the prosecutor still opens the packet and its evidence; the officer the case.
    expect((await t.http().get(`/api/v1/packets/${id.p2}`).set(u.pL.auth)).status).toBe(200);
    expect((await t.http().get(`/api/v1/evidence/${id.e2}`).set(u.pL.auth)).status).toBe(200);
    expect((await t.http().get(`/api/v1/evidence/${id.e1}`).set(u.pL.auth)).status).toBe(404);
  });
});
