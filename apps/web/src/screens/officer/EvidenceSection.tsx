import { useEffect, useId, useRef, useState } from 'react';
import { api, ApiError, unwrap } from '../../api/client';
import { evidenceKindValues, type components } from '../../api/schema';
import { useDraft } from '../../drafts';
import {
  ActionButton,
  bytes,
  dateTime,
  DateTimeField,
  ErrorMessage,
  Hash,
  Loaded,
  SelectField,
  StackTable,
  TextArea,
  TextField,
} from '../../ui';
import { type EvidenceKind, type EvidenceView } from './upload';
import { percentOf, useUploads } from '../../uploads';
import { MediaButtons, MediaPlayer, type MediaItem } from '../../media';
import { KIND_LABELS } from '../../words';
import { CHECKLIST_ANCHORS } from './CaseFieldsForm';

type EvidenceList = components['schemas']['CaseEvidenceList'];

interface UploadForm {
  kind: EvidenceKind | '';
  deviceId: string;
  recordingOfficerBadge: string;
  recordedStart: string | null;
  recordedEnd: string | null;
}

const NEW_UPLOAD: UploadForm = {
  kind: 'BWC',
  deviceId: '',
  recordingOfficerBadge: '',
  recordedStart: null,
  recordedEnd: null,
};

/**
 * The case's evidence (every item with its SHA-256, superseded ones marked) and, while the case is with its
 * author, the upload: the file streams to the service, which computes its SHA-256 and size on the way in;
 * those are shown back from the service's answer once it is stored.
 */
export function EvidenceSection({
  caseId,
  caseNumber,
  editable,
  evidence,
  who,
  onUploaded,
}: {
  caseId: string;
  caseNumber: string;
  editable: boolean;
  evidence: { data: EvidenceList | undefined; error: unknown; loading: boolean };
  who: (userId: string) => string;
  onUploaded: () => void;
}) {
  return (
    <section aria-labelledby="ev-h" className="panel">
      <h2 id="ev-h">Evidence</h2>
      <Loaded state={evidence} what="the evidence list">
        {(list) => (
          <EvidenceTable
            items={list.items}
            caseNumber={caseNumber}
            who={who}
            editable={editable}
            onChanged={onUploaded}
          />
        )}
      </Loaded>
      {editable ? (
        <UploadEvidence caseId={caseId} caseNumber={caseNumber} onUploaded={onUploaded} />
      ) : (
        <p className="muted">
          Evidence can be added only while the case is a draft or has been returned to its author.
        </p>
      )}
    </section>
  );
}

function EvidenceTable({
  items,
  caseNumber,
  who,
  editable,
  onChanged,
}: {
  items: EvidenceView[];
  caseNumber: string;
  who: (id: string) => string;
  editable: boolean;
  onChanged: () => void;
}) {
  const [done, setDone] = useState<string | null>(null);
  const [open, setOpen] = useState<MediaItem | null>(null);
  if (items.length === 0) return <p className="muted">No evidence uploaded yet.</p>;
  const superseded = (e: EvidenceView) => {
    setDone(
      `${e.originalFilename ?? 'The item'} is now marked superseded. It stays in the case and in storage, with your reason.`,
    );
    onChanged();
  };
  return (
    <>
      <div role="status">{done && <p className="success">{done}</p>}</div>
      <StackTable className="evidence-table">
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
                <br />
                {e.originalFilename ?? <span className="muted">No file name</span>}
                <br />
                <span className="muted">{e.contentType}</span>
                <br />
                {e.status === 'ACTIVE' ? 'Active' : <span className="badge status-withdrawn">Superseded</span>}
                {e.status !== 'ACTIVE' && e.supersedeReason && (
                  <>
                    <br />
                    Reason: {e.supersedeReason}
                  </>
                )}
                {editable && e.status === 'ACTIVE' && (
                  <Supersede
                    item={e}
                    others={items.filter((o) => o.id !== e.id && o.status === 'ACTIVE')}
                    onDone={superseded}
                  />
                )}
                {e.integrity.status === 'FAILED' && (
                  <>
                    <br />
                    <span className="badge failed">Integrity check failed</span>
                  </>
                )}
                <MediaButtons item={mediaItemOf(e)} onOpen={setOpen} />
              </td>
              <td>{bytes(e.sizeBytes)}</td>
              <td>
                <Hash value={e.sha256} />
              </td>
              <td>
                {dateTime(e.uploadedAt)}
                <br />
                <span className="muted">by {who(e.uploadedBy)}</span>
              </td>
              <td>
                {e.deviceId ? (
                  <>
                    Device {e.deviceId}
                    <br />
                  </>
                ) : null}
                {e.recordingOfficerBadge ? (
                  <>
                    Badge {e.recordingOfficerBadge}
                    <br />
                  </>
                ) : null}
                {e.recordedStart || e.recordedEnd ? (
                  <>
                    {dateTime(e.recordedStart)} to {dateTime(e.recordedEnd)}
                  </>
                ) : null}
                {!e.deviceId && !e.recordingOfficerBadge && !e.recordedStart && !e.recordedEnd && (
                  <span className="muted">Not given</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </StackTable>
      {open && <MediaPlayer key={open.id} item={open} onClose={() => setOpen(null)} />}
    </>
  );
}

const mediaItemOf = (e: EvidenceView): MediaItem => ({
  id: e.id,
  contentType: e.contentType,
  originalFilename: e.originalFilename ?? null,
  label: KIND_LABELS[e.kind],
});

/**
 * A mistaken upload (wrong file, wrong case) is never deleted: it is marked superseded with a reason, and
 * optionally the item of this case that replaces it. It stays listed, stored and in every packet's history.
 */
function Supersede({
  item,
  others,
  onDone,
}: {
  item: EvidenceView;
  others: EvidenceView[];
  onDone: (e: EvidenceView) => void;
}) {
  const [open, setOpen] = useState(false);
  const [form, setForm, clearForm] = useDraft<{ reason: string; replacedBy: string }>(`evidence-supersede:${item.id}`, {
    reason: '',
    replacedBy: '',
  });
  const [error, setError] = useState<unknown>(null);
  const name = item.originalFilename ?? `${KIND_LABELS[item.kind]} of ${dateTime(item.uploadedAt)}`;
  const apiError = error instanceof ApiError ? error : null;
  if (!open) {
    return (
      <>
        <br />
        <button
          type="button"
          className="btn secondary"
          onClick={() => setOpen(true)}
          aria-label={`Mark as superseded: ${name}`}
        >
          Mark as superseded
        </button>
      </>
    );
  }
  const submit = async () => {
    setError(null);
    try {
      const e = await unwrap(
        api.POST('/api/v1/evidence/{id}/supersede', {
          params: { path: { id: item.id } },
          body: { reason: form.reason.trim(), ...(form.replacedBy ? { replacedBy: form.replacedBy } : {}) },
        }),
      );
      clearForm();
      onDone(e);
    } catch (err) {
      setError(err);
    }
  };
  const replacements = others.map((o) => o.id);
  const replacementLabels = Object.fromEntries(
    others.map((o) => [o.id, `${o.originalFilename ?? KIND_LABELS[o.kind]} (SHA-256 ${o.sha256.slice(0, 12)}…)`]),
  );
  return (
    <div className="confirm">
      <p>
        <strong>Mark {name} as superseded?</strong> It is not deleted: it stays in the case, in storage and in the audit
        trail, marked with your reason.
      </p>
      <ErrorMessage error={error} context="Not marked superseded" />
      <TextArea
        label="Why (required)"
        rows={2}
        maxLength={2000}
        required
        value={form.reason}
        onChange={(v) => setForm((f) => ({ ...f, reason: v }))}
        error={apiError?.forField('reason')}
      />
      {replacements.length > 0 && (
        <SelectField
          label="Replaced by (optional)"
          value={form.replacedBy}
          options={replacements}
          labels={replacementLabels}
          placeholder="No replacement"
          onChange={(v) => setForm((f) => ({ ...f, replacedBy: v }))}
          error={apiError?.forField('replacedBy')}
        />
      )}
      <div className="btn-row">
        <ActionButton kind="danger" onClick={submit} disabled={!form.reason.trim()} busyText="Marking…">
          Mark superseded
        </ActionButton>
        <button type="button" className="btn secondary" onClick={() => setOpen(false)}>
          Keep it active
        </button>
      </div>
    </div>
  );
}

/** The kind a file most likely is, from the type the browser gives it (the officer can change it). */
export function kindFromFile(file: File): EvidenceKind | '' {
  const t = file.type.toLowerCase();
  if (t.startsWith('video/') || /\.(mp4|mov|m4v|avi|mkv|webm|mts)$/i.test(file.name)) return 'BWC';
  if (t.startsWith('image/')) return 'PHOTO';
  if (t.startsWith('audio/')) return 'AUDIO';
  if (t === 'application/pdf' || t.startsWith('text/') || /\.(pdf|docx?|txt|rtf)$/i.test(file.name)) return 'DOCUMENT';
  return '';
}

/** One picked file and what the officer changed of its metadata (undefined: the batch's default). */
interface PickedFile {
  id: number;
  file: File;
  kind?: EvidenceKind | '';
  deviceId?: string;
  recordingOfficerBadge?: string;
  recordedStart?: string | null;
  recordedEnd?: string | null;
}

/**
 * Several files at once (dropped or chosen), each with its own metadata: the kind guessed from the file's
 * type, the camera and badge taken from the batch's fields above the list unless changed for that file.
 * "Upload" hands them to the uploads tray, which sends them one after another (tus, resumable) wherever
 * the officer goes; the evidence list here grows as each is stored.
 */
function UploadEvidence({
  caseId,
  caseNumber,
  onUploaded,
}: {
  caseId: string;
  caseNumber: string;
  onUploaded: () => void;
}) {
  const [defaults, setDefaults] = useDraft<UploadForm>(`evidence-upload:${caseId}`, NEW_UPLOAD);
  const [picked, setPicked] = useState<PickedFile[]>([]);
  const [queued, setQueued] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const [adding, setAdding] = useState(false);
  const uploads = useUploads();
  const input = useRef<HTMLInputElement>(null);
  const fileId = useId();
  const seq = useRef(0);

  // Each item stored reloads the case and its evidence (not on arrival here: only what is stored from now on).
  const storedCount = uploads.storedCount(caseId);
  const seen = useRef(storedCount);
  useEffect(() => {
    if (storedCount === seen.current) return;
    seen.current = storedCount;
    onUploaded();
  }, [storedCount, onUploaded]);

  const add = (files: FileList | File[] | null) => {
    if (!files || files.length === 0) return;
    setQueued(null);
    // Copied now: the input's FileList empties when the input is reset for the next pick.
    const added = Array.from(files).map((file) => ({ id: ++seq.current, file }));
    setPicked((p) => [...p, ...added]);
  };
  const setRow = (id: number, change: Partial<PickedFile>) =>
    setPicked((p) => p.map((r) => (r.id === id ? { ...r, ...change } : r)));
  const kindOf = (r: PickedFile) => (r.kind !== undefined ? r.kind : kindFromFile(r.file));
  const missingKind = picked.some((r) => !kindOf(r));

  const start = async () => {
    if (picked.length === 0 || missingKind) return;
    setAdding(true);
    try {
      await uploads.start(
        caseId,
        caseNumber,
        picked.map((r) => ({
          file: r.file,
          meta: {
            kind: kindOf(r) as EvidenceKind,
            deviceId: r.deviceId ?? defaults.deviceId,
            recordingOfficerBadge: r.recordingOfficerBadge ?? defaults.recordingOfficerBadge,
            recordedStart: (r.recordedStart !== undefined ? r.recordedStart : defaults.recordedStart) ?? undefined,
            recordedEnd: (r.recordedEnd !== undefined ? r.recordedEnd : defaults.recordedEnd) ?? undefined,
          },
        })),
      );
      setQueued(
        `${picked.length === 1 ? picked[0].file.name : `${picked.length} files`} added to “Evidence uploads” at the top of the page.`,
      );
      setPicked([]);
      if (input.current) input.current.value = '';
    } finally {
      setAdding(false);
    }
  };

  // Screen readers hear this case's upload at 0, 25, 50, 75 and 100 %, not at every step.
  const mine = uploads.uploads.filter((u) => u.caseId === caseId);
  const now = mine.find((u) => u.phase === 'sending' || u.phase === 'storing') ?? mine.at(-1);
  const quarter = now ? Math.floor(percentOf(now) / 25) * 25 : 0;
  const spoken = !now
    ? ''
    : now.phase === 'sending' || now.phase === 'queued'
      ? `Uploading ${now.fileName}: ${quarter}% sent.`
      : now.phase === 'storing'
        ? `Uploading ${now.fileName}: 100% sent. The service is storing the file and computing its SHA-256.`
        : now.phase === 'done'
          ? `Upload of ${now.fileName} complete: stored.`
          : now.phase === 'failed'
            ? `Upload of ${now.fileName} failed.`
            : now.phase === 'abandoned'
              ? `Upload of ${now.fileName} abandoned.`
              : `Upload of ${now.fileName} is waiting.`;

  return (
    <div className="upload">
      <h3>Upload evidence</h3>
      <p>
        Files are sent as they are, several one after another. The service computes each file's SHA-256 fingerprint and
        size while it arrives. Large body-worn camera files can take a while: the upload goes on while you use other
        screens, waits out a dropped connection, and after a reload goes on where it stopped once you choose the same
        file again (see “Evidence uploads” at the top of the page).
      </p>
      <div
        id={CHECKLIST_ANCHORS.evidenceOrNoFootageReason}
        className={`field dropzone${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          add(e.dataTransfer.files);
        }}
      >
        <label htmlFor={fileId}>Files</label>
        <p id={`${fileId}-hint`} className="hint">
          Drop files here or choose them, several at once. Any format: video, photo, audio or document.
        </p>
        <input
          id={fileId}
          ref={input}
          type="file"
          multiple
          aria-describedby={`${fileId}-hint`}
          onChange={(e) => {
            add(e.target.files);
            e.target.value = '';
          }}
        />
      </div>
      <fieldset className="batch-defaults">
        <legend>For every file (unless changed for one file below)</legend>
        <TextField
          label="Camera or device id"
          hint="For body-worn camera footage, the camera's serial number."
          maxLength={100}
          value={defaults.deviceId}
          onChange={(v) => setDefaults((f) => ({ ...f, deviceId: v }))}
        />
        <TextField
          label="Badge number of the officer who recorded it"
          hint="Letters, digits and hyphens."
          maxLength={20}
          value={defaults.recordingOfficerBadge}
          onChange={(v) => setDefaults((f) => ({ ...f, recordingOfficerBadge: v }))}
        />
      </fieldset>
      {picked.map((r, i) => (
        <fieldset key={r.id} className="picked-file">
          <legend>
            {r.file.name} ({bytes(r.file.size)})
          </legend>
          <SelectField
            label="Kind of evidence"
            value={kindOf(r)}
            options={evidenceKindValues}
            labels={KIND_LABELS}
            onChange={(v) => setRow(r.id, { kind: v })}
            error={kindOf(r) ? undefined : 'Choose the kind of evidence.'}
          />
          <TextField
            label="Camera or device id"
            maxLength={100}
            value={r.deviceId ?? defaults.deviceId}
            onChange={(v) => setRow(r.id, { deviceId: v })}
          />
          <TextField
            label="Badge number of the officer who recorded it"
            maxLength={20}
            value={r.recordingOfficerBadge ?? defaults.recordingOfficerBadge}
            onChange={(v) => setRow(r.id, { recordingOfficerBadge: v })}
          />
          <DateTimeField
            label="Recording started"
            value={r.recordedStart !== undefined ? r.recordedStart : defaults.recordedStart}
            onChange={(v) => setRow(r.id, { recordedStart: v })}
          />
          <DateTimeField
            label="Recording ended"
            value={r.recordedEnd !== undefined ? r.recordedEnd : defaults.recordedEnd}
            onChange={(v) => setRow(r.id, { recordedEnd: v })}
          />
          <button
            type="button"
            className="btn secondary"
            onClick={() => setPicked((p) => p.filter((x) => x.id !== r.id))}
            aria-label={`Remove from this batch: ${r.file.name} (file ${i + 1})`}
          >
            Remove from this batch
          </button>
        </fieldset>
      ))}
      <div className="btn-row">
        <ActionButton onClick={start} disabled={picked.length === 0 || missingKind || adding} busyText="Adding…">
          {picked.length > 1 ? `Upload ${picked.length} files` : 'Upload file'}
        </ActionButton>
      </div>
      <div role="status">{queued && <p className="success">{queued}</p>}</div>
      <p className="sr-only" aria-live="polite">
        {spoken}
      </p>
    </div>
  );
}
