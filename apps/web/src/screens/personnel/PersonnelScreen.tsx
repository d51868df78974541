import { FormEvent, useState } from 'react';
import { api, ApiError, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { Link } from '../../router';
import { useUser, type User } from '../../session';
import {
  ActionButton,
  ActionError,
  dateTime,
  ErrorMessage,
  Loaded,
  Page,
  StatusBadge,
  TextArea,
  TextField,
  useLoad,
} from '../../ui';
import { ACTIVITY_LABELS, AGENCY_LABELS, OUTCOME_SHORT, PERSONNEL_ROLE_LABELS } from '../../words';
import {
  agencyShort,
  caseHref,
  entryTitle,
  outcomesWords,
  plural,
  rolesWords,
  scopeWords,
  type Entry,
} from './personnel-words';

type S = components['schemas'];
type Detail = S['PersonnelDetailView'];
type CaseView = S['PersonnelCaseView'];
type LinkView = S['PersonnelLinkView'];

/**
 * One entry of the federal personnel index: what was recorded about this person, the cases in the user's
 * scope that record them (date, place, activity, how the identification went, the violations alleged), and
 * the links users made to other entries, each with its reason (and, once undone, who undid it and why).
 */
export function PersonnelScreen({ id }: { id: string }) {
  const user = useUser();
  const state = useLoad(() => unwrap(api.GET('/api/v1/federal-personnel/{id}', { params: { path: { id } } })), [id]);
  const title = state.data ? entryTitle(state.data) : 'Federal personnel entry';
  return (
    <Page title={title}>
      <p>
        <Link to="/federal-personnel">Back to the federal personnel</Link>
      </p>
      <Loaded state={state} what="this entry">
        {(d) => <DetailView d={d} user={user} reload={state.reload} />}
      </Loaded>
    </Page>
  );
}

function DetailView({ d, user, reload }: { d: Detail; user: User; reload: () => void }) {
  const auditor = user.role === 'AUDITOR';
  const canLink = user.role === 'SUPERVISOR' || user.role === 'PROSECUTOR';
  return (
    <>
      <section aria-labelledby="who-h" className="panel">
        <h2 id="who-h">As recorded</h2>
        <dl className="facts">
          <dt>Agency</dt>
          <dd>{d.agency ? AGENCY_LABELS[d.agency] : 'Agency not recorded'}</dd>
          {!auditor && (
            <>
              <dt>Names</dt>
              <dd>{d.names?.length ? d.names.join(', ') : 'No name recorded'}</dd>
            </>
          )}
          {!auditor && (
            <>
              <dt>Badge or identifier</dt>
              <dd>{d.badges?.length ? d.badges.join(', ') : 'None recorded'}</dd>
            </>
          )}
          {!auditor && d.descriptions && d.descriptions.length > 0 && (
            <>
              <dt>Described as</dt>
              <dd>{d.descriptions.join(' · ')}</dd>
            </>
          )}
          <dt>Recorded as</dt>
          <dd>{rolesWords(d.roles)}</dd>
          <dt>Identification</dt>
          <dd>{outcomesWords(d.outcomes)}</dd>
          <dt>Cases</dt>
          <dd>
            {plural(d.caseCount, 'case')}
            {d.recordCount !== d.caseCount ? ` (${plural(d.recordCount, 'record')})` : ''}. You see {scopeWords(user)}.
          </dd>
        </dl>
        <p className="muted">
          {d.groupedByBadge
            ? 'One entry for every record with this agency and this badge (compared without case, spaces, a leading # or leading zeros).'
            : 'One record of one case: no badge or no specific agency was recorded, so it is never merged with other records automatically. A user may link it to another entry, with a reason.'}
        </p>
        {auditor && (
          <p className="muted">Names, badges, descriptions, places and violations are not shown to auditors.</p>
        )}
      </section>

      <section aria-labelledby="cases-h">
        <h2 id="cases-h">Cases ({d.cases.length})</h2>
        {d.cases.length === 0 ? (
          <p>No case in your scope records this entry any more.</p>
        ) : (
          <ol className="person-cases" aria-label="Cases that record this entry, latest incident first">
            {d.cases.map((c) => (
              <CaseItem key={c.caseId} c={c} user={user} />
            ))}
          </ol>
        )}
      </section>

      <Links d={d} canLink={canLink} auditor={auditor} reload={reload} />
      {canLink && <LinkForm d={d} reload={reload} />}
    </>
  );
}

function CaseItem({ c, user }: { c: CaseView; user: User }) {
  const href = caseHref(user, c);
  return (
    <li className="person-case">
      <h3>
        {href ? <Link to={href}>{c.caseNumber}</Link> : c.caseNumber} <StatusBadge status={c.status} />
      </h3>
      <dl className="facts">
        <dt>Date</dt>
        <dd>{dateTime(c.incidentAt)}</dd>
        {c.incidentLocation !== undefined && (
          <>
            <dt>Place</dt>
            <dd>{c.incidentLocation ?? 'Not recorded'}</dd>
          </>
        )}
        <dt>District</dt>
        <dd>District {c.district}</dd>
        <dt>Activity</dt>
        <dd>{c.activityType ? ACTIVITY_LABELS[c.activityType] : 'Not recorded'}</dd>
        <dt>Recorded as</dt>
        <dd>
          <ul className="plain">
            {c.records.map((r, i) => (
              <li key={i}>
                {r.isSupervisor ? PERSONNEL_ROLE_LABELS.SUPERVISOR : PERSONNEL_ROLE_LABELS.AGENT}
                {r.name ? `: ${r.name}` : ''}
                {r.badgeNumber ? `, badge ${r.badgeNumber}` : ''}
                {' — '}
                {r.identificationOutcome ? OUTCOME_SHORT[r.identificationOutcome] : 'identification not recorded'}
                {r.description && (
                  <>
                    <br />
                    <span className="muted">Described as: {r.description}</span>
                  </>
                )}
              </li>
            ))}
          </ul>
        </dd>
        {c.violations !== undefined ? (
          <>
            <dt>Violations alleged</dt>
            <dd>
              {c.violations.length === 0 ? (
                'None recorded'
              ) : (
                <ul className="plain">
                  {c.violations.map((v, i) => (
                    <li key={i}>
                      {v.citation}
                      {v.felony ? ' (felony)' : ''}: {v.description}
                    </li>
                  ))}
                </ul>
              )}
            </dd>
          </>
        ) : (
          <>
            <dt>Felony alleged</dt>
            <dd>{c.anyFelony ? 'Yes' : 'No'}</dd>
          </>
        )}
      </dl>
      {user.role === 'PROSECUTOR' && !href && <p className="muted">No packet of this case is open to you.</p>}
    </li>
  );
}

function otherTitle(l: LinkView): string {
  const o = l.other as LinkView['other'] | null;
  return o
    ? `${entryTitle(o)} (${agencyShort(o.agency)}, ${plural(o.caseCount, 'case')})`
    : 'another entry (no longer in your scope)';
}

function Links({ d, canLink, auditor, reload }: { d: Detail; canLink: boolean; auditor: boolean; reload: () => void }) {
  return (
    <section aria-labelledby="links-h">
      <h2 id="links-h">Linked as the same person</h2>
      {d.links.length === 0 ? (
        <p>No user has linked this entry to another one.</p>
      ) : (
        <ul className="person-links" aria-label="Links to other entries">
          {d.links.map((l) => (
            <li key={l.id} className={l.active ? 'link-active' : 'link-undone'}>
              <p>
                <strong>{l.active ? 'Linked to ' : 'Was linked to '}</strong>
                <Link to={`/federal-personnel/${l.otherId}`}>{otherTitle(l)}</Link>
              </p>
              <p className="muted">
                by {l.linkedBy.displayName} on {dateTime(l.linkedAt)}
              </p>
              {!auditor && <p className="link-reason">Reason: {l.reason}</p>}
              {!l.active && (
                <>
                  <p className="muted">
                    Undone by {l.unlinkedBy?.displayName ?? 'someone'} on {dateTime(l.unlinkedAt)}
                  </p>
                  {!auditor && <p className="link-reason">Why it was undone: {l.unlinkReason}</p>}
                </>
              )}
              {l.active && canLink && <Unlink link={l} reload={reload} />}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Unlink({ link, reload }: { link: LinkView; reload: () => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [reasonError, setReasonError] = useState<string | undefined>();
  if (!open)
    return (
      <button type="button" className="btn secondary" onClick={() => setOpen(true)}>
        Undo this link
      </button>
    );
  const submit = async () => {
    setError(null);
    if (!reason.trim()) {
      setReasonError('Give the reason the link is wrong.');
      return;
    }
    setReasonError(undefined);
    try {
      await unwrap(
        api.POST('/api/v1/federal-personnel/links/{id}/unlink', {
          params: { path: { id: link.id } },
          body: { reason: reason.trim() },
        }),
      );
      reload();
    } catch (e) {
      setError(e);
      if (e instanceof ApiError) setReasonError(e.forField('reason'));
    }
  };
  return (
    <div className="confirm">
      <TextArea
        label="Why is this link wrong?"
        value={reason}
        onChange={setReason}
        required
        maxLength={2000}
        rows={3}
        error={reasonError}
        hint="Recorded with the link and in the audit log; the link stays on record, marked undone."
      />
      <ActionError error={error} context="Could not undo the link" onReload={reload} />
      <div className="btn-row">
        <ActionButton kind="danger" onClick={submit} busyText="Undoing…">
          Undo the link
        </ActionButton>
        <button
          type="button"
          className="btn secondary"
          onClick={() => {
            setOpen(false);
            setError(null);
            setReasonError(undefined);
          }}
        >
          Cancel
        </button>
      </div>
    </div>
  );
}

/** Find another entry in scope (search the index), choose it, give the reason: the two are recorded as one person. */
function LinkForm({ d, reload }: { d: Detail; reload: () => void }) {
  const [text, setText] = useState('');
  const [q, setQ] = useState<string | null>(null);
  const [chosen, setChosen] = useState<string>('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [fieldErrors, setFieldErrors] = useState<{ otherId?: string; reason?: string }>({});
  const [done, setDone] = useState<string | null>(null);
  const found = useLoad(
    () =>
      q === null
        ? Promise.resolve(null)
        : unwrap(api.GET('/api/v1/federal-personnel', { params: { query: { q, pageSize: 20 } } })),
    [q],
  );
  const linked = new Set(d.links.filter((l) => l.active).map((l) => l.otherId));
  const candidates: Entry[] = (found.data?.items ?? []).filter((e) => e.id !== d.id && !linked.has(e.id));

  const search = (e: FormEvent) => {
    e.preventDefault();
    setChosen('');
    setDone(null);
    setQ(text.trim() || null);
  };
  const submit = async () => {
    setError(null);
    setDone(null);
    const errs = {
      otherId: chosen ? undefined : 'Choose the entry that is the same person.',
      reason: reason.trim() ? undefined : 'Give the reason the two are one person.',
    };
    setFieldErrors(errs);
    if (errs.otherId || errs.reason) return;
    try {
      const l = await unwrap(
        api.POST('/api/v1/federal-personnel/{id}/links', {
          params: { path: { id: d.id } },
          body: { otherId: chosen, reason: reason.trim() },
        }),
      );
      setDone(`Linked to ${otherTitle(l)}.`);
      setChosen('');
      setReason('');
      setQ(null);
      setText('');
      reload();
    } catch (e) {
      setError(e);
      if (e instanceof ApiError) setFieldErrors({ otherId: e.forField('otherId'), reason: e.forField('reason') });
    }
  };

  return (
    <section aria-labelledby="link-h" className="panel">
      <h2 id="link-h">Link to another entry</h2>
      <p>
        When another entry is the same person (the same face in the footage, the same unusual description), record it
        with the reason. Anyone who sees both entries can see the link and its reason; another user can undo it.
      </p>
      {done && (
        <div className="success" role="status">
          <p>{done}</p>
        </div>
      )}
      <form role="search" aria-label="Find the other entry" className="inline-form" onSubmit={search}>
        <TextField
          label="Find the other entry by name, badge or description"
          value={text}
          onChange={setText}
          maxLength={200}
        />
        <button type="submit" className="btn secondary">
          Find
        </button>
      </form>
      {q !== null && (
        <Loaded state={found} what="the entries">
          {() =>
            candidates.length === 0 ? (
              <p role="status">No other entry in your scope matches “{q}”.</p>
            ) : (
              <fieldset className={`field${fieldErrors.otherId ? ' has-error' : ''}`}>
                <legend>The same person as this entry</legend>
                {fieldErrors.otherId && <p className="field-error">{fieldErrors.otherId}</p>}
                {candidates.map((e) => (
                  <div key={e.id} className="radio-option">
                    <input
                      type="radio"
                      id={`link-${e.id}`}
                      name="link-other"
                      value={e.id}
                      checked={chosen === e.id}
                      onChange={() => setChosen(e.id)}
                      aria-describedby={`link-${e.id}-desc`}
                    />
                    <label htmlFor={`link-${e.id}`}>{entryTitle(e)}</label>
                    <p id={`link-${e.id}-desc`} className="hint">
                      {agencyShort(e.agency)} · {rolesWords(e.roles)} · {plural(e.caseCount, 'case')}
                      {e.descriptions?.length ? ` · ${e.descriptions.join(' · ')}` : ''}
                    </p>
                  </div>
                ))}
              </fieldset>
            )
          }
        </Loaded>
      )}
      {!done && fieldErrors.otherId && (q === null || candidates.length === 0) && (
        <p className="field-error">{fieldErrors.otherId}</p>
      )}
      <TextArea
        label="Why are the two entries one person?"
        value={reason}
        onChange={setReason}
        required
        maxLength={2000}
        rows={3}
        error={fieldErrors.reason}
        hint="Shown with the link to everyone who sees both entries, and recorded in the audit log."
      />
      <ErrorMessage error={error} context="Could not link the entries" />
      <ActionButton onClick={submit} busyText="Linking…">
        Link the two entries
      </ActionButton>
    </section>
  );
}
