import { createContext, ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError } from './api/client';
import { Link } from './router';
import { useSession } from './session';
import { uploadEvidence, UploadCancelled, type EvidenceMetadata, type EvidenceView, type UploadHandle } from './screens/officer/upload';
import { bytes, Hash } from './ui';

/** One evidence upload, from the click on "Upload file" to its outcome. */
export interface UploadEntry {
  key: string;
  caseId: string;
  caseNumber: string;
  fileName: string;
  file: File;
  meta: EvidenceMetadata;
  /** sending: bytes are going out; storing: all sent, the service is finishing; then done or failed. */
  phase: 'sending' | 'storing' | 'done' | 'failed';
  sent: number;
  total: number;
  result?: EvidenceView;
  error?: unknown;
}

interface Uploads {
  uploads: UploadEntry[];
  /** Starts an upload; it goes on (and stays listed) wherever the officer goes in the console. */
  start(caseId: string, caseNumber: string, file: File, meta: EvidenceMetadata): string;
  cancel(key: string): void;
  dismiss(key: string): void;
  /** Sends the same file again, saying explicitly that a second copy of `existingId` is intended. */
  sendSecondCopy(key: string, existingId: string): void;
  /** Uploads to this case still going. */
  inProgress(caseId: string): UploadEntry[];
  /** Grows by one each time an upload to this case is stored (screens reload the evidence on it). */
  storedCount(caseId: string): number;
  /** Cancels every running upload and forgets them all (signing out: the next user must not see them). */
  discardAll(): void;
}

const UploadsContext = createContext<Uploads | null>(null);
export const running = (u: UploadEntry) => u.phase === 'sending' || u.phase === 'storing';

/**
 * The console's evidence uploads, held above the screens: navigating to "My cases" or another case does not
 * stop or hide an upload, leaving or reloading the page while one runs asks first (beforeunload), and the
 * panel (UploadsPanel) says how each ended, in plain words.
 */
export function UploadsProvider({ children }: { children: ReactNode }) {
  const [uploads, setUploads] = useState<UploadEntry[]>([]);
  const [stored, setStored] = useState<Record<string, number>>({});
  const handles = useRef(new Map<string, UploadHandle>());
  const seq = useRef(0);

  const discardAll = useCallback(() => {
    for (const h of handles.current.values()) h.cancel();
    setUploads([]);
    setStored({});
  }, []);

  // The panel lists case numbers and file names: on a shared computer another user signing in (after the
  // previous one's session expired) must not see them, nor inherit the previous user's running uploads.
  const username = useSession().user?.username ?? null;
  const owner = useRef(username);
  useEffect(() => {
    if (username === null) return; // expired or signed out: the same user may sign in again and keep them
    if (owner.current !== null && owner.current !== username) discardAll();
    owner.current = username;
  }, [username, discardAll]);

  const update = useCallback((key: string, f: (u: UploadEntry) => UploadEntry) =>
    setUploads((all) => all.map((u) => (u.key === key ? f(u) : u))), []);

  const run = useCallback((entry: UploadEntry, duplicateOf?: string) => {
    const h = uploadEvidence(entry.caseId, entry.file, { ...entry.meta, ...(duplicateOf ? { duplicateOf } : {}) }, (sent, total) =>
      update(entry.key, (u) => (u.phase === 'sending' ? { ...u, sent, total, phase: total > 0 && sent >= total ? 'storing' : 'sending' } : u)));
    handles.current.set(entry.key, h);
    h.done.then(
      (result) => {
        update(entry.key, (u) => ({ ...u, phase: 'done', sent: result.sizeBytes, total: result.sizeBytes, result, error: undefined }));
        setStored((s) => ({ ...s, [entry.caseId]: (s[entry.caseId] ?? 0) + 1 }));
      },
      (error: unknown) => update(entry.key, (u) => ({ ...u, phase: 'failed', error })),
    ).finally(() => handles.current.delete(entry.key));
  }, [update]);

  const start = useCallback((caseId: string, caseNumber: string, file: File, meta: EvidenceMetadata) => {
    const entry: UploadEntry = { key: `u${++seq.current}`, caseId, caseNumber, fileName: file.name, file, meta, phase: 'sending', sent: 0, total: file.size };
    setUploads((all) => [...all, entry]);
    run(entry);
    return entry.key;
  }, [run]);

  const value = useMemo<Uploads>(() => ({
    uploads,
    start,
    cancel: (key) => handles.current.get(key)?.cancel(),
    dismiss: (key) => setUploads((all) => all.filter((u) => u.key !== key || running(u))),
    sendSecondCopy: (key, existingId) => {
      const u = uploads.find((x) => x.key === key);
      if (!u || running(u)) return;
      const again: UploadEntry = { ...u, phase: 'sending', sent: 0, total: u.file.size, error: undefined, result: undefined };
      update(key, () => again);
      run(again, existingId);
    },
    inProgress: (caseId) => uploads.filter((u) => u.caseId === caseId && running(u)),
    storedCount: (caseId) => stored[caseId] ?? 0,
    discardAll,
  }), [uploads, stored, start, run, update, discardAll]);

  // Leaving or reloading the page would cut the uploads off: the browser asks first.
  const busy = uploads.some(running);
  useEffect(() => {
    if (!busy) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [busy]);

  return <UploadsContext.Provider value={value}>{children}</UploadsContext.Provider>;
}

export function useUploads(): Uploads {
  const u = useContext(UploadsContext);
  if (!u) throw new Error('useUploads outside UploadsProvider');
  return u;
}

export function percentOf(u: UploadEntry): number {
  if (u.phase === 'storing' || u.phase === 'done') return 100;
  return u.total > 0 ? Math.min(100, Math.floor((u.sent / u.total) * 100)) : 0;
}

/** What happened to an upload that did not end stored, in words an officer can act on. */
export function failureText(u: UploadEntry): string {
  const e = u.error;
  if (e instanceof UploadCancelled) return `${u.fileName} was not stored: you cancelled the upload.`;
  if (e instanceof ApiError) {
    switch (e.code) {
      case 'EVIDENCE.DUPLICATE':
        return `${u.fileName} was not stored: case ${u.caseNumber} already holds this exact file as evidence item ${e.body.existingEvidenceId ?? ''}.`;
      case 'EVIDENCE.EMPTY':
        return `${u.fileName} was not stored: the file is empty (0 bytes), so it is not evidence. Choose the real recording.`;
      case 'CASE.INVALID_TRANSITION':
        return `${u.fileName} was not stored: case ${u.caseNumber} can no longer take evidence${e.body.currentState ? ` (it is now ${e.body.currentState.toLowerCase()})` : ''}, for example because it was submitted meanwhile.`;
      default:
        return `${u.fileName} was not stored: ${e.message}`;
    }
  }
  return `${u.fileName} was not stored: ${e instanceof Error ? e.message : String(e)}`;
}

/**
 * Every upload of this visit, on every screen: case, file, percentage, and how it ended (stored with its
 * SHA-256, or refused with the service's reason). Announced politely to screen readers.
 */
export function UploadsPanel() {
  const { uploads, cancel, dismiss, sendSecondCopy } = useUploads();
  if (uploads.length === 0) return null;
  return (
    <aside className="uploads-panel panel" aria-labelledby="uploads-h">
      <h2 id="uploads-h">Evidence uploads</h2>
      {uploads.some(running) && <p className="hint">Keep this browser tab open until every upload says “Stored”. You may go to other screens meanwhile.</p>}
      <ul>
        {uploads.map((u) => {
          const pct = percentOf(u);
          const duplicateOf = u.error instanceof ApiError && u.error.code === 'EVIDENCE.DUPLICATE' ? u.error.body.existingEvidenceId : undefined;
          return (
            <li key={u.key} className="upload-entry" data-upload-case={u.caseNumber}>
              <p>
                <strong>{u.fileName}</strong> to case <Link to={`/cases/${u.caseId}`}>{u.caseNumber}</Link>
                {running(u) && <>: {u.phase === 'storing' ? 'all bytes sent, the service is storing it' : `${pct}% sent`}</>}
              </p>
              {running(u) && (
                <div className="progress-row">
                  <progress max={100} value={pct} aria-label={`Upload of ${u.fileName} to case ${u.caseNumber}`} />
                  <span className="pct">{pct}%</span>
                  <button type="button" className="btn secondary" onClick={() => cancel(u.key)}>Cancel upload of {u.fileName}</button>
                </div>
              )}
              <div role="status">
                {u.phase === 'done' && u.result && (
                  <p className="success">Stored: {u.fileName} is evidence of case {u.caseNumber}, {bytes(u.result.sizeBytes)}, SHA-256 <Hash value={u.result.sha256} />.</p>
                )}
              </div>
              {u.phase === 'failed' && (
                <div className="error" role="alert">
                  <p>{failureText(u)}</p>
                  {duplicateOf && (
                    <p>
                      If you mean to keep a second copy of the same file,{' '}
                      <button type="button" className="btn secondary" onClick={() => sendSecondCopy(u.key, duplicateOf)}>Upload a second copy anyway</button>
                    </p>
                  )}
                </div>
              )}
              {!running(u) && <button type="button" className="btn secondary" onClick={() => dismiss(u.key)}>Dismiss {u.fileName}</button>}
            </li>
          );
        })}
      </ul>
    </aside>
  );
}
