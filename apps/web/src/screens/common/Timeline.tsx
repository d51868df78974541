import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { dateTime, label, Loaded, useLoad } from '../../ui';

type AuditEvent = components['schemas']['AuditEventView'];

/** `case.submitted` -> "Case submitted"; the action code stays visible next to it for auditors. */
function actionWords(action: string): string {
  return label(action.replace(/\./g, ' '));
}

/** One event: when, who (role), what, with what outcome, and the recorded reason where there is one. */
export function TimelineEvent({ e }: { e: AuditEvent }) {
  const reason = typeof e.details.reason === 'string' ? e.details.reason : undefined;
  const who = e.actor.username ? `${e.actor.username} (${label(e.actor.role).toLowerCase()})` : label(e.actor.role);
  return (
    <li>
      <time dateTime={e.occurredAt}>{dateTime(e.occurredAt)}</time>{' · '}
      <strong>{actionWords(e.action)}</strong> <code>{e.action}</code>{' '}
      {e.outcome !== 'SUCCESS' && <span className="badge failed">{label(e.outcome)}</span>}
      <br />
      <span className="muted">by {who} · event #{e.seq}</span>
      {reason && <p>Reason: {reason}</p>}
    </li>
  );
}

/**
 * A case's audit events, oldest first (GET /cases/:id/timeline): what supervisors see on the case and
 * auditors on their case view. Every step and every refused attempt on the case is in it.
 */
export function Timeline({ caseId, refresh = 0 }: { caseId: string; refresh?: number }) {
  const state = useLoad(() => unwrap(api.GET('/api/v1/cases/{id}/timeline', { params: { path: { id: caseId } } })), [caseId, refresh]);
  return (
    <section aria-labelledby="timeline-h">
      <h2 id="timeline-h">Timeline</h2>
      <Loaded state={state} what="the timeline">
        {(t) => t.events.length === 0
          ? <p>No events yet.</p>
          : <ol className="timeline" aria-label={`Events of case ${t.caseNumber}, oldest first`}>{t.events.map((e) => <TimelineEvent key={e.id} e={e} />)}</ol>}
      </Loaded>
    </section>
  );
}
