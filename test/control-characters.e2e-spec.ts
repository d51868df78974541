/**
 * Control characters in every string the service takes (issue 14, point 3). U+0000 cannot be stored
 * by PostgreSQL (text and jsonb): it used to answer 500 from almost any field, or be stored altered
 * (U+FFFD) in the audit trail. Now:
 *  - U+0000 anywhere (any string value or key of any JSON body, any query parameter, any upload
 *    metadata field, header or form field, the uploaded file's name) is a 400 VALIDATION.FAILED that
 *    names the field, changes nothing, and is audited as a FAILED attempt of the route's action;
 *  - a single-line field (names, badges, device ids, citations, references, usernames, locations,
 *    filenames, search terms) also refuses the other C0 controls (tab, CR and LF included), DEL and the
 *    C1 controls;
 *  - multi-line text (narrative, reasons, notes, descriptions) keeps tab, line feed and carriage return.
 *
 * The routes and what they take are read from Nest's and class-validator's metadata (with the authz
 * matrix for a valid body and a caller), so a new route or field is probed without editing this file;
 * a new multi-line field must be added to MULTI_LINE, or the single-line probes fail for it.
 */
import { randomUUID } from 'node:crypto';
import type { MetadataStorage } from 'class-transformer/types/MetadataStorage';
import type { Response, Test } from 'supertest';
import { routeInfos, RouteInfo } from './harness/nest-routes';
import { dtoFields, FieldSpec, multipartBody } from './harness/fuzz-arbitraries';
import { buildRouteFixtures } from './harness/route-fixtures';
import { auditRows, createTestApp, TestApp, TestUser } from './harness/test-app';
import { API, AUTHZ_MATRIX, Caller, MatrixRow } from './authz-matrix';

type Role = Exclude<Caller, 'ANONYMOUS'>;

/** class-transformer's @Type registry (where a nested DTO's class is recorded); not exported by its main entry. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- an internal module path of class-transformer, typed here by hand
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as {
  defaultMetadataStorage: MetadataStorage;
};

/** Fields that hold free text over several lines: tab, LF and CR are kept there (only U+0000 is refused). Keyed `Dto.field`. */
const MULTI_LINE = new Set([
  'CreateCaseDto.narrative',
  'CreateCaseDto.injuryDescription',
  'CreateCaseDto.aidGiven',
  'CreateCaseDto.noFootageReason',
  'UpdateCaseDto.narrative',
  'UpdateCaseDto.injuryDescription',
  'UpdateCaseDto.aidGiven',
  'UpdateCaseDto.noFootageReason',
  'FederalOfficerDto.identificationMethod',
  'FederalOfficerDto.identificationNotes',
  'FederalOfficerDto.description',
  'ViolationDto.description',
  'ApproveCaseDto.note',
  'ReasonDto.reason',
  'SupersedeEvidenceDto.reason',
  'PacketDecisionDto.reason',
  'ReleaseLegalHoldDto.reason',
  'PlaceLegalHoldDto.reason',
  'LinkPersonnelDto.reason',
  'UnlinkPersonnelDto.reason',
  // A login password is compared, never stored: any text but U+0000 is just a wrong password.
  'LoginDto.password',
  // Issue 16: the current password of a change is compared like a login's; a deactivation's reason is free text like every reason.
  'ChangePasswordDto.currentPassword',
  'UpdateUserDto.deactivationReason',
  // Issue 16: why a claim is released or handed over, why a decision's reference is corrected.
  'ReleasePacketDto.reason',
  'HandOverPacketDto.reason',
  'CorrectReferenceDto.reason',
]);

/** Controls a single-line field refuses (C0 incl. tab/LF/CR, DEL, C1). */
const LINE_BREAKERS = ['\u0001', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u009b'];
const NUL = '\u0000';

const esc = (s: string) => JSON.stringify(s);

interface StringField {
  /** Path as the refusal names it: `officers.0.name`. */
  path: string;
  /** `Dto.field`, for MULTI_LINE. */
  key: string;
  spec: FieldSpec;
}

/** Every string-valued field of a DTO, nested DTOs (one, or a list of them) included. */
function stringFields(dto: new () => object, prefix = ''): StringField[] {
  const out: StringField[] = [];
  for (const f of dtoFields(dto)) {
    const path = prefix ? `${prefix}.${f.name}` : f.name;
    if (f.kind === 'string') out.push({ path, key: `${dto.name}.${f.name}`, spec: f });
    if (f.kind === 'array') out.push({ path: `${path}.0`, key: `${dto.name}.${f.name}`, spec: f });
    if (f.kind === 'nested') {
      const type = defaultMetadataStorage.findTypeMetadata(dto, f.name)?.typeFunction() as
        (new () => object) | undefined;
      if (!type) throw new Error(`${dto.name}.${f.name}: nested without @Type`);
      out.push(...stringFields(type, f.array ? `${path}.0` : path));
    }
  }
  return out;
}

/** `body` with the value at `path` (dots, numeric segments index arrays) set, creating what is missing. */
function withValue(body: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(body);
  const parts = path.split('.');
  let at: any = copy;
  parts.slice(0, -1).forEach((p, i) => {
    at[p] ??= /^\d+$/.test(parts[i + 1]) ? [] : {};
    at = at[p];
  });
  at[parts[parts.length - 1]] = value;
  return copy;
}

function valueAt(body: unknown, path: string): unknown {
  return path.split('.').reduce<any>((v, p) => (v == null ? undefined : v[p]), body);
}

/** A plausible value for the field with `ch` inside it (the body's own value when it has one). */
function probeValue(body: Record<string, unknown>, f: StringField, ch: string): string {
  const own = valueAt(body, f.path);
  const base = typeof own === 'string' && own.length > 1 ? own : 'ab';
  return `${base.slice(0, 1)}${ch}${base.slice(1)}`;
}

describe('control characters in every string the service takes', () => {
  let t: TestApp;
  let routes: Map<string, RouteInfo>;
  let as: Record<Role, TestUser>;
  let fixtureIds: Record<MatrixRow['fixture'], string | null>;
  let versions: Map<string, number>;
  let uploadCase: { id: string };
  let rid = 0;
  const nextRid = () => `ctl-${Date.now()}-${++rid}`;

  beforeAll(async () => {
    t = await createTestApp();
    routes = routeInfos(t.app);
    const g = t.given;
    const [officer, supervisor, prosecutor, auditor, admin, target] = await Promise.all([
      g.officer(1),
      g.supervisor(1),
      g.prosecutor('CCSAO'),
      g.auditor(),
      g.admin(),
      g.officer(1),
    ]);
    as = { OFFICER: officer, SUPERVISOR: supervisor, PROSECUTOR: prosecutor, AUDITOR: auditor, ADMIN: admin };
    const f = await buildRouteFixtures(g, { officer, supervisor, prosecutor, target });
    ({ ids: fixtureIds, versions, uploadCase } = f);
    related = f.related;
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  const infoOf = (row: MatrixRow) => routes.get(row.route)!;
  const callerFor = (row: MatrixRow): TestUser | null => {
    if (infoOf(row).isPublic) return null;
    const role = (Object.keys(row.expect) as Caller[]).find(
      (c) => c !== 'ANONYMOUS' && row.expect[c] >= 200 && row.expect[c] < 300,
    ) as Role;
    return as[role];
  };
  const bodyRows = () => AUTHZ_MATRIX.filter((r) => infoOf(r)?.bodyType);
  const queryRows = () => AUTHZ_MATRIX.filter((r) => infoOf(r)?.queryType);
  let related: Partial<Record<MatrixRow['fixture'], string>> = {};
  const validBody = (row: MatrixRow, caller: TestUser | null) =>
    row.body?.({
      unique: randomUUID().slice(0, 12),
      credentials: { username: caller?.username ?? as.OFFICER.username, password: as.OFFICER.password },
      related: related[row.fixture],
    }) ?? {};
  /** The action a refusal on this route is audited as. */
  // The audited action of a refusal: the route's permission, or what a public route's refusals are audited as; a
  // public route that names none (the public statistics) has its anonymous refusals logged, not chained: undefined.
  const actionOf = (row: MatrixRow) => {
    const info = infoOf(row);
    return info.isPublic ? (info.auditRefusalsAs ?? undefined) : info.permission;
  };

  function request(row: MatrixRow, caller: TestUser | null, query = ''): Test {
    const [method, pattern] = row.route.split(' ');
    const id = fixtureIds[row.fixture];
    const path = (pattern.includes(':id') ? pattern.replace(':id', id!) : pattern) + query;
    let req = (t.http() as any)[method.toLowerCase()](path) as Test;
    if (caller) req = req.set(caller.auth);
    if (id && versions.has(id) && /^(POST|PUT|PATCH) /.test(row.route))
      req = req.set('If-Match', `"${versions.get(id)}"`);
    return req;
  }

  /** Everything a refused request must leave alone (login counters included), and the SUCCESS events. */
  async function state(): Promise<string> {
    const tables = [
      'users',
      'cases',
      'case_revisions',
      'evidence',
      'evidence_disclosures',
      'packets',
      'storage_uploads',
      'evidence_upload_sessions',
      'evidence_tus_uploads',
    ];
    const cols = tables.map(
      (tb) => `(SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM ${tb} x)`,
    );
    cols.push(`(SELECT count(*)::text FROM audit_events WHERE outcome = 'SUCCESS')`);
    const {
      rows: [row],
    } = await t.owner.query(`SELECT concat_ws(',', ${cols.join(', ')}) AS s`);
    return `${row.s};${(await t.storage.keys()).length}`;
  }

  /**
   * The request is refused with 400 VALIDATION.FAILED naming `field` (in `fields` and the message),
   * nothing changed, and exactly one FAILED audit event of `action` names the field. `action` undefined:
   * a public route whose refusals are logged, not chained (the exception filter's rule: anonymous garbage must
   * not grow the audit trail), so no event at all.
   */
  async function expectRefused(
    send: (rid: string) => Test,
    field: string,
    action: string | null | undefined,
    what: string,
  ) {
    const before = await state();
    const id = nextRid();
    const res: Response = await send(id).set('X-Request-Id', id);
    const events = await auditRows(t.owner, 'request_id = $1', [id]);
    const after = await state();
    expect({
      what,
      status: res.status,
      code: res.body.code,
      fields: (res.body.fields ?? []).map((f: { field: string }) => f.field),
      messageNamesField: typeof res.body.message === 'string' && res.body.message.includes(field),
      unchanged: after === before,
      events: events.map((e) => ({ action: e.action, outcome: e.outcome, fields: e.details.fields })),
    }).toEqual({
      what,
      status: 400,
      code: 'VALIDATION.FAILED',
      fields: [field],
      messageNamesField: true,
      unchanged: true,
      events: action === undefined ? [] : [{ action, outcome: 'FAILED', fields: [field.split(NUL).join('\ufffd')] }],
    });
  }

  // -----------------------------------------------------------------------------------------------
  it('finds every route that takes a JSON body, a query or an upload, and every string field of their DTOs', () => {
    const all = [...routes.values()];
    // An untyped @Body() would escape the DTO checks (and this suite).
    expect(all.filter((r) => r.takesBody && !r.bodyType).map((r) => r.route)).toEqual([]);
    expect(
      all
        .filter((r) => r.bodyType)
        .map((r) => r.route)
        .sort(),
    ).toEqual(
      bodyRows()
        .map((r) => r.route)
        .sort(),
    );
    expect(
      all
        .filter((r) => r.queryType)
        .map((r) => r.route)
        .sort(),
    ).toEqual(
      queryRows()
        .map((r) => r.route)
        .sort(),
    );
    expect(all.filter((r) => r.takesRequest && !r.tus && r.method === 'POST').map((r) => r.route)).toEqual([
      `POST ${API}/cases/:id/evidence`,
    ]);
    // The tus routes (issue 18) take metadata only at creation, in Upload-Metadata: probed below.
    expect(
      all
        .filter((r) => r.tus)
        .map((r) => r.route)
        .sort(),
    ).toEqual([
      `DELETE ${API}/cases/:id/evidence/uploads/:uploadId`,
      `HEAD ${API}/cases/:id/evidence/uploads/:uploadId`,
      `PATCH ${API}/cases/:id/evidence/uploads/:uploadId`,
      `POST ${API}/cases/:id/evidence/uploads`,
    ]);
    const fields = bodyRows().flatMap((r) => stringFields(infoOf(r).bodyType!).map((f) => `${r.route} ${f.path}`));
    expect(fields).toEqual(
      expect.arrayContaining([
        `POST ${API}/cases narrative`,
        `PATCH ${API}/cases/:id incidentLocation`,
        `PUT ${API}/cases/:id/federal-officers officers.0.name`,
        `PUT ${API}/cases/:id/violations violations.0.citation`,
        `POST ${API}/cases/:id/approve note`,
        `POST ${API}/packets/:id/decision externalReference`,
        `POST ${API}/auth/login username`,
        `POST ${API}/users displayName`,
        `PATCH ${API}/users/:id password`,
      ]),
    );
    // Every multi-line exception names a field that exists.
    const keys = new Set(bodyRows().flatMap((r) => stringFields(infoOf(r).bodyType!).map((f) => f.key)));
    expect([...MULTI_LINE].filter((k) => !keys.has(k))).toEqual([]);
  });

  // -----------------------------------------------------------------------------------------------
  it('U+0000 in any string value of any JSON body -> 400 naming the field, audited, nothing changed', async () => {
    for (const row of bodyRows()) {
      const caller = callerFor(row);
      for (const f of stringFields(infoOf(row).bodyType!)) {
        const body = validBody(row, caller);
        const value = probeValue(body, f, NUL);
        const sent = withValue(body, f.path, value);
        await expectRefused(
          (id) => request(row, caller).set('X-Request-Id', id).send(sent),
          f.path,
          actionOf(row),
          `${row.route} ${f.path}=${esc(value)}`,
        );
      }
    }
  }, 120_000);

  it('U+0000 in a key of any JSON body (top level and nested) -> 400 naming the key, audited, nothing changed', async () => {
    for (const row of bodyRows()) {
      const caller = callerFor(row);
      const body = validBody(row, caller);
      await expectRefused(
        (id) =>
          request(row, caller)
            .set('X-Request-Id', id)
            .send({ ...body, [`nar${NUL}rative`]: 'x' }),
        'nar\\u0000rative',
        actionOf(row),
        `${row.route} key`,
      );
      const nested = Object.entries(body).find(([, v]) => Array.isArray(v) && v.length && typeof v[0] === 'object');
      if (nested) {
        const [k, v] = nested as [string, Record<string, unknown>[]];
        const sent = { ...body, [k]: [{ ...v[0], [`x${NUL}`]: 1 }] };
        await expectRefused(
          (id) => request(row, caller).set('X-Request-Id', id).send(sent),
          `${k}.0.x\\u0000`,
          actionOf(row),
          `${row.route} nested key`,
        );
      }
    }
  }, 120_000);

  it('U+0000 in any parameter of any query (known or not) -> 400 naming it, audited, nothing changed', async () => {
    for (const row of queryRows()) {
      const caller = callerFor(row);
      for (const f of dtoFields(infoOf(row).queryType!)) {
        await expectRefused(
          (id) => request(row, caller, `?${f.name}=1%00`).set('X-Request-Id', id),
          f.name,
          actionOf(row),
          `${row.route} ?${f.name}=1%00`,
        );
      }
      await expectRefused(
        (id) => request(row, caller, '?a%00b=1').set('X-Request-Id', id),
        'a\\u0000b',
        actionOf(row),
        `${row.route} ?a%00b`,
      );
    }
  }, 120_000);

  it('GET /cases?q= with U+0000 or another control is 400, and a plain q still searches', async () => {
    const row = AUTHZ_MATRIX.find((r) => r.route === `GET ${API}/cases`)!;
    for (const ch of ['%00', '%01', '%0A', '%1B', '%7F', '%C2%85']) {
      await expectRefused(
        (id) => request(row, as.OFFICER, `?q=a${ch}b`).set('X-Request-Id', id),
        'q',
        actionOf(row),
        `q=a${ch}b`,
      );
    }
    const ok = await t
      .http()
      .get(`${API}/cases?q=${encodeURIComponent('Fullerton')}`)
      .set(as.OFFICER.auth);
    expect(ok.status).toBe(200);
  }, 60_000);

  it('a single-line field refuses the other C0 controls (tab, CR, LF), DEL and C1 controls -> 400 naming it', async () => {
    let probed = 0;
    for (const row of bodyRows()) {
      const caller = callerFor(row);
      for (const f of stringFields(infoOf(row).bodyType!).filter(
        (s) => s.spec.kind === 'string' && !MULTI_LINE.has(s.key),
      )) {
        for (const ch of LINE_BREAKERS) {
          const body = validBody(row, caller);
          const value = probeValue(body, f, ch);
          probed++;
          await expectRefused(
            (id) =>
              request(row, caller)
                .set('X-Request-Id', id)
                .send(withValue(body, f.path, value)),
            f.path,
            actionOf(row),
            `${row.route} ${f.path}=${esc(value)}`,
          );
        }
      }
    }
    expect(probed).toBeGreaterThan(100);
  }, 300_000);

  it('a login whose username holds U+0000 is 400, audited as a FAILED auth.login, and counts against no account', async () => {
    for (const body of [
      { username: `${as.OFFICER.username}${NUL}`, password: as.OFFICER.password },
      { username: as.OFFICER.username, password: `${as.OFFICER.password}${NUL}` },
    ]) {
      const field = body.username.includes(NUL) ? 'username' : 'password';
      await expectRefused(
        (id) => t.http().post(`${API}/auth/login`).set('X-Request-Id', id).send(body),
        field,
        'auth.login',
        `login ${field}`,
      );
    }
    const {
      rows: [u],
    } = await t.owner.query('SELECT failed_login_count, locked_until FROM users WHERE id = $1', [as.OFFICER.id]);
    expect(u).toEqual({ failed_login_count: 0, locked_until: null });
  });

  it('a password set with a control character is refused (create and change), and no such user exists', async () => {
    for (const ch of [NUL, '\u0001', '\n', '\u007f']) {
      const username = `ctl-${randomUUID().slice(0, 8)}`;
      await expectRefused(
        (id) =>
          t
            .http()
            .post(`${API}/users`)
            .set(as.ADMIN.auth)
            .set('X-Request-Id', id)
            .send({
              username,
              displayName: 'Officer Ctl',
              password: `long-enough-${ch}-password`,
              role: 'OFFICER',
              district: 1,
              badgeNumber: 'B-1',
            }),
        'password',
        'user.create',
        `create ${esc(ch)}`,
      );
      await expectRefused(
        (id) =>
          t
            .http()
            .patch(`${API}/users/${fixtureIds.targetUser}`)
            .set(as.ADMIN.auth)
            .set('X-Request-Id', id)
            .send({ password: `long-enough-${ch}-password` }),
        'password',
        'user.update',
        `change ${esc(ch)}`,
      );
    }
  });

  it('approving with a note holding U+0000 is refused, not stored altered', async () => {
    const c = await t.given.submittedCase(as.OFFICER);
    const before = await auditRows(t.owner, `case_id = $1 AND action = 'case.approved'`, [c.id]);
    await expectRefused(
      (id) =>
        t
          .http()
          .post(`${API}/cases/${c.id}/approve`)
          .set(as.SUPERVISOR.auth)
          .set('X-Request-Id', id)
          .send({ note: `ok${NUL}` }),
      'note',
      'case.approve',
      'note',
    );
    const {
      rows: [row],
    } = await t.owner.query('SELECT status FROM cases WHERE id = $1', [c.id]);
    expect({
      status: row.status,
      approvals: (await auditRows(t.owner, `case_id = $1 AND action = 'case.approved'`, [c.id])).length - before.length,
    }).toEqual({ status: 'SUBMITTED', approvals: 0 });
  });

  // -----------------------------------------------------------------------------------------------
  describe('evidence upload metadata', () => {
    const uploadPath = () => `${API}/cases/${uploadCase.id}/evidence`;
    const FIELDS: Record<string, string> = {
      kind: 'BWC',
      deviceId: 'AXON-1',
      recordingOfficerBadge: '4471',
      recordedStart: '2026-01-05T14:03:10Z',
      recordedEnd: '2026-01-05T14:31:55Z',
      originalFilename: 'clip.mp4',
      sha256: 'a'.repeat(64),
    };

    it('U+0000 in any query parameter of a raw upload -> 400 naming it, audited as evidence.upload, nothing stored', async () => {
      for (const field of Object.keys(FIELDS)) {
        const q = new URLSearchParams({
          kind: 'BWC',
          [field]: `${FIELDS[field].slice(0, 1)}${NUL}${FIELDS[field].slice(1)}`,
        });
        await expectRefused(
          (id) =>
            t
              .http()
              .post(`${uploadPath()}?${q}`)
              .set(as.OFFICER.auth)
              .set('X-Request-Id', id)
              .set('Content-Type', 'application/octet-stream')
              .send(Buffer.from('bytes')),
          field,
          'evidence.upload',
          `raw ?${field}`,
        );
      }
    });

    it('single-line metadata (device id, filename) with a control in a query, an X-Evidence-* header (C1 via Latin-1) or a form field -> 400 naming it', async () => {
      for (const ch of ['\u0001', '\t', '\n', '\u001b', '\u007f', '\u0085']) {
        for (const field of ['deviceId', 'originalFilename']) {
          const q = new URLSearchParams({ kind: 'BWC', [field]: `a${ch}b` });
          await expectRefused(
            (id) =>
              t
                .http()
                .post(`${uploadPath()}?${q}`)
                .set(as.OFFICER.auth)
                .set('X-Request-Id', id)
                .set('Content-Type', 'application/octet-stream')
                .send(Buffer.from('bytes')),
            field,
            'evidence.upload',
            `raw ?${field}=${esc(`a${ch}b`)}`,
          );
          const { body } = multipartBody('ctl', [
            { name: 'kind', data: Buffer.from('BWC') },
            { name: field, data: Buffer.from(`a${ch}b`, 'utf8') },
            { name: 'file', filename: 'a.bin', data: Buffer.from('bytes') },
          ]);
          await expectRefused(
            (id) =>
              t
                .http()
                .post(uploadPath())
                .set(as.OFFICER.auth)
                .set('X-Request-Id', id)
                .set('Content-Type', 'multipart/form-data; boundary=ctl')
                .send(body),
            field,
            'evidence.upload',
            `multipart ${field}=${esc(`a${ch}b`)}`,
          );
        }
      }
      // Node refuses C0 and DEL in a header value; Latin-1 bytes (C1 controls among them) arrive as U+0080-U+00FF.
      await expectRefused(
        (id) =>
          t
            .http()
            .post(`${uploadPath()}?kind=BWC`)
            .set(as.OFFICER.auth)
            .set('X-Request-Id', id)
            .set('Content-Type', 'application/octet-stream')
            .set('X-Evidence-Device-Id', 'a\u0085b')
            .send(Buffer.from('bytes')),
        'deviceId',
        'evidence.upload',
        'header deviceId with U+0085',
      );
      await expectRefused(
        (id) =>
          t
            .http()
            .post(`${uploadPath()}?kind=BWC`)
            .set(as.OFFICER.auth)
            .set('X-Request-Id', id)
            .set('Content-Type', 'application/octet-stream')
            .set('X-Evidence-Device-Id', 'a\tb')
            .send(Buffer.from('bytes')),
        'deviceId',
        'evidence.upload',
        'header deviceId with a tab',
      );
    });

    it("U+0000 in a multipart field or in the file part's name (filename*) -> 400 naming it", async () => {
      const { body } = multipartBody('nul', [
        { name: 'kind', data: Buffer.from('BWC') },
        { name: 'deviceId', data: Buffer.from(`a${NUL}b`) },
        { name: 'file', filename: 'a.bin', data: Buffer.from('bytes') },
      ]);
      await expectRefused(
        (id) =>
          t
            .http()
            .post(uploadPath())
            .set(as.OFFICER.auth)
            .set('X-Request-Id', id)
            .set('Content-Type', 'multipart/form-data; boundary=nul')
            .send(body),
        'deviceId',
        'evidence.upload',
        'multipart deviceId NUL',
      );
      const file = Buffer.concat([
        Buffer.from('--nul\r\nContent-Disposition: form-data; name="kind"\r\n\r\nBWC\r\n'),
        Buffer.from(
          '--nul\r\nContent-Disposition: form-data; name="file"; filename*=UTF-8\'\'clip%00.mp4\r\nContent-Type: video/mp4\r\n\r\nbytes\r\n--nul--\r\n',
        ),
      ]);
      await expectRefused(
        (id) =>
          t
            .http()
            .post(uploadPath())
            .set(as.OFFICER.auth)
            .set('X-Request-Id', id)
            .set('Content-Type', 'multipart/form-data; boundary=nul')
            .send(file),
        'originalFilename',
        'evidence.upload',
        'filename* NUL',
      );
      await expectRefused(
        (id) =>
          t
            .http()
            .post(`${uploadPath()}?kind=BWC`)
            .set(as.OFFICER.auth)
            .set('X-Request-Id', id)
            .set('Content-Type', 'application/octet-stream')
            .set('Content-Disposition', "attachment; filename*=UTF-8''clip%00.mp4")
            .send(Buffer.from('bytes')),
        'originalFilename',
        'evidence.upload',
        'raw Content-Disposition filename* NUL',
      );
    });
  });

  // -----------------------------------------------------------------------------------------------
  describe('resumable (tus) upload metadata (Upload-Metadata, issue 18)', () => {
    const b64 = (v: string) => Buffer.from(v, 'utf8').toString('base64');
    const FIELDS: Record<string, string> = {
      kind: 'BWC',
      deviceId: 'AXON-1',
      recordingOfficerBadge: '4471',
      recordedStart: '2026-01-05T14:03:10Z',
      recordedEnd: '2026-01-05T14:31:55Z',
      originalFilename: 'clip.mp4',
      sha256: 'a'.repeat(64),
      filename: 'clip.mp4',
      filetype: 'video/mp4',
    };
    /** A creation on the case that only receives refused uploads; `metadata` is the raw Upload-Metadata header. */
    const create = (metadata: string) =>
      t
        .http()
        .post(`${API}/cases/${uploadCase.id}/evidence/uploads`)
        .set(as.OFFICER.auth)
        .set('Tus-Resumable', '1.0.0')
        .set('Upload-Length', '100')
        .set('Upload-Metadata', metadata);
    const pairs = (m: Record<string, string>) =>
      Object.entries(m)
        .map(([k, v]) => `${k} ${b64(v)}`)
        .join(',');

    it('U+0000 in any value (the metadata fields, filename, filetype) -> 400 naming the key, audited as evidence.upload, nothing changed', async () => {
      for (const field of Object.keys(FIELDS)) {
        const value = `${FIELDS[field].slice(0, 1)}${NUL}${FIELDS[field].slice(1)}`;
        await expectRefused(
          (id) =>
            create(pairs({ ...(field === 'kind' ? {} : { kind: 'BWC' }), [field]: value })).set('X-Request-Id', id),
          field,
          'evidence.upload',
          `tus ${field}=${esc(value)}`,
        );
      }
    });

    it('a single-line value (device id, filename, originalFilename, filetype) with another control -> 400 naming the key', async () => {
      for (const ch of LINE_BREAKERS) {
        for (const field of ['deviceId', 'originalFilename', 'filename', 'filetype']) {
          const value = field === 'filetype' ? `video/mp4${ch}` : `a${ch}b`;
          await expectRefused(
            (id) => create(pairs({ kind: 'BWC', [field]: value })).set('X-Request-Id', id),
            field,
            'evidence.upload',
            `tus ${field}=${esc(value)}`,
          );
        }
      }
    });

    it('a control in a key (tab; a C1 control as a Latin-1 header byte) -> 400 naming that key, never 5xx', async () => {
      for (const key of ['dev\tice', 'dev\u0085ice', 'kind\u009b']) {
        await expectRefused(
          (id) => create(`kind ${b64('BWC')},${key} ${b64('x')}`).set('X-Request-Id', id),
          key,
          'evidence.upload',
          `tus key ${esc(key)}`,
        );
      }
    });

    it('Upload-Metadata on HEAD, PATCH or DELETE (read only at creation) -> 400 naming the key, the upload untouched', async () => {
      const upload = await t.given.tusUpload(as.OFFICER, (await t.given.draftCase(as.OFFICER)).id, 100);
      await expectRefused(
        (id) =>
          t
            .http()
            .patch(upload.location)
            .set(as.OFFICER.auth)
            .set('X-Request-Id', id)
            .set('Tus-Resumable', '1.0.0')
            .set('Content-Type', 'application/offset+octet-stream')
            .set('Upload-Offset', '0')
            .set('Upload-Metadata', `deviceId ${b64(`a${NUL}b`)}`)
            .send(Buffer.alloc(100)),
        'deviceId',
        'evidence.upload',
        'tus PATCH with Upload-Metadata',
      );
      await expectRefused(
        (id) =>
          t
            .http()
            .delete(upload.location)
            .set(as.OFFICER.auth)
            .set('X-Request-Id', id)
            .set('Tus-Resumable', '1.0.0')
            .set('Upload-Metadata', `deviceId ${b64(`a${NUL}b`)}`),
        'deviceId',
        'evidence.upload',
        'tus DELETE with Upload-Metadata',
      );
      const head = await t
        .http()
        .head(upload.location)
        .set(as.OFFICER.auth)
        .set('Tus-Resumable', '1.0.0')
        .set('Upload-Metadata', `kind ${b64('BWC')}`);
      expect(head.status).toBe(400);
      const ok = await t.http().head(upload.location).set(as.OFFICER.auth).set('Tus-Resumable', '1.0.0');
      expect({ status: ok.status, offset: ok.headers['upload-offset'] }).toEqual({ status: 200, offset: '0' });
    });
  });

  // -----------------------------------------------------------------------------------------------
  it('multi-line text keeps tab, CR and LF: narrative, federal-officer notes, violation description and approval note are stored as sent', async () => {
    const text = 'Line one\n\tindented line two\r\nline three';
    const c = await t.given.caseReadyToSubmit(as.OFFICER);
    const patched = await t
      .http()
      .patch(`${API}/cases/${c.id}`)
      .set(as.OFFICER.auth)
      .set('If-Match', `"${c.version}"`)
      .send({ narrative: text, injuryDescription: text, aidGiven: text, noFootageReason: text });
    expect(patched.status).toBe(200);
    const officers = await t
      .http()
      .put(`${API}/cases/${c.id}/federal-officers`)
      .set(as.OFFICER.auth)
      .set('If-Match', `"${patched.body.version}"`)
      .send({
        officers: [
          {
            isSupervisor: true,
            identificationOutcome: 'REFUSED',
            identificationMethod: text,
            identificationNotes: text,
            description: text,
          },
        ],
      });
    expect(officers.status).toBe(200);
    const violations = await t
      .http()
      .put(`${API}/cases/${c.id}/violations`)
      .set(as.OFFICER.auth)
      .set('If-Match', `"${officers.body.version}"`)
      .send({ violations: [{ citation: '720 ILCS 5/12-3', description: text, felony: false }] });
    expect(violations.status).toBe(200);
    await t.given.submit(as.OFFICER, c.id);
    const approved = await t.http().post(`${API}/cases/${c.id}/approve`).set(as.SUPERVISOR.auth).send({ note: text });
    expect(approved.status).toBe(200);
    const got = (await t.http().get(`${API}/cases/${c.id}`).set(as.OFFICER.auth)).body;
    const [approval] = await auditRows(t.owner, `case_id = $1 AND action = 'case.approved'`, [c.id]);
    const [officer] = got.federalOfficers;
    expect({
      narrative: got.narrative,
      injuryDescription: got.injuryDescription,
      aidGiven: got.aidGiven,
      noFootageReason: got.noFootageReason,
      identificationMethod: officer.identificationMethod,
      identificationNotes: officer.identificationNotes,
      description: officer.description,
      violation: got.violations[0].description,
      note: approval.details.note,
    }).toEqual({
      narrative: text,
      injuryDescription: text,
      aidGiven: text,
      noFootageReason: text,
      identificationMethod: text,
      identificationNotes: text,
      description: text,
      violation: text,
      note: text,
    });
  });
});
