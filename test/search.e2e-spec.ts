import { randomBytes } from 'node:crypto';
import { normaliseBadge } from '@app/common';
import { auditRows, createTestApp, FULL_CASE, TestApp, TestUser } from './harness/test-app';

/**
 * Issue 15 section 1: GET /cases searched and filtered (full text with English stemming, phrases, prefixes,
 * badges), sorted and counted, within exactly today's scopes; an auditor's q searches metadata only; every
 * search audited (case.searched); and the review queue's q over the packets' manifests.
 */
const API = '/api/v1';

/** Bytes that sniff as MPEG-4 video: footage under the order's rule. */
function mp4(n = 8 * 1024): Buffer {
  const b = randomBytes(n);
  Buffer.from('0000001c6674797069736f6d0000020069736f6d69736f326d703431', 'hex').copy(b, 0);
  return b;
}

type Item = Record<string, any>;

describe('case search (GET /cases: q, filters, sort, total) and the review queue q', () => {
  let t: TestApp;
  let officerA: TestUser;
  let officerB: TestUser;
  let officerC: TestUser;
  let sup3: TestUser;
  let sup3b: TestUser;
  let sup7: TestUser;
  let auditor: TestUser;
  let prosecutor: TestUser;
  let admin: TestUser;
  const c: Record<'van' | 'church' | 'grocery' | 'other', { id: string; caseNumber: string; version: number }> =
    {} as never;

  async function make(author: TestUser, fields: Record<string, unknown>, officers: unknown[], violations: unknown[]) {
    const d = await t.given.draftCase(author, fields);
    const o = await t
      .http()
      .put(`${API}/cases/${d.id}/federal-officers`)
      .set(author.auth)
      .set('If-Match', `"${d.version}"`)
      .send({ officers })
      .expect(200);
    const v = await t
      .http()
      .put(`${API}/cases/${d.id}/violations`)
      .set(author.auth)
      .set('If-Match', `"${o.body.version}"`)
      .send({ violations })
      .expect(200);
    return { id: d.id, caseNumber: d.caseNumber, version: v.body.version as number };
  }

  const list = async (u: TestUser, query: Record<string, unknown>, status = 200) => {
    const res = await t
      .http()
      .get(`${API}/cases`)
      .query({ pageSize: 100, ...query })
      .set(u.auth);
    expect({ status: res.status, body: res.status === status ? undefined : res.body }).toEqual({
      status,
      body: undefined,
    });
    return res;
  };
  const ids = async (u: TestUser, query: Record<string, unknown>) =>
    ((await list(u, query)).body.items as Item[]).map((i) => i.id).sort();
  const sorted = (...xs: { id: string }[]) => xs.map((x) => x.id).sort();

  beforeAll(async () => {
    t = await createTestApp();
    const g = t.given;
    [officerA, officerB, officerC, sup3, sup3b, sup7, auditor, prosecutor, admin] = await Promise.all([
      g.officer(3),
      g.officer(3),
      g.officer(7),
      g.supervisor(3),
      g.supervisor(3),
      g.supervisor(7),
      g.auditor(),
      g.prosecutor('CCSAO'),
      g.admin(),
    ]);
    await t.owner.query(`UPDATE users SET badge_number = '8812' WHERE id = $1`, [officerA.id]);
    c.van = await make(
      officerA,
      {
        origin: 'WITNESSED',
        incidentAt: '2026-03-01T10:00:00-06:00',
        incidentLocation: '4000 W Irving Park Rd',
        activityType: 'ARREST',
        agencies: ['ICE_ERO'],
        narrative: 'Agents in a grey van detained a man at the bus stop on Pulaski and refused to identify themselves.',
      },
      [
        {
          isSupervisor: true,
          name: 'Rutherford Quill',
          agency: 'ICE_ERO',
          badgeNumber: '# 004471',
          identificationOutcome: 'REFUSED',
          identificationMethod: 'Asked for name and badge',
          description: 'Silver Tahoe, Illinois plate ZX9911, tactical vest',
        },
      ],
      [{ citation: '720 ILCS 5/12-3', description: 'Battery of a bystander who filmed the arrest', felony: true }],
    );
    c.church = await make(
      officerA,
      {
        origin: 'REPORTED',
        incidentAt: '2026-05-01T10:00:00-05:00',
        incidentLocation: 'Outside St. Casimir church',
        activityType: 'DETENTION',
        agencies: ['CBP'],
        narrative: 'Agents were detaining people outside a church; a grey sedan left northbound.',
      },
      [
        {
          isSupervisor: true,
          name: 'K. Marsh',
          agency: 'CBP',
          badgeNumber: 'C-2210',
          identificationOutcome: 'VERIFIED',
          identificationMethod: 'Credentials shown',
        },
      ],
      [{ citation: 'MCC 2-173-020', description: 'Obstruction of a public way', felony: false }],
    );
    c.grocery = await make(
      officerB,
      {
        origin: 'WITNESSED',
        incidentAt: '2026-04-01T10:00:00-05:00',
        incidentLocation: 'Grocery store parking lot',
        activityType: 'SURVEILLANCE',
        agencies: ['ICE_HSI'],
        narrative: 'Quiet surveillance of a grocery store by two men in an unmarked car.',
      },
      [],
      [],
    );
    c.other = await make(
      officerC,
      {
        origin: 'WITNESSED',
        incidentAt: '2026-02-01T10:00:00-06:00',
        incidentLocation: '600 S Western Ave',
        activityType: 'ARREST',
        agencies: ['ICE_ERO'],
        narrative: 'The grey van again; agents detained a cyclist.',
      },
      [
        {
          isSupervisor: true,
          name: 'Rutherford Quill',
          agency: 'ICE_ERO',
          badgeNumber: '4471',
          identificationOutcome: 'REFUSED',
          identificationMethod: 'Asked',
        },
      ],
      [],
    );
    await t.given.evidence(officerA, c.church.id, mp4(), 'kind=BWC&deviceId=AXON-S-1');
    await t.given.evidence(officerA, c.van.id, randomBytes(2048), 'kind=DOCUMENT');
  });
  afterAll(async () => {
    await t?.close();
  });

  describe("scope is exactly today's", () => {
    it("an officer finds only their own cases, a supervisor their district's, an auditor by metadata; others are refused", async () => {
      expect(await ids(officerA, { q: 'grey' })).toEqual(sorted(c.van, c.church));
      expect(await ids(officerB, { q: 'grey' })).toEqual([]);
      expect(await ids(sup3, { q: 'grey' })).toEqual(sorted(c.van, c.church));
      expect(await ids(sup7, { q: 'grey' })).toEqual(sorted(c.other));
      // A filter naming another district widens nothing.
      expect(await ids(sup7, { q: 'grey', district: 3 })).toEqual([]);
      expect(await ids(officerC, { q: 'Quill' })).toEqual(sorted(c.other));
      await list(prosecutor, { q: 'grey' }, 403);
      await list(admin, { q: 'grey' }, 403);
    });

    it("an auditor's q searches case metadata only: a narrative, location or personnel word finds nothing and counts nothing", async () => {
      for (const q of ['grey', 'Pulaski', 'Quill', '4471', 'ZX9911', 'battery', '"grey van"', 'Rutherf*', 'Irving']) {
        const res = await list(auditor, { q });
        expect({ q, total: res.body.total, items: res.body.items }).toEqual({ q, total: 0, items: [] });
      }
      // Metadata is searchable: the case number, the activity type, the agency.
      expect(await ids(auditor, { q: c.van.caseNumber })).toEqual(sorted(c.van));
      expect(await ids(auditor, { q: c.grocery.caseNumber.slice(-6) })).toEqual(sorted(c.grocery));
      expect(await ids(auditor, { q: String(Number(c.grocery.caseNumber.slice(-6))) })).toContain(c.grocery.id);
      expect(await ids(auditor, { q: 'surveillance' })).toContain(c.grocery.id);
      // The list shows an auditor no location.
      const res = await list(auditor, { q: c.van.caseNumber });
      expect(res.body.items[0]).not.toHaveProperty('incidentLocation');
      expect(res.body.items[0]).toMatchObject({
        id: c.van.id,
        anyFelony: true,
        evidenceCount: 1,
        supervisorIdentification: 'REFUSED',
      });
    });
  });

  describe('full text', () => {
    it('stems English words: "detained" finds "detaining"', async () => {
      expect(await ids(officerA, { q: 'detained' })).toEqual(sorted(c.van, c.church));
      expect(await ids(officerA, { q: 'detain' })).toEqual(sorted(c.van, c.church));
    });

    it('matches phrases exactly ("grey van", not "grey sedan")', async () => {
      expect(await ids(sup3, { q: '"grey van"' })).toEqual(sorted(c.van));
      expect(await ids(sup3, { q: '"grey sedan"' })).toEqual(sorted(c.church));
      expect(await ids(sup3, { q: '"van grey"' })).toEqual([]);
    });

    it('matches prefixes (word*)', async () => {
      expect(await ids(sup3, { q: 'Pulas*' })).toEqual(sorted(c.van));
      expect(await ids(sup3, { q: 'rutherf*' })).toEqual(sorted(c.van));
      expect(await ids(sup3, { q: 'gro* store' })).toEqual(sorted(c.grocery));
    });

    it('finds personnel names, badges (as recorded and normalised), plates, citations, violation descriptions, locations', async () => {
      expect(await ids(sup3, { q: 'Quill' })).toEqual(sorted(c.van));
      for (const badge of ['4471', '004471', '#4471', '# 004471'])
        expect({ badge, found: await ids(sup3, { q: badge }) }).toEqual({ badge, found: sorted(c.van) });
      expect(await ids(sup3, { q: 'c-2210' })).toEqual(sorted(c.church));
      expect(await ids(sup3, { q: 'ZX9911' })).toEqual(sorted(c.van));
      expect(await ids(sup3, { q: 'tahoe' })).toEqual(sorted(c.van));
      expect(await ids(sup3, { q: 'obstruction' })).toEqual(sorted(c.church));
      expect(await ids(sup3, { q: '2-173-020' })).toEqual(sorted(c.church));
      expect(await ids(sup3, { q: 'irving park' })).toEqual(sorted(c.van));
      expect(await ids(sup3, { q: c.grocery.caseNumber })).toEqual(sorted(c.grocery));
      expect(await ids(sup3, { q: 'grey -van' })).toEqual(sorted(c.church));
      expect(await ids(sup3, { q: 'tahoe or sedan' })).toEqual(sorted(c.van, c.church));
    });

    it('normalises badges in the API exactly as the database does', async () => {
      const samples = ['# 004471', '000', 'AB 0471', '  0a12 ', '#', 'X-00-1', '0007\t'];
      const { rows } = await t.owner.query(`SELECT x, federal_badge_normalise(x) AS n FROM unnest($1::text[]) x`, [
        samples,
      ]);
      expect(rows.map((r: { n: string | null }) => r.n)).toEqual(samples.map((s) => normaliseBadge(s)));
    });

    it('keeps the search in step with edits in the same transaction', async () => {
      const d = await t.given.draftCase(officerB, { narrative: 'A blue minivan waited by the school.' });
      expect(await ids(officerB, { q: 'minivan' })).toEqual([d.id]);
      await t
        .http()
        .patch(`${API}/cases/${d.id}`)
        .set(officerB.auth)
        .set('If-Match', `"${d.version}"`)
        .send({ narrative: 'A blue truck waited by the school.' })
        .expect(200);
      expect(await ids(officerB, { q: 'minivan' })).toEqual([]);
      expect(await ids(officerB, { q: 'truck' })).toEqual([d.id]);
    });
  });

  describe('filters, sort, total, list items', () => {
    it('filters by incident date range, district, status, agency, activity type, identification outcome, felony, footage, author', async () => {
      const inD3 = async (query: Record<string, unknown>) => ids(sup3, { ...query, q: 'agents OR quiet OR grocery' });
      expect(await inD3({})).toEqual(sorted(c.van, c.church, c.grocery));
      expect(await inD3({ from: '2026-03-15T00:00:00Z', to: '2026-04-15T00:00:00Z' })).toEqual(sorted(c.grocery));
      expect(await inD3({ from: '2026-04-15T00:00:00Z' })).toEqual(sorted(c.church));
      expect(await inD3({ district: 3, status: 'DRAFT' })).toEqual(sorted(c.van, c.church, c.grocery));
      expect(await inD3({ status: 'SUBMITTED' })).toEqual([]);
      expect(await inD3({ agency: 'CBP' })).toEqual(sorted(c.church));
      expect(await inD3({ activityType: 'SURVEILLANCE' })).toEqual(sorted(c.grocery));
      expect(await inD3({ supervisorIdentification: 'REFUSED' })).toEqual(sorted(c.van));
      expect(await inD3({ supervisorIdentification: 'NOT_RECORDED' })).toEqual(sorted(c.grocery));
      expect(await inD3({ felony: true })).toEqual(sorted(c.van));
      expect(await inD3({ felony: false })).toEqual(sorted(c.church, c.grocery));
      expect(await inD3({ hasFootage: true })).toEqual(sorted(c.church));
      expect(await inD3({ hasFootage: false })).toEqual(sorted(c.van, c.grocery));
      expect(await inD3({ author: officerB.id })).toEqual(sorted(c.grocery));
      // Without q too.
      expect(await ids(sup3, { felony: true })).toEqual(sorted(c.van));
    });

    it('sorts by incident time (the default with q), last change, creation, and relevance; totals count every page', async () => {
      const order = async (query: Record<string, unknown>) =>
        ((await list(sup3, { q: 'agents OR quiet', ...query })).body.items as Item[]).map((i) => i.id);
      expect(await order({ sort: 'incident', order: 'asc' })).toEqual([c.van.id, c.grocery.id, c.church.id]);
      expect(await order({ sort: 'incident' })).toEqual([c.church.id, c.grocery.id, c.van.id]);
      expect(await order({ sort: 'created' })).toEqual([c.grocery.id, c.church.id, c.van.id]);
      await t
        .http()
        .patch(`${API}/cases/${c.church.id}`)
        .set(officerA.auth)
        .set('If-Match', `"${c.church.version}"`)
        .send({ aidGiven: 'Water' })
        .expect(200);
      c.church.version += 1;
      expect((await order({ sort: 'updated' }))[0]).toBe(c.church.id);
      // Relevance (asked for): the database's own ranking of the same query, most relevant first.
      const { rows } = await t.owner.query(
        `SELECT id FROM cases WHERE id = ANY($1) ORDER BY ts_rank_cd(search_content, websearch_to_tsquery('english', 'grey or van')) DESC`,
        [[c.van.id, c.church.id]],
      );
      expect(rows.map((r: { id: string }) => r.id)).toEqual([c.van.id, c.church.id]);
      expect(await order({ q: 'grey or van', sort: 'relevance' })).toEqual([c.van.id, c.church.id]);
      // Without sort, q lists the newest incident first (ranking every match would cost every broad search).
      expect(await order({ q: 'grey or van' })).toEqual([c.church.id, c.van.id]);
      expect(await order({ q: 'grey or van', order: 'asc' })).toEqual([c.van.id, c.church.id]);

      const p1 = await list(sup3, { q: 'agents OR quiet', pageSize: 2, sort: 'incident' });
      const p2 = await list(sup3, { q: 'agents OR quiet', pageSize: 2, page: 2, sort: 'incident' });
      expect({ t1: p1.body.total, t2: p2.body.total, n1: p1.body.items.length, n2: p2.body.items.length }).toEqual({
        t1: 3,
        t2: 3,
        n1: 2,
        n2: 1,
      });
      expect(p2.body.items[0].id).toBe(c.van.id);
    });

    it('list items carry location, author name and badge, district, age, evidence count, felony', async () => {
      const res = await list(sup3, { q: 'Pulaski' });
      expect(res.body.items).toEqual([
        expect.objectContaining({
          id: c.van.id,
          caseNumber: c.van.caseNumber,
          district: 3,
          incidentLocation: '4000 W Irving Park Rd',
          authorName: expect.stringMatching(/^Test OFFICER/),
          authorBadge: '8812',
          ageDays: 0,
          evidenceCount: 1,
          anyFelony: true,
          supervisorIdentification: 'REFUSED',
        }),
      ]);
      expect(res.body.items[0]).not.toHaveProperty('narrative');
    });

    it("sorts by when submitted (issue 16: a supervisor's queue, oldest waiting first); never-submitted cases last either way", async () => {
      // A district of its own, so that no other test's cases take part.
      const [officer5, sup5] = await Promise.all([t.given.officer(5), t.given.supervisor(5)]);
      const first = await t.given.submittedCase(officer5);
      const second = await t.given.submittedCase(officer5);
      const draft = await t.given.draftCase(officer5);
      // The one opened first has waited longest.
      await t.owner.query(`UPDATE cases SET submitted_at = now() - interval '2 days' WHERE id = $1`, [first.id]);
      await t.owner.query(`UPDATE cases SET submitted_at = now() - interval '3 hours' WHERE id = $1`, [second.id]);
      const order = async (query: Record<string, unknown>) =>
        ((await list(sup5, query)).body.items as Item[]).map((i) => i.id);
      await expect(order({ sort: 'submitted', order: 'asc' })).resolves.toEqual([first.id, second.id, draft.id]);
      await expect(order({ sort: 'submitted' })).resolves.toEqual([second.id, first.id, draft.id]);
      await expect(order({ status: 'SUBMITTED', sort: 'submitted', order: 'asc' })).resolves.toEqual([
        first.id,
        second.id,
      ]);
      // The usual order (newest opened first) is not the queue's.
      await expect(order({ status: 'SUBMITTED' })).resolves.toEqual([second.id, first.id]);
    });

    it('keeps the list without q working as before (newest first, status filter, pagination)', async () => {
      const res = await list(officerA, {});
      expect((res.body.items as Item[]).map((i) => i.id)).toEqual([c.church.id, c.van.id]);
      expect(res.body).toMatchObject({ page: 1, pageSize: 100, total: 2, totalCapped: false });
    });

    it('counts exactly up to 1,000 matches, then says "more than 1,000" (totalCapped); an auditor\'s count reveals nothing', async () => {
      // A district of its own, filled straight in PostgreSQL (the triggers index the rows as for any write).
      const author = await t.given.officer(12);
      const sup12 = await t.given.supervisor(12);
      const fill = (fromN: number, toN: number) =>
        t.owner.query(
          `INSERT INTO cases (case_number, status, version, district, created_by, origin, incident_at, incident_location, activity_type,
                            agencies, narrative, injuries_reported, federal_officers, violations, created_at, updated_at)
         SELECT 'ION-2031-' || lpad(i::text, 6, '0'), 'DRAFT', 1, 12, $1, 'WITNESSED', timestamptz '2026-01-01' + i * interval '1 minute',
                'Lot ' || i, 'ARREST', ARRAY['ICE_ERO'], 'Zanzibarite agents ' || i || ' blocked the alley.', false, '[]', '[]', now(), now()
           FROM generate_series($2::int, $3::int) i`,
          [author.id, fromN, toN],
        );
      await fill(1, 1000);
      const exact = await list(sup12, { q: 'zanzibarite', pageSize: 20 });
      expect({ total: exact.body.total, totalCapped: exact.body.totalCapped, n: exact.body.items.length }).toEqual({
        total: 1000,
        totalCapped: false,
        n: 20,
      });
      // Newest incident first: the rows generated last.
      expect(exact.body.items[0].caseNumber).toBe('ION-2031-001000');
      await fill(1001, 1001);
      const capped = await list(sup12, { q: 'zanzibarite', pageSize: 20 });
      expect({
        total: capped.body.total,
        totalCapped: capped.body.totalCapped,
        first: capped.body.items[0].caseNumber,
      }).toEqual({ total: 1000, totalCapped: true, first: 'ION-2031-001001' });
      // Paging on past the cap still works (page 51 of "more than 50").
      const deep = await list(sup12, { q: 'zanzibarite', pageSize: 20, page: 51 });
      expect({
        total: deep.body.total,
        totalCapped: deep.body.totalCapped,
        items: deep.body.items.map((i: Item) => i.caseNumber),
      }).toEqual({ total: 1000, totalCapped: true, items: ['ION-2031-000001'] });
      // Without q the same cap applies: the district's list.
      expect((await list(sup12, { pageSize: 1 })).body).toMatchObject({ total: 1000, totalCapped: true });
      // The auditor: the word is narrative text only, so no match, no count, nothing capped; the audit says so.
      const aud = await list(auditor, { q: 'zanzibarite' });
      expect({ total: aud.body.total, totalCapped: aud.body.totalCapped, items: aud.body.items }).toEqual({
        total: 0,
        totalCapped: false,
        items: [],
      });
      const [aev] = await auditRows(t.owner, `request_id = $1`, [aud.headers['x-request-id']]);
      expect(aev.details).toMatchObject({
        q: 'zanzibarite',
        searched: 'metadata',
        total: 0,
        totalCapped: false,
        caseIds: [],
      });
      const [sev] = await auditRows(t.owner, `request_id = $1`, [capped.headers['x-request-id']]);
      expect(sev.details).toMatchObject({
        q: 'zanzibarite',
        searched: 'content',
        sort: 'incident',
        total: 1000,
        totalCapped: true,
      });
      // What an auditor may search (metadata) is capped like the rest: the case numbers' year.
      expect((await list(auditor, { q: '2031', pageSize: 1 })).body).toMatchObject({ total: 1000, totalCapped: true });
    });
  });

  describe('hostile and malformed q', () => {
    it.each([
      ['a NUL character', 'grey\u0000van'],
      ['a line break', 'grey\nvan'],
      ['201 characters', 'x'.repeat(201)],
      ['nothing but blanks', '   '],
      ['an empty string', ''],
    ])('refuses %s with 400 naming q, audited', async (_what, q) => {
      const res = await t.http().get(`${API}/cases`).query({ q }).set(sup3.auth);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(/\bq\b/);
      const [ev] = await auditRows(t.owner, 'request_id = $1', [res.body.requestId]);
      expect(ev).toMatchObject({ outcome: 'FAILED', actor_id: sup3.id });
    });

    it.each([
      `"unclosed phrase`,
      `grey & van | ! ( ) <-> :* '`,
      `'); DROP TABLE cases; --`,
      'van:*',
      '***',
      'or or -',
      '\\',
      'x'.repeat(200),
      '"" "" ""',
      'ąćę żółw*',
      'grey* van*',
    ])('searches %j without an error (operators are text, never SQL)', async (q) => {
      const res = await list(sup3, { q });
      expect(Array.isArray(res.body.items)).toBe(true);
      expect(res.body.total).toBe(res.body.items.length);
    });

    it('refuses unknown parameters, bad filters and sort=relevance without q, naming them', async () => {
      for (const [query, field] of [
        [{ query: 'grey' }, 'query'],
        [{ sort: 'relevance' }, 'sort'],
        [{ q: 'grey', sort: 'relevance', order: 'asc' }, 'order'],
        [{ felony: 'yes' }, 'felony'],
        [{ agency: 'NSA' }, 'agency'],
        [{ author: 'me' }, 'author'],
        [{ supervisorIdentification: 'MAYBE' }, 'supervisorIdentification'],
      ] as [Record<string, string>, string][]) {
        const res = await t.http().get(`${API}/cases`).query(query).set(sup3.auth);
        expect({
          query,
          status: res.status,
          fields: (res.body.fields ?? []).map((f: { field: string }) => f.field),
        }).toEqual({ query, status: 400, fields: [field] });
      }
    });
  });

  describe('audit', () => {
    it('records every search: who, the q and filters as sent, how many matched, which cases the page showed', async () => {
      const res = await t
        .http()
        .get(`${API}/cases`)
        .query({ q: 'grey', felony: 'true', sort: 'incident', pageSize: 5 })
        .set(sup3.auth)
        .expect(200);
      const [ev] = await auditRows(t.owner, `request_id = $1`, [res.headers['x-request-id']]);
      expect(ev).toMatchObject({
        action: 'case.searched',
        outcome: 'SUCCESS',
        actor_id: sup3.id,
        actor_role: 'SUPERVISOR',
        target_type: 'case',
      });
      expect(ev.details).toEqual({
        q: 'grey',
        searched: 'content',
        filters: { felony: true },
        sort: 'incident',
        order: 'desc',
        page: 1,
        pageSize: 5,
        total: 1,
        totalCapped: false,
        caseIds: [c.van.id],
      });
      const a = await t.http().get(`${API}/cases`).query({ q: 'grey' }).set(auditor.auth).expect(200);
      const [aev] = await auditRows(t.owner, `request_id = $1`, [a.headers['x-request-id']]);
      expect(aev.details).toMatchObject({ q: 'grey', searched: 'metadata', total: 0, caseIds: [] });
    });
  });

  describe('the review queue q (prosecutors: over the manifests sent to their office)', () => {
    it("finds packets by what their manifests say, only in the office's queue, audited", async () => {
      const author = await t.given.officer(3);
      const p1 = await t.given.sentPacket(author, sup3b, 'CCSAO');
      const p2 = await t.given.sentPacket(author, sup3b, 'CCSAO');
      const p3 = await t.given.sentPacket(author, sup3b, 'CITY_LAW');
      const queue = async (u: TestUser, q: string) => {
        const res = await t.http().get(`${API}/review-queue`).query({ q, pageSize: 100 }).set(u.auth).expect(200);
        return res;
      };
      const cityLaw = await t.given.prosecutor('CITY_LAW');
      expect((await queue(prosecutor, p1.caseNumber)).body.items.map((i: Item) => i.id)).toEqual([p1.id]);
      const phrase = await queue(prosecutor, `"${FULL_CASE.narrative.split(' ').slice(3, 6).join(' ')}"`);
      expect(
        phrase.body.items
          .map((i: Item) => i.id)
          .filter((id: string) => [p1.id, p2.id, p3.id].includes(id))
          .sort(),
      ).toEqual([p1.id, p2.id].sort());
      expect((await queue(prosecutor, 'J. Smith')).body.total).toBeGreaterThanOrEqual(2);
      expect((await queue(prosecutor, p3.caseNumber)).body).toMatchObject({ total: 0, items: [] });
      expect((await queue(cityLaw, p3.caseNumber)).body.items.map((i: Item) => i.id)).toEqual([p3.id]);
      const none = await queue(prosecutor, 'zebra');
      expect(none.body).toMatchObject({ total: 0, items: [] });
      const [ev] = await auditRows(t.owner, `request_id = $1`, [none.headers['x-request-id']]);
      expect(ev).toMatchObject({ action: 'review_queue.searched', actor_id: prosecutor.id });
      expect(ev.details).toMatchObject({ q: 'zebra', total: 0, packetIds: [] });
      const bad = await t.http().get(`${API}/review-queue`).query({ q: 'a\u0000b' }).set(prosecutor.auth);
      expect(bad.status).toBe(400);
    });
  });
});
