/**
 * The printable case report (issue 15 §4): the case as it was sent, in words, as a PDF that the packet
 * carries as case-report.pdf and whose SHA-256 the signed manifest records (manifest.caseReport).
 *
 * It is rendered from the manifest itself (before its caseReport and checksums are added), plus the
 * review history (submission, returns and approvals with their notes, earlier decisions) and a custody
 * summary per evidence item, both read from the audit trail when the packet is sent. The same input
 * gives the same bytes (the PDF's dates are the send time), so a report can be re-rendered and compared.
 *
 * Fonts: the standard 14 PDF fonts cannot draw anything beyond Latin-1, and a case holds names and
 * narratives in any language. The report embeds (subset) Noto Sans (Latin, Greek, Cyrillic, Vietnamese,
 * Devanagari) and Noto Sans SC (Chinese, Japanese kana, and the rest of CJK it covers), both under the
 * SIL Open Font License, from npm packages. Each character is drawn with the first of them that has it;
 * a character neither has (Hangul, Arabic, Hebrew, emoji...) is written as its code point, e.g. [U+D55C],
 * never dropped or drawn as an empty box: manifest.json keeps the exact text.
 */
import { readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import type { AuditEventView } from '@app/audit';
import { describeEvent } from '@app/cases';
import type { FederalOfficerRecord } from '@app/cases';
import type { ManifestPerson, PacketManifest } from './packet-format';
import { AuditAction } from '@app/audit';

/** The manifest as the report sees it: everything but what depends on the report's own bytes. */
export type CaseReportManifest = Omit<PacketManifest, 'caseReport' | 'checksums'>;

export interface CaseReportHistoryEntry {
  at: string;
  summary: string;
}

export interface CaseReportCustodyLine {
  label: string;
  count: number;
  last: string;
}

export interface CaseReportInput {
  manifest: CaseReportManifest;
  /** Submission, returns, approvals, sends and decisions of the case, oldest first, in words with their notes. */
  history: CaseReportHistoryEntry[];
  /** Per evidence id: what the audit trail recorded about the item before the send, in words. */
  custody: Record<string, CaseReportCustodyLine[]>;
  /** How many audit events of the case there were when the packet was sent, and the last one's seq. */
  caseEvents: { count: number; lastSeq: number | null };
}

// --- words ---------------------------------------------------------------------------------------

const ACTIVITY: Record<string, string> = {
  ARREST: 'Arrest',
  DETENTION: 'Detention',
  VEHICLE_STOP: 'Vehicle stop',
  SEARCH_OR_ENTRY: 'Search or entry',
  USE_OF_FORCE: 'Use of force',
  CROWD_CONTROL: 'Crowd control',
  SURVEILLANCE: 'Surveillance',
  OTHER: 'Other',
};
const AGENCY: Record<string, string> = {
  ICE_ERO: 'ICE Enforcement and Removal Operations (ERO)',
  ICE_HSI: 'ICE Homeland Security Investigations (HSI)',
  CBP: 'U.S. Customs and Border Protection (CBP)',
  BORDER_PATROL: 'U.S. Border Patrol',
  FBI: 'Federal Bureau of Investigation (FBI)',
  DEA: 'Drug Enforcement Administration (DEA)',
  ATF: 'Bureau of Alcohol, Tobacco, Firearms and Explosives (ATF)',
  US_MARSHALS: 'U.S. Marshals Service',
  DHS_OTHER: 'Another part of Homeland Security (DHS)',
  FEDERAL_UNKNOWN: 'Federal agency not known',
};
const OUTCOME: Record<string, string> = {
  VERIFIED: 'Verified: identity confirmed (name and credentials)',
  PARTIAL: 'Partial: some identifying details obtained',
  REFUSED: 'Refused: the agent refused to identify themselves',
  UNABLE: 'Unable: identification could not be attempted or completed',
};
const ORIGIN: Record<string, string> = {
  WITNESSED: 'Witnessed by the reporting officer',
  REPORTED: 'Reported to the officer by someone else',
};
const OFFICE: Record<string, string> = {
  CCSAO: "Cook County State's Attorney (CCSAO)",
  CITY_LAW: 'City of Chicago Department of Law (CITY_LAW)',
};
const DECISION: Record<string, string> = {
  CHARGES_FILED: 'Charges filed',
  DECLINED: 'Declined to prosecute',
  REFERRED_ELSEWHERE: 'Referred elsewhere',
  MORE_INFO_REQUESTED: 'More information requested',
};
const KIND: Record<string, string> = {
  BWC: 'Body-worn camera footage (BWC)',
  OTHER_VIDEO: 'Other video',
  PHOTO: 'Photo',
  AUDIO: 'Audio recording',
  DOCUMENT: 'Document',
};
const ROLE: Record<string, string> = {
  OFFICER: 'officer',
  SUPERVISOR: 'supervisor',
  PROSECUTOR: 'prosecutor',
  AUDITOR: 'auditor',
  ADMIN: 'administrator',
};
const INTEGRITY: Record<string, string> = {
  OK: 'OK (matches its SHA-256)',
  FAILED: 'FAILED (the stored copy did not match its SHA-256)',
};

/** What the custody summary calls each evidence action (anything else: the action in lower-case words). */
const CUSTODY_WORDS: Record<string, string> = {
  [AuditAction.EvidenceUploaded]: 'Uploaded',
  [AuditAction.EvidenceVerified]: 'Re-verified: stored copy matches its SHA-256',
  [AuditAction.EvidenceViewed]: 'Viewed',
  [AuditAction.EvidencePlaybackEnded]: 'Played (ticket ended)',
  [AuditAction.EvidenceDownloaded]: 'Downloaded',
  [AuditAction.EvidenceIntegrityFailed]: 'INTEGRITY FAILURE recorded',
  [AuditAction.EvidencePreserved]: 'Preserved (retention applied in storage)',
  [AuditAction.EvidenceLegalHoldPlaced]: 'Legal hold placed',
  [AuditAction.EvidenceLegalHoldReleased]: 'Legal hold released',
  [AuditAction.EvidenceSuperseded]: 'Superseded',
};

/** The case's review: who submitted, returned (with the reason), approved (with the note), sent, decided. */
const HISTORY_ACTIONS = new Set<AuditAction>([
  AuditAction.CaseCreated,
  AuditAction.CaseSubmitted,
  AuditAction.CaseReturned,
  AuditAction.CaseApproved,
  AuditAction.PacketSent,
  AuditAction.PacketClaimed,
  AuditAction.PacketDecided,
]);

const words = (map: Record<string, string>, code: unknown): string =>
  code === null || code === undefined || code === ''
    ? 'Not recorded'
    : (map[String(code)] ?? String(code).replace(/_/g, ' ').toLowerCase());

/**
 * The report's history and custody summary from the case's audit events (oldest first), with the names of
 * the people who acted. Only events recorded before the send are given to it.
 */
export function caseReportFacts(
  events: AuditEventView[],
  names: Map<string, string>,
  evidenceIds: string[],
): Pick<CaseReportInput, 'history' | 'custody' | 'caseEvents'> {
  const history: CaseReportHistoryEntry[] = events
    .filter((e) => e.outcome === 'SUCCESS' && HISTORY_ACTIONS.has(e.action))
    .map((e) => ({ at: e.occurredAt, summary: describeEvent(e, names).summary }));
  const wanted = new Set(evidenceIds);
  const custody: Record<string, CaseReportCustodyLine[]> = {};
  for (const id of evidenceIds) custody[id] = [];
  for (const e of events) {
    if (e.targetType !== 'evidence' || !e.targetId || !wanted.has(e.targetId)) continue;
    const label =
      e.outcome === 'DENIED'
        ? 'Access refused'
        : e.outcome === 'FAILED' && e.action === AuditAction.EvidenceVerified
          ? 'Re-verification FAILED'
          : `${CUSTODY_WORDS[e.action] ?? e.action.replace(/[_.]/g, ' ')}${e.outcome === 'FAILED' ? ' (failed)' : ''}`;
    const lines = custody[e.targetId];
    const line = lines.find((l) => l.label === label);
    if (line) {
      line.count += 1;
      line.last = e.occurredAt;
    } else {
      lines.push({ label, count: 1, last: e.occurredAt });
    }
  }
  return {
    history,
    custody,
    caseEvents: { count: events.length, lastSeq: events.length ? events[events.length - 1].seq : null },
  };
}

// --- fonts ---------------------------------------------------------------------------------------

type FontKey = 'body' | 'bold' | 'cjk';

interface LoadedFonts {
  bytes: Record<FontKey, Buffer>;
  /** fontkit faces, for "does this font have that character". */
  faces: Record<FontKey, { hasGlyphForCodePoint(cp: number): boolean }>;
}

let fonts: LoadedFonts | null = null;

/** Read once per process (the CJK face is ~10 MB); each report embeds only the glyphs it uses. */
function loadFonts(): LoadedFonts {
  if (fonts) return fonts;
  // fontkit is pdfkit's own font engine (a dependency of it).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- fontkit ships no type declarations
  const fontkit = require('fontkit') as { create(b: Buffer): { hasGlyphForCodePoint(cp: number): boolean } };
  const file = (p: string) => readFileSync(require.resolve(p));
  const bytes: Record<FontKey, Buffer> = {
    body: file('@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf'),
    bold: file('@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf'),
    cjk: file('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf'),
  };
  fonts = {
    bytes,
    faces: { body: fontkit.create(bytes.body), bold: fontkit.create(bytes.bold), cjk: fontkit.create(bytes.cjk) },
  };
  return fonts;
}

interface Run {
  font: FontKey;
  text: string;
}

/**
 * Splits text into runs, each drawn with the first font that has its characters (the primary one, then
 * the CJK one); a character neither has becomes "[U+XXXX]" in the primary font. Newlines stay.
 */
export function fontRuns(text: string, primary: 'body' | 'bold', f: Pick<LoadedFonts, 'faces'> = loadFonts()): Run[] {
  const runs: Run[] = [];
  const push = (font: FontKey, s: string) => {
    const last = runs[runs.length - 1];
    if (last && last.font === font) last.text += s;
    else runs.push({ font, text: s });
  };
  for (const ch of text.replace(/\r\n?/g, '\n').replace(/\t/g, ' ')) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\n') push(primary, ch);
    else if (cp >= 0x20 && f.faces[primary].hasGlyphForCodePoint(cp)) push(primary, ch);
    else if (cp >= 0x20 && f.faces.cjk.hasGlyphForCodePoint(cp)) push('cjk', ch);
    else push(primary, `[U+${cp.toString(16).toUpperCase().padStart(4, '0')}]`);
  }
  return runs;
}

// --- rendering -----------------------------------------------------------------------------------

const PAGE = { size: 'LETTER' as const, margin: 60 };
const FONT_NAMES: Record<FontKey, string> = { body: 'NotoSans', bold: 'NotoSans-Bold', cjk: 'NotoSansSC' };

const when = (iso: string | null | undefined): string => {
  if (!iso) return 'Not recorded';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
};
const yesNo = (v: unknown): string => (v === true ? 'Yes' : v === false ? 'No' : 'Not recorded');
const text = (v: unknown): string => (typeof v === 'string' && v.trim() ? v : 'Not recorded');
const person = (p: ManifestPerson | null | undefined): string =>
  p ? `${p.displayName}${p.badgeNumber ? ` (badge ${p.badgeNumber})` : ''}, ${words(ROLE, p.role)}` : 'Not recorded';
const bytesWords = (n: number): string => `${n.toLocaleString('en-US')} bytes`;
const times = (n: number) => `${n} time${n === 1 ? '' : 's'}`;

/** Renders the report. Deterministic: the same input gives the same bytes. */
export function renderCaseReport(input: CaseReportInput): Promise<Buffer> {
  const f = loadFonts();
  const m = input.manifest;
  const c = m.case as Record<string, unknown> & { caseNumber: string };
  const sentAt = new Date(m.sentAt);
  const doc = new PDFDocument({
    size: PAGE.size,
    margin: PAGE.margin,
    bufferPages: true,
    autoFirstPage: true,
    lang: 'en-US',
    displayTitle: true,
    info: {
      Title: `Case report ${c.caseNumber}, packet version ${m.version}`,
      Author: 'ICE On Notice case-management service',
      Subject: `Case ${c.caseNumber} as sent to ${m.office} at ${m.sentAt} (packet ${m.packetId})`,
      Creator: 'ICE On Notice',
      CreationDate: sentAt,
      ModDate: sentAt,
    },
  });
  for (const key of Object.keys(FONT_NAMES) as FontKey[]) doc.registerFont(FONT_NAMES[key], f.bytes[key]);
  const chunks: Buffer[] = [];
  doc.on('data', (b: Buffer) => chunks.push(b));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  /**
   * Text in runs of fonts, chained with `continued`; each line of it its own chain (pdfkit would start a line
   * after a newline inside a chain where the previous run ended), an empty line a blank one.
   */
  const write = (
    s: string,
    primary: 'body' | 'bold',
    size: number,
    opts: PDFKit.Mixins.TextOptions = {},
    continued = false,
  ) => {
    const lines = s.replace(/\r\n?/g, '\n').split('\n');
    lines.forEach((line, li) => {
      const runs = fontRuns(line === '' ? ' ' : line, primary, f);
      const chainOn = continued && li === lines.length - 1;
      runs.forEach((r, i) => {
        doc
          .font(FONT_NAMES[r.font])
          .fontSize(size)
          .text(r.text, { ...opts, continued: chainOn || i < runs.length - 1 });
      });
    });
  };
  const heading = (s: string) => {
    if (doc.y > doc.page.maxY() - 80) doc.addPage();
    doc.moveDown(0.6);
    write(s, 'bold', 13);
    doc.moveDown(0.2);
  };
  const sub = (s: string) => {
    if (doc.y > doc.page.maxY() - 60) doc.addPage();
    doc.moveDown(0.3);
    write(s, 'bold', 10.5);
  };
  /** "Label: value", the label in bold. */
  const field = (label: string, value: string) => {
    write(`${label}: `, 'bold', 9.5, {}, true);
    write(value, 'body', 9.5);
  };
  const para = (s: string, size = 9.5) => write(s, 'body', size);

  // Title
  write('ICE On Notice — Case report', 'bold', 18);
  write(`Case ${c.caseNumber}`, 'bold', 14);
  doc.moveDown(0.3);
  para(
    `Packet version ${m.version}, sent to ${words(OFFICE, m.office)} at ${when(m.sentAt)} by ${person(m.sentBy)}. ` +
      `Packet id ${m.packetId}.`,
  );
  para(
    `This report shows the case as it was approved and sent. It travels in the packet as case-report.pdf; the packet's signed ` +
      `manifest (manifest.json, Ed25519 key ${m.signing.keyId}) records this file's SHA-256, so the signature covers it. ` +
      'Characters the report cannot draw are written as their Unicode code point, e.g. [U+D55C]; manifest.json holds the exact text.',
    8.5,
  );

  // The order's fields
  heading('1. The incident');
  field('Case number', c.caseNumber);
  field('District', c.district === undefined || c.district === null ? 'Not recorded' : String(c.district));
  field('How the officer knows', words(ORIGIN, c.origin));
  field('Date and time of the incident', when(c.incidentAt as string | null));
  field('Location', text(c.incidentLocation));
  field('Federal activity', words(ACTIVITY, c.activityType));
  const agencies = Array.isArray(c.agencies) ? (c.agencies as string[]) : [];
  field('Federal agencies', agencies.length ? agencies.map((a) => words(AGENCY, a)).join('; ') : 'Not recorded');
  field('Injuries reported', yesNo(c.injuriesReported));
  if (c.injuriesReported) field('Injuries', text(c.injuryDescription));
  field('EMS called', yesNo(c.emsCalled));
  if (c.emsCalled) field('EMS called at', when(c.emsCalledAt as string | null));
  field('Aid given', text(c.aidGiven));
  if (c.noFootageReason) field('Why there is no footage', text(c.noFootageReason));
  const createdBy = c.createdBy as ManifestPerson | null | undefined;
  field('Case opened', `${when(c.createdAt as string | null)} by ${person(createdBy)}`);
  sub('Narrative');
  para(text(c.narrative));

  // Federal personnel
  heading('2. Federal personnel');
  const officers = (m.federalOfficers ?? []) as FederalOfficerRecord[];
  if (!officers.length) para('No federal personnel recorded.');
  officers.forEach((o, i) => {
    sub(`${i + 1}. ${o.isSupervisor ? 'Federal supervisor on scene' : 'Federal agent'}`);
    field('Name', text(o.name));
    field('Agency', words(AGENCY, o.agency));
    field('Badge or identifier', text(o.badgeNumber));
    field('Identification outcome', words(OUTCOME, o.identificationOutcome));
    field('How identification was attempted', text(o.identificationMethod));
    if (o.identificationNotes) field('Identification notes', o.identificationNotes);
    field('Masked', yesNo(o.masked));
    field('Badge displayed', yesNo(o.badgeDisplayed));
    field('Body camera worn', yesNo(o.bodyCameraWorn));
    if (o.description) field('Description, vehicle, unit markings', o.description);
  });

  // Violations
  heading('3. Alleged violations');
  if (!m.violations.length) para('No violations recorded.');
  m.violations.forEach((v, i) => {
    write(`${i + 1}. ${v.citation}${v.felony ? ' (felony)' : ''}: `, 'bold', 9.5, {}, true);
    para(v.description);
  });

  // Approvals and history
  heading('4. Approvals and review history');
  field('Submitted for review', `${when(m.approvals.submittedAt)} by ${person(m.approvals.submittedBy)}`);
  field('Approved', `${when(m.approvals.approvedAt)} by ${person(m.approvals.approvedBy)}`);
  if (m.previousPacket) {
    const p = m.previousPacket;
    field(
      'Previous packet',
      `version ${p.version} (manifest SHA-256 ${p.manifestSha256}): ${words(DECISION, p.decision)}${p.decidedAt ? ` at ${when(p.decidedAt)}` : ''}` +
        `${p.decisionReason ? `. Reason: ${p.decisionReason}` : ''}`,
    );
  }
  sub('History (from the audit trail)');
  if (!input.history.length) para('Nothing recorded.');
  for (const h of input.history) {
    write(`${when(h.at)}  `, 'bold', 9, {}, true);
    write(h.summary, 'body', 9);
  }

  // Evidence
  heading('5. Evidence');
  if (!m.evidence.length)
    para(`No evidence files. ${c.noFootageReason ? `Reason recorded: ${String(c.noFootageReason)}` : ''}`.trim());
  m.evidence.forEach((e, i) => {
    sub(`${i + 1}. ${words(KIND, e.kind)}: ${e.originalFilename ?? e.archivePath}`);
    field('File in the packet', e.archivePath);
    field('SHA-256', e.sha256);
    field('Size', bytesWords(e.sizeBytes));
    field('Type (from its bytes)', e.contentType);
    if (e.deviceId) field('Device', e.deviceId);
    if (e.recordingOfficerBadge) field('Recording officer badge', e.recordingOfficerBadge);
    if (e.recordedStart || e.recordedEnd) field('Recorded', `${when(e.recordedStart)} to ${when(e.recordedEnd)}`);
    field('Uploaded', `${when(e.uploadedAt)} by ${person(e.uploadedBy)}`);
    field(
      'Integrity when sent',
      `${words(INTEGRITY, e.integrityStatus)}${e.lastVerifiedAt ? `, last re-verified ${when(e.lastVerifiedAt)}` : ''}`,
    );
  });

  // Custody
  heading('6. Custody summary');
  para(
    `Recorded in the audit trail before this packet was sent: ${input.caseEvents.count} event${input.caseEvents.count === 1 ? '' : 's'} of this case` +
      `${input.caseEvents.lastSeq !== null ? ` (up to audit seq ${input.caseEvents.lastSeq})` : ''}. Per evidence item:`,
  );
  m.evidence.forEach((e, i) => {
    sub(`${i + 1}. ${e.archivePath}`);
    const lines = input.custody[e.id] ?? [];
    if (!lines.length) para('No custody events recorded.');
    for (const l of lines) para(`${l.label}: ${times(l.count)}, last ${when(l.last)}`);
  });
  if (!m.evidence.length) para('No evidence items.');

  // Footer on every page: case number, packet version, page N of M.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing inside the bottom margin must not start a new page
    const footer = `Case ${c.caseNumber} · packet v${m.version} · page ${i + 1} of ${range.count}`;
    doc
      .font(FONT_NAMES.body)
      .fontSize(8)
      .text(footer, PAGE.margin, doc.page.height - PAGE.margin / 2 - 6, {
        width: doc.page.width - 2 * PAGE.margin,
        align: 'center',
        lineBreak: false,
      });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}
