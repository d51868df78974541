import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AUDIT_OUTCOMES, AuditActor, AuditEventView, AuditAction } from '@app/audit';
import type { AuditOutcome } from '@app/audit';

/**
 * The readable case history (GET /cases/:id/timeline `entries`): each audit event of the case in plain
 * words, edits with a field-level diff from case_revisions (within the caller's field scope), and runs of
 * consecutive reads folded into one entry. The raw events stay in `events`; every entry names its `seqs`.
 */

/** A case field's value: text, a number, yes/no, a list (agencies, personnel, violations) or null. */
const ANY_VALUE = {
  oneOf: [
    { type: 'string' },
    { type: 'number' },
    { type: 'boolean' },
    { type: 'array', items: {} },
    { type: 'object', additionalProperties: true },
    { type: 'null' },
  ],
};

/** One field an edit changed. `from`/`to` are absent when the caller may not see the field's content. */
export class TimelineFieldChange {
  @ApiProperty({ type: String, example: 'narrative', description: 'The case field (as in the case view)' })
  field: string;

  @ApiProperty({ type: String, example: 'Narrative', description: 'The field in words' })
  label: string;

  @ApiPropertyOptional({
    ...ANY_VALUE,
    description: 'The value before (absent when outside your field scope, e.g. an auditor and the narrative)',
  })
  from?: unknown;

  @ApiPropertyOptional({ ...ANY_VALUE, description: 'The value after (absent when outside your field scope)' })
  to?: unknown;
}

export const TIMELINE_ENTRY_KINDS = ['event', 'reads'] as const;
export type TimelineEntryKind = (typeof TIMELINE_ENTRY_KINDS)[number];

export class TimelineEntry {
  @ApiProperty({
    enum: TIMELINE_ENTRY_KINDS,
    enumName: 'TimelineEntryKind',
    description: '`event`: one audit event; `reads`: consecutive successful reads folded together',
  })
  kind: TimelineEntryKind;

  @ApiProperty({
    type: String,
    example: 'Approved by Sgt. Lopez: all fields complete',
    description: 'What happened, in words',
  })
  summary: string;

  @ApiProperty({
    type: String,
    example: AuditAction.CaseApproved,
    description: 'The audit action (of the first event, for folded reads)',
  })
  action: string;

  @ApiProperty({ enum: AUDIT_OUTCOMES, enumName: 'AuditOutcome' })
  outcome: AuditOutcome;

  @ApiProperty({ type: String, format: 'date-time', description: 'When (the first event, for folded reads)' })
  occurredAt: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'The last event folded in (equal to occurredAt for one event)',
  })
  lastOccurredAt: string;

  @ApiProperty({ type: () => AuditActor, description: 'Who (of the first event, for folded reads)' })
  actor: AuditActor;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'Sgt. Lopez',
    description: "The actor's name (null for SYSTEM and ANONYMOUS)",
  })
  actorName: string | null;

  @ApiProperty({
    type: [Number],
    description: 'The raw events (seq) this entry stands for, oldest first: look them up in `events`',
  })
  seqs: number[];

  @ApiProperty({ type: Number, minimum: 1, description: 'How many events (1 unless folded)' })
  count: number;

  @ApiProperty({ type: Number, minimum: 1, description: 'How many different people (1 unless folded)' })
  people: number;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The note or reason recorded with it (approval note, return or withdrawal reason, decision reason)',
  })
  note: string | null;

  @ApiPropertyOptional({
    type: () => [TimelineFieldChange],
    description: 'For an edit of the case: the fields it changed (from case_revisions)',
  })
  changes?: TimelineFieldChange[];

  @ApiPropertyOptional({
    type: Boolean,
    description: 'True when the diff names the changed fields but leaves out their values (outside your field scope)',
  })
  valuesHidden?: boolean;
}

/** GET /cases/:id/timeline: the readable history and the raw audit events, oldest first. */
export class CaseTimeline {
  @ApiProperty({ type: String, format: 'uuid' })
  caseId: string;

  @ApiProperty({ type: String, example: 'ION-2026-000123' })
  caseNumber: string;

  @ApiProperty({
    type: () => [TimelineEntry],
    description: 'The history in words, reads folded, edits with their diff',
  })
  entries: TimelineEntry[];

  @ApiProperty({
    type: () => [AuditEventView],
    description: 'Every raw audit event of the case, oldest first (nothing folded)',
  })
  events: AuditEventView[];
}

// --- words ---------------------------------------------------------------------------------------------

export const CASE_FIELD_LABELS: Record<string, string> = {
  origin: 'Origin',
  incidentAt: 'Incident time',
  incidentLocation: 'Location',
  activityType: 'Activity type',
  agencies: 'Agencies',
  narrative: 'Narrative',
  injuriesReported: 'Injuries reported',
  injuryDescription: 'Injury description',
  emsCalled: 'EMS called',
  emsCalledAt: 'EMS called at',
  aidGiven: 'Aid given',
  noFootageReason: 'Reason for no footage',
  federalOfficers: 'Federal personnel',
  violations: 'Alleged violations',
};

/** Case-view fields that are case content: an auditor's case view leaves them out, and so do their diffs' values. */
export const CASE_CONTENT_FIELDS = new Set([
  'incidentLocation',
  'narrative',
  'injuriesReported',
  'injuryDescription',
  'emsCalled',
  'emsCalledAt',
  'aidGiven',
  'noFootageReason',
  'federalOfficers',
  'violations',
]);

/** Bookkeeping and lifecycle facts of a revision snapshot: not "edits" (the entry's summary says them). */
const NOT_EDITED = new Set([
  'id',
  'caseNumber',
  'version',
  'createdAt',
  'updatedAt',
  'createdBy',
  'district',
  'status',
  'checklist',
  'submittedAt',
  'submittedBy',
  'approvedAt',
  'approvedBy',
  'returnedAt',
  'returnedBy',
  'returnReason',
  'withdrawnAt',
  'withdrawnBy',
  'withdrawReason',
  'disposition',
  'closedAt',
  'federalOfficerCount',
  'violationCount',
  'anyFelony',
]);

const IDENTIFICATION_WORDS: Record<string, string> = {
  VERIFIED: 'identified (verified)',
  PARTIAL: 'partly identified',
  REFUSED: 'refused to identify',
  UNABLE: 'could not be identified',
};

/** Reads that fold together when consecutive (successful ones only). */
const READ_ACTIONS = new Set<AuditAction>([
  AuditAction.CaseViewed,
  AuditAction.EvidenceListed,
  AuditAction.EvidenceViewed,
  AuditAction.PacketViewed,
  AuditAction.PacketManifestViewed,
  AuditAction.PacketPreviewed,
]);

const words = (code: unknown) => {
  const s = String(code).replace(/[_.]/g, ' ').toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
};
const lower = (code: unknown) => String(code).replace(/[_.]/g, ' ').toLowerCase();
const str = (v: unknown): string | null => (typeof v === 'string' && v.length ? v : null);
const withNote = (s: string, note: string | null) => (note ? `${s}: ${note}` : s);
const fieldList = (fields: string[]) =>
  fields.map((f, i) => (i === 0 ? (CASE_FIELD_LABELS[f] ?? words(f)) : lower(CASE_FIELD_LABELS[f] ?? f)));

/** 1234567 -> "1.2 MB" (decimal units, as file sizes are usually quoted). */
export function sizeWords(n: unknown): string | null {
  if (typeof n !== 'number' || !Number.isFinite(n)) return null;
  if (n < 1000) return `${n} bytes`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

function listWords(parts: string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

type Said = { summary: string; note?: string | null };
type Ctx = { e: AuditEventView; d: Record<string, unknown>; by: string };

const file = (d: Record<string, unknown>) => {
  const name = str(d.originalFilename) ?? str(d.fileName) ?? 'file';
  const size = sizeWords(d.sizeBytes);
  return size ? `${name} (${size})` : name;
};

/**
 * The one catalogue of words per audit action. An action not in it gets a generic sentence naming it.
 * Summaries use only what the event's details (already visible to the caller) and the actor's name say.
 */
const CATALOGUE: Record<string, (c: Ctx) => Said> = {
  [AuditAction.CaseCreated]: ({ by }) => ({ summary: `Case opened by ${by}` }),
  [AuditAction.CaseUpdated]: ({ d }) => {
    const fields = Array.isArray(d.fields) ? d.fields.map(String) : [];
    return { summary: fields.length ? `${listWords(fieldList(fields))} changed` : 'Case saved without changes' };
  },
  [AuditAction.CaseFederalOfficersUpdated]: ({ d }) => {
    const outcome = str(d.supervisorIdentification);
    if (outcome) return { summary: `Federal supervisor recorded: ${IDENTIFICATION_WORDS[outcome] ?? lower(outcome)}` };
    const n = typeof d.count === 'number' ? d.count : null;
    return {
      summary: n === 0 ? 'Federal personnel cleared' : `Federal personnel recorded${n !== null ? ` (${n})` : ''}`,
    };
  },
  [AuditAction.CaseViolationsUpdated]: ({ d }) => {
    const citations = Array.isArray(d.citations) ? d.citations.map(String) : [];
    if (!citations.length) return { summary: 'Alleged violations cleared' };
    return { summary: `Alleged violations recorded: ${citations.join(', ')}${d.anyFelony ? ' (felony alleged)' : ''}` };
  },
  [AuditAction.CaseSubmitted]: ({ by }) => ({ summary: `Submitted for review by ${by}` }),
  [AuditAction.CaseReturned]: ({ d, by }) => ({
    summary: withNote(`Returned by ${by}`, str(d.reason)),
    note: str(d.reason),
  }),
  [AuditAction.CaseApproved]: ({ d, by }) => ({
    summary: withNote(`Approved by ${by}`, str(d.note)),
    note: str(d.note),
  }),
  [AuditAction.CaseWithdrawn]: ({ d, by }) => ({
    summary: withNote(`Withdrawn by ${by}`, str(d.reason)),
    note: str(d.reason),
  }),
  'case.deleted': ({ by }) => ({ summary: `Case deleted by ${by}` }),
  [AuditAction.CaseViewed]: ({ by }) => ({ summary: `Viewed by ${by}` }),
  [AuditAction.EvidenceUploadCreated]: ({ d }) => ({ summary: `Upload started: ${file(d)}` }),
  [AuditAction.EvidenceUploaded]: ({ d }) => ({ summary: `Evidence uploaded: ${file(d)}` }),
  [AuditAction.EvidenceUploadCancelled]: ({ d }) => ({ summary: `Upload cancelled: ${file(d)}` }),
  [AuditAction.EvidenceUploadAbandoned]: ({ d }) => ({ summary: `Upload abandoned: ${file(d)}` }),
  [AuditAction.EvidenceUploadCleanedUp]: () => ({ summary: 'Unfinished upload cleaned up' }),
  [AuditAction.EvidenceListed]: ({ by }) => ({ summary: `Evidence list viewed by ${by}` }),
  [AuditAction.EvidenceViewed]: ({ by }) => ({ summary: `Evidence viewed by ${by}` }),
  [AuditAction.EvidenceDownloaded]: ({ by }) => ({ summary: `Evidence downloaded by ${by}` }),
  [AuditAction.EvidencePlaybackEnded]: ({ by }) => ({ summary: `Evidence played by ${by}` }),
  [AuditAction.EvidenceVerified]: ({ e }) => ({
    summary:
      e.outcome === 'SUCCESS' ? 'Evidence verified: stored copy matches its SHA-256' : 'Evidence verification FAILED',
  }),
  [AuditAction.EvidenceIntegrityFailed]: ({ d }) => ({
    summary: `INTEGRITY FAILURE of evidence${str(d.during) ? ` during ${lower(d.during)}` : ''}`,
  }),
  [AuditAction.EvidenceSuperseded]: ({ d }) => ({
    summary: withNote('Evidence superseded', str(d.reason)),
    note: str(d.reason),
  }),
  [AuditAction.EvidencePreserved]: () => ({ summary: 'Evidence preserved' }),
  [AuditAction.EvidenceLegalHoldPlaced]: ({ d, by }) => ({
    summary: withNote(`Legal hold placed by ${by}`, str(d.reason)),
    note: str(d.reason),
  }),
  [AuditAction.EvidenceLegalHoldReleased]: ({ d, by }) => ({
    summary: withNote(`Legal hold released by ${by}`, str(d.reason)),
    note: str(d.reason),
  }),
  [AuditAction.PacketSent]: ({ d, by }) => ({
    summary: `Sent to prosecutors${str(d.office) ? ` (${d.office})` : ''} by ${by}`,
  }),
  [AuditAction.PacketClaimed]: ({ by }) => ({ summary: `Packet taken up by ${by}` }),
  [AuditAction.PacketReleased]: ({ d, by }) => ({
    summary: withNote(`Packet released back to the queue by ${by}`, str(d.reason)),
    note: str(d.reason),
  }),
  [AuditAction.PacketHandedOver]: ({ d, by }) => {
    const to = d.to && typeof d.to === 'object' ? str((d.to as Record<string, unknown>).displayName) : null;
    return {
      summary: withNote(`Packet handed over by ${by}${to ? ` to ${to}` : ''}`, str(d.reason)),
      note: str(d.reason),
    };
  },
  [AuditAction.PacketReferenceCorrected]: ({ d, by }) => {
    const ref = str(d.externalReference);
    return {
      summary: withNote(`External reference of the decision corrected by ${by}: ${ref ?? 'removed'}`, str(d.reason)),
      note: str(d.reason),
    };
  },
  [AuditAction.PacketDecided]: ({ d, by }) => {
    const reason = str(d.reason);
    if (d.decision === 'MORE_INFO_REQUESTED')
      return { summary: withNote(`More information requested by ${by}`, reason), note: reason };
    return {
      summary: withNote(`Prosecutor's decision by ${by}: ${lower(d.decision ?? 'recorded')}`, reason),
      note: reason,
    };
  },
  [AuditAction.PacketViewed]: ({ by }) => ({ summary: `Packet viewed by ${by}` }),
  [AuditAction.PacketManifestViewed]: ({ by }) => ({ summary: `Packet manifest viewed by ${by}` }),
  [AuditAction.PacketPreviewed]: ({ d, by }) => ({
    summary: `Packet previewed before sending${str(d.office) ? ` (${d.office})` : ''} by ${by}`,
  }),
  [AuditAction.PacketArchiveDownloaded]: ({ by }) => ({ summary: `Packet archive downloaded by ${by}` }),
  [AuditAction.AccessDenied]: ({ d, by }) => ({
    summary: `Access denied to ${by}${str(d.attempted) ? ` (tried: ${lower(d.attempted)})` : ''}`,
  }),
};

function who(e: AuditEventView, names: Map<string, string>): { name: string | null; by: string } {
  const name = e.actor.id ? (names.get(e.actor.id) ?? e.actor.username) : null;
  if (name) return { name, by: name };
  if (e.actor.role === 'SYSTEM') return { name: null, by: 'the system' };
  if (e.actor.role === 'ANONYMOUS') return { name: null, by: 'someone not signed in' };
  return { name: null, by: `a ${lower(e.actor.role)}` };
}

/** Actions whose words already say their outcome (a refusal, a failure). */
const OUTCOME_IN_WORDS = new Set<AuditAction>([
  AuditAction.AccessDenied,
  AuditAction.EvidenceVerified,
  AuditAction.EvidenceIntegrityFailed,
]);

/** The words for one event (exported for tests of the catalogue). */
export function describeEvent(e: AuditEventView, names: Map<string, string>): Said & { actorName: string | null } {
  const { name, by } = who(e, names);
  const d = e.details ?? {};
  const say = CATALOGUE[e.action];
  if (say && (e.outcome === 'SUCCESS' || OUTCOME_IN_WORDS.has(e.action))) {
    return { note: null, ...say({ e, d, by }), actorName: name };
  }
  if (e.outcome !== 'SUCCESS') {
    const message = str(d.message);
    return {
      summary: `${e.outcome === 'DENIED' ? 'Refused' : 'Failed'}: ${lower(e.action)} by ${by}${message ? ` (${message})` : ''}`,
      note: null,
      actorName: name,
    };
  }
  return { summary: `Recorded: ${e.action} by ${by}`, note: null, actorName: name };
}

// --- diffs ---------------------------------------------------------------------------------------------

export type Revision = { version: number; action: string; snapshot: Record<string, unknown> };

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Fields an edit changed between two snapshots (case views); values only where `contentVisible` or metadata. */
export function diffSnapshots(
  before: Record<string, unknown> | null,
  after: Record<string, unknown>,
  contentVisible: boolean,
): TimelineFieldChange[] {
  // In the form's order (jsonb does not keep key order), then any other field by name.
  const order = Object.keys(CASE_FIELD_LABELS);
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  const keys = Object.keys(after)
    .filter((k) => !NOT_EDITED.has(k))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const changes: TimelineFieldChange[] = [];
  for (const k of keys) {
    const from = before ? (before[k] ?? null) : null;
    const to = after[k] ?? null;
    if (same(from, to)) continue;
    if (!before && (to === null || (Array.isArray(to) && to.length === 0))) continue; // a new case: only what was filled in
    const change: TimelineFieldChange = { field: k, label: CASE_FIELD_LABELS[k] ?? words(k) };
    if (contentVisible || !CASE_CONTENT_FIELDS.has(k)) Object.assign(change, { from, to });
    changes.push(change);
  }
  return changes;
}

// --- the history ---------------------------------------------------------------------------------------

/**
 * Events -> entries. Events that wrote a case revision (details.version with the same action) carry the
 * diff against the revision before. Consecutive successful reads (2 or more) fold into one entry.
 */
export function buildTimeline(
  events: AuditEventView[],
  revisions: Revision[],
  names: Map<string, string>,
  contentVisible: boolean,
): TimelineEntry[] {
  const byVersion = new Map(revisions.map((r) => [r.version, r]));
  const versions = revisions.map((r) => r.version).sort((a, b) => a - b);
  const entries: TimelineEntry[] = [];
  let run: AuditEventView[] = [];

  const flushReads = () => {
    if (run.length === 1) entries.push(single(run[0]));
    else if (run.length > 1) {
      const people = new Set(run.map((e) => e.actor.id ?? `${e.actor.role}`));
      const first = run[0];
      const what =
        new Set(run.map((e) => e.action)).size === 1 && first.action !== AuditAction.CaseViewed
          ? ` (${lower(first.action)})`
          : '';
      entries.push({
        kind: 'reads',
        summary: `Viewed ${run.length} times by ${people.size} ${people.size === 1 ? 'person' : 'people'}${what}`,
        action: first.action,
        outcome: 'SUCCESS',
        occurredAt: first.occurredAt,
        lastOccurredAt: run[run.length - 1].occurredAt,
        actor: first.actor,
        actorName: who(first, names).name,
        seqs: run.map((e) => e.seq),
        count: run.length,
        people: people.size,
        note: null,
      });
    }
    run = [];
  };

  const single = (e: AuditEventView): TimelineEntry => {
    const said = describeEvent(e, names);
    const entry: TimelineEntry = {
      kind: 'event',
      summary: said.summary,
      action: e.action,
      outcome: e.outcome,
      occurredAt: e.occurredAt,
      lastOccurredAt: e.occurredAt,
      actor: e.actor,
      actorName: said.actorName,
      seqs: [e.seq],
      count: 1,
      people: 1,
      note: said.note ?? null,
    };
    const version = typeof e.details?.version === 'number' ? e.details.version : null;
    const rev = version !== null && e.outcome === 'SUCCESS' ? byVersion.get(version) : undefined;
    if (rev && rev.action === e.action) {
      const prevVersion = [...versions].reverse().find((v) => v < version!);
      const prev = prevVersion !== undefined ? byVersion.get(prevVersion)!.snapshot : null;
      const changes = diffSnapshots(prev, rev.snapshot, contentVisible);
      if (changes.length) {
        entry.changes = changes;
        if (changes.some((c) => !('to' in c))) entry.valuesHidden = true;
      }
    }
    return entry;
  };

  for (const e of events) {
    if (READ_ACTIONS.has(e.action) && e.outcome === 'SUCCESS') {
      run.push(e);
      continue;
    }
    flushReads();
    entries.push(single(e));
  }
  flushReads();
  return entries;
}
