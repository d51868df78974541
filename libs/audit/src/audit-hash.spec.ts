import { AuditEventBody, ChainedAuditEvent, GENESIS_HASH, hashAuditEvent, verifyAuditChain } from './audit-hash';

function chain(n: number): ChainedAuditEvent[] {
  const out: ChainedAuditEvent[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const body: AuditEventBody = {
      seq,
      id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
      occurredAt: new Date(Date.UTC(2026, 10, 21, 12, 0, seq)).toISOString(),
      actorId: '11111111-1111-4111-8111-111111111111',
      actorUsername: 'officer',
      actorRole: 'OFFICER',
      action: seq % 2 ? 'case.updated' : 'case.viewed',
      outcome: 'SUCCESS',
      targetType: 'case',
      targetId: '22222222-2222-4222-8222-222222222222',
      caseId: '22222222-2222-4222-8222-222222222222',
      requestId: `req-${seq}`,
      clientIp: '127.0.0.1',
      userAgent: 'jest',
      details: { version: seq, fields: ['narrative'] },
    };
    const hash = hashAuditEvent(prev, body);
    out.push({ ...body, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

const clone = (events: ChainedAuditEvent[]) => events.map((e) => JSON.parse(JSON.stringify(e)) as ChainedAuditEvent);

describe('audit hash chain', () => {
  it('hash = SHA-256(prev_hash || canonical JSON), 64 lowercase hex, key order irrelevant', () => {
    const [e] = chain(1);
    expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
    const reordered = Object.fromEntries(Object.entries(e).reverse()) as unknown as ChainedAuditEvent;
    expect(hashAuditEvent(GENESIS_HASH, reordered)).toBe(e.hash);
  });

  it('accepts an intact chain', () => {
    const r = verifyAuditChain(chain(20), GENESIS_HASH);
    expect(r).toMatchObject({ ok: true, checked: 20, firstSeq: 1, lastSeq: 20 });
  });

  it.each([
    [
      'action',
      (e: ChainedAuditEvent) => {
        e.action = 'case.deleted';
      },
    ],
    [
      'actor',
      (e: ChainedAuditEvent) => {
        e.actorId = '33333333-3333-4333-8333-333333333333';
      },
    ],
    [
      'time',
      (e: ChainedAuditEvent) => {
        e.occurredAt = '2026-11-21T12:00:07.001Z';
      },
    ],
    [
      'details',
      (e: ChainedAuditEvent) => {
        (e.details as { version: number }).version = 99;
      },
    ],
    [
      'outcome',
      (e: ChainedAuditEvent) => {
        e.outcome = 'DENIED';
      },
    ],
  ])('detects a changed %s at the right seq', (_name, mutate) => {
    const events = clone(chain(10));
    mutate(events[6]);
    const r = verifyAuditChain(events, GENESIS_HASH);
    expect(r.ok).toBe(false);
    expect(r.firstBreak).toEqual({ seq: 7, reason: expect.stringContaining('hash of seq 7') });
    expect(r.checked).toBe(6);
  });

  it('detects a flipped byte in a stored hash', () => {
    const events = clone(chain(5));
    events[2].hash = (events[2].hash[0] === 'a' ? 'b' : 'a') + events[2].hash.slice(1);
    const r = verifyAuditChain(events, GENESIS_HASH);
    expect(r.firstBreak?.seq).toBe(3);
  });

  it('detects a dropped event', () => {
    const events = chain(8);
    events.splice(4, 1);
    expect(verifyAuditChain(events, GENESIS_HASH).firstBreak).toEqual({
      seq: 6,
      reason: expect.stringContaining('expected 5'),
    });
  });

  it('detects two events swapped', () => {
    const events = chain(8);
    [events[3], events[4]] = [events[4], events[3]];
    expect(verifyAuditChain(events, GENESIS_HASH).firstBreak?.seq).toBe(5);
  });

  it('detects an inserted forged event even when its own hash is recomputed', () => {
    const events = chain(6);
    const forgedBody = { ...events[2], seq: 4, id: '99999999-9999-4999-8999-999999999999', action: 'case.approved' };
    const forged = { ...forgedBody, prevHash: events[2].hash, hash: hashAuditEvent(events[2].hash, forgedBody) };
    const tampered = [...events.slice(0, 3), forged, ...events.slice(3)];
    const r = verifyAuditChain(tampered, GENESIS_HASH);
    expect(r.ok).toBe(false);
    expect(r.firstBreak?.seq).toBe(4); // the original seq 4 no longer links (seq repeats)
  });

  it('detects a rewritten first event against the expected genesis', () => {
    const events = clone(chain(3));
    events[0].prevHash = 'f'.repeat(64);
    events[0].hash = hashAuditEvent(events[0].prevHash, events[0]);
    expect(verifyAuditChain(events, GENESIS_HASH).firstBreak?.seq).toBe(1);
  });

  it('verifies a range that starts mid-chain when given the previous hash', () => {
    const events = chain(10);
    expect(verifyAuditChain(events.slice(5), events[4].hash).ok).toBe(true);
    expect(verifyAuditChain(events.slice(5), events[3].hash).ok).toBe(false);
  });
});
