import type { AuditEventView } from '@app/audit';
import { pdfText } from '../../../test/harness/pdf-text';
import { CaseReportInput, caseReportFacts, fontRuns, renderCaseReport } from './case-report';
import { MANIFEST_FORMAT, ManifestPerson } from './packet-format';

const person = (id: string, displayName: string, role: string, badgeNumber: string | null): ManifestPerson => ({
  id,
  displayName,
  role,
  badgeNumber,
});
const OFFICER = person('u-officer', 'Officer Dana Reyes', 'OFFICER', '4471');
const SUPERVISOR = person('u-super', 'Sgt. Łucja Żak', 'SUPERVISOR', '1102');
const CASE_NUMBER = 'ION-2026-000042';
const SHA = 'ab'.repeat(32);

/** A narrative in Spanish, Polish and Chinese, long enough to run over several pages. */
const NARRATIVE = [
  'El agente federal se negó a identificarse y llevaba la cara cubierta en la parada de autobús.',
  'Funkcjonariusz federalny odmówił podania nazwiska; świadkowie widzieli, że miał zasłoniętą twarz.',
  '联邦特工拒绝表明身份，并且戴着口罩。',
].join(' ');

function input(narrativeRepeat = 1): CaseReportInput {
  return {
    manifest: {
      format: MANIFEST_FORMAT,
      packetId: 'c0ffee00-0000-4000-8000-000000000042',
      version: 2,
      office: 'CCSAO',
      sentAt: '2026-11-21T12:00:00.000Z',
      sentBy: SUPERVISOR,
      previousPacket: {
        id: 'c0ffee00-0000-4000-8000-000000000041',
        version: 1,
        manifestSha256: 'cd'.repeat(32),
        decision: 'MORE_INFO_REQUESTED',
        decisionReason: 'Add the bus stop camera footage',
        decidedAt: '2026-11-10T09:00:00.000Z',
      },
      case: {
        id: 'case-42',
        caseNumber: CASE_NUMBER,
        district: 10,
        status: 'APPROVED',
        version: 9,
        origin: 'WITNESSED',
        incidentAt: '2026-11-01T16:55:00.000Z',
        incidentLocation: '2400 S Pulaski Rd, bus stop',
        activityType: 'DETENTION',
        agencies: ['ICE_ERO', 'CBP'],
        narrative: Array(narrativeRepeat).fill(NARRATIVE).join('\n\n'),
        injuriesReported: true,
        injuryDescription: 'Bruised wrist',
        emsCalled: true,
        emsCalledAt: '2026-11-01T17:05:00.000Z',
        aidGiven: 'Ice pack',
        noFootageReason: null,
        createdAt: '2026-11-01T18:00:00.000Z',
        createdBy: OFFICER,
      },
      federalOfficers: [
        {
          isSupervisor: true,
          name: 'John Roe',
          agency: 'ICE_ERO',
          badgeNumber: 'ERO-0042',
          identificationOutcome: 'REFUSED',
          identificationMethod: 'Asked for name and badge twice',
          identificationNotes: null,
          masked: true,
          badgeDisplayed: false,
          bodyCameraWorn: false,
          description: 'Grey SUV, plate IL 7XK 221',
        },
      ],
      violations: [{ citation: '720 ILCS 5/12-3.05', description: 'Aggravated battery', felony: true }],
      approvals: {
        submittedAt: '2026-11-20T19:00:00.000Z',
        submittedBy: OFFICER,
        approvedAt: '2026-11-21T11:00:00.000Z',
        approvedBy: SUPERVISOR,
      },
      evidence: [
        {
          id: 'e-1',
          archivePath: 'evidence/01-e-1.mp4',
          kind: 'BWC',
          contentType: 'video/mp4',
          sizeBytes: 1234567,
          sha256: SHA,
          originalFilename: 'bwc-4471.mp4',
          deviceId: 'AXON-1',
          recordingOfficerBadge: '4471',
          recordedStart: '2026-11-01T16:50:00.000Z',
          recordedEnd: '2026-11-01T17:10:00.000Z',
          uploadedAt: '2026-11-01T18:30:00.000Z',
          uploadedBy: OFFICER,
          integrityStatus: 'OK',
          lastVerifiedAt: '2026-11-15T03:00:00.000Z',
        },
      ],
      signing: { algorithm: 'Ed25519', keyId: 'ed25519:0123456789abcdef' },
    },
    history: [
      { at: '2026-11-05T10:00:00.000Z', summary: 'Returned by Sgt. Łucja Żak: add the plate number' },
      { at: '2026-11-21T11:00:00.000Z', summary: 'Approved by Sgt. Łucja Żak: complete' },
    ],
    custody: { 'e-1': [{ label: 'Downloaded', count: 2, last: '2026-11-12T10:00:00.000Z' }] },
    caseEvents: { count: 37, lastSeq: 912 },
  };
}

async function textOf(pdf: Buffer): Promise<{ text: string; pages: string[] }> {
  const { pages } = await pdfText(pdf);
  return { text: pages.join('\n'), pages };
}

/** pdf.js may break lines anywhere; compare text with all whitespace removed. */
const squash = (s: string) => s.replace(/\s+/g, '');

describe('renderCaseReport', () => {
  it('is a PDF whose text holds the fields, in Spanish, Polish and Chinese too, and "page N of M" with the case number on every page', async () => {
    const pdf = await renderCaseReport(input(12));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const { text, pages } = await textOf(pdf);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    pages.forEach((p, i) => expect(p).toContain(`Case ${CASE_NUMBER} · packet v2 · page ${i + 1} of ${pages.length}`));
    const all = squash(text);
    for (const expected of [
      `Case ${CASE_NUMBER}`,
      '2400 S Pulaski Rd, bus stop',
      'Detention',
      'ICE Enforcement and Removal Operations (ERO)',
      'U.S. Customs and Border Protection (CBP)',
      'El agente federal se negó a identificarse',
      'odmówił podania nazwiska; świadkowie',
      '联邦特工拒绝表明身份，并且戴着口罩。',
      'John Roe',
      'ERO-0042',
      'Refused: the agent refused to identify themselves',
      'Grey SUV, plate IL 7XK 221',
      '720 ILCS 5/12-3.05 (felony)',
      'Aggravated battery',
      'Sgt. Łucja Żak (badge 1102), supervisor',
      'Returned by Sgt. Łucja Żak: add the plate number',
      'Approved by Sgt. Łucja Żak: complete',
      'More information requested',
      'Add the bus stop camera footage',
      `SHA-256: ${SHA}`,
      'evidence/01-e-1.mp4',
      '1,234,567 bytes',
      'Downloaded: 2 times, last 2026-11-12 10:00 UTC',
      '37 events of this case (up to audit seq 912)',
      'Bruised wrist',
      'ed25519:0123456789abcdef',
      '2026-11-01 16:55 UTC',
    ]) {
      expect(all).toContain(squash(expected));
    }
  });

  it('is deterministic: the same case gives the same bytes; a changed field gives others', async () => {
    const a = await renderCaseReport(input());
    const b = await renderCaseReport(input());
    expect(a.equals(b)).toBe(true);
    const changed = input();
    changed.manifest.case.incidentLocation = '2401 S Pulaski Rd';
    expect((await renderCaseReport(changed)).equals(a)).toBe(false);
  });

  it('writes a character none of its fonts has as its code point (never drops it)', async () => {
    const i = input();
    i.manifest.case.narrative = 'Witness said 한 word.';
    const { text } = await textOf(await renderCaseReport(i));
    expect(squash(text)).toContain(squash('Witness said [U+D55C] word.'));
  });
});

describe('fontRuns', () => {
  it('keeps Latin in the primary font, puts CJK in the CJK font, and names what neither has', () => {
    expect(fontRuns('Żak 中文 x', 'body')).toEqual([
      { font: 'body', text: 'Żak ' },
      { font: 'cjk', text: '中文' },
      { font: 'body', text: ' x' },
    ]);
    expect(fontRuns('a\u0007b', 'bold')).toEqual([{ font: 'bold', text: 'a[U+0007]b' }]);
  });
});

describe('caseReportFacts', () => {
  const ev = (seq: number, action: string, extra: Partial<AuditEventView> = {}): AuditEventView => ({
    seq,
    id: `id-${seq}`,
    occurredAt: `2026-11-0${seq}T10:00:00.000Z`,
    actor: { id: 'u-super', username: 'lopez', role: 'SUPERVISOR' },
    action: action as AuditEventView['action'],
    outcome: 'SUCCESS',
    targetType: 'case',
    targetId: 'case-42',
    caseId: 'case-42',
    requestId: null,
    clientIp: null,
    userAgent: null,
    details: {},
    prevHash: '0'.repeat(64),
    hash: '0'.repeat(64),
    ...extra,
  });

  it("gives the review history with its notes and counts each evidence item's custody events", () => {
    const names = new Map([['u-super', 'Sgt. Lopez']]);
    const facts = caseReportFacts(
      [
        ev(1, 'case.submitted'),
        ev(2, 'case.returned', { details: { reason: 'Add the plate' } }),
        ev(3, 'evidence.downloaded', { targetType: 'evidence', targetId: 'e-1' }),
        ev(4, 'case.viewed'),
        ev(5, 'evidence.downloaded', { targetType: 'evidence', targetId: 'e-1' }),
        ev(6, 'evidence.verified', { targetType: 'evidence', targetId: 'e-1', outcome: 'FAILED' }),
        ev(7, 'case.approved', { details: { note: 'Complete' } }),
        ev(8, 'evidence.viewed', { targetType: 'evidence', targetId: 'e-other' }),
      ],
      names,
      ['e-1'],
    );
    expect(facts.history).toEqual([
      { at: '2026-11-01T10:00:00.000Z', summary: 'Submitted for review by Sgt. Lopez' },
      { at: '2026-11-02T10:00:00.000Z', summary: 'Returned by Sgt. Lopez: Add the plate' },
      { at: '2026-11-07T10:00:00.000Z', summary: 'Approved by Sgt. Lopez: Complete' },
    ]);
    expect(facts.custody).toEqual({
      'e-1': [
        { label: 'Downloaded', count: 2, last: '2026-11-05T10:00:00.000Z' },
        { label: 'Re-verification FAILED', count: 1, last: '2026-11-06T10:00:00.000Z' },
      ],
    });
    expect(facts.caseEvents).toEqual({ count: 8, lastSeq: 8 });
  });
});
