import { type RefObject, useEffect, useRef, useState } from 'react';
import { api, ApiError, unwrap } from '../../api/client';
import { prosecutorOfficeValues, type components } from '../../api/schema';
import { useDraft } from '../../drafts';
import { useUser } from '../../session';
import {
  ActionButton,
  ActionError,
  bytes,
  dateTime,
  Hash,
  label,
  Loaded,
  RadioGroup,
  StackTable,
  StatusBadge,
  TextArea,
  useLoad,
} from '../../ui';
import { OFFICE_NAMES, DECISION_NAMES, INTEGRITY_STATUS_WORDS, KIND_LABELS } from '../../words';
import { CaseReportDownload } from '../common/CaseReport';

type CaseView = components['schemas']['CaseView'];
type PacketView = components['schemas']['PacketView'];
type PacketPreview = components['schemas']['PacketPreview'];
type Office = components['schemas']['ProsecutorOffice'];

/** What a supervisor may still do to a case, by its status (the service's state machine, libs/cases case-state). */
const WITHDRAWABLE: readonly CaseView['status'][] = ['DRAFT', 'SUBMITTED', 'RETURNED'];

/**
 * The supervisor's part of a case page, beside the case's content (issue 16): approve or return a submitted case
 * (never one they wrote), withdraw a case that is not yet approved, and send an approved case's signed packet to a
 * prosecuting office after a preview of exactly what will be sent. The packets already sent, with their review
 * state, are `CasePackets` (below the content: a wide table).
 */
export function SupervisorPanel({ caseView, onChanged }: { caseView: CaseView; onChanged: () => void }) {
  const [done, setDone] = useState<string | null>(null);
  const [sent, setSent] = useState<PacketView | null>(null);

  const changed = (message: string) => {
    setDone(message);
    onChanged();
  };

  const c = caseView;
  return (
    <>
      <section className="panel supervisor-panel" aria-labelledby="supervisor-h">
        <h2 id="supervisor-h">Supervisor review</h2>
        {done && (
          <div className="success" role="status">
            <p>{done}</p>
          </div>
        )}
        {sent && <SentPacket packet={sent} />}
        {c.status === 'SUBMITTED' && <ReviewSubmitted c={c} onDone={changed} onReload={onChanged} />}
        {c.status === 'APPROVED' && (
          <SendPacket
            c={c}
            onReload={onChanged}
            onSent={(p) => {
              setSent(p);
              changed(
                `Packet version ${p.version} was signed and sent to ${OFFICE_NAMES[p.office]}. The case is now referred to prosecutors.`,
              );
            }}
          />
        )}
        {WITHDRAWABLE.includes(c.status) && <Withdraw c={c} onDone={changed} onReload={onChanged} />}
        {!['SUBMITTED', 'APPROVED', ...WITHDRAWABLE].includes(c.status) && <NothingToDo c={c} />}
      </section>
    </>
  );
}

function NothingToDo({ c }: { c: CaseView }) {
  const why: Partial<Record<CaseView['status'], string>> = {
    REFERRED:
      "The packet is with the prosecutor's office and waits to be claimed. Nothing more is needed from a supervisor now.",
    IN_REVIEW:
      'A prosecutor is reviewing the packet. If they ask for more information, the case comes back to its officer, then to you for approval again.',
    CLOSED: `The prosecutor's office decided this case${c.disposition ? ` (${label(c.disposition)})` : ''}. It is closed; nothing can be changed.`,
    WITHDRAWN: `This case was withdrawn${c.withdrawnAt ? ` on ${dateTime(c.withdrawnAt)}` : ''}${c.withdrawReason ? `. Reason: ${c.withdrawReason}` : ''}. It is kept on record and cannot be reopened.`,
  };
  return <p>{why[c.status] ?? `Nothing for a supervisor to do while the case is ${label(c.status).toLowerCase()}.`}</p>;
}

/** Approve (optional note) or return to the officer (reason required), unless this supervisor wrote the case. */
function ReviewSubmitted({ c, onDone, onReload }: { c: CaseView; onDone: (m: string) => void; onReload: () => void }) {
  const user = useUser();
  const [note, setNote, clearNote] = useDraft(`case-approve:${c.id}`, '');
  const [reason, setReason, clearReason] = useDraft(`case-return:${c.id}`, '');
  const [error, setError] = useState<unknown>(null);
  const [reasonMissing, setReasonMissing] = useState(false);

  if (c.createdBy === user.id) {
    return (
      <div className="notice">
        <h3>Review by another supervisor needed</h3>
        <p>
          You wrote this case, so you cannot approve it or return it. The two-person rule requires a different
          supervisor of District {c.district} to review a case before it can be sent to prosecutors. Ask another
          supervisor of your district to open case {c.caseNumber}.
        </p>
      </div>
    );
  }

  const approve = async () => {
    setError(null);
    try {
      await unwrap(
        api.POST('/api/v1/cases/{id}/approve', {
          params: { path: { id: c.id } },
          body: { version: c.version, ...(note.trim() ? { note: note.trim() } : {}) },
        }),
      );
      setNote('');
      clearNote();
      onDone(`Case ${c.caseNumber} approved. It can now be sent to a prosecutor's office.`);
    } catch (e) {
      setError(e);
    }
  };

  const giveBack = async () => {
    setError(null);
    if (!reason.trim()) {
      setReasonMissing(true);
      return;
    }
    setReasonMissing(false);
    try {
      await unwrap(
        api.POST('/api/v1/cases/{id}/return', {
          params: { path: { id: c.id } },
          body: { version: c.version, reason: reason.trim() },
        }),
      );
      setReason('');
      clearReason();
      onDone(`Case ${c.caseNumber} returned to its officer with your reason. They can correct it and submit it again.`);
    } catch (e) {
      setError(e);
    }
  };

  const fieldError = (f: string) => (error instanceof ApiError ? error.forField(f) : undefined);
  return (
    <>
      <p>
        The officer submitted this case{c.submittedAt ? ` on ${dateTime(c.submittedAt)}` : ''}. Read it (the case is
        shown beside this panel, or above it on a narrow screen), then approve it or return it to the officer.
      </p>
      <ActionError error={error} context="Not done" onReload={onReload} reloadText="Reload the case" />
      <h3>Approve</h3>
      <TextArea
        label="Note for the record (optional)"
        hint="Kept in the case's audit trail with your approval."
        value={note}
        onChange={setNote}
        rows={2}
        maxLength={2000}
        error={fieldError('note')}
      />
      <div className="btn-row">
        <ActionButton onClick={approve} busyText="Approving…">
          Approve case
        </ActionButton>
      </div>
      <h3>Return to the officer</h3>
      <TextArea
        label="Reason for returning"
        hint="Required. The officer sees it: say what to correct or add."
        value={reason}
        onChange={(v) => {
          setReason(v);
          if (v.trim()) setReasonMissing(false);
        }}
        rows={3}
        maxLength={2000}
        required
        error={reasonMissing ? 'Give the reason for returning the case.' : fieldError('reason')}
      />
      <div className="btn-row">
        <ActionButton kind="secondary" onClick={giveBack} busyText="Returning…">
          Return to the officer
        </ActionButton>
      </div>
    </>
  );
}

/** Withdraw with a reason, after a confirmation: it is final. */
function Withdraw({ c, onDone, onReload }: { c: CaseView; onDone: (m: string) => void; onReload: () => void }) {
  const [reason, setReason, clearReason] = useDraft(`case-withdraw:${c.id}`, '');
  const [confirming, setConfirming] = useState(false);
  const [reasonMissing, setReasonMissing] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const ask = () => {
    setError(null);
    if (!reason.trim()) {
      setReasonMissing(true);
      return;
    }
    setConfirming(true);
  };
  const withdraw = async () => {
    setError(null);
    try {
      await unwrap(
        api.POST('/api/v1/cases/{id}/withdraw', {
          params: { path: { id: c.id } },
          body: { version: c.version, reason: reason.trim() },
        }),
      );
      setReason('');
      clearReason();
      setConfirming(false);
      onDone(`Case ${c.caseNumber} withdrawn. It stays on record with your reason and cannot be reopened.`);
    } catch (e) {
      setConfirming(false);
      setError(e);
    }
  };

  return (
    <>
      <h3>Withdraw the case</h3>
      <p className="muted">
        Withdraw a case that should not go forward (for example opened in error, or a duplicate). Nothing is deleted.
      </p>
      <ActionError error={error} context="Not withdrawn" onReload={onReload} reloadText="Reload the case" />
      <TextArea
        label="Reason for withdrawing"
        hint="Required. Recorded in the audit trail and shown on the case."
        value={reason}
        onChange={(v) => {
          setReason(v);
          setConfirming(false);
          if (v.trim()) setReasonMissing(false);
        }}
        rows={2}
        maxLength={2000}
        required
        error={
          reasonMissing
            ? 'Give the reason for withdrawing the case.'
            : error instanceof ApiError
              ? error.forField('reason')
              : undefined
        }
      />
      {!confirming && (
        <div className="btn-row">
          <ActionButton kind="danger" onClick={ask}>
            Withdraw case…
          </ActionButton>
        </div>
      )}
      {confirming && (
        <div className="confirm" role="group" aria-labelledby="withdraw-confirm-h">
          <h4 id="withdraw-confirm-h">Withdraw case {c.caseNumber}?</h4>
          <p>
            This is final: a withdrawn case cannot be edited, submitted, approved or sent again. It stays on record with
            your reason:
          </p>
          <blockquote>{reason.trim()}</blockquote>
          <div className="btn-row">
            <ActionButton kind="danger" onClick={withdraw} busyText="Withdrawing…">
              Yes, withdraw the case
            </ActionButton>
            <button type="button" className="btn secondary" onClick={() => setConfirming(false)}>
              No, keep it
            </button>
          </div>
        </div>
      )}
    </>
  );
}

/**
 * Send the signed packet: the office preselected by the felony rule, changeable. Sending cannot be undone, so it is
 * asked once, after a preview of exactly what will be sent (GET /cases/{id}/packet-preview: the send's own evidence
 * selection, sizes and SHA-256, and office); the send carries the case version previewed, so a change in between
 * is refused rather than sent unseen.
 */
function SendPacket({ c, onSent, onReload }: { c: CaseView; onSent: (p: PacketView) => void; onReload: () => void }) {
  const suggested: Office = c.anyFelony ? 'CCSAO' : 'CITY_LAW';
  const [choice, setChoice, clearChoice] = useDraft<Office | ''>(`packet-send:${c.id}`, '');
  const office: Office = choice || suggested;
  const [error, setError] = useState<unknown>(null);
  const [preview, setPreview] = useState<PacketPreview | null>(null);
  const confirmHeading = useRef<HTMLHeadingElement>(null);
  const reviewButton = useRef<HTMLDivElement>(null);
  const previous = useLoad(
    () => unwrap(api.GET('/api/v1/cases/{id}/packets', { params: { path: { id: c.id } } })),
    [c.id, c.version],
  );
  const last = previous.data?.items.at(-1);

  // Focus moves into the confirmation when it opens (issue 16), so a keyboard or screen reader user lands on the question.
  useEffect(() => {
    if (preview) confirmHeading.current?.focus();
  }, [preview]);

  const felonies = c.violations.filter((v) => v.felony).map((v) => v.citation);
  const why = c.anyFelony
    ? `Preselected: the State's Attorney, because at least one alleged violation is a felony (${felonies.join(', ')}). Felonies go to the State's Attorney unless you choose otherwise.`
    : 'Preselected: the Department of Law, because none of the alleged violations is a felony. Ordinance and misdemeanour matters go to the Department of Law unless you choose otherwise.';

  const review = async () => {
    setError(null);
    try {
      setPreview(
        await unwrap(
          api.GET('/api/v1/cases/{id}/packet-preview', {
            params: { path: { id: c.id }, query: office === suggested ? {} : { office } },
          }),
        ),
      );
    } catch (e) {
      setError(e);
    }
  };

  const cancel = () => {
    setPreview(null);
    // Back where the question was asked.
    requestAnimationFrame(() => reviewButton.current?.querySelector('button')?.focus());
  };

  const send = async () => {
    if (!preview) return;
    setError(null);
    try {
      const p = await unwrap(
        api.POST('/api/v1/cases/{id}/packets', {
          params: { path: { id: c.id } },
          // The preselected office is left to the service's own felony rule (recorded as the default); a change is sent explicitly.
          // The version is the one previewed: if the case changed since, the service refuses (409) and nothing is sent unseen.
          body:
            preview.office === preview.suggestedOffice
              ? { version: preview.caseVersion }
              : { office: preview.office, version: preview.caseVersion },
        }),
      );
      setChoice('');
      clearChoice();
      setPreview(null);
      onSent(p);
    } catch (e) {
      setPreview(null);
      setError(e);
    }
  };

  return (
    <>
      <h3>Send the packet to prosecutors</h3>
      <p>
        Sending freezes the case as it is now into a manifest (case, federal personnel, violations, approvals, and every
        evidence file with its size and SHA-256), signs it with the department's key and puts it in the chosen office's
        review queue. The case then becomes referred and can no longer be edited. You see exactly what will be sent
        before anything is sent.
      </p>
      {last && (
        <p className="notice">
          This will be packet version {last.version + 1}, following version {last.version}
          {last.review.decision
            ? ` (${DECISION_NAMES[last.review.decision]}${last.review.decisionReason ? `: ${last.review.decisionReason}` : ''})`
            : ''}
          .
        </p>
      )}
      <ActionError error={error} context="Packet not sent" onReload={onReload} reloadText="Reload the case" />
      <RadioGroup
        label="Prosecuting office"
        hint={why}
        value={office}
        onChange={(v) => {
          setChoice(v);
          setPreview(null);
        }}
        options={prosecutorOfficeValues}
        labels={OFFICE_NAMES}
        error={error instanceof ApiError ? error.forField('office') : undefined}
        descriptions={{
          CCSAO: 'Felonies under Illinois law.',
          CITY_LAW: 'Violations of city ordinances and other non-felony matters.',
        }}
      />
      {office !== suggested && (
        <p className="warning">
          You chose a different office from the felony rule's suggestion. Your choice is recorded with the packet.
        </p>
      )}
      {!preview && (
        <div className="btn-row" ref={reviewButton}>
          <ActionButton onClick={review} busyText="Preparing the preview…">
            Review the packet for {OFFICE_NAMES[office]}…
          </ActionButton>
        </div>
      )}
      {preview && <PreviewAndConfirm preview={preview} headingRef={confirmHeading} onSend={send} onCancel={cancel} />}
    </>
  );
}

/** What will be sent, and the one question: send it (signed, to this office, for good) or go back. */
function PreviewAndConfirm({
  preview: p,
  headingRef,
  onSend,
  onCancel,
}: {
  preview: PacketPreview;
  headingRef: RefObject<HTMLHeadingElement | null>;
  onSend: () => Promise<void>;
  onCancel: () => void;
}) {
  const to = OFFICE_NAMES[p.office];
  const failed = p.evidence.filter((e) => e.integrityStatus !== 'OK');
  return (
    <div className="confirm packet-preview" role="group" aria-labelledby="packet-confirm-h">
      <h4 id="packet-confirm-h" ref={headingRef} tabIndex={-1}>
        Send packet version {p.packetVersion} of case {p.caseNumber} to {to}?
      </h4>
      <p>
        <strong>This cannot be undone.</strong> The case as shown here is frozen into a manifest, signed with the
        department's key and sent to {to}, whose prosecutors will see it in their review queue. The case becomes
        referred and can no longer be edited; the packet stays on record for good.
      </p>
      <dl className="facts" aria-label="What will be sent">
        <dt>Case</dt>
        <dd>{p.caseNumber}</dd>
        <dt>Goes to</dt>
        <dd>
          {to}
          {p.office !== p.suggestedOffice && (
            <span className="muted"> (your choice; the felony rule suggests {OFFICE_NAMES[p.suggestedOffice]})</span>
          )}
        </dd>
        <dt>Packet version</dt>
        <dd>
          {p.packetVersion}
          {p.previousPacket && (
            <span className="muted">
              {' '}
              (follows version {p.previousPacket.version}
              {p.previousPacket.decision ? `: ${DECISION_NAMES[p.previousPacket.decision]}` : ''})
            </span>
          )}
        </dd>
        <dt>Felony alleged</dt>
        <dd>{p.felony ? 'Yes' : 'No'}</dd>
        <dt>Federal personnel</dt>
        <dd>{p.federalOfficerCount === 1 ? '1 person' : `${p.federalOfficerCount} people`}</dd>
        <dt>Alleged violations</dt>
        <dd>{p.violationCount === 0 ? 'None' : p.violationCount}</dd>
        <dt>Evidence files</dt>
        <dd>{p.evidence.length === 0 ? 'None' : `${p.evidence.length}, ${bytes(p.evidenceBytes)} in all`}</dd>
        <dt>Case report</dt>
        <dd>
          {p.caseReportIncluded
            ? 'Included: a printable report (PDF) of this packet, its fingerprint signed with the manifest'
            : 'Not included'}
        </dd>
        <dt>Signed with key</dt>
        <dd>
          <code>{p.signingKeyId}</code>
        </dd>
      </dl>
      {p.evidence.length > 0 && (
        <>
          <h5 id="packet-preview-evidence-h">Evidence files in the packet, in manifest order</h5>
          <ol className="preview-evidence" aria-labelledby="packet-preview-evidence-h">
            {p.evidence.map((e) => (
              <li key={e.id}>
                <strong className="file-name">{e.originalFilename ?? 'File without a name'}</strong>
                <br />
                {KIND_LABELS[e.kind]} · {bytes(e.sizeBytes)}
                <br />
                SHA-256: <Hash value={e.sha256} />
                {e.integrityStatus !== 'OK' && (
                  <>
                    <br />
                    <span className="badge failed">{INTEGRITY_STATUS_WORDS[e.integrityStatus]}</span>
                  </>
                )}
              </li>
            ))}
          </ol>
        </>
      )}
      {failed.length > 0 && (
        <p className="warning">
          {failed.length === 1 ? 'One file' : `${failed.length} files`} failed the last integrity check. Verify{' '}
          {failed.length === 1 ? 'it' : 'them'} in the evidence list before sending: the packet records the fingerprint
          the file was stored with.
        </p>
      )}
      <div className="btn-row">
        <ActionButton onClick={onSend} busyText="Signing and sending…">
          Yes, sign and send to {to}
        </ActionButton>
        <button type="button" className="btn secondary" onClick={onCancel}>
          No, go back
        </button>
      </div>
    </div>
  );
}

function SentPacket({ packet: p }: { packet: PacketView }) {
  return (
    <dl className="facts" aria-label="Packet just sent">
      <dt>Packet version</dt>
      <dd>{p.version}</dd>
      <dt>Office</dt>
      <dd>{OFFICE_NAMES[p.office]}</dd>
      <dt>Sent</dt>
      <dd>{dateTime(p.sentAt)}</dd>
      <dt>Evidence files</dt>
      <dd>{p.evidenceCount}</dd>
      <dt>Manifest SHA-256</dt>
      <dd>
        <Hash value={p.manifestSha256} />
      </dd>
      <dt>Signed with key</dt>
      <dd>
        <code>{p.keyId}</code>
      </dd>
    </dl>
  );
}

/** The case's packets, oldest version first, with where each one stands with the prosecutor. */
export function CasePackets({ caseId, refresh }: { caseId: string; refresh: string }) {
  const state = useLoad(
    () => unwrap(api.GET('/api/v1/cases/{id}/packets', { params: { path: { id: caseId } } })),
    [caseId, refresh],
  );
  return (
    <section aria-labelledby="packets-h">
      <h2 id="packets-h">Packets sent to prosecutors</h2>
      <Loaded state={state} what="the packets">
        {(list) =>
          list.items.length === 0 ? (
            <p>No packet has been sent for this case yet.</p>
          ) : (
            <StackTable>
              <caption>Packets of case {list.caseNumber}, oldest version first</caption>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Office</th>
                  <th scope="col">Sent</th>
                  <th scope="col">Review status</th>
                  <th scope="col">Decision</th>
                  <th scope="col">Manifest SHA-256</th>
                  <th scope="col">Case report</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((p) => (
                  <tr key={p.id}>
                    <td>v{p.version}</td>
                    <td>{OFFICE_NAMES[p.office]}</td>
                    <td>{dateTime(p.sentAt)}</td>
                    <td>
                      <StatusBadge status={p.status} />
                      {p.review.claimedByName && (
                        <>
                          <br />
                          <span className="muted">
                            claimed by {p.review.claimedByName} {dateTime(p.review.claimedAt)}
                          </span>
                        </>
                      )}
                      {p.sla.breached && (
                        <>
                          <br />
                          <span className="badge breach">SLA breached</span>
                        </>
                      )}
                    </td>
                    <td>
                      {p.review.decision ? (
                        <>
                          <strong>{DECISION_NAMES[p.review.decision]}</strong> {dateTime(p.review.decidedAt)}
                          {p.review.decisionReason && (
                            <>
                              <br />
                              Reason: {p.review.decisionReason}
                            </>
                          )}
                          {p.review.referenceCorrections.length > 0 ? (
                            <>
                              <br />
                              Reference: {p.review.currentExternalReference ?? 'none'} (corrected by the prosecutor; as
                              decided: {p.review.externalReference ?? 'none'})
                            </>
                          ) : (
                            p.review.externalReference && (
                              <>
                                <br />
                                Reference: {p.review.externalReference}
                              </>
                            )
                          )}
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td>
                      <Hash value={p.manifestSha256} />
                    </td>
                    <td>
                      <CaseReportDownload packet={p} compact />
                    </td>
                  </tr>
                ))}
              </tbody>
            </StackTable>
          )
        }
      </Loaded>
    </section>
  );
}
