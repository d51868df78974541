import { useEffect, useRef, useState } from 'react';
import { api, ApiError, unwrap } from '../../api/client';
import { MediaButtons, MediaPlayer, type MediaItem } from '../../media';
import { archiveTicket, downloadWith } from '../../tickets';
import { packetDecisionValues, type components } from '../../api/schema';
import { useDraft } from '../../drafts';
import { Link } from '../../router';
import { useUser } from '../../session';
import {
  ActionButton,
  bytes,
  dateTime,
  ErrorMessage,
  Hash,
  label,
  Loaded,
  Page,
  RadioGroup,
  StackTable,
  StatusBadge,
  TextArea,
  TextField,
  useLoad,
} from '../../ui';
import { type ActivityType, type FederalAgency } from '../officer/CaseFieldsForm';
import { packetAge, SlaStatus } from './packet-words';
import { ClaimActions, CorrectReferenceForm, ReferenceCorrections, ReferenceHistory } from './ClaimActions';
import { SignatureCheck, verifyManifestSignature } from './verify-manifest';
import { PacketLegalHolds } from '../common/LegalHolds';
import { CaseReportDownload } from '../common/CaseReport';
import {
  ACTIVITY_LABELS,
  AGENCY_LABELS,
  AGENCY_SHORT,
  OUTCOME_SHORT,
  KIND_LABELS,
  OFFICE_NAMES,
  DECISION_NAMES,
} from '../../words';

type PacketView = components['schemas']['PacketView'];
type SignedManifestView = components['schemas']['SignedManifestView'];
type Decision = components['schemas']['PacketDecision'];
type FederalOfficer = components['schemas']['FederalOfficerRecord'];
type Violation = components['schemas']['ViolationRecord'];
type EvidenceKind = components['schemas']['EvidenceKind'];

/**
 * How the console reads a manifest (formats "ion-packet-manifest/1" and "/2", libs/packets packet-format; /2 adds caseReport).
 * The OpenAPI document types `manifest` only as an object, so the parts shown here are named here;
 * every part may be absent from an unexpected manifest, and the screen then shows "not recorded".
 */
interface ManifestPerson {
  id: string;
  displayName: string;
  role: string;
  badgeNumber: string | null;
}
interface ManifestReading {
  version?: number;
  office?: string;
  sentAt?: string;
  sentBy?: ManifestPerson | null;
  previousPacket?: {
    id: string;
    version: number;
    manifestSha256: string;
    decision: Decision | null;
    decisionReason: string | null;
    decidedAt: string | null;
  } | null;
  case?: Partial<
    Record<
      | 'caseNumber'
      | 'incidentAt'
      | 'incidentLocation'
      | 'activityType'
      | 'origin'
      | 'narrative'
      | 'injuryDescription'
      | 'emsCalledAt'
      | 'aidGiven'
      | 'noFootageReason'
      | 'createdAt',
      string | null
    >
  > & {
    district?: number;
    agencies?: string[];
    injuriesReported?: boolean | null;
    emsCalled?: boolean | null;
    createdBy?: ManifestPerson | null;
  };
  federalOfficers?: FederalOfficer[];
  violations?: Violation[];
  approvals?: {
    submittedAt: string | null;
    submittedBy: ManifestPerson | null;
    approvedAt: string | null;
    approvedBy: ManifestPerson | null;
  };
  evidence?: {
    id: string;
    archivePath: string;
    kind: EvidenceKind;
    contentType: string;
    sizeBytes: number;
    sha256: string;
    originalFilename: string | null;
    deviceId: string | null;
    recordingOfficerBadge: string | null;
    recordedStart: string | null;
    recordedEnd: string | null;
    integrityStatus: string;
  }[];
  caseReport?: { file: string; sizeBytes: number; sha256: string };
}

const DECISION_HELP: Record<Decision, string> = {
  CHARGES_FILED: 'Closes the case with this disposition.',
  DECLINED: 'Closes the case with this disposition.',
  REFERRED_ELSEWHERE: 'Closes the case with this disposition (e.g. sent to another agency).',
  MORE_INFO_REQUESTED:
    'Sends the case back to its officer; your reason is what they see. A new packet version comes back after re-approval.',
};

const yesNo = (v: boolean | null | undefined) => (v === true ? 'Yes' : v === false ? 'No' : 'Not recorded');
const text = (v: string | null | undefined) => (v && v.trim() ? v : 'Not recorded');
const person = (p: ManifestPerson | null | undefined) =>
  p
    ? `${p.displayName}${p.badgeNumber ? ` (badge ${p.badgeNumber})` : ''}, ${label(p.role).toLowerCase()}`
    : 'Not recorded';

/**
 * One packet, for the prosecutor: where its review stands (claim, decision), the signature checked
 * in this browser against the service's published key, the archive download, and the signed
 * manifest: the case as it was sent, its federal personnel, violations, approvals and evidence hashes.
 */
export function PacketScreen({ id }: { id: string }) {
  const packet = useLoad(() => unwrap(api.GET('/api/v1/packets/{id}', { params: { path: { id } } })), [id]);
  const signed = useLoad(async () => {
    const [view, keys] = await Promise.all([
      unwrap(api.GET('/api/v1/packets/{id}/manifest', { params: { path: { id } } })),
      unwrap(api.GET('/api/v1/keys')),
    ]);
    return {
      view,
      check: await verifyManifestSignature(view, keys.keys, { packetId: id, manifestSha256: view.manifestSha256 }),
    };
  }, [id]);

  const p = packet.data;
  const title = p ? `Packet ${p.caseNumber}, version ${p.version}` : 'Packet';
  return (
    <Page title={title} actions={<Link to="/review-queue">Back to the review queue</Link>}>
      <Loaded state={packet} what="the packet">
        {(pk) => (
          <div className="two-col">
            <div>
              <Loaded state={signed} what="the signed manifest">
                {({ view }) => <ManifestSummary packet={pk} view={view} />}
              </Loaded>
            </div>
            <div>
              <Review packet={pk} onChanged={packet.reload} />
              <Signature packet={pk} state={signed} />
              <Archive packet={pk} />
              <CaseReport packet={pk} state={signed} />
            </div>
          </div>
        )}
      </Loaded>
    </Page>
  );
}

// --- review: claim, decide, decided ---

function Review({ packet: p, onChanged }: { packet: PacketView; onChanged: () => void }) {
  const user = useUser();
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<{ error: unknown; text?: string } | null>(null);
  const mine = p.review.claimedBy === user.id;
  // Issue 16: after a claim, a decision or a correction, focus moves to what changed (the result, said in words).
  const messageRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (message) messageRef.current?.focus();
  }, [message]);

  const claim = async () => {
    setMessage(null);
    setError(null);
    try {
      await unwrap(api.POST('/api/v1/packets/{id}/claim', { params: { path: { id: p.id } }, body: {} }));
      setMessage('You claimed this packet. It is in review by you: read it, then record your decision below.');
    } catch (e) {
      setError({
        error: e,
        text:
          e instanceof ApiError && e.status === 409
            ? 'Someone else claimed this packet before you did, so it is not yours to review. The page has been reloaded and shows who holds it.'
            : undefined,
      });
    }
    onChanged();
  };

  return (
    <section className="panel" aria-labelledby="review-h">
      <h2 id="review-h">Review</h2>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={p.status} />
        </dd>
        <dt>Office</dt>
        <dd>{OFFICE_NAMES[p.office]}</dd>
        <dt>Sent</dt>
        <dd>{dateTime(p.sentAt)}</dd>
        <dt>Age</dt>
        <dd>{packetAge(p)}</dd>
        <dt>SLA</dt>
        <dd>
          <SlaStatus packet={p} />
        </dd>
        {p.review.claimedAt && (
          <>
            <dt>Claimed by</dt>
            <dd>
              {mine ? 'You' : (p.review.claimedByName ?? 'another prosecutor')}, {dateTime(p.review.claimedAt)}
            </dd>
          </>
        )}
      </dl>
      {message && (
        <div ref={messageRef} tabIndex={-1} className="success" role="status">
          <p>{message}</p>
        </div>
      )}
      {error &&
        (error.text ? (
          <div className="error" role="alert">
            <p>
              <strong>{error.text}</strong>
            </p>
          </div>
        ) : (
          <ErrorMessage error={error.error} context="Not claimed" />
        ))}

      {p.status === 'PENDING' && (
        <>
          <p>
            No one has claimed this packet yet. Claim it to review it; only the prosecutor who claims a packet records
            its decision.
          </p>
          <div className="btn-row">
            <ActionButton onClick={claim} busyText="Claiming…">
              Claim this packet
            </ActionButton>
          </div>
        </>
      )}
      {p.status === 'IN_REVIEW' && !mine && (
        <p>
          {p.review.claimedByName ?? 'Another prosecutor'} is reviewing this packet. Only they can record its decision.
        </p>
      )}
      {p.status === 'IN_REVIEW' && mine && (
        <DecisionForm
          packet={p}
          onDecided={(m) => {
            setMessage(m);
            onChanged();
          }}
        />
      )}
      {p.status === 'IN_REVIEW' && (
        <ClaimActions
          packet={p}
          onChanged={(m) => {
            setMessage(m);
            onChanged();
          }}
        />
      )}
      {p.status === 'DECIDED' && p.review.decision && (
        <div className="notice">
          <h3>Decision recorded</h3>
          <dl className="facts">
            <dt>Decision</dt>
            <dd>
              <strong>{DECISION_NAMES[p.review.decision]}</strong>
            </dd>
            <dt>Reason</dt>
            <dd>{text(p.review.decisionReason)}</dd>
            <dt>External reference</dt>
            <dd>
              <ReferenceHistory packet={p} />
            </dd>
            <dt>Decided</dt>
            <dd>
              {dateTime(p.review.decidedAt)}
              {p.review.decidedBy === user.id
                ? ' by you'
                : p.review.claimedByName
                  ? ` by ${p.review.claimedByName}`
                  : ''}
            </dd>
          </dl>
          <p>
            {p.review.decision === 'MORE_INFO_REQUESTED'
              ? 'The case went back to its officer. After it is corrected and approved again, it comes back as a new packet version.'
              : 'The case is closed with this disposition.'}
          </p>
          <ReferenceCorrections packet={p} />
          <CorrectReferenceForm
            packet={p}
            onChanged={(m) => {
              setMessage(m);
              onChanged();
            }}
          />
        </div>
      )}
    </section>
  );
}

interface DecisionDraft {
  decision: Decision | '';
  reason: string;
  externalReference: string;
}

function DecisionForm({ packet: p, onDecided }: { packet: PacketView; onDecided: (message: string) => void }) {
  const [d, setD, clear] = useDraft<DecisionDraft>(`packet-decision:${p.id}`, {
    decision: '',
    reason: '',
    externalReference: '',
  });
  const [confirming, setConfirming] = useState(false);
  const [missing, setMissing] = useState<{ decision?: string; reason?: string }>({});
  const [error, setError] = useState<unknown>(null);
  // Issue 16: the confirmation takes focus when it opens; going back returns it to the button that opened it.
  const confirmHeading = useRef<HTMLHeadingElement>(null);
  const reviewRow = useRef<HTMLDivElement>(null);
  const backToReview = useRef(false);
  useEffect(() => {
    if (confirming) confirmHeading.current?.focus();
    else if (backToReview.current) reviewRow.current?.querySelector('button')?.focus();
    backToReview.current = false;
  }, [confirming]);
  const set = (patch: Partial<DecisionDraft>) => {
    setD((prev) => ({ ...prev, ...patch }));
    setConfirming(false);
  };

  const review = () => {
    setError(null);
    const m = {
      decision: d.decision ? undefined : 'Choose a decision.',
      reason: d.reason.trim() ? undefined : 'Give the reason for your decision.',
    };
    setMissing(m);
    if (!m.decision && !m.reason) setConfirming(true);
  };

  const record = async () => {
    if (!d.decision) return;
    setError(null);
    try {
      const done = await unwrap(
        api.POST('/api/v1/packets/{id}/decision', {
          params: { path: { id: p.id } },
          body: {
            decision: d.decision,
            reason: d.reason.trim(),
            ...(d.externalReference.trim() ? { externalReference: d.externalReference.trim() } : {}),
          },
        }),
      );
      setD({ decision: '', reason: '', externalReference: '' });
      clear();
      setConfirming(false);
      onDecided(
        done.review.decision === 'MORE_INFO_REQUESTED'
          ? `Decision recorded: more information requested. Case ${p.caseNumber} went back to its officer with your reason.`
          : `Decision recorded: ${DECISION_NAMES[d.decision].toLowerCase()}. Case ${p.caseNumber} is now closed.`,
      );
    } catch (e) {
      backToReview.current = true;
      setConfirming(false);
      setError(e);
    }
  };

  const fieldError = (f: string) => (error instanceof ApiError ? error.forField(f) : undefined);
  const moreInfo = d.decision === 'MORE_INFO_REQUESTED';
  return (
    <>
      <h3>Record your decision</h3>
      <ErrorMessage error={error} context="Decision not recorded" />
      <RadioGroup
        label="Decision"
        required
        value={d.decision}
        onChange={(v) => set({ decision: v })}
        options={packetDecisionValues}
        labels={DECISION_NAMES}
        descriptions={DECISION_HELP}
        error={missing.decision ?? fieldError('decision')}
      />
      <TextArea
        label={moreInfo ? 'What the officer must add or correct' : 'Reason'}
        required
        rows={4}
        maxLength={4000}
        hint={
          moreInfo
            ? 'Required. The officer sees this.'
            : 'Required. Recorded with the decision and kept in the audit trail.'
        }
        value={d.reason}
        onChange={(v) => set({ reason: v })}
        error={missing.reason ?? fieldError('reason')}
      />
      <TextField
        label="External reference (optional)"
        hint="For example the court case number, such as 2026-CR-0012345."
        maxLength={200}
        value={d.externalReference}
        onChange={(v) => set({ externalReference: v })}
        error={fieldError('externalReference')}
      />
      {!confirming && (
        <div className="btn-row" ref={reviewRow}>
          <ActionButton onClick={review}>Review decision…</ActionButton>
        </div>
      )}
      {confirming && d.decision && (
        <div className="confirm" role="group" aria-labelledby="decision-confirm-h">
          <h4 id="decision-confirm-h" ref={confirmHeading} tabIndex={-1}>
            Record this decision?
          </h4>
          <dl className="facts">
            <dt>Decision</dt>
            <dd>
              <strong>{DECISION_NAMES[d.decision]}</strong>
            </dd>
            <dt>Reason</dt>
            <dd>{d.reason.trim()}</dd>
            <dt>External reference</dt>
            <dd>{d.externalReference.trim() || 'None'}</dd>
          </dl>
          <p>
            {moreInfo
              ? 'This is final for this packet version: the case goes back to its officer.'
              : `This is final: it cannot be changed, and case ${p.caseNumber} will be closed.`}
          </p>
          <div className="btn-row">
            <ActionButton onClick={record} busyText="Recording…">
              Yes, record the decision
            </ActionButton>
            <button
              type="button"
              className="btn secondary"
              onClick={() => {
                backToReview.current = true;
                setConfirming(false);
              }}
            >
              Go back and change it
            </button>
          </div>
        </div>
      )}
    </>
  );
}

// --- signature and archive ---

function Signature({
  packet: p,
  state,
}: {
  packet: PacketView;
  state: { data: { view: SignedManifestView; check: SignatureCheck } | undefined; error: unknown; loading: boolean };
}) {
  return (
    <section className="panel" aria-labelledby="signature-h">
      <h2 id="signature-h">Signature</h2>
      {state.error ? (
        <ErrorMessage error={state.error} context="The signature could not be checked" />
      ) : !state.data ? (
        <p role="status" className="muted">
          Checking the signature in this browser…
        </p>
      ) : (
        <SignatureResult packet={p} view={state.data.view} check={state.data.check} />
      )}
    </section>
  );
}

function SignatureResult({
  packet: p,
  view,
  check,
}: {
  packet: PacketView;
  view: SignedManifestView;
  check: SignatureCheck;
}) {
  // The packet record and the manifest must name the same manifest hash, or one of them is not this packet's.
  const result: SignatureCheck =
    check.valid && view.manifestSha256 !== p.manifestSha256
      ? {
          ...check,
          valid: false,
          problem: `The manifest's hash ${view.manifestSha256} is not the packet's recorded ${p.manifestSha256}.`,
        }
      : check;
  return (
    <>
      {result.valid === true && (
        <div className="success" role="status">
          <p>
            <strong>Signature valid</strong> (key <code>{result.keyId}</code>)
          </p>
        </div>
      )}
      {result.valid === false && (
        <div className="error" role="alert">
          <p>
            <strong>Signature INVALID</strong>: do not rely on this packet. {result.problem}
          </p>
        </div>
      )}
      {result.valid === null && (
        <div className="warning" role="status">
          <p>
            <strong>Signature not checked in this browser.</strong> {result.problem}
          </p>
          <p>
            The service records this manifest as signed with key <code>{view.signature.keyId}</code>. Check the
            downloaded archive offline (see VERIFY.txt inside it).
          </p>
        </div>
      )}
      {result.checks.length > 0 && (
        <ul aria-label="Checks that passed">
          {result.checks.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </ul>
      )}
      <dl className="facts">
        <dt>Manifest SHA-256</dt>
        <dd>
          <Hash value={p.manifestSha256} />
        </dd>
        <dt>Signing key</dt>
        <dd>
          <code>{view.signature.keyId}</code>
        </dd>
      </dl>
      <p className="muted">
        Checked here with the department's published public key (Ed25519), over the exact bytes that were signed.
      </p>
    </>
  );
}

function Archive({ packet: p }: { packet: PacketView }) {
  const [started, setStarted] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const get = async () => {
    setError(null);
    setStarted(false);
    try {
      await downloadWith(archiveTicket(p.id));
      setStarted(true);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section className="panel" aria-labelledby="archive-h">
      <h2 id="archive-h">Packet archive</h2>
      <p>
        One ZIP file with the signed manifest, its signature, the public key, checksums, instructions to verify it
        offline (VERIFY.txt) and all {p.evidenceCount} evidence file{p.evidenceCount === 1 ? '' : 's'} (
        {bytes(p.evidenceBytes)}). The download is recorded in the chain of custody.
      </p>
      <ErrorMessage error={error} context="Not downloaded" />
      <div className="btn-row">
        <ActionButton kind="secondary" onClick={get} busyText="Starting the download…">
          Download the packet (ZIP)
        </ActionButton>
      </div>
      {started && (
        <p className="success" role="status">
          The download of {p.caseNumber}-packet-v{p.version}.zip ({bytes(p.evidenceBytes)} of evidence) has started:
          your browser saves it and shows its progress in its downloads list.
        </p>
      )}
    </section>
  );
}

/** The printable report the packet carries; once the signature checked out here, the download must match its signed hash. */
function CaseReport({
  packet: p,
  state,
}: {
  packet: PacketView;
  state: { data: { view: SignedManifestView; check: SignatureCheck } | undefined };
}) {
  const signed =
    state.data?.check.valid === true
      ? ((state.data.view.manifest as ManifestReading).caseReport?.sha256 ?? null)
      : null;
  return (
    <section className="panel" aria-labelledby="case-report-h">
      <h2 id="case-report-h">Case report</h2>
      <p>
        The case as sent, printable for a court: the order's fields, federal personnel, violations, evidence with
        SHA-256s, approvals and return notes, and the custody summary, with the case number and page numbers on every
        page. It is in the packet archive too, covered by the signature. The download is recorded in the chain of
        custody.
      </p>
      <CaseReportDownload packet={p} signedSha256={signed} />
    </section>
  );
}

// --- the manifest: the case as sent ---

function ManifestSummary({ packet: p, view }: { packet: PacketView; view: SignedManifestView }) {
  const m = view.manifest as ManifestReading;
  const c = m.case ?? {};
  const officers = m.federalOfficers ?? [];
  const violations = m.violations ?? [];
  const evidence = m.evidence ?? [];
  const injured = c.injuriesReported;
  const [open, setOpen] = useState<MediaItem | null>(null);
  return (
    <>
      <section aria-labelledby="case-h">
        <h2 id="case-h">The case as sent</h2>
        <p className="muted">
          Everything below is read from the signed manifest: it is the case exactly as the police department sent it.
        </p>
        <dl className="facts">
          <dt>Case number</dt>
          <dd>{c.caseNumber ?? view.caseNumber}</dd>
          <dt>Packet version</dt>
          <dd>
            {view.version}
            {m.previousPacket && (
              <>
                {' '}
                (follows <Link to={`/packets/${m.previousPacket.id}`}>version {m.previousPacket.version}</Link>
                {m.previousPacket.decision ? `, ${DECISION_NAMES[m.previousPacket.decision].toLowerCase()}` : ''})
              </>
            )}
          </dd>
          <dt>Sent to</dt>
          <dd>{m.office === 'CCSAO' || m.office === 'CITY_LAW' ? OFFICE_NAMES[m.office] : text(m.office)}</dd>
          <dt>Sent</dt>
          <dd>
            {dateTime(m.sentAt)} by {person(m.sentBy)}
          </dd>
          <dt>Police district</dt>
          <dd>{c.district ?? 'Not recorded'}</dd>
          <dt>Incident time</dt>
          <dd>{dateTime(c.incidentAt)}</dd>
          <dt>Incident location</dt>
          <dd>{text(c.incidentLocation)}</dd>
          <dt>Activity</dt>
          <dd>
            {c.activityType
              ? (ACTIVITY_LABELS[c.activityType as ActivityType] ?? label(c.activityType))
              : 'Not recorded'}
          </dd>
          <dt>Federal agencies</dt>
          <dd>
            {c.agencies?.length
              ? c.agencies.map((a) => AGENCY_LABELS[a as FederalAgency] ?? label(a)).join('; ')
              : 'Not recorded'}
          </dd>
          <dt>Origin</dt>
          <dd>
            {c.origin
              ? c.origin === 'WITNESSED'
                ? 'Witnessed by the officer'
                : 'Reported to the officer'
              : 'Not recorded'}
          </dd>
          <dt>Injuries</dt>
          <dd>
            {yesNo(injured)}
            {injured && c.injuryDescription ? `: ${c.injuryDescription}` : ''}
          </dd>
          {injured && (
            <>
              <dt>EMS called</dt>
              <dd>
                {yesNo(c.emsCalled)}
                {c.emsCalledAt ? `, ${dateTime(c.emsCalledAt)}` : ''}
              </dd>
            </>
          )}
          {injured && (
            <>
              <dt>Aid given</dt>
              <dd>{text(c.aidGiven)}</dd>
            </>
          )}
          {c.noFootageReason && (
            <>
              <dt>Why no footage</dt>
              <dd>{c.noFootageReason}</dd>
            </>
          )}
        </dl>
        <h3>Narrative</h3>
        <p className="narrative">{text(c.narrative)}</p>
      </section>

      <section aria-labelledby="people-h">
        <h2 id="people-h">Federal personnel</h2>
        {officers.length === 0 ? (
          <p>None recorded.</p>
        ) : (
          <StackTable>
            <caption>Federal personnel on scene, the supervisor first</caption>
            <thead>
              <tr>
                <th scope="col">Role</th>
                <th scope="col">Name</th>
                <th scope="col">Agency</th>
                <th scope="col">Badge</th>
                <th scope="col">Identification</th>
                <th scope="col">Masked</th>
                <th scope="col">Badge shown</th>
                <th scope="col">Body camera</th>
              </tr>
            </thead>
            <tbody>
              {[...officers]
                .sort((a, b) => Number(b.isSupervisor) - Number(a.isSupervisor))
                .map((o, i) => (
                  <tr key={i}>
                    <td>{o.isSupervisor ? <strong>Supervisor</strong> : 'Agent'}</td>
                    <td>{text(o.name)}</td>
                    <td>{o.agency ? (AGENCY_SHORT[o.agency] ?? label(o.agency)) : 'Not recorded'}</td>
                    <td>{text(o.badgeNumber)}</td>
                    <td>
                      {o.identificationOutcome ? (
                        <strong>{OUTCOME_SHORT[o.identificationOutcome]}</strong>
                      ) : (
                        'Not recorded'
                      )}
                      {o.identificationMethod && (
                        <>
                          <br />
                          How: {o.identificationMethod}
                        </>
                      )}
                      {o.identificationNotes && (
                        <>
                          <br />
                          Notes: {o.identificationNotes}
                        </>
                      )}
                      {o.description && (
                        <>
                          <br />
                          Description: {o.description}
                        </>
                      )}
                    </td>
                    <td>{yesNo(o.masked)}</td>
                    <td>{yesNo(o.badgeDisplayed)}</td>
                    <td>{yesNo(o.bodyCameraWorn)}</td>
                  </tr>
                ))}
            </tbody>
          </StackTable>
        )}
      </section>

      <section aria-labelledby="violations-h">
        <h2 id="violations-h">Alleged violations</h2>
        {violations.length === 0 ? (
          <p>None recorded.</p>
        ) : (
          <StackTable>
            <caption>Alleged violations of state or local law</caption>
            <thead>
              <tr>
                <th scope="col">Citation</th>
                <th scope="col">Description</th>
                <th scope="col">Felony</th>
              </tr>
            </thead>
            <tbody>
              {violations.map((v, i) => (
                <tr key={i}>
                  <td>{v.citation}</td>
                  <td>{v.description}</td>
                  <td>{v.felony ? <span className="badge breach">Felony</span> : 'No'}</td>
                </tr>
              ))}
            </tbody>
          </StackTable>
        )}
      </section>

      <section aria-labelledby="approvals-h">
        <h2 id="approvals-h">Approvals</h2>
        <dl className="facts">
          <dt>Written by</dt>
          <dd>
            {person(c.createdBy)}
            {c.createdAt ? `, opened ${dateTime(c.createdAt)}` : ''}
          </dd>
          <dt>Submitted by</dt>
          <dd>
            {person(m.approvals?.submittedBy)}, {dateTime(m.approvals?.submittedAt)}
          </dd>
          <dt>Approved by</dt>
          <dd>
            {person(m.approvals?.approvedBy)}, {dateTime(m.approvals?.approvedAt)}
          </dd>
        </dl>
      </section>

      <section aria-labelledby="evidence-h">
        <h2 id="evidence-h">Evidence</h2>
        {evidence.length === 0 ? (
          <p>No evidence files: {text(c.noFootageReason)}</p>
        ) : (
          <StackTable>
            <caption>
              {evidence.length} evidence file{evidence.length === 1 ? '' : 's'}, {bytes(p.evidenceBytes)} in all, with
              the SHA-256 each must hash to
            </caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Kind</th>
                <th scope="col">File</th>
                <th scope="col">Size</th>
                <th scope="col">SHA-256</th>
                <th scope="col">Watch or save</th>
              </tr>
            </thead>
            <tbody>
              {evidence.map((e, i) => (
                <tr key={e.id}>
                  <td>{i + 1}</td>
                  <td>
                    {KIND_LABELS[e.kind] ?? label(e.kind)}
                    {e.integrityStatus !== 'OK' && (
                      <>
                        <br />
                        <span className="badge failed">Integrity {label(e.integrityStatus).toLowerCase()}</span>
                      </>
                    )}
                  </td>
                  <td>
                    {e.originalFilename ?? e.archivePath}
                    <br />
                    <span className="muted">
                      {e.contentType}
                      {e.deviceId ? ` · device ${e.deviceId}` : ''}
                      {e.recordingOfficerBadge ? ` · recorded by badge ${e.recordingOfficerBadge}` : ''}
                    </span>
                    {e.recordedStart && (
                      <>
                        <br />
                        <span className="muted">
                          recorded {dateTime(e.recordedStart)}
                          {e.recordedEnd ? ` to ${dateTime(e.recordedEnd)}` : ''}
                        </span>
                      </>
                    )}
                  </td>
                  <td>{bytes(e.sizeBytes)}</td>
                  <td>
                    <Hash value={e.sha256} />
                  </td>
                  <td>
                    <MediaButtons
                      item={{
                        id: e.id,
                        contentType: e.contentType,
                        originalFilename: e.originalFilename,
                        label: KIND_LABELS[e.kind] ?? label(e.kind),
                      }}
                      onOpen={setOpen}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </StackTable>
        )}
        {open && <MediaPlayer key={open.id} item={open} onClose={() => setOpen(null)} />}
      </section>
      <PacketLegalHolds items={evidence} />
    </>
  );
}
