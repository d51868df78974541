import type { AuditEventView } from '@app/audit';
import { buildTimeline, describeEvent, diffSnapshots, sizeWords } from './timeline';

const ev = (seq: number, action: string, over: Partial<AuditEventView> = {}): AuditEventView => ({
  seq,
  id: `e${seq}`,
  occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
  actor: { id: 'u1', username: 'lopez', role: 'SUPERVISOR' },
  action: action as AuditEventView['action'],
  outcome: 'SUCCESS',
  targetType: 'case',
  targetId: 'c',
  caseId: 'c',
  requestId: null,
  clientIp: null,
  userAgent: null,
  details: {},
  prevHash: '0',
  hash: '1',
  ...over,
});
const names = new Map([['u1', 'Sgt. Lopez']]);

describe('timeline words', () => {
  it('says known actions in words and names unknown ones in a generic sentence', () => {
    expect(describeEvent(ev(1, 'case.approved', { details: { note: 'Good.' } }), names)).toMatchObject({
      summary: 'Approved by Sgt. Lopez: Good.',
      note: 'Good.',
    });
    expect(
      describeEvent(
        ev(2, 'evidence.uploaded', { details: { originalFilename: 'bwc.mp4', sizeBytes: 1_200_000_000 } }),
        names,
      ).summary,
    ).toBe('Evidence uploaded: bwc.mp4 (1.2 GB)');
    expect(describeEvent(ev(3, 'case.frobnicated'), names).summary).toBe('Recorded: case.frobnicated by Sgt. Lopez');
    expect(
      describeEvent(ev(4, 'case.approve', { outcome: 'FAILED', details: { message: 'Two-person rule' } }), names)
        .summary,
    ).toBe('Failed: case approve by Sgt. Lopez (Two-person rule)');
    expect(
      describeEvent(ev(5, 'case.viewed', { actor: { id: null, username: null, role: 'SYSTEM' } }), names).summary,
    ).toBe('Viewed by the system');
  });

  it('formats sizes in decimal units', () => {
    expect([sizeWords(999), sizeWords(1234), sizeWords(5_600_000)]).toEqual(['999 bytes', '1.2 KB', '5.6 MB']);
  });

  it('diffs only edited fields, hiding content values when content is out of scope', () => {
    const a = { version: 1, status: 'DRAFT', narrative: 'a', activityType: null };
    const b = { version: 2, status: 'SUBMITTED', narrative: 'b', activityType: 'ARREST' };
    expect(diffSnapshots(a, b, false)).toEqual([
      { field: 'activityType', label: 'Activity type', from: null, to: 'ARREST' }, // metadata: an auditor sees it in the case view too
      { field: 'narrative', label: 'Narrative' },
    ]);
  });

  it('folds runs of two or more reads only', () => {
    const entries = buildTimeline(
      [
        ev(1, 'case.viewed'),
        ev(2, 'case.submitted'),
        ev(3, 'case.viewed'),
        ev(4, 'case.viewed', { actor: { id: 'u2', username: 'x', role: 'OFFICER' } }),
      ],
      [],
      names,
      true,
    );
    expect(entries.map((e) => [e.kind, e.summary, e.seqs])).toEqual([
      ['event', 'Viewed by Sgt. Lopez', [1]],
      ['event', 'Submitted for review by Sgt. Lopez', [2]],
      ['reads', 'Viewed 2 times by 2 people', [3, 4]],
    ]);
  });
});
