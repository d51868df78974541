import { useEffect, useRef, useState } from 'react';
import { api, ApiError, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ActionButton, dateTime, label, Loaded, TextArea, TextField, useLoad } from '../../ui';
import { KIND_LABELS } from '../../words';

type EvidenceView = components['schemas']['EvidenceView'];
type CaseStatus = components['schemas']['CaseView']['status'];

/** Only once the case has ended may the legal hold of its evidence be released (the service's rule). */
const RELEASABLE: readonly CaseStatus[] = ['CLOSED', 'WITHDRAWN'];

const nameOf = (e: Pick<EvidenceView, 'originalFilename' | 'kind' | 'uploadedAt'>) =>
  e.originalFilename ?? `${KIND_LABELS[e.kind]} of ${dateTime(e.uploadedAt)}`;

/**
 * The legal holds of a case's evidence, for a supervisor of its district: each item's hold as the item records it
 * (set in storage by S3 Object Lock), its release once the case is CLOSED or WITHDRAWN (reason, authorising reference,
 * and a confirmation that says what a release means), and placing a hold again.
 */
export function CaseLegalHolds({
  caseStatus,
  caseAuthor,
  userId,
  items,
  who,
  onChanged,
}: {
  caseStatus: CaseStatus;
  caseAuthor: string;
  userId: string;
  items: EvidenceView[] | undefined;
  who: (id: string | null) => string;
  onChanged: () => void;
}) {
  if (!items || items.length === 0) return null;
  const release = !RELEASABLE.includes(caseStatus)
    ? {
        allowed: false,
        why: `A legal hold can be released only after the case is closed or withdrawn; this case is ${label(caseStatus).toLowerCase()}.`,
      }
    : caseAuthor === userId
      ? {
          allowed: false,
          why: 'You wrote this case: another supervisor of the district must release the legal holds of its evidence.',
        }
      : { allowed: true };
  return (
    <section aria-labelledby="holds-h" className="panel">
      <h2 id="holds-h">Legal holds</h2>
      <p>
        Every evidence file is kept under an S3 Object Lock legal hold from its upload: storage refuses to delete it
        while the hold is on. A release is a deliberate, recorded act, never automatic.
      </p>
      {!release.allowed && <p className="muted">{release.why}</p>}
      <ul className="holds">
        {items.map((e) => (
          <li key={e.id}>
            <HoldItem item={e} canRelease={release.allowed} who={who} onChanged={onChanged} />
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The legal holds a prosecutor may place on the evidence a packet disclosed to the office (each item read on demand: an audited view). */
export function PacketLegalHolds({
  items,
}: {
  items: { id: string; originalFilename: string | null; kind: EvidenceView['kind']; archivePath: string }[];
}) {
  if (items.length === 0) return null;
  return (
    <section aria-labelledby="holds-h">
      <h2 id="holds-h">Legal holds</h2>
      <p>
        You may place a legal hold on any evidence file of this packet, with a reason, for example when a proceeding
        still needs it. Storage then refuses to delete it until a supervisor records a release.
      </p>
      <ul className="holds">
        {items.map((e) => (
          <li key={e.id}>
            <PacketHoldItem id={e.id} name={e.originalFilename ?? e.archivePath} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function PacketHoldItem({ id, name }: { id: string; name: string }) {
  const [open, setOpen] = useState(false);
  const [tick, setTick] = useState(0);
  if (!open) {
    return (
      <p>
        <strong>{name}</strong>{' '}
        <button
          type="button"
          className="btn secondary"
          onClick={() => setOpen(true)}
          aria-label={`Show legal hold: ${name}`}
        >
          Show legal hold
        </button>
      </p>
    );
  }
  return <LoadedHold id={id} tick={tick} onChanged={() => setTick((n) => n + 1)} />;
}

function LoadedHold({ id, tick, onChanged }: { id: string; tick: number; onChanged: () => void }) {
  const state = useLoad(() => unwrap(api.GET('/api/v1/evidence/{id}', { params: { path: { id } } })), [id, tick]);
  return (
    <Loaded state={state} what="the evidence item">
      {(e) => <HoldItem item={e} canRelease={false} who={(u) => (u ? `user ${u}` : '—')} onChanged={onChanged} />}
    </Loaded>
  );
}

/** What the item's hold is, in words (from its `preservation`, which the service reads back from storage). */
function holdState(p: EvidenceView['preservation'], who: (id: string | null) => string): { on: boolean; text: string } {
  const change = p.legalHoldChange;
  const retention =
    p.retentionMode && p.retainUntil
      ? `${p.retentionMode} retention runs until ${dateTime(p.retainUntil)}.`
      : 'No retention is set.';
  if (!p.worm)
    return { on: false, text: 'No legal hold: the storage bucket had no S3 Object Lock when this file was stored.' };
  if (p.legalHold) {
    const how =
      change?.action === 'PLACED'
        ? `placed again on ${dateTime(change.at)} by ${who(change.by)}: ${change.reason}${change.reference ? ` (reference ${change.reference})` : ''}`
        : `since upload${p.appliedAt ? ` (${dateTime(p.appliedAt)})` : ''}`;
    return { on: true, text: `Under legal hold, ${how}. ${retention}` };
  }
  const released =
    change?.action === 'RELEASED'
      ? `Legal hold released on ${dateTime(change.at)} by ${who(change.by)}, reference ${change.reference}: ${change.reason}.`
      : 'No legal hold.';
  return { on: false, text: `${released} ${retention}` };
}

function HoldItem({
  item,
  canRelease,
  who,
  onChanged,
}: {
  item: EvidenceView;
  canRelease: boolean;
  who: (id: string | null) => string;
  onChanged: () => void;
}) {
  const [mode, setMode] = useState<'idle' | 'release' | 'confirm' | 'place'>('idle');
  const [form, setForm] = useState({ reason: '', reference: '' });
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const name = nameOf(item);
  const p = item.preservation;
  // Issue 16: focus follows the step: into the form, into the confirmation, then onto the result.
  const box = useRef<HTMLDivElement>(null);
  const shownMode = useRef(mode);
  useEffect(() => {
    if (shownMode.current === mode) return;
    shownMode.current = mode;
    const el = box.current;
    if (mode === 'confirm') el?.querySelector<HTMLElement>(`#hold-confirm-${CSS.escape(item.id)}`)?.focus();
    else if (mode === 'release' || mode === 'place') el?.querySelector<HTMLElement>('textarea')?.focus();
    else (el?.querySelector<HTMLElement>('.hold-result') ?? el?.querySelector<HTMLElement>('.btn-row button'))?.focus();
  }, [mode, item.id]);
  const state = holdState(p, who);
  const apiError = error instanceof ApiError ? error : null;
  const reset = () => {
    setMode('idle');
    setForm({ reason: '', reference: '' });
    setError(null);
  };
  const retention =
    p.retentionMode && p.retainUntil
      ? `It stays stored and cannot be deleted or altered until ${dateTime(p.retainUntil)}: its ${p.retentionMode} retention still runs.`
      : 'It has no retention date: once released, storage no longer protects it from deletion.';

  const send = async (what: 'release' | 'place') => {
    setError(null);
    setDone(null);
    try {
      const params = { path: { id: item.id } };
      const reason = form.reason.trim();
      const reference = form.reference.trim();
      if (what === 'release')
        await unwrap(api.POST('/api/v1/evidence/{id}/legal-hold/release', { params, body: { reason, reference } }));
      else
        await unwrap(
          api.POST('/api/v1/evidence/{id}/legal-hold', {
            params,
            body: { reason, ...(reference ? { reference } : {}) },
          }),
        );
      reset();
      setDone(
        what === 'release' ? `The legal hold of ${name} is released. ${retention}` : `${name} is under legal hold.`,
      );
      onChanged();
    } catch (err) {
      setError(err);
      if (what === 'release') setMode('release');
    }
  };

  return (
    <div ref={box} className="hold-item" aria-label={`Legal hold of ${name}`} role="group">
      <p>
        <strong>{name}</strong>
        {item.status !== 'ACTIVE' && <span className="muted"> (superseded)</span>}
      </p>
      <p>
        <span className={`badge ${state.on ? 'status-approved' : 'status-withdrawn'}`}>
          {state.on ? 'Legal hold on' : 'Legal hold off'}
        </span>{' '}
        {state.text}
      </p>
      <div role="status">
        {done && (
          <p className="success hold-result" tabIndex={-1}>
            {done}
          </p>
        )}
      </div>
      <HoldError
        error={error}
        context={mode === 'place' ? 'The legal hold was not placed' : 'The legal hold was not released'}
      />
      {mode === 'idle' && p.worm && (
        <div className="btn-row">
          {state.on && canRelease && (
            <button
              type="button"
              className="btn secondary"
              onClick={() => {
                setDone(null);
                setMode('release');
              }}
            >
              Release legal hold…
            </button>
          )}
          <button
            type="button"
            className="btn secondary"
            onClick={() => {
              setDone(null);
              setMode('place');
            }}
          >
            {state.on ? 'Place the hold again…' : 'Place legal hold…'}
          </button>
        </div>
      )}
      {(mode === 'release' || mode === 'place') && (
        <div className="confirm">
          <TextArea
            label={mode === 'release' ? 'Why the hold may be released (required)' : 'Why the hold is placed (required)'}
            rows={2}
            maxLength={4000}
            required
            value={form.reason}
            onChange={(v) => setForm((f) => ({ ...f, reason: v }))}
            error={apiError?.forField('reason')}
          />
          <TextField
            label={
              mode === 'release'
                ? 'Court order or prosecutor office reference that allows it (required)'
                : 'Reference (optional)'
            }
            hint="One line, e.g. a court case or order number."
            maxLength={200}
            required={mode === 'release'}
            value={form.reference}
            onChange={(v) => setForm((f) => ({ ...f, reference: v.replace(/[\r\n]+/g, ' ') }))}
            error={apiError?.forField('reference')}
          />
          <div className="btn-row">
            {mode === 'release' ? (
              <button
                type="button"
                className="btn danger"
                disabled={!form.reason.trim() || !form.reference.trim()}
                onClick={() => {
                  setError(null);
                  setMode('confirm');
                }}
              >
                Continue
              </button>
            ) : (
              <ActionButton onClick={() => send('place')} disabled={!form.reason.trim()} busyText="Placing…">
                Place legal hold
              </ActionButton>
            )}
            <button type="button" className="btn secondary" onClick={reset}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {mode === 'confirm' && (
        <div className="confirm" aria-labelledby={`hold-confirm-${item.id}`} role="group">
          <p id={`hold-confirm-${item.id}`} tabIndex={-1}>
            <strong>Release the legal hold of {name}?</strong>
          </p>
          <p>
            Storage will no longer hold this file for legal proceedings. The file is not deleted: {retention} The
            release is recorded on the item and in the audit trail with your name, your reason and reference{' '}
            {form.reference.trim()}. A hold can be placed again at any time.
          </p>
          <div className="btn-row">
            <ActionButton kind="danger" onClick={() => send('release')} busyText="Releasing…">
              Yes, release the legal hold
            </ActionButton>
            <button type="button" className="btn secondary" onClick={() => setMode('release')}>
              Keep the hold
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

/**
 * A refused change, in the service's own words: they say what happened to the hold in storage (a database failure
 * after storage changed, a refusal of the storage engine naming its code), which a generic message would hide.
 */
function HoldError({ error, context }: { error: unknown; context: string }) {
  if (!error) return null;
  const body = error instanceof ApiError ? error.body : undefined;
  const fieldsOnly = error instanceof ApiError && error.fields.length > 0;
  const message =
    error instanceof ApiError && !fieldsOnly && error.status !== 401
      ? (body?.message ?? error.message)
      : error instanceof Error
        ? error.message
        : String(error);
  return (
    <div className="error" role="alert">
      <p>
        {context}: {message}
      </p>
      {body?.currentState && <p>The case is now {label(body.currentState)}.</p>}
      {fieldsOnly && <p>See the marked fields.</p>}
      {body?.requestId && <p className="muted">Reference for support: {body.requestId}</p>}
    </div>
  );
}
