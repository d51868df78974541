import fc from 'fast-check';
import { canonicalAuditBody1763900000002 } from '@app/database/migrations/1763900000002-audit-body-json';
import { AUDIT_OUTCOMES, AuditEventBody, canonicalAuditBody } from './audit-hash';

/**
 * The migration 1763900000002 (audit body_json) backfills the bytes each existing hash covers with its own frozen
 * copy of canonicalAuditBody (a migration imports nothing of ours). While both exist they must agree: a change to
 * the live function that alters its output breaks every stored hash, and this test says so first.
 */
describe("the audit-body-json migration's frozen canonicalAuditBody", () => {
  const base: AuditEventBody = {
    seq: 1,
    id: '7d0c5a52-1f0e-4b8e-9c43-000000000001',
    occurredAt: '2026-11-21T12:00:00.000Z',
    actorId: null,
    actorUsername: null,
    actorRole: 'SYSTEM',
    action: 'audit.checkpoint',
    outcome: 'SUCCESS',
    targetType: null,
    targetId: null,
    caseId: null,
    requestId: null,
    clientIp: null,
    userAgent: null,
    details: {},
  };

  it("equals today's function on fixed rows (escapes, surrogates, nested details, numbers)", () => {
    const rows: AuditEventBody[] = [
      base,
      {
        ...base,
        seq: 2,
        actorId: 'u1',
        actorUsername: 'officer "Reyes"',
        actorRole: 'OFFICER',
        action: 'case.viewed',
        targetType: 'case',
        targetId: 'c1',
        caseId: 'c1',
        requestId: 'r1',
        clientIp: '::1',
        userAgent: 'curl/8\u0000\u001f\u007f',
        details: {
          z: [1, -0, 1e21, 0.1, { b: null, a: 'é\ud800\u2028' }],
          a: { nested: { deeper: [true, false] } },
          é: '\\n',
        },
      },
      {
        ...base,
        seq: 3,
        outcome: 'DENIED',
        details: { attempted: 'case.submit', reason: 'tab\there, newline\nthere' },
      },
    ];
    for (const r of rows) expect(canonicalAuditBody1763900000002(r)).toBe(canonicalAuditBody(r));
    expect(canonicalAuditBody1763900000002(base)).toBe(
      '{"action":"audit.checkpoint","actorId":null,"actorRole":"SYSTEM","actorUsername":null,"caseId":null,"clientIp":null,' +
        '"details":{},"id":"7d0c5a52-1f0e-4b8e-9c43-000000000001","occurredAt":"2026-11-21T12:00:00.000Z","outcome":"SUCCESS",' +
        '"requestId":null,"seq":1,"targetId":null,"targetType":null,"userAgent":null}',
    );
  });

  it("equals today's function on generated rows (any JSON details, any strings)", () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const orNull = fc.option(text, { nil: null });
    const body: fc.Arbitrary<AuditEventBody> = fc.record({
      seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      id: fc.uuid(),
      occurredAt: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      actorId: orNull,
      actorUsername: orNull,
      actorRole: text,
      action: text,
      outcome: fc.constantFrom(...AUDIT_OUTCOMES),
      targetType: orNull,
      targetId: orNull,
      caseId: orNull,
      requestId: orNull,
      clientIp: orNull,
      userAgent: orNull,
      details: fc.dictionary(text, fc.jsonValue({ stringUnit: 'binary', depthSize: 'small' })),
    });
    fc.assert(
      fc.property(body, (b) => canonicalAuditBody1763900000002(b) === canonicalAuditBody(b)),
      { numRuns: 500 },
    );
  });
});
