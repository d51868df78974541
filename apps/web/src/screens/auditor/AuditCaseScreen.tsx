import type { ReactNode } from 'react';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { Link } from '../../router';
import { dateTime, label, Loaded, Page, StatusBadge, useLoad } from '../../ui';
import { Timeline } from '../common/Timeline';
import { ACTIVITY_LABELS, AGENCY_LABELS } from '../../words';

type CaseView = components['schemas']['CaseView'];
type CaseMetadata = components['schemas']['CaseMetadataView'];
type AuditEvent = components['schemas']['AuditEventView'];

/** Who a user id is, as the case's own events name them (auditors have no access to the user list). */
type Names = Map<string, string>;

function namesFrom(events: AuditEvent[]): Names {
  const names: Names = new Map();
  for (const e of events)
    if (e.actor.id && e.actor.username)
      names.set(e.actor.id, `${e.actor.username} (${label(e.actor.role).toLowerCase()})`);
  return names;
}

function Person({ id, names }: { id: string | null; names: Names }) {
  if (!id) return <>—</>;
  const name = names.get(id);
  return name ? (
    <>
      {name} <span className="muted mono">· user id {id}</span>
    </>
  ) : (
    <span className="mono">user id {id}</span>
  );
}

/** A step that happened at a time, by someone, perhaps with a reason. */
function Step({
  at,
  by,
  reason,
  names,
}: {
  at: string | null;
  by?: string | null;
  reason?: string | null;
  names: Names;
}) {
  if (!at) return <>Not yet</>;
  return (
    <>
      {dateTime(at)}
      {by !== undefined && (
        <>
          , by <Person id={by} names={names} />
        </>
      )}
      {reason && (
        <>
          <br />
          Reason given: {reason}
        </>
      )}
    </>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </>
  );
}

/**
 * A case as an auditor sees it: the metadata view the service answers auditors with (no narrative,
 * location, injuries, federal personnel, violations or evidence content) and every audit event of the case.
 */
export function AuditCaseScreen({ id }: { id: string }) {
  const state = useLoad(async () => {
    // The case first: reading it records this look (case.viewed), which the timeline read after it then shows.
    const c = await unwrap(api.GET('/api/v1/cases/{id}', { params: { path: { id } } }));
    const timeline = await unwrap(api.GET('/api/v1/cases/{id}/timeline', { params: { path: { id } } }));
    return { c: c as CaseView | CaseMetadata, timeline, names: namesFrom(timeline.events) };
  }, [id]);

  return (
    <Page
      title={state.data ? `Case ${state.data.c.caseNumber}` : 'Case'}
      actions={
        <Link to="/audit" className="btn secondary">
          Back to the audit log
        </Link>
      }
    >
      <Loaded state={state} what="the case">
        {({ c, names, timeline }) => (
          <>
            <p className="notice">
              As an auditor you see this case's facts and its complete audit trail, not its narrative, location,
              injuries, federal personnel, alleged violations or evidence content. Opening this page is recorded in the
              audit log.
            </p>
            <section aria-labelledby="facts-h">
              <h2 id="facts-h">Facts</h2>
              <dl className="facts">
                <Fact term="Case number">{c.caseNumber}</Fact>
                <Fact term="Status">
                  <StatusBadge status={c.status} />
                </Fact>
                <Fact term="District">{c.district}</Fact>
                <Fact term="Origin">{c.origin ? label(c.origin) : 'Not recorded yet'}</Fact>
                <Fact term="Activity">{c.activityType ? ACTIVITY_LABELS[c.activityType] : 'Not recorded yet'}</Fact>
                <Fact term="Federal agencies">
                  {c.agencies.length ? c.agencies.map((a) => AGENCY_LABELS[a]).join('; ') : 'Not recorded yet'}
                </Fact>
                <Fact term="Incident time">{c.incidentAt ? dateTime(c.incidentAt) : 'Not recorded yet'}</Fact>
                <Fact term="Opened">
                  <Step at={c.createdAt} by={c.createdBy} names={names} />
                </Fact>
                <Fact term="Submitted">
                  <Step at={c.submittedAt} by={c.submittedBy} names={names} />
                </Fact>
                <Fact term="Approved">
                  <Step at={c.approvedAt} by={c.approvedBy} names={names} />
                </Fact>
                {c.returnedAt && (
                  <Fact term="Last returned">
                    <Step at={c.returnedAt} by={c.returnedBy} reason={c.returnReason} names={names} />
                  </Fact>
                )}
                {c.withdrawnAt && (
                  <Fact term="Withdrawn">
                    <Step at={c.withdrawnAt} by={c.withdrawnBy} reason={c.withdrawReason} names={names} />
                  </Fact>
                )}
                <Fact term="Disposition">{c.disposition ? label(c.disposition) : 'None yet'}</Fact>
                {c.closedAt && <Fact term="Closed">{dateTime(c.closedAt)}</Fact>}
                {'federalOfficerCount' in c && (
                  <>
                    <Fact term="Federal personnel recorded">{c.federalOfficerCount}</Fact>
                    <Fact term="Alleged violations">
                      {c.violationCount}
                      {c.violationCount > 0 ? (c.anyFelony ? ', at least one a felony' : ', none a felony') : ''}
                    </Fact>
                  </>
                )}
                <Fact term="Submission checklist">
                  {c.checklist.complete ? (
                    'Complete'
                  ) : (
                    <>Incomplete: {c.checklist.missing.map((m) => m.message).join('; ')}</>
                  )}
                </Fact>
                <Fact term="Last changed">
                  {dateTime(c.updatedAt)} (version {c.version})
                </Fact>
                <Fact term="Case id">
                  <span className="mono">{c.id}</span>
                </Fact>
              </dl>
              <p>
                <Link to={`/audit?case=${encodeURIComponent(c.caseNumber)}`}>
                  Search and export this case's audit events
                </Link>
              </p>
            </section>
            {/* The timeline loaded with the case above (one request, not a second one of its own). */}
            <Timeline state={{ data: timeline, error: undefined, loading: false }} />
          </>
        )}
      </Loaded>
    </Page>
  );
}
