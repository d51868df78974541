import { randomUUID } from 'node:crypto';
import { auditRows, createTestApp, FULL_CASE, TestApp, TestUser } from './harness/test-app';

/**
 * Issue 15 section 2: the federal personnel index. One entry per agency + normalised badge (never by name),
 * unidentified personnel one entry per record (found by description), links with reasons by users (undone
 * by another), scope per role (prosecutors: packets sent to their office; supervisors: their district;
 * officers: their own cases; auditors: counts without names), every read audited, and the index in step
 * with case edits.
 */
const API = '/api/v1';
type Item = Record<string, any>;

describe('federal personnel index (GET /federal-personnel, GET /federal-personnel/:id, links)', () => {
  let t: TestApp;
  let o1: TestUser;
  let o10: TestUser;
  let sup1: TestUser;
  let sup10: TestUser;
  let ccsao: TestUser;
  let ccsao2: TestUser;
  let cityLaw: TestUser;
  let auditor: TestUser;
  let admin: TestUser;
  let caseA: { id: string; caseNumber: string };
  let caseB: { id: string; caseNumber: string };
  let caseC: { id: string; caseNumber: string; version: number };
  const BALACLAVA = 'Tall agent in a green balaclava, drove a black Suburban';

  async function recordOfficers(author: TestUser, caseId: string, version: number, officers: unknown[]) {
    const res = await t
      .http()
      .put(`${API}/cases/${caseId}/federal-officers`)
      .set(author.auth)
      .set('If-Match', `"${version}"`)
      .send({ officers });
    expect(res.status).toBe(200);
    return res.body as { id: string; version: number; caseNumber: string };
  }

  /** A complete case with these federal officers, submitted, approved by `sup` and (unless office is null) sent. */
  async function caseWith(
    author: TestUser,
    sup: TestUser,
    officers: unknown[],
    office: 'CCSAO' | 'CITY_LAW' | null,
    fields: Record<string, unknown> = {},
  ) {
    const d = await t.given.draftCase(author, { ...FULL_CASE, ...fields });
    const c = await recordOfficers(author, d.id, d.version, officers);
    const v = await t
      .http()
      .put(`${API}/cases/${d.id}/violations`)
      .set(author.auth)
      .set('If-Match', `"${c.version}"`)
      .send({ violations: [{ citation: '720 ILCS 5/12-3', description: 'Battery of a bystander', felony: true }] })
      .expect(200);
    if (!office) return { id: d.id, caseNumber: d.caseNumber, version: v.body.version as number };
    await t.given.submit(author, d.id);
    await t.given.approve(sup, d.id);
    await t.given.sendPacket(sup, d.id, office);
    return { id: d.id, caseNumber: d.caseNumber, version: -1 };
  }

  const supervisorRecord = (badgeNumber: string | null, name: string | null, extra: Record<string, unknown> = {}) => ({
    isSupervisor: true,
    name,
    agency: 'ICE_ERO',
    badgeNumber,
    identificationOutcome: 'REFUSED',
    identificationMethod: 'Asked for name and badge; refused',
    masked: true,
    ...extra,
  });

  const list = async (u: TestUser, query: Record<string, unknown> = {}, status = 200) => {
    const res = await t
      .http()
      .get(`${API}/federal-personnel`)
      .query({ pageSize: 100, ...query })
      .set(u.auth);
    expect({ status: res.status, body: res.status === status ? undefined : res.body }).toEqual({
      status,
      body: undefined,
    });
    return res;
  };
  const entryWithBadge = (items: Item[], norm: string) => items.filter((i) => i.badgeNormalised === norm);

  beforeAll(async () => {
    t = await createTestApp();
    const g = t.given;
    [o1, o10, sup1, sup10, ccsao, ccsao2, cityLaw, auditor, admin] = await Promise.all([
      g.officer(1),
      g.officer(10),
      g.supervisor(1),
      g.supervisor(10),
      g.prosecutor('CCSAO'),
      g.prosecutor('CCSAO'),
      g.prosecutor('CITY_LAW'),
      g.auditor(),
      g.admin(),
    ]);
    // The same masked supervisor in two districts, badge recorded differently; both cases sent to CCSAO.
    caseA = await caseWith(
      o1,
      sup1,
      [
        supervisorRecord('0471', null),
        { isSupervisor: false, agency: 'ICE_ERO', description: BALACLAVA },
        { isSupervisor: false, agency: 'CBP', name: 'R. Vance' },
      ],
      'CCSAO',
      { incidentLocation: '5500 S Pulaski Rd', activityType: 'ARREST', incidentAt: '2026-03-02T08:00:00-06:00' },
    );
    caseB = await caseWith(
      o10,
      sup10,
      [
        supervisorRecord('#471', 'Sgt. D. Roe'),
        { isSupervisor: false, agency: 'ICE_ERO', description: BALACLAVA },
        { isSupervisor: false, agency: 'CBP', name: 'R. Vance' },
      ],
      'CCSAO',
      { incidentLocation: '1200 W Lawrence Ave', activityType: 'DETENTION', incidentAt: '2026-04-10T08:00:00-05:00' },
    );
    // A third case of district 10 with the same badge: never sent.
    caseC = await caseWith(o10, sup10, [supervisorRecord('471', 'D. Roe')], null);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the same badge in two districts sent to CCSAO: one person with both cases for CCSAO; each district sees its own; CITY_LAW neither', async () => {
    const [p] = entryWithBadge((await list(ccsao, { q: '471' })).body.items, '471');
    expect(p).toMatchObject({
      agency: 'ICE_ERO',
      groupedByBadge: true,
      badgeNormalised: '471',
      caseCount: 2,
      recordCount: 2,
      roles: ['SUPERVISOR'],
      outcomes: ['REFUSED'],
      names: ['Sgt. D. Roe'],
      badges: ['#471', '0471'],
    });
    const detail = await t.http().get(`${API}/federal-personnel/${p.id}`).set(ccsao.auth).expect(200);
    expect(detail.body.cases.map((c: Item) => c.caseId)).toEqual([caseB.id, caseA.id]); // latest incident first
    expect(detail.body.cases[1]).toEqual({
      caseId: caseA.id,
      caseNumber: caseA.caseNumber,
      district: 1,
      status: 'REFERRED',
      incidentAt: '2026-03-02T14:00:00.000Z',
      incidentLocation: '5500 S Pulaski Rd',
      activityType: 'ARREST',
      anyFelony: true,
      records: [
        { isSupervisor: true, name: null, badgeNumber: '0471', identificationOutcome: 'REFUSED', description: null },
      ],
      violations: [{ citation: '720 ILCS 5/12-3', description: 'Battery of a bystander', felony: true }],
      packetId: (await t.owner.query(`SELECT id FROM packets WHERE case_id = $1 AND office = 'CCSAO'`, [caseA.id]))
        .rows[0].id,
    });

    // A supervisor of district 1 sees only their case; of district 10, its two (the unsent one too).
    const s1 = await t.http().get(`${API}/federal-personnel/${p.id}`).set(sup1.auth).expect(200);
    expect(s1.body).toMatchObject({ caseCount: 1, names: [], badges: ['0471'] });
    expect(s1.body.cases.map((c: Item) => c.caseId)).toEqual([caseA.id]);
    expect(s1.body.cases[0]).not.toHaveProperty('packetId'); // a supervisor opens the case itself
    const s10 = await t.http().get(`${API}/federal-personnel/${p.id}`).set(sup10.auth).expect(200);
    expect(s10.body.cases.map((c: Item) => c.caseId).sort()).toEqual([caseB.id, caseC.id].sort());
    // The officer who wrote case A: the personnel of their own cases.
    const mine = await t.http().get(`${API}/federal-personnel/${p.id}`).set(o1.auth).expect(200);
    expect(mine.body.cases.map((c: Item) => c.caseId)).toEqual([caseA.id]);

    // CITY_LAW: not in the list, and the entry answers 404 (audited as out of scope).
    expect((await list(cityLaw)).body.items.map((i: Item) => i.id)).not.toContain(p.id);
    expect((await list(cityLaw, { q: '471' })).body).toMatchObject({ total: 0, items: [] });
    const denied = await t.http().get(`${API}/federal-personnel/${p.id}`).set(cityLaw.auth).expect(404);
    const [ev] = await auditRows(t.owner, 'request_id = $1', [denied.body.requestId]);
    expect(ev).toMatchObject({
      action: 'access.denied',
      outcome: 'DENIED',
      actor_id: cityLaw.id,
      target_type: 'federal_personnel',
      target_id: p.id,
    });
    expect(ev.details.reason).toBe('out_of_scope');
    const missing = await t.http().get(`${API}/federal-personnel/${randomUUID()}`).set(ccsao.auth).expect(404);
    expect(missing.body.message).toMatch(/No federal_personnel with id/);
  });

  it('never merges by name, nor unidentified personnel: each record is its own entry, found by its description', async () => {
    const vance = (await list(ccsao, { q: 'Vance' })).body.items as Item[];
    expect(vance).toHaveLength(2);
    expect(vance.every((i) => i.groupedByBadge === false && i.caseCount === 1 && i.names[0] === 'R. Vance')).toBe(true);
    const masked = (await list(ccsao, { q: 'balaclava' })).body.items as Item[];
    expect(masked).toHaveLength(2);
    expect(masked.map((i) => ({ names: i.names, descriptions: i.descriptions, roles: i.roles }))).toEqual([
      { names: [], descriptions: [BALACLAVA], roles: ['AGENT'] },
      { names: [], descriptions: [BALACLAVA], roles: ['AGENT'] },
    ]);
    expect((await list(ccsao, { q: '"black suburban"' })).body.total).toBe(2);
    expect((await list(ccsao, { q: 'balacl*' })).body.total).toBe(2);
  });

  it('sorts by number of cases, filters by agency and role, counts every page', async () => {
    const all = (await list(ccsao)).body;
    expect(all.sort).toBe('cases');
    expect(all.items[0]).toMatchObject({ badgeNormalised: '471', caseCount: 2 });
    const counts = (all.items as Item[]).map((i) => i.caseCount);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    expect(all.total).toBe(5); // the badge, 2 x masked agent, 2 x R. Vance
    expect((await list(ccsao, { agency: 'CBP' })).body.total).toBe(2);
    expect((await list(ccsao, { role: 'SUPERVISOR' })).body.total).toBe(1);
    const p2 = (await list(ccsao, { pageSize: 2, page: 3 })).body;
    expect({ total: p2.total, n: p2.items.length }).toEqual({ total: 5, n: 1 });
  });

  it('auditors see counts without names, and may not search names', async () => {
    const res = await list(auditor);
    const p = (res.body.items as Item[]).find((i) => i.caseCount === 3);
    expect(p).toMatchObject({ agency: 'ICE_ERO', groupedByBadge: true, caseCount: 3, roles: ['SUPERVISOR'] });
    for (const i of res.body.items as Item[])
      for (const k of ['names', 'badges', 'descriptions', 'badgeNormalised']) expect(i).not.toHaveProperty(k);
    await list(auditor, { q: 'Roe' }, 403);
    const d = await t.http().get(`${API}/federal-personnel/${p!.id}`).set(auditor.auth).expect(200);
    expect(d.body.cases).toHaveLength(3);
    for (const c of d.body.cases as Item[]) {
      expect(c).not.toHaveProperty('incidentLocation');
      expect(c).not.toHaveProperty('violations');
      for (const r of c.records)
        for (const k of ['name', 'badgeNumber', 'description']) expect(r).not.toHaveProperty(k);
    }
    await list(admin, {}, 403);
  });

  it('links two entries with a reason; another user undoes it with a reason; both shown and audited', async () => {
    const [x, y] = ((await list(ccsao, { q: 'balaclava' })).body.items as Item[]).map((i) => i.id);
    const reason = 'Same green balaclava and black Suburban, 5 weeks apart; BWC stills compared.';
    const linked = await t
      .http()
      .post(`${API}/federal-personnel/${x}/links`)
      .set(ccsao.auth)
      .send({ otherId: y, reason })
      .expect(201);
    expect(linked.body).toMatchObject({
      otherId: y,
      active: true,
      reason,
      linkedBy: { id: ccsao.id },
      unlinkedBy: null,
    });
    const [lev] = await auditRows(t.owner, `action = 'federal_personnel.linked' AND target_id = $1`, [linked.body.id]);
    expect(lev).toMatchObject({ actor_id: ccsao.id, outcome: 'SUCCESS', target_type: 'federal_personnel_link' });
    expect(lev.details).toEqual({ entries: [x, y].sort(), reason });
    // Shown on both entries; counted in the list.
    const dy = await t.http().get(`${API}/federal-personnel/${y}`).set(ccsao2.auth).expect(200);
    expect(dy.body.links).toEqual([expect.objectContaining({ id: linked.body.id, otherId: x, active: true, reason })]);
    // The other entry as the reader's scope shows it: enough to tell who is linked.
    expect(dy.body.links[0].other).toEqual({
      agency: 'ICE_ERO',
      caseCount: 1,
      names: [],
      badges: [],
      descriptions: [BALACLAVA],
    });
    expect(dy.body.linkCount).toBe(1);
    // Twice: conflict. Oneself, no reason, an entry out of scope: refused, nothing written.
    await t
      .http()
      .post(`${API}/federal-personnel/${y}/links`)
      .set(ccsao2.auth)
      .send({ otherId: x, reason: 'again' })
      .expect(409);
    const self = await t
      .http()
      .post(`${API}/federal-personnel/${x}/links`)
      .set(ccsao.auth)
      .send({ otherId: x, reason: 'same' })
      .expect(400);
    expect(self.body.fields.map((f: Item) => f.field)).toEqual(['otherId']);
    const blank = await t
      .http()
      .post(`${API}/federal-personnel/${x}/links`)
      .set(ccsao.auth)
      .send({ otherId: y, reason: '  ' })
      .expect(400);
    expect(blank.body.fields.map((f: Item) => f.field)).toEqual(['reason']);
    const [cEntry] = (await list(sup10, { q: 'D. Roe' })).body.items as Item[];
    const vanceB = ((await list(sup10, { q: 'Vance' })).body.items as Item[])[0];
    await t
      .http()
      .post(`${API}/federal-personnel/${cEntry.id}/links`)
      .set(sup10.auth)
      .send({ otherId: vanceB.id, reason: 'test' })
      .expect(201);
    await t
      .http()
      .post(`${API}/federal-personnel/${x}/links`)
      .set(o1.auth)
      .send({ otherId: y, reason: 'officer' })
      .expect(403);
    const {
      rows: [{ n }],
    } = await t.owner.query(
      `SELECT count(*)::int AS n FROM federal_personnel_links WHERE entry_a = $1 OR entry_b = $1`,
      [x],
    );
    expect(n).toBe(1);

    // Another prosecutor of the office undoes it.
    const undo = 'The BWC stills show different heights; not the same person.';
    const un = await t
      .http()
      .post(`${API}/federal-personnel/links/${linked.body.id}/unlink`)
      .set(ccsao2.auth)
      .send({ reason: undo })
      .expect(200);
    expect(un.body).toMatchObject({
      id: linked.body.id,
      active: false,
      reason,
      unlinkReason: undo,
      linkedBy: { id: ccsao.id },
      unlinkedBy: { id: ccsao2.id },
    });
    const [uev] = await auditRows(t.owner, `action = 'federal_personnel.unlinked' AND target_id = $1`, [
      linked.body.id,
    ]);
    expect(uev).toMatchObject({ actor_id: ccsao2.id, outcome: 'SUCCESS' });
    expect(uev.details).toMatchObject({ reason: undo, linkReason: reason, linkedBy: ccsao.id });
    await t
      .http()
      .post(`${API}/federal-personnel/links/${linked.body.id}/unlink`)
      .set(ccsao.auth)
      .send({ reason: 'again' })
      .expect(409);
    // CITY_LAW cannot see the entries: the link answers 404.
    await t
      .http()
      .post(`${API}/federal-personnel/links/${linked.body.id}/unlink`)
      .set(cityLaw.auth)
      .send({ reason: 'x' })
      .expect(404);
    const after = await t.http().get(`${API}/federal-personnel/${x}`).set(ccsao.auth).expect(200);
    expect(after.body.links).toEqual([expect.objectContaining({ active: false, reason, unlinkReason: undo })]);
    expect(after.body.linkCount).toBe(0);
    // The database allows only the undo, once.
    await expect(
      t.owner.query(`UPDATE federal_personnel_links SET reason = 'forged' WHERE id = $1`, [linked.body.id]),
    ).rejects.toThrow(/may only be undone/);
    // A new link between the same two entries may be made again after an undo.
    await t
      .http()
      .post(`${API}/federal-personnel/${x}/links`)
      .set(ccsao2.auth)
      .send({ otherId: y, reason: 'Confirmed by the agency roster.' })
      .expect(201);
  });

  it('audits every read: the search (q, filters, result ids) and each view (the cases shown)', async () => {
    const res = await list(sup1, { q: 'balaclava', agency: 'ICE_ERO' });
    const [ev] = await auditRows(t.owner, 'request_id = $1', [res.headers['x-request-id']]);
    expect(ev).toMatchObject({ action: 'federal_personnel.searched', actor_id: sup1.id, outcome: 'SUCCESS' });
    expect(ev.details).toMatchObject({
      q: 'balaclava',
      filters: { agency: 'ICE_ERO' },
      sort: 'cases',
      total: 1,
      entryIds: [res.body.items[0].id],
    });
    const v = await t.http().get(`${API}/federal-personnel/${res.body.items[0].id}`).set(sup1.auth).expect(200);
    const [vev] = await auditRows(t.owner, 'request_id = $1', [v.headers['x-request-id']]);
    expect(vev).toMatchObject({
      action: 'federal_personnel.viewed',
      target_type: 'federal_personnel',
      target_id: res.body.items[0].id,
    });
    expect(vev.details.caseIds).toEqual([caseA.id]);
  });

  it('follows case edits in the same transaction (derived by the database from the case record)', async () => {
    const before = (await list(sup10, { q: '471' })).body.items as Item[];
    expect(before.find((i) => i.badgeNormalised === '471')).toMatchObject({ caseCount: 2 });
    // A refused edit (stale version) changes nothing.
    await t
      .http()
      .put(`${API}/cases/${caseC.id}/federal-officers`)
      .set(o10.auth)
      .set('If-Match', `"${caseC.version - 1}"`)
      .send({ officers: [supervisorRecord('9999', 'D. Roe')] })
      .expect(409);
    expect((await list(sup10, { q: '471' })).body.items.find((i: Item) => i.badgeNormalised === '471')).toMatchObject({
      caseCount: 2,
    });
    const edited = await recordOfficers(o10, caseC.id, caseC.version, [supervisorRecord('AB 0009', 'D. Roe')]);
    caseC.version = edited.version;
    expect((await list(sup10, { q: '471' })).body.items.find((i: Item) => i.badgeNormalised === '471')).toMatchObject({
      caseCount: 1,
    });
    expect((await list(sup10, { q: 'ab0009' })).body.items).toEqual([
      expect.objectContaining({ badgeNormalised: 'ab0009', badges: ['AB 0009'], caseCount: 1 }),
    ]);
    // The app's database role cannot write the index itself.
    await expect(t.appRole.query(`DELETE FROM federal_personnel_records`)).rejects.toThrow(/permission denied/);
    await expect(
      t.appRole.query(`INSERT INTO federal_personnel (entry_key, keyed) VALUES ('x', false)`),
    ).rejects.toThrow(/permission denied/);
  });

  it('refuses hostile and malformed queries, naming the parameter', async () => {
    for (const [query, field] of [
      [{ q: 'a\u0000b' }, 'q'],
      [{ q: 'x'.repeat(201) }, 'q'],
      [{ sort: 'name' }, 'sort'],
      [{ role: 'BOSS' }, 'role'],
      [{ name: 'x' }, 'name'],
    ] as [Record<string, string>, string][]) {
      const res = await t.http().get(`${API}/federal-personnel`).query(query).set(ccsao.auth);
      expect({ status: res.status, fields: (res.body.fields ?? []).map((f: Item) => f.field) }).toEqual({
        status: 400,
        fields: [field],
      });
    }
    for (const q of [`'); DROP TABLE cases; --`, '"unclosed', '! & | <-> :*', 'x*']) await list(ccsao, { q });
  });
});
