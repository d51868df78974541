import type { components } from '../../api/schema';
import { dateTime } from '../../ui';

type Entry = components['schemas']['TimelineEntry'];

/** The review steps whose notes belong on the case (issue 16), in words. */
const NOTE_STEPS: Partial<Record<Entry['action'], string>> = {
  'case.submitted': 'Submitted for review',
  'case.approved': 'Approved',
  'case.returned': 'Returned to the officer',
  'case.withdrawn': 'Withdrawn',
  'packet.decided': "Prosecutor's decision",
};

/**
 * The history of review notes on a case, oldest first: every approval (with its note, or saying there was none),
 * every return with its reason, a withdrawal's reason and a prosecutor's decision reason (a request for more
 * information included). Read from the case's timeline (the audit trail), so nothing here can differ from it.
 */
export function ReviewNotes({ entries }: { entries: Entry[] | undefined }) {
  const notes = (entries ?? []).filter(
    (e) =>
      e.kind === 'event' &&
      e.outcome === 'SUCCESS' &&
      NOTE_STEPS[e.action] &&
      (e.action === 'case.approved' || e.action === 'case.returned' || e.note),
  );
  return (
    <section className="panel review-notes" aria-labelledby="review-notes-h">
      <h2 id="review-notes-h">Review notes</h2>
      {entries === undefined ? (
        <p className="muted">Loading the notes…</p>
      ) : notes.length === 0 ? (
        <p>No approval or return yet: notes of the review appear here.</p>
      ) : (
        <ol className="review-notes-list">
          {notes.map((e) => (
            <li key={e.seqs[0]}>
              <strong>{NOTE_STEPS[e.action]}</strong> by {e.actorName ?? 'the system'},{' '}
              <time dateTime={e.occurredAt}>{dateTime(e.occurredAt)}</time>
              {e.note ? <blockquote>{e.note}</blockquote> : <p className="muted">No note was given.</p>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
