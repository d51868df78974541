import { RefObject, useEffect, useRef, useState } from 'react';
import { api, ApiError, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { useUser } from '../../session';
import { ActionButton, Checkbox, dateTime, ErrorMessage, SelectField, TextArea, TextField, useLoad } from '../../ui';

type PacketView = components['schemas']['PacketView'];
type Correction = components['schemas']['PacketReferenceCorrection'];

/** Moves focus to what just appeared (a confirmation, a result), once, after it is on screen. */
function useFocusWhen<T extends HTMLElement>(on: unknown): RefObject<T | null> {
  const ref = useRef<T | null>(null);
  useEffect(() => {
    if (on) requestAnimationFrame(() => ref.current?.focus());
  }, [on]);
  return ref;
}

function Done({ text }: { text: string }) {
  const ref = useFocusWhen<HTMLDivElement>(text);
  return (
    <div className="success" role="status" tabIndex={-1} ref={ref}>
      <p>{text}</p>
    </div>
  );
}

/**
 * Issue 16, on an IN_REVIEW packet: the claimant releases it back to the queue (reversible: anyone of the office,
 * the claimant too, may claim it again, so it does not ask) or hands it to a colleague of the office (the claimant
 * cannot take it back: it asks once, saying so). A colleague may release a claim that is past its SLA, with a reason.
 */
export function ClaimActions({ packet: p, onChanged }: { packet: PacketView; onChanged: (message: string) => void }) {
  const user = useUser();
  const mine = p.review.claimedBy === user.id;
  if (!mine && !p.sla.breached) return null;
  return (
    <section className="claim-actions" aria-labelledby="claim-actions-h">
      <h3 id="claim-actions-h">{mine ? 'Release or hand over' : 'Release a stale claim'}</h3>
      <Release packet={p} mine={mine} onChanged={onChanged} />
      {mine && <HandOver packet={p} onChanged={onChanged} />}
    </section>
  );
}

function Release({
  packet: p,
  mine,
  onChanged,
}: {
  packet: PacketView;
  mine: boolean;
  onChanged: (message: string) => void;
}) {
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState<string | undefined>();
  const [error, setError] = useState<unknown>(null);
  const release = async () => {
    setError(null);
    if (!mine && !reason.trim()) {
      setMissing('Say why you take this claim back into the queue.');
      return;
    }
    setMissing(undefined);
    try {
      await unwrap(
        api.POST('/api/v1/packets/{id}/release', {
          params: { path: { id: p.id } },
          body: reason.trim() ? { reason: reason.trim() } : {},
        }),
      );
      onChanged(
        `Packet version ${p.version} of case ${p.caseNumber} is back in the office's queue, unclaimed. Anyone of the office (you too) can claim it.`,
      );
    } catch (e) {
      setError(e);
    }
  };
  const fieldError = error instanceof ApiError ? error.forField('reason') : undefined;
  return (
    <div className="release">
      <p>
        {mine
          ? 'Releasing puts the packet back in the queue, unclaimed: you or a colleague can claim it again.'
          : `${p.review.claimedByName ?? 'Another prosecutor'} holds this packet and it is past its SLA: you may take the claim back into the queue, with a reason. It is recorded with their name.`}
      </p>
      <ErrorMessage error={fieldError ? null : error} context="Not released" />
      <TextField
        label={mine ? 'Why (optional)' : 'Why you release this claim'}
        required={!mine}
        maxLength={4000}
        hint="Recorded with the release in the audit trail."
        value={reason}
        onChange={(v) => {
          setReason(v);
          setMissing(undefined);
        }}
        error={missing ?? fieldError}
      />
      <div className="btn-row">
        <ActionButton kind="secondary" onClick={release} busyText="Releasing…">
          {mine ? 'Release this packet' : 'Release this stale claim'}
        </ActionButton>
      </div>
    </div>
  );
}

function HandOver({ packet: p, onChanged }: { packet: PacketView; onChanged: (message: string) => void }) {
  const colleagues = useLoad(() => unwrap(api.GET('/api/v1/office/colleagues')), []);
  const [to, setTo] = useState('');
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState<{ to?: string; reason?: string }>({});
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const confirmRef = useFocusWhen<HTMLHeadingElement>(confirming);
  const people = colleagues.data?.items ?? [];
  const name = (id: string) => people.find((c) => c.id === id)?.displayName ?? 'the colleague';
  const labels = Object.fromEntries(
    people.map((c) => [c.id, `${c.displayName}${c.badgeNumber ? ` (badge ${c.badgeNumber})` : ''}`]),
  );

  const review = () => {
    setError(null);
    const m = {
      to: to ? undefined : 'Choose the colleague who takes the packet over.',
      reason: reason.trim() ? undefined : 'Say why you hand it over.',
    };
    setMissing(m);
    if (!m.to && !m.reason) setConfirming(true);
  };
  const handOver = async () => {
    setError(null);
    try {
      await unwrap(
        api.POST('/api/v1/packets/{id}/hand-over', {
          params: { path: { id: p.id } },
          body: { toUserId: to, reason: reason.trim() },
        }),
      );
      onChanged(`Packet version ${p.version} of case ${p.caseNumber} is now ${name(to)}'s to review and decide.`);
    } catch (e) {
      setConfirming(false);
      setError(e);
    }
  };
  const fieldError = (f: string) => (error instanceof ApiError ? error.forField(f) : undefined);
  const targetRefused = error instanceof ApiError && error.code === 'PACKET.HAND_OVER_TARGET_INVALID';
  return (
    <div className="hand-over">
      <h4>Hand over to a colleague</h4>
      {colleagues.error ? (
        <ErrorMessage error={colleagues.error} context="The office's prosecutors could not be listed" />
      ) : !colleagues.data ? (
        <p role="status" className="muted">
          Listing the prosecutors of your office…
        </p>
      ) : people.length === 0 ? (
        <p>No other active prosecutor of your office to hand this packet to.</p>
      ) : (
        <>
          <ErrorMessage error={targetRefused || fieldError('reason') ? null : error} context="Not handed over" />
          <SelectField
            label="Colleague"
            required
            value={to}
            options={people.map((c) => c.id)}
            labels={labels}
            placeholder="Choose a prosecutor of your office"
            onChange={(v) => {
              setTo(v);
              setConfirming(false);
              setMissing((m) => ({ ...m, to: undefined }));
            }}
            error={missing.to ?? (targetRefused ? (error as ApiError).message : undefined)}
          />
          <TextArea
            label="Why you hand it over"
            required
            rows={3}
            maxLength={4000}
            hint="Recorded with the hand-over; your colleague sees it in the case's history."
            value={reason}
            onChange={(v) => {
              setReason(v);
              setConfirming(false);
              setMissing((m) => ({ ...m, reason: undefined }));
            }}
            error={missing.reason ?? fieldError('reason')}
          />
          {!confirming && (
            <div className="btn-row">
              <ActionButton kind="secondary" onClick={review}>
                Hand over…
              </ActionButton>
            </div>
          )}
          {confirming && (
            <div className="confirm" role="group" aria-labelledby="hand-over-confirm-h">
              <h5 id="hand-over-confirm-h" tabIndex={-1} ref={confirmRef}>
                Hand this packet to {name(to)}?
              </h5>
              <p>
                {name(to)} will hold the claim and record the decision. You will no longer be able to decide this packet
                or take it back yourself. Your reason is recorded: “{reason.trim()}”.
              </p>
              <div className="btn-row">
                <ActionButton onClick={handOver} busyText="Handing over…">
                  Yes, hand it to {name(to)}
                </ActionButton>
                <button type="button" className="btn secondary" onClick={() => setConfirming(false)}>
                  Go back
                </button>
              </div>
            </div>
          )}
        </>
      )}
    </div>
  );
}

/** A decision's external reference: the one in force, and the one as decided when it was corrected since. */
export function ReferenceHistory({ packet: p }: { packet: PacketView }) {
  if (!p.review.referenceCorrections.length) return <>{p.review.externalReference ?? 'None given'}</>;
  return (
    <>
      <strong>{p.review.currentExternalReference ?? 'None (removed)'}</strong> (corrected)
      <br />
      <span className="muted">As decided: {p.review.externalReference ?? 'none'}</span>
    </>
  );
}

/** Every correction of the external reference, oldest first, beside the decision. */
export function ReferenceCorrections({ packet: p }: { packet: PacketView }) {
  const corrections = p.review.referenceCorrections;
  if (!corrections.length) return null;
  return (
    <>
      <h4 id="corrections-h">Corrections of the external reference</h4>
      <ol className="corrections" aria-labelledby="corrections-h">
        {corrections.map((c: Correction) => (
          <li key={c.seq}>
            {c.externalReference ? (
              <>
                Corrected to <strong>{c.externalReference}</strong>
              </>
            ) : (
              <>Reference removed</>
            )}{' '}
            (was {c.previousReference ?? 'none'}) by {c.correctedByName ?? 'a prosecutor'}, {dateTime(c.correctedAt)}.
            <br />
            Reason: {c.reason}
          </li>
        ))}
      </ol>
    </>
  );
}

/**
 * The decider corrects the external reference after the fact. The decision stays as decided; the correction is
 * added beside it for good, so it asks once, saying so.
 */
export function CorrectReferenceForm({
  packet: p,
  onChanged,
}: {
  packet: PacketView;
  onChanged: (message: string) => void;
}) {
  const user = useUser();
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState('');
  const [none, setNone] = useState(false);
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState<{ value?: string; reason?: string }>({});
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const confirmRef = useFocusWhen<HTMLHeadingElement>(confirming);
  const formRef = useFocusWhen<HTMLHeadingElement>(open);
  if (p.review.decidedBy !== user.id) return null;
  const current = p.review.currentExternalReference;
  const next = none ? null : value.trim();

  const review = () => {
    setError(null);
    const m = {
      value:
        !none && !value.trim()
          ? 'Type the correct reference, or tick that the decision should carry none.'
          : next === current
            ? `The reference is already ${current ?? 'empty'}.`
            : undefined,
      reason: reason.trim() ? undefined : 'Say why the reference is corrected.',
    };
    setMissing(m);
    if (!m.value && !m.reason) setConfirming(true);
  };
  const record = async () => {
    setError(null);
    try {
      await unwrap(
        api.POST('/api/v1/packets/{id}/reference-corrections', {
          params: { path: { id: p.id } },
          body: { externalReference: next, reason: reason.trim() },
        }),
      );
      setOpen(false);
      setConfirming(false);
      onChanged(
        next
          ? `External reference corrected to ${next}. The decision itself is unchanged.`
          : 'External reference removed. The decision itself is unchanged.',
      );
    } catch (e) {
      setConfirming(false);
      setError(e);
    }
  };
  const fieldError = (f: string) => (error instanceof ApiError ? error.forField(f) : undefined);

  if (!open) {
    return (
      <div className="btn-row">
        <button type="button" className="btn secondary" onClick={() => setOpen(true)}>
          Correct the external reference…
        </button>
      </div>
    );
  }
  return (
    <div className="correct-reference">
      <h4 tabIndex={-1} ref={formRef}>
        Correct the external reference
      </h4>
      <p>
        Now: {current ?? 'none'}. The decision stays as you recorded it; the correction is added beside it, with your
        reason.
      </p>
      <ErrorMessage
        error={fieldError('externalReference') || fieldError('reason') ? null : error}
        context="Not corrected"
      />
      <TextField
        label="Correct external reference"
        hint="For example the court case number, such as 2026-CR-0012345."
        maxLength={200}
        value={value}
        onChange={(v) => {
          setValue(v);
          setConfirming(false);
        }}
        error={missing.value ?? fieldError('externalReference')}
      />
      <Checkbox
        label="The decision should carry no external reference"
        checked={none}
        onChange={(v) => {
          setNone(v);
          setConfirming(false);
        }}
      />
      <TextArea
        label="Why the reference is corrected"
        required
        rows={3}
        maxLength={4000}
        value={reason}
        onChange={(v) => {
          setReason(v);
          setConfirming(false);
        }}
        error={missing.reason ?? fieldError('reason')}
      />
      {!confirming && (
        <div className="btn-row">
          <ActionButton onClick={review}>Review correction…</ActionButton>
          <button
            type="button"
            className="btn secondary"
            onClick={() => {
              setOpen(false);
              setError(null);
            }}
          >
            Cancel
          </button>
        </div>
      )}
      {confirming && (
        <div className="confirm" role="group" aria-labelledby="correct-confirm-h">
          <h5 id="correct-confirm-h" tabIndex={-1} ref={confirmRef}>
            Record this correction?
          </h5>
          <dl className="facts">
            <dt>From</dt>
            <dd>{current ?? 'None'}</dd>
            <dt>To</dt>
            <dd>{next ?? 'None (removed)'}</dd>
            <dt>Reason</dt>
            <dd>{reason.trim()}</dd>
          </dl>
          <p>
            This is permanent: the correction stays in the packet's record and the audit trail. The decision and the
            signed packet are not changed.
          </p>
          <div className="btn-row">
            <ActionButton onClick={record} busyText="Recording…">
              Yes, record the correction
            </ActionButton>
            <button type="button" className="btn secondary" onClick={() => setConfirming(false)}>
              Go back and change it
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

export { Done as ReviewDone };
