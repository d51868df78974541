import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { dateTime, label, Loaded, useLoad } from '../../ui';
import { ACTIVITY_LABELS, AGENCY_SHORT, AUDIT_ACTION_WORDS, ORIGIN_LABELS, OUTCOME_SHORT } from '../../words';
import { Details, humanise } from './AuditDetails';

type AuditEvent = components['schemas']['AuditEventView'];
type Entry = components['schemas']['TimelineEntry'];
type Change = components['schemas']['TimelineFieldChange'];
type CaseTimeline = components['schemas']['CaseTimeline'];

/** A case's timeline as `useLoad` holds it, for a page that loads it itself. */
export type TimelineState = { data: CaseTimeline | undefined; error: unknown; loading: boolean };

/** `case.submitted` -> its words in the catalogue of audit actions (words.ts); never the code. */
function actionWords(action: AuditEvent['action']): string {
  return AUDIT_ACTION_WORDS[action] ?? humanise(action);
}

function whoOf(actor: AuditEvent['actor'], name?: string | null): string {
  const person = name ?? actor.username;
  return person ? `${person} (${label(actor.role).toLowerCase()})` : label(actor.role);
}

/** One raw event: when, who (role), what, with what outcome, and the recorded reason where there is one. */
export function TimelineEvent({ e, withDetails = false }: { e: AuditEvent; withDetails?: boolean }) {
  const reason = typeof e.details.reason === 'string' ? e.details.reason : undefined;
  const hasDetails = withDetails && Object.keys(e.details).length > 0;
  return (
    <li>
      <time dateTime={e.occurredAt}>{dateTime(e.occurredAt)}</time>
      {' · '}
      <strong>{actionWords(e.action)}</strong>{' '}
      {e.outcome !== 'SUCCESS' && <span className="badge failed">{label(e.outcome)}</span>}
      <br />
      <span className="muted">
        by {whoOf(e.actor)} · event #{e.seq}
      </span>
      {reason && <p>Reason: {reason}</p>}
      {hasDetails && (
        <details className="event-details">
          <summary>Recorded details</summary>
          <Details details={e.details} />
        </details>
      )}
    </li>
  );
}

const MAX_SHOWN = 160;

/** The order's vocabularies by case field: a diff says "Arrest", never the stored code ARREST. */
const FIELD_WORDS: Record<string, Record<string, string>> = {
  origin: ORIGIN_LABELS,
  activityType: ACTIVITY_LABELS,
  agencies: AGENCY_SHORT,
};
const codeWords = (table: Record<string, string> | undefined, code: unknown) =>
  table?.[String(code)] ?? label(String(code));

/** A field's value, compact: text quoted (long text shortened, whole in the tooltip), codes in words, lists summarised, yes/no. */
function valueWords(v: unknown, field?: string): { text: string; full?: string } {
  if (v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) return { text: '(empty)' };
  if (typeof v === 'boolean') return { text: v ? 'Yes' : 'No' };
  if (typeof v === 'number') return { text: String(v) };
  const vocabulary = field ? FIELD_WORDS[field] : undefined;
  if (typeof v === 'string') {
    if (vocabulary) return { text: codeWords(vocabulary, v) };
    const text = /^\d{4}-\d{2}-\d{2}T/.test(v) ? dateTime(v) : `“${v}”`;
    return text.length > MAX_SHOWN ? { text: `${text.slice(0, MAX_SHOWN)}…”`, full: v } : { text };
  }
  if (Array.isArray(v)) {
    const parts = v.map((x) => {
      if (typeof x !== 'object' || x === null) return codeWords(vocabulary, x);
      const r = x as Record<string, unknown>;
      if ('citation' in r) return `${r.citation}${r.felony ? ' (felony)' : ''}`;
      const agency = r.agency ? (AGENCY_SHORT[r.agency as keyof typeof AGENCY_SHORT] ?? label(String(r.agency))) : null;
      const who = [
        r.isSupervisor ? 'supervisor' : 'agent',
        r.name,
        r.badgeNumber && `badge ${r.badgeNumber}`,
        agency && `(${agency})`,
      ]
        .filter(Boolean)
        .join(' ');
      const outcome = r.identificationOutcome
        ? (OUTCOME_SHORT[r.identificationOutcome as keyof typeof OUTCOME_SHORT] ??
          label(String(r.identificationOutcome)))
        : null;
      return outcome ? `${who}: ${outcome.toLowerCase()}` : who;
    });
    return { text: parts.join('; ') };
  }
  return { text: JSON.stringify(v) };
}

function Diff({ changes, valuesHidden }: { changes: Change[]; valuesHidden?: boolean }) {
  if (valuesHidden && changes.every((c) => !('to' in c))) {
    return (
      <p className="diff muted">
        Changed: {changes.map((c) => c.label).join(', ')} (the values are case content, not shown to your role)
      </p>
    );
  }
  return (
    <dl className="diff" aria-label="What changed">
      {changes.map((c) => {
        if (!('to' in c))
          return [
            <dt key={`${c.field}-t`}>{c.label}</dt>,
            <dd key={`${c.field}-d`} className="muted">
              changed (not shown to your role)
            </dd>,
          ];
        const from = valueWords(c.from, c.field);
        const to = valueWords(c.to, c.field);
        return [
          <dt key={`${c.field}-t`}>{c.label}</dt>,
          <dd key={`${c.field}-d`}>
            <del title={from.full}>{from.text}</del> → <ins title={to.full}>{to.text}</ins>
          </dd>,
        ];
      })}
    </dl>
  );
}

/** One entry of the history in words; folded reads expand to their raw events. */
function TimelineEntryItem({ entry, raw }: { entry: Entry; raw: Map<number, AuditEvent> }) {
  const [open, setOpen] = useState(false);
  const first = entry.seqs[0];
  const last = entry.seqs[entry.seqs.length - 1];
  if (entry.kind === 'reads') {
    return (
      <li className="folded">
        <time dateTime={entry.occurredAt}>{dateTime(entry.occurredAt)}</time>
        {' – '}
        <time dateTime={entry.lastOccurredAt}>{dateTime(entry.lastOccurredAt)}</time>
        {' · '}
        <strong>{entry.summary}</strong>
        <br />
        <span className="muted">
          events #{first} to #{last}
        </span>{' '}
        <button type="button" className="btn secondary small" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? 'Hide the reads' : `Show the ${entry.count} reads`}
        </button>
        {open && (
          <ol className="timeline reads">
            {entry.seqs
              .map((s) => raw.get(s))
              .filter((e): e is AuditEvent => !!e)
              .map((e) => (
                <TimelineEvent key={e.id} e={e} />
              ))}
          </ol>
        )}
      </li>
    );
  }
  return (
    <li>
      <time dateTime={entry.occurredAt}>{dateTime(entry.occurredAt)}</time>
      {' · '}
      <strong>{entry.summary}</strong>{' '}
      {entry.outcome !== 'SUCCESS' && <span className="badge failed">{label(entry.outcome)}</span>}
      <br />
      <span className="muted">
        by {whoOf(entry.actor, entry.actorName)} · event #{first}
      </span>
      {entry.changes && entry.changes.length > 0 && <Diff changes={entry.changes} valuesHidden={entry.valuesHidden} />}
    </li>
  );
}

/**
 * A case's history, oldest first (GET /cases/:id/timeline): what supervisors see on the case and auditors
 * on their case view. Every step and every refused attempt is in it, in words, edits with what changed
 * (within the reader's field scope), consecutive reads folded (expandable to the raw events). The raw
 * audit events (in words, their details as labelled fields) are one button away.
 *
 * Given `caseId`, it loads the timeline itself (again when `refresh` changes). A page that already loads it
 * for something else (the case page: the names, the return notice, the review notes) passes what it loaded
 * as `state` instead, so that each load of the page asks for the timeline once.
 */
export function Timeline(props: { caseId: string; refresh?: number } | { state: TimelineState }) {
  return 'state' in props ? <TimelineSection state={props.state} /> : <OwnTimeline {...props} />;
}

function OwnTimeline({ caseId, refresh = 0 }: { caseId: string; refresh?: number }) {
  const state = useLoad(
    () => unwrap(api.GET('/api/v1/cases/{id}/timeline', { params: { path: { id: caseId } } })),
    [caseId, refresh],
  );
  return <TimelineSection state={state} />;
}

function TimelineSection({ state }: { state: TimelineState }) {
  const [showRaw, setShowRaw] = useState(false);
  return (
    <section aria-labelledby="timeline-h">
      <h2 id="timeline-h">Timeline</h2>
      <Loaded state={state} what="the timeline">
        {(t) => {
          if (t.entries.length === 0) return <p>No events yet.</p>;
          const raw = new Map(t.events.map((e) => [e.seq, e]));
          return (
            <>
              <ol className="timeline" aria-label={`History of case ${t.caseNumber}, oldest first`}>
                {t.entries.map((e) => (
                  <TimelineEntryItem key={e.seqs[0]} entry={e} raw={raw} />
                ))}
              </ol>
              <p>
                <button
                  type="button"
                  className="btn secondary small"
                  aria-expanded={showRaw}
                  aria-controls="timeline-raw"
                  onClick={() => setShowRaw(!showRaw)}
                >
                  {showRaw ? 'Hide the raw audit events' : `Show the ${t.events.length} raw audit events`}
                </button>
              </p>
              {showRaw && (
                <ol
                  id="timeline-raw"
                  className="raw-events"
                  aria-label={`Raw audit events of case ${t.caseNumber}, oldest first`}
                >
                  {t.events.map((e) => (
                    <TimelineEvent key={e.id} e={e} withDetails />
                  ))}
                </ol>
              )}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
