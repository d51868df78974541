import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { useMergingDraft, type MergingDraft } from '../../drafts';
import { Link, useLocation } from '../../router';
import { useUser, type User } from '../../session';
import { ActionButton, age, Checkbox, dateTime, label, Loaded, Loading, Page, StatusBadge, useLoad } from '../../ui';
import { Timeline } from '../common/Timeline';
import { CaseLegalHolds } from '../common/LegalHolds';
import { ReviewNotes } from '../supervisor/ReviewNotes';
import { CasePackets, SupervisorPanel } from '../supervisor/SupervisorPanel';
import {
  CASE_FIELD_EQUALITY,
  CASE_FIELD_NAMES,
  caseBodyChanges,
  CaseFieldsForm,
  caseFieldsOf,
  caseFieldText,
  CHECKLIST_ANCHORS,
  ChecklistPanel,
  liveMissing,
  type CaseFields,
  type CaseView,
  type ChecklistAnchor,
} from './CaseFieldsForm';
import {
  CaseActionError,
  FederalOfficersSection,
  MergeNotice,
  mergeBlocksSave,
  officerDto,
  officerFormOf,
  OFFICERS_EQUALITY,
  SectionState,
  sectionState,
  violationFormOf,
  VIOLATIONS_EQUALITY,
  ViolationsSection,
  SectionSaveRow,
} from './CaseSections';
import { EvidenceSection } from './EvidenceSection';
import { percentOf, useUploads } from '../../uploads';
import { isFootage, SUBMIT_ATTESTATION } from '@domain/order-rules';
import { ORIGIN_LABELS, ACTIVITY_LABELS, AGENCY_LABELS, CHECKLIST_ITEM_WORDS, OFFICE_NAMES } from '../../words';

type Schemas = components['schemas'];
type CaseRead = CaseView | Schemas['CaseMetadataView'];
type AuditEvent = Schemas['AuditEventView'];

/** The states in which the case is with its author and may be edited (libs/cases EDITABLE_STATUSES). */
const EDITABLE: readonly Schemas['CaseStatus'][] = ['DRAFT', 'RETURNED'];

const isFullCase = (c: CaseRead): c is CaseView => 'narrative' in c;

/** On the case page every checklist item links to its field (the incident fields, the federal supervisor, the evidence). */
const LINKED_ITEMS = Object.keys(CHECKLIST_ANCHORS) as ChecklistAnchor[];

/**
 * A case: its facts and status; the note of whoever sent it back; while it is with its author, the order
 * fields, the federal personnel, the violations and the evidence upload (each kept as a draft while typed
 * and saved with the version the officer saw); the live checklist; and submit. Supervisors of the district
 * open the same page and get their review panel and the case's timeline.
 */
export function CaseScreen({ id }: { id: string }) {
  const user = useUser();
  const state = useLoad(() => unwrap(api.GET('/api/v1/cases/{id}', { params: { path: { id } } })), [id]);
  // The case as the last action returned it (every write answers with the whole case); a new load replaces it.
  const [latest, setLatest] = useState<CaseView | null>(null);
  useEffect(() => setLatest(null), [state.data]);
  const loaded = state.data && state.data.id === id && isFullCase(state.data) ? state.data : undefined;
  const c = latest && latest.id === id ? latest : loaded;

  return (
    <Page title={c ? `Case ${c.caseNumber}` : 'Case'} actions={<Link to="/cases">Back to the case list</Link>}>
      {state.error ? (
        <Loaded state={state} what="the case">
          {() => null}
        </Loaded>
      ) : !c ? (
        <Loading what="the case" />
      ) : (
        <CaseBody key={c.id} c={c} user={user} onChanged={setLatest} reload={state.reload} />
      )}
    </Page>
  );
}

function CaseBody({
  c,
  user,
  onChanged,
  reload,
}: {
  c: CaseView;
  user: User;
  onChanged: (c: CaseView) => void;
  reload: () => void;
}) {
  const { query } = useLocation();
  // Every change adds events to the timeline; only uploads and supersedes change the evidence list
  // (whose every read is itself an audited evidence.listed event).
  const [tick, setTick] = useState(0);
  const [evidenceTick, setEvidenceTick] = useState(0);
  const refresh = useCallback(() => setTick((n) => n + 1), []);
  const evidenceChanged = useCallback(() => {
    setEvidenceTick((n) => n + 1);
    setTick((n) => n + 1);
  }, []);
  const evidence = useLoad(
    () => unwrap(api.GET('/api/v1/cases/{id}/evidence', { params: { path: { id: c.id } } })),
    [c.id, evidenceTick],
  );
  // The case's audit events name the people involved (the case itself carries only their user ids); the same
  // load feeds the return notice, the review notes and the supervisor's timeline (one request per load).
  const events = useLoad(
    () => unwrap(api.GET('/api/v1/cases/{id}/timeline', { params: { path: { id: c.id } } })),
    [c.id, tick],
  );

  // Each section's edit remembers the version it started from: after someone else's save, a three-way merge.
  const fieldsEdit = useMergingDraft(`case-edit:${c.id}`, caseFieldsOf(c), CASE_FIELD_EQUALITY);
  const officersEdit = useMergingDraft(
    `case-officers:${c.id}`,
    { officers: c.federalOfficers.map(officerFormOf) },
    OFFICERS_EQUALITY,
  );
  const violationsEdit = useMergingDraft(
    `case-violations:${c.id}`,
    { violations: c.violations.map(violationFormOf) },
    VIOLATIONS_EQUALITY,
  );
  const [submitted, setSubmitted] = useState<string | null>(null);
  // After submit the submit section is gone (the case is locked): focus moves to what happened.
  const submittedRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (submitted) submittedRef.current?.focus();
  }, [submitted]);

  const editable = EDITABLE.includes(c.status);
  const isAuthor = c.createdBy === user.id;
  const fields = fieldsEdit.value;
  const officers = officersEdit.value.officers;
  const pending = (e: { undecided: unknown[] }, changed: boolean) => changed || e.undecided.length > 0;
  const unsaved = [
    pending(
      fieldsEdit,
      !!fieldsEdit.draft && Object.keys(caseBodyChanges(fieldsEdit.draft.base, fieldsEdit.draft.value)).length > 0,
    ) && 'the incident fields',
    pending(officersEdit, officersEdit.changed.length > 0) && 'the federal personnel',
    pending(violationsEdit, violationsEdit.changed.length > 0) && 'the violations',
  ].filter((x): x is string => !!x);
  // The same footage rule as the service's checklist: active, non-empty BWC or other video whose bytes are video.
  const activeEvidence = evidence.data?.items.filter(isFootage).length;
  const missing =
    editable && activeEvidence !== undefined
      ? liveMissing(fields, officers.map(officerDto), activeEvidence)
      : c.checklist.missing;

  const people = new Map<string, AuditEvent['actor']>();
  for (const e of events.data?.events ?? []) if (e.actor.id) people.set(e.actor.id, e.actor);
  const who = (userId: string | null): string => {
    if (!userId) return '—';
    if (userId === user.id) return `you (${user.displayName})`;
    const a = people.get(userId);
    return a?.username ? `${a.username} (${label(a.role).toLowerCase()})` : `user ${userId}`;
  };

  const saved = (view: CaseView) => {
    onChanged(view);
    refresh();
  };

  return (
    <>
      {query.get('created') === '1' && c.status === 'DRAFT' && (
        <p className="success" role="status">
          Case {c.caseNumber} was saved as a draft. Next: record the federal personnel, any alleged violations and the
          evidence, then submit.
        </p>
      )}
      {c.status === 'RETURNED' && <ReturnNotice c={c} events={events.data?.events} who={who} />}
      <div role="status">
        {submitted && (
          <p className="success" id="submitted-state" ref={submittedRef} tabIndex={-1}>
            {submitted}
          </p>
        )}
      </div>

      <CaseFacts c={c} who={who} />

      {/* The sections in the order the report is written (issue 16): incident, federal personnel, violations, evidence, submit. */}
      <div className="two-col">
        <div>
          <OrderFieldsSection c={c} editable={editable} edit={fieldsEdit} onSaved={saved} onReload={reload} />
          <FederalOfficersSection c={c} editable={editable} edit={officersEdit} onSaved={saved} onReload={reload} />
          <ViolationsSection c={c} editable={editable} edit={violationsEdit} onSaved={saved} onReload={reload} />
          <EvidenceSection
            caseId={c.id}
            caseNumber={c.caseNumber}
            editable={editable}
            evidence={evidence}
            who={who}
            onUploaded={() => {
              reload();
              evidenceChanged();
            }}
          />
          {user.role === 'SUPERVISOR' && (
            <CaseLegalHolds
              caseStatus={c.status}
              caseAuthor={c.createdBy}
              userId={user.id}
              items={evidence.data?.items}
              who={who}
              onChanged={evidenceChanged}
            />
          )}
          {editable && (
            <SubmitBox
              c={c}
              isAuthor={isAuthor}
              unsaved={unsaved}
              liveMissing={missing}
              onReload={reload}
              onSubmitted={(view) => {
                for (const e of [fieldsEdit, officersEdit, violationsEdit]) e.discard();
                setSubmitted(
                  `Case ${view.caseNumber} was submitted for supervisor review. Its status is now ${label(view.status)}.`,
                );
                saved(view);
              }}
            />
          )}
        </div>
        {/* A supervisor's decision sits beside the content it decides on (below it on a narrow screen), never above it (issue 16). */}
        <div className={user.role === 'SUPERVISOR' ? 'side' : 'sticky'}>
          {user.role === 'SUPERVISOR' && (
            // ---- The supervisor's review panel (return / approve / send / withdraw) and the notes of the review: written in ../supervisor. ----
            <>
              <SupervisorPanel
                caseView={c}
                onChanged={() => {
                  reload();
                  refresh();
                }}
              />
              <ReviewNotes entries={events.data?.entries} />
            </>
          )}
          <ChecklistPanel
            missing={missing}
            linked={editable ? LINKED_ITEMS : undefined}
            note={editable && unsaved.length > 0 ? 'This list includes changes you have not saved yet.' : undefined}
          />
        </div>
      </div>

      {user.role === 'SUPERVISOR' && <CasePackets caseId={c.id} refresh={`${c.version}:${tick}`} />}
      {user.role === 'SUPERVISOR' && <Timeline state={events} />}
    </>
  );
}

/** Why the case is back with its author: the note, who sent it back (a supervisor, or a prosecutor asking for more), and when. */
function ReturnNotice({
  c,
  events,
  who,
}: {
  c: CaseView;
  events: AuditEvent[] | undefined;
  who: (id: string | null) => string;
}) {
  const event = events
    ?.filter(
      (e) =>
        e.outcome === 'SUCCESS' &&
        (e.action === 'case.returned' ||
          (e.action === 'packet.decided' && e.details.decision === 'MORE_INFO_REQUESTED')),
    )
    .at(-1);
  const fromProsecutor = event ? event.action === 'packet.decided' : undefined;
  const office =
    fromProsecutor && typeof event?.details.office === 'string'
      ? OFFICE_NAMES[event.details.office as Schemas['ProsecutorOffice']]
      : undefined;
  const title =
    fromProsecutor === undefined
      ? 'This case was returned to its author'
      : fromProsecutor
        ? 'A prosecutor asked for more information'
        : 'Returned by a supervisor';
  return (
    <section className="warning return-notice" aria-labelledby="return-h">
      <h2 id="return-h">{title}</h2>
      <p>
        {fromProsecutor === undefined
          ? 'Sent back'
          : `Sent back by ${who(c.returnedBy)}${office ? ` of the ${office}` : ''}`}{' '}
        on <time dateTime={c.returnedAt ?? undefined}>{dateTime(c.returnedAt)}</time>. The case needs action by its
        author: add or correct what the note asks for, save, then submit it again.
      </p>
      <p className="return-reason">
        <strong>
          {fromProsecutor ? "Prosecutor's note" : fromProsecutor === false ? "Supervisor's note" : 'Note'}:
        </strong>{' '}
        {c.returnReason ?? '(no note recorded)'}
      </p>
    </section>
  );
}

function CaseFacts({ c, who }: { c: CaseView; who: (id: string | null) => string }) {
  return (
    <section aria-labelledby="facts-h">
      <h2 id="facts-h" className="sr-only">
        Case facts
      </h2>
      <dl className="facts">
        <dt>Case number</dt>
        <dd>{c.caseNumber}</dd>
        <dt>Status</dt>
        <dd>
          <StatusBadge status={c.status} />
        </dd>
        <dt>District</dt>
        <dd>{c.district}</dd>
        <dt>Author</dt>
        <dd>{who(c.createdBy)}</dd>
        <dt>Opened</dt>
        <dd>
          {dateTime(c.createdAt)} <span className="muted">({age(c.createdAt)} ago)</span>
        </dd>
        <dt>Last update</dt>
        <dd>{dateTime(c.updatedAt)}</dd>
        {c.submittedAt && (
          <>
            <dt>Submitted</dt>
            <dd>
              {dateTime(c.submittedAt)} by {who(c.submittedBy)}
            </dd>
          </>
        )}
        {c.returnedAt && c.status !== 'RETURNED' && (
          <>
            <dt>Last returned</dt>
            <dd>
              {dateTime(c.returnedAt)} by {who(c.returnedBy)}: {c.returnReason}
            </dd>
          </>
        )}
        {c.approvedAt && (
          <>
            <dt>Approved</dt>
            <dd>
              {dateTime(c.approvedAt)} by {who(c.approvedBy)}
            </dd>
          </>
        )}
        {c.withdrawnAt && (
          <>
            <dt>Withdrawn</dt>
            <dd>
              {dateTime(c.withdrawnAt)} by {who(c.withdrawnBy)}: {c.withdrawReason}
            </dd>
          </>
        )}
        {c.closedAt && (
          <>
            <dt>Closed</dt>
            <dd>
              {dateTime(c.closedAt)}
              {c.disposition ? `: ${label(c.disposition)}` : ''}
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}

function OrderFieldsSection({
  c,
  editable,
  edit,
  onSaved,
  onReload,
}: {
  c: CaseView;
  editable: boolean;
  edit: MergingDraft<CaseFields>;
  onSaved: (c: CaseView) => void;
  onReload: () => void;
}) {
  const value = edit.value;
  // Only what this person changed from the version the form started from; the rest is left as it is now.
  const changes = edit.draft ? caseBodyChanges(edit.draft.base, edit.draft.value) : {};
  const dirty = Object.keys(changes).length > 0;
  const blocked = mergeBlocksSave(edit);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [saves, setSaves] = useState(0);

  const save = async () => {
    setError(null);
    setDone(null);
    try {
      const view = await unwrap(
        api.PATCH('/api/v1/cases/{id}', { params: { path: { id: c.id } }, body: { ...changes, version: c.version } }),
      );
      edit.discard();
      onSaved(view);
      setDone('Incident fields saved.');
      setSaves((n) => n + 1);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section aria-labelledby="order-h" className="panel">
      <h2 id="order-h">Incident</h2>
      {editable ? (
        <>
          <MergeNotice edit={edit} names={CASE_FIELD_NAMES} text={caseFieldText} id="order-merge" />
          <CaseFieldsForm
            value={value}
            onChange={(v) => {
              setDone(null);
              edit.edit(v);
            }}
            error={error instanceof ApiError ? error : null}
          />
          <SectionSaveRow
            saveText="Save incident fields"
            save={save}
            dirty={dirty}
            blocked={blocked}
            edit={edit}
            onDiscarded={() => setError(null)}
          />
          <CaseActionError
            error={error}
            context="The incident fields were not saved"
            onReload={() => {
              setError(null);
              onReload();
            }}
          />
          <SectionState id="order-state" kind={sectionState(edit, dirty, error)} done={done} focusKey={saves} />
        </>
      ) : (
        <ReadOnlyFields c={c} />
      )}
    </section>
  );
}

const yesNo = (v: boolean | null) => (v === null ? 'Not answered' : v ? 'Yes' : 'No');

function ReadOnlyFields({ c }: { c: CaseView }) {
  return (
    <dl className="facts">
      <dt>Origin</dt>
      <dd>{c.origin ? ORIGIN_LABELS[c.origin] : '—'}</dd>
      <dt>Date and time</dt>
      <dd>{dateTime(c.incidentAt)}</dd>
      <dt>Location</dt>
      <dd>{c.incidentLocation ?? '—'}</dd>
      <dt>Activity</dt>
      <dd>{c.activityType ? ACTIVITY_LABELS[c.activityType] : '—'}</dd>
      <dt>Agencies</dt>
      <dd>{c.agencies.length ? c.agencies.map((a) => AGENCY_LABELS[a]).join('; ') : '—'}</dd>
      <dt>Narrative</dt>
      <dd className="narrative">{c.narrative ?? '—'}</dd>
      <dt>Anyone injured</dt>
      <dd>{yesNo(c.injuriesReported)}</dd>
      {c.injuriesReported && (
        <>
          <dt>Injuries</dt>
          <dd>{c.injuryDescription ?? '—'}</dd>
          <dt>EMS called</dt>
          <dd>
            {yesNo(c.emsCalled)}
            {c.emsCalledAt ? `, at ${dateTime(c.emsCalledAt)}` : ''}
          </dd>
          <dt>Aid given</dt>
          <dd>{c.aidGiven ?? '—'}</dd>
        </>
      )}
      <dt>Reason there is no footage</dt>
      <dd>{c.noFootageReason ?? '—'}</dd>
    </dl>
  );
}

/**
 * Submit, last, with the version the officer saw; unavailable (and saying why) while anything is missing or unsaved.
 * Irreversible for the officer: it says what will happen and asks once, for the attestation (fixed words, checked
 * by the service and recorded with the case.submitted event).
 */
function SubmitBox({
  c,
  isAuthor,
  unsaved,
  liveMissing,
  onSubmitted,
  onReload,
}: {
  c: CaseView;
  isAuthor: boolean;
  unsaved: string[];
  liveMissing: { item: string; message: string }[];
  onSubmitted: (c: CaseView) => void;
  onReload: () => void;
}) {
  const [error, setError] = useState<unknown>(null);
  const [attested, setAttested] = useState(false);
  const server = c.checklist.missing;
  const sameAsLive = server.map((m) => m.item).join() === liveMissing.map((m) => m.item).join();
  // Not while a file is still on its way: the case would reach the supervisor without it (the service refuses too).
  const uploading = useUploads().inProgress(c.id);
  const ready = isAuthor && c.checklist.complete && unsaved.length === 0 && uploading.length === 0;
  const attestationError = error instanceof ApiError ? error.forField('attestation') : undefined;

  const submit = async () => {
    setError(null);
    try {
      onSubmitted(
        await unwrap(
          api.POST('/api/v1/cases/{id}/submit', {
            params: { path: { id: c.id } },
            body: {
              version: c.version,
              attestation: { textVersion: SUBMIT_ATTESTATION.textVersion, text: SUBMIT_ATTESTATION.text },
            },
          }),
        ),
      );
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section aria-labelledby="submit-h" className="submit-box">
      <h2 id="submit-h">Submit</h2>
      {!isAuthor ? (
        <p>Only the officer who opened this case can submit it.</p>
      ) : (
        <>
          <p>
            <strong>What happens when you submit:</strong> the case goes to a supervisor of District {c.district} for
            review and is locked: you cannot change it afterwards unless it is returned to you. Submitting cannot be
            undone.
          </p>
          {uploading.length > 0 && (
            <p className="warning">
              Wait for the upload to finish first: {uploading.map((u) => `${u.fileName} (${percentOf(u)}%)`).join(', ')}{' '}
              {uploading.length === 1 ? 'is' : 'are'} still being uploaded to this case (see “Evidence uploads” at the
              top of the page). Submit becomes available once {uploading.length === 1 ? 'it is' : 'they are'} stored or
              abandoned.
            </p>
          )}
          {unsaved.length > 0 && (
            <p className="warning">
              Save your changes first: {unsaved.join(', ')} {unsaved.length === 1 ? 'has' : 'have'} unsaved changes.
            </p>
          )}
          {!c.checklist.complete &&
            (sameAsLive ? (
              <p>Not available until every item in the submit checklist is recorded.</p>
            ) : (
              <>
                <p>Not available yet. The saved case still lacks:</p>
                <ul>
                  {server.map((m) => (
                    <li key={m.item}>{CHECKLIST_ITEM_WORDS[m.item] ?? m.message}</li>
                  ))}
                </ul>
              </>
            ))}
          <fieldset className="attestation">
            <legend>Your attestation (required)</legend>
            <Checkbox
              label={SUBMIT_ATTESTATION.text}
              checked={attested}
              onChange={(v) => {
                setAttested(v);
                setError(null);
              }}
              hint="Your attestation, its exact words and the time are recorded with the submission in the audit trail."
            />
            {attestationError && (
              <p className="field-error">
                The service did not accept the attestation: reload the case and attest again.
              </p>
            )}
          </fieldset>
          <ActionButton onClick={submit} disabled={!ready || !attested} busyText="Submitting…">
            Submit for supervisor review
          </ActionButton>
          {ready && !attested && <p className="hint">Tick the attestation above to submit.</p>}
          <CaseActionError error={error} context="The case was not submitted" onReload={onReload} />
        </>
      )}
    </section>
  );
}
