import { useEffect, useId, useRef, useState } from 'react';
import { api, ApiError, unwrap } from '../../api/client';
import { evidenceKindValues, type components } from '../../api/schema';
import { useDraft } from '../../drafts';
import { ActionButton, bytes, dateTime, DateTimeField, ErrorMessage, Hash, Loaded, SelectField, TextArea, TextField } from '../../ui';
import { UploadCancelled, type EvidenceKind, type EvidenceView } from './upload';
import { percentOf, useUploads } from '../../uploads';
import { KIND_LABELS } from '../../words';

type EvidenceList = components['schemas']['CaseEvidenceList'];


interface UploadForm {
  kind: EvidenceKind | '';
  deviceId: string;
  recordingOfficerBadge: string;
  recordedStart: string | null;
  recordedEnd: string | null;
}

const NEW_UPLOAD: UploadForm = { kind: 'BWC', deviceId: '', recordingOfficerBadge: '', recordedStart: null, recordedEnd: null };


/**
 * The case's evidence (every item with its SHA-256, superseded ones marked) and, while the case is with its
 * author, the upload: the file streams to the service, which computes its SHA-256 and size on the way in;
 * those are shown back from the service's answer once it is stored.
 */
export function EvidenceSection({ caseId, caseNumber, editable, evidence, who, onUploaded }: {
  caseId: string; caseNumber: string; editable: boolean;
  evidence: { data: EvidenceList | undefined; error: unknown; loading: boolean };
  who: (userId: string) => string; onUploaded: () => void;
}) {
  return (
    <section aria-labelledby="ev-h" className="panel">
      <h2 id="ev-h">Evidence</h2>
      <Loaded state={evidence} what="the evidence list">
        {(list) => <EvidenceTable items={list.items} caseNumber={caseNumber} who={who} editable={editable} onChanged={onUploaded} />}
      </Loaded>
      {editable
        ? <UploadEvidence caseId={caseId} caseNumber={caseNumber} onUploaded={onUploaded} />
        : <p className="muted">Evidence can be added only while the case is a draft or has been returned to its author.</p>}
    </section>
  );
}

function EvidenceTable({ items, caseNumber, who, editable, onChanged }: {
  items: EvidenceView[]; caseNumber: string; who: (id: string) => string; editable: boolean; onChanged: () => void;
}) {
  const [done, setDone] = useState<string | null>(null);
  if (items.length === 0) return <p className="muted">No evidence uploaded yet.</p>;
  const superseded = (e: EvidenceView) => {
    setDone(`${e.originalFilename ?? 'The item'} is now marked superseded. It stays in the case and in storage, with your reason.`);
    onChanged();
  };
  return (
    <>
    <div role="status">{done && <p className="success">{done}</p>}</div>
    <table className="evidence-table">
      <caption>Evidence of case {caseNumber}, oldest first</caption>
      <thead>
        <tr>
          <th scope="col">Item</th>
          <th scope="col">Size</th>
          <th scope="col">SHA-256</th>
          <th scope="col">Uploaded</th>
          <th scope="col">Recording</th>
        </tr>
      </thead>
      <tbody>
        {items.map((e) => (
          <tr key={e.id}>
            <td>
              <strong>{KIND_LABELS[e.kind]}</strong>
              <br />{e.originalFilename ?? <span className="muted">No file name</span>}
              <br /><span className="muted">{e.contentType}</span>
              <br />{e.status === 'ACTIVE' ? 'Active' : <span className="badge status-withdrawn">Superseded</span>}
              {e.status !== 'ACTIVE' && e.supersedeReason && <><br />Reason: {e.supersedeReason}</>}
              {editable && e.status === 'ACTIVE' && <Supersede item={e} others={items.filter((o) => o.id !== e.id && o.status === 'ACTIVE')} onDone={superseded} />}
              {e.integrity.status === 'FAILED' && <><br /><span className="badge failed">Integrity check failed</span></>}
            </td>
            <td>{bytes(e.sizeBytes)}</td>
            <td><Hash value={e.sha256} /></td>
            <td>{dateTime(e.uploadedAt)}<br /><span className="muted">by {who(e.uploadedBy)}</span></td>
            <td>
              {e.deviceId ? <>Device {e.deviceId}<br /></> : null}
              {e.recordingOfficerBadge ? <>Badge {e.recordingOfficerBadge}<br /></> : null}
              {e.recordedStart || e.recordedEnd ? <>{dateTime(e.recordedStart)} to {dateTime(e.recordedEnd)}</> : null}
              {!e.deviceId && !e.recordingOfficerBadge && !e.recordedStart && !e.recordedEnd && <span className="muted">Not given</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
    </>
  );
}

/**
 * A mistaken upload (wrong file, wrong case) is never deleted: it is marked superseded with a reason, and
 * optionally the item of this case that replaces it. It stays listed, stored and in every packet's history.
 */
function Supersede({ item, others, onDone }: { item: EvidenceView; others: EvidenceView[]; onDone: (e: EvidenceView) => void }) {
  const [open, setOpen] = useState(false);
  const [form, setForm, clearForm] = useDraft<{ reason: string; replacedBy: string }>(`evidence-supersede:${item.id}`, { reason: '', replacedBy: '' });
  const [error, setError] = useState<unknown>(null);
  const name = item.originalFilename ?? `${KIND_LABELS[item.kind]} of ${dateTime(item.uploadedAt)}`;
  const apiError = error instanceof ApiError ? error : null;
  if (!open) {
    return <><br /><button type="button" className="btn secondary" onClick={() => setOpen(true)} aria-label={`Mark as superseded: ${name}`}>Mark as superseded</button></>;
  }
  const submit = async () => {
    setError(null);
    try {
      const e = await unwrap(api.POST('/api/v1/evidence/{id}/supersede', {
        params: { path: { id: item.id } },
        body: { reason: form.reason.trim(), ...(form.replacedBy ? { replacedBy: form.replacedBy } : {}) },
      }));
      clearForm();
      onDone(e);
    } catch (err) {
      setError(err);
    }
  };
  const replacements = others.map((o) => o.id);
  const replacementLabels = Object.fromEntries(others.map((o) => [o.id, `${o.originalFilename ?? KIND_LABELS[o.kind]} (SHA-256 ${o.sha256.slice(0, 12)}…)`]));
  return (
    <div className="confirm">
      <p><strong>Mark {name} as superseded?</strong> It is not deleted: it stays in the case, in storage and in the audit trail, marked with your reason.</p>
      <ErrorMessage error={error} context="Not marked superseded" />
      <TextArea label="Why (required)" rows={2} maxLength={2000} required value={form.reason}
        onChange={(v) => setForm((f) => ({ ...f, reason: v }))} error={apiError?.forField('reason')} />
      {replacements.length > 0 && (
        <SelectField label="Replaced by (optional)" value={form.replacedBy} options={replacements} labels={replacementLabels} placeholder="No replacement"
          onChange={(v) => setForm((f) => ({ ...f, replacedBy: v }))} error={apiError?.forField('replacedBy')} />
      )}
      <div className="btn-row">
        <ActionButton kind="danger" onClick={submit} disabled={!form.reason.trim()} busyText="Marking…">Mark superseded</ActionButton>
        <button type="button" className="btn secondary" onClick={() => setOpen(false)}>Keep it active</button>
      </div>
    </div>
  );
}

function UploadEvidence({ caseId, caseNumber, onUploaded }: { caseId: string; caseNumber: string; onUploaded: () => void }) {
  const [form, setForm, clearForm] = useDraft<UploadForm>(`evidence-upload:${caseId}`, NEW_UPLOAD);
  const [file, setFile] = useState<File | null>(null);
  // The upload itself lives in the app-level manager: it goes on (and stays listed) wherever the officer navigates.
  const uploads = useUploads();
  const progress = uploads.uploads.filter((u) => u.caseId === caseId).at(-1) ?? null;
  const input = useRef<HTMLInputElement>(null);
  const fileId = useId();
  const busy = progress?.phase === 'sending' || progress?.phase === 'storing';
  const apiError = progress?.error instanceof ApiError ? progress.error : null;
  const set = <K extends keyof UploadForm>(k: K, v: UploadForm[K]) => setForm((f) => ({ ...f, [k]: v }));

  // Each item stored reloads the case and its evidence (not on arrival here: only what is stored from now on).
  const storedCount = uploads.storedCount(caseId);
  const seen = useRef(storedCount);
  useEffect(() => {
    if (storedCount === seen.current) return;
    seen.current = storedCount;
    onUploaded();
  }, [storedCount, onUploaded]);
  // Once stored, the form is cleared for the next file; after a refusal what was typed stays.
  const storedId = progress?.phase === 'done' ? progress.result?.id : undefined;
  useEffect(() => {
    if (!storedId) return;
    setFile(null);
    if (input.current) input.current.value = '';
    setForm(NEW_UPLOAD);
    clearForm();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [storedId]);

  const start = async () => {
    if (!file || !form.kind) return;
    uploads.start(caseId, caseNumber, file, {
      kind: form.kind,
      deviceId: form.deviceId,
      recordingOfficerBadge: form.recordingOfficerBadge,
      recordedStart: form.recordedStart ?? undefined,
      recordedEnd: form.recordedEnd ?? undefined,
    });
  };
  const duplicateOf = apiError?.code === 'EVIDENCE.DUPLICATE' ? apiError.body.existingEvidenceId : undefined;

  const pct = progress ? percentOf(progress) : 0;
  // Screen readers hear the progress at 0, 25, 50, 75 and 100 %, not at every step.
  const quarter = Math.floor(pct / 25) * 25;
  const spoken = !progress ? ''
    : progress.phase === 'sending' ? `Uploading ${progress.fileName}: ${quarter}% sent.`
    : progress.phase === 'storing' ? `Uploading ${progress.fileName}: 100% sent. The service is storing the file and computing its SHA-256.`
    : progress.phase === 'done' ? `Upload of ${progress.fileName} complete: stored.`
    : `Upload of ${progress.fileName} failed.`;

  return (
    <div className="upload">
      <h3>Upload evidence</h3>
      <p>
        The file is sent as it is. The service computes its SHA-256 fingerprint and size while it arrives and shows them here when it is
        stored. Large body-worn camera files can take a while: keep this browser tab open until it says “Stored” (you may go to other
        screens meanwhile; the upload is listed under “Evidence uploads”).
      </p>
      <div className={`field${apiError?.forField('file') ? ' has-error' : ''}`}>
        <label htmlFor={fileId}>File</label>
        <p id={`${fileId}-hint`} className="hint">Any format: video, photo, audio or document.</p>
        <input id={fileId} ref={input} type="file" disabled={busy} aria-describedby={`${fileId}-hint`}
          onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        {file && <p className="muted">Selected: {file.name}, {bytes(file.size)}</p>}
      </div>
      <SelectField label="Kind of evidence" value={form.kind} options={evidenceKindValues} labels={KIND_LABELS} onChange={(v) => set('kind', v)}
        error={apiError?.forField('kind') ?? (form.kind ? undefined : 'Choose the kind of evidence.')} />
      <TextField label="Camera or device id" hint="For body-worn camera footage, the camera's serial number." maxLength={100}
        value={form.deviceId} onChange={(v) => set('deviceId', v)} error={apiError?.forField('deviceId')} />
      <TextField label="Badge number of the officer who recorded it" hint="Letters, digits and hyphens." maxLength={20}
        value={form.recordingOfficerBadge} onChange={(v) => set('recordingOfficerBadge', v)} error={apiError?.forField('recordingOfficerBadge')} />
      <DateTimeField label="Recording started" value={form.recordedStart} onChange={(v) => set('recordedStart', v)} error={apiError?.forField('recordedStart')} />
      <DateTimeField label="Recording ended" value={form.recordedEnd} onChange={(v) => set('recordedEnd', v)} error={apiError?.forField('recordedEnd')} />
      <div className="btn-row">
        <ActionButton onClick={start} disabled={!file || !form.kind || busy} busyText="Uploading…">Upload file</ActionButton>
        {busy && progress && <button type="button" className="btn secondary" onClick={() => uploads.cancel(progress.key)}>Cancel upload</button>}
      </div>

      {progress && (
        <div className="upload-progress">
          <label htmlFor={`${fileId}-progress`}>Upload progress: {progress.fileName}</label>
          <div className="progress-row">
            <progress id={`${fileId}-progress`} max={100} value={pct} />
            <span className="pct">{pct}%</span>
          </div>
          {progress.phase === 'storing' && <p className="muted">All bytes sent. Waiting for the service to finish storing the file and computing its SHA-256…</p>}
        </div>
      )}
      <p className="sr-only" aria-live="polite">{spoken}</p>
      <div role="status">
        {progress?.phase === 'done' && progress.result && (
          <div className="success">
            <p><strong>Stored.</strong> {progress.fileName} is now evidence of this case, as received by the service:</p>
            <dl className="facts">
              <dt>SHA-256</dt><dd><Hash value={progress.result.sha256} /></dd>
              <dt>Size</dt><dd>{bytes(progress.result.sizeBytes)}</dd>
              <dt>Type found</dt><dd>{progress.result.contentType}</dd>
              <dt>Preservation</dt><dd>{progress.result.preservation.note}</dd>
            </dl>
          </div>
        )}
      </div>
      {progress?.phase === 'failed' && (
        progress.error instanceof UploadCancelled
          ? <p className="notice" role="alert">{progress.error.message}</p>
          : <>
              <ErrorMessage error={progress.error} context={`${progress.fileName} was not stored`} />
              {duplicateOf && (
                <p>
                  This exact file is already evidence item {duplicateOf} of this case.{' '}
                  <button type="button" className="btn secondary" onClick={() => uploads.sendSecondCopy(progress.key, duplicateOf)}>Upload a second copy anyway</button>
                </p>
              )}
              {progress.error instanceof ApiError && progress.error.status === 401 && <p>Sign in again, then choose the file again: the details you typed are kept.</p>}
            </>
      )}
    </div>
  );
}
