import { createContext, ReactNode, useCallback, useContext, useEffect, useId, useMemo, useRef, useState } from 'react';
import { api, ApiError, unwrap } from './api/client';
import { Link } from './router';
import { useSession } from './session';
import {
  abandonTusUpload,
  startTusUpload,
  type EvidenceMetadata,
  type EvidenceView,
  type Interruption,
  type TusHandle,
} from './screens/officer/upload';
import { headDigest } from './sha256';
import { bytes, Hash } from './ui';

/**
 * Where an upload stands. queued: waiting its turn; sending: bytes going out; storing: all sent, the service
 * is finishing; paused: by the officer; offline: the network (or the service) dropped, it goes on by itself
 * when it is back; signin: the session ended, it goes on after signing in again; reselect: after a reload
 * or a closed tab, the browser no longer holds the file: the officer picks it again. Then it ends: done,
 * failed (the service's reason) or abandoned.
 */
export type Phase =
  'queued' | 'sending' | 'storing' | 'paused' | 'offline' | 'signin' | 'reselect' | 'done' | 'failed' | 'abandoned';

export interface UploadEntry {
  key: string;
  caseId: string;
  caseNumber: string;
  fileName: string;
  size: number;
  /** The file, while this page holds it (null after a reload until it is picked again). */
  file: File | null;
  /** SHA-256 of the file's first 64 KiB: with the size, how a file picked again is recognised. */
  head: string;
  meta: EvidenceMetadata;
  phase: Phase;
  sent: number;
  /** The upload's URL on the service once created: what resuming starts from. */
  uploadUrl: string | null;
  /** Bytes per second over the last few seconds, while sending. */
  rate: number | null;
  evidenceId?: string | null;
  result?: EvidenceView;
  error?: unknown;
  /** A message about the last thing the officer tried on it (a different file picked again, abandon refused). */
  note?: string;
}

/** One file to upload, with its metadata (from the evidence section's batch form). */
export interface NewUpload {
  file: File;
  meta: EvidenceMetadata;
}

interface Uploads {
  uploads: UploadEntry[];
  /** Queues files for a case; they go one after another, and on wherever the officer goes in the console. */
  start(caseId: string, caseNumber: string, files: NewUpload[]): Promise<void>;
  pause(key: string): void;
  resume(key: string): void;
  /** Abandons an unfinished upload: the service deletes what it had (tus DELETE). */
  abandon(key: string): Promise<void>;
  /** After a reload: the file picked again, accepted only if it is the same file (size and first bytes). */
  reselect(key: string, file: File): Promise<boolean>;
  dismiss(key: string): void;
  /** Sends the same file again, saying explicitly that a second copy of `existingId` is intended. */
  sendSecondCopy(key: string, existingId: string): void;
  /** Uploads to this case not ended yet (sending, waiting, paused or waiting for the file): Submit waits for them. */
  inProgress(caseId: string): UploadEntry[];
  /** Grows by one each time an upload to this case is stored (screens reload the evidence on it). */
  storedCount(caseId: string): number;
  /** Abandons every unfinished upload and forgets them all (signing out: the next user must not see them). */
  discardAll(): Promise<void>;
}

const UploadsContext = createContext<Uploads | null>(null);
const UNFINISHED: readonly Phase[] = ['queued', 'sending', 'storing', 'paused', 'offline', 'signin', 'reselect'];
/** Not ended yet (done, failed or abandoned). */
export const unfinished = (u: UploadEntry) => UNFINISHED.includes(u.phase);
/** Bytes are moving (or the service is finishing): leaving the page would cut them off. */
export const sending = (u: UploadEntry) => u.phase === 'sending' || u.phase === 'storing';

// --- the record of unfinished uploads, kept in this browser (localStorage) so that a reload or a closed tab
// can resume them: per user, never the token, never the file (a browser cannot keep it).

interface UploadRecord {
  key: string;
  caseId: string;
  caseNumber: string;
  fileName: string;
  size: number;
  head: string;
  meta: EvidenceMetadata;
  uploadUrl: string | null;
  createdAt: string;
}

const recordPrefix = (username: string) => `ion.upload:${username}:`;

function saveRecord(username: string, u: UploadEntry): void {
  const r: UploadRecord = {
    key: u.key,
    caseId: u.caseId,
    caseNumber: u.caseNumber,
    fileName: u.fileName,
    size: u.size,
    head: u.head,
    meta: u.meta,
    uploadUrl: u.uploadUrl,
    createdAt: new Date().toISOString(),
  };
  try {
    localStorage.setItem(recordPrefix(username) + u.key, JSON.stringify(r));
  } catch {
    // Storage full or refused: the upload goes on; only resuming after a reload is lost.
  }
}

function dropRecord(username: string, key: string): void {
  try {
    localStorage.removeItem(recordPrefix(username) + key);
  } catch {
    // nothing to drop
  }
}

function loadRecords(username: string): UploadRecord[] {
  const out: UploadRecord[] = [];
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      if (!k?.startsWith(recordPrefix(username))) continue;
      try {
        const r = JSON.parse(localStorage.getItem(k) ?? 'null') as UploadRecord | null;
        if (r && typeof r.key === 'string' && typeof r.size === 'number' && typeof r.head === 'string') out.push(r);
      } catch {
        localStorage.removeItem(k);
      }
    }
  } catch {
    return out;
  }
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

const newKey = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

/**
 * The console's evidence uploads, held above the screens (tus, resumable): one file at a time in a queue,
 * going on whatever screen the officer opens; a network drop waits for the network and goes on by itself;
 * a reload or a closed tab lists the unfinished ones, each resumed once its file is picked again. The tray
 * (UploadsPanel) says how each ended, in plain words.
 */
export function UploadsProvider({ children }: { children: ReactNode }) {
  const [uploads, setUploads] = useState<UploadEntry[]>([]);
  const [stored, setStored] = useState<Record<string, number>>({});
  const handles = useRef(new Map<string, TusHandle>());
  const current = useRef<UploadEntry[]>([]);
  current.current = uploads;
  const { user } = useSession();
  const username = user?.username ?? null;
  const owner = useRef<string | null>(null);
  const samples = useRef(new Map<string, { t: number; sent: number }[]>());

  const update = useCallback(
    (key: string, f: (u: UploadEntry) => UploadEntry) =>
      setUploads((all) => all.map((u) => (u.key === key ? f(u) : u))),
    [],
  );

  const forget = useCallback((key: string) => {
    if (owner.current) dropRecord(owner.current, key);
  }, []);

  // Signing in: this user's unfinished uploads from an earlier visit (reload, closed tab) are listed, waiting
  // for their files. Another user at the same computer sees none of the previous user's uploads.
  useEffect(() => {
    if (username === null) return; // expired or signed out: the same user may sign in again and keep them
    if (owner.current !== username) {
      for (const h of handles.current.values()) void h.pause();
      handles.current.clear();
      owner.current = username;
      const back: UploadEntry[] = loadRecords(username).map((r) => ({
        key: r.key,
        caseId: r.caseId,
        caseNumber: r.caseNumber,
        fileName: r.fileName,
        size: r.size,
        head: r.head,
        meta: r.meta,
        uploadUrl: r.uploadUrl,
        file: null,
        phase: 'reselect',
        sent: 0,
        rate: null,
      }));
      setUploads(back);
      setStored({});
      return;
    }
    // The same user signed in again: what stopped on the ended session goes on.
    setUploads((all) => all.map((u) => (u.phase === 'signin' ? { ...u, phase: 'queued' } : u)));
  }, [user, username]);

  const progress = useCallback(
    (key: string, sent: number, total: number) => {
      const now = Date.now();
      const s = (samples.current.get(key) ?? []).filter((x) => now - x.t <= 5000);
      s.push({ t: now, sent });
      samples.current.set(key, s);
      const first = s[0];
      const rate = now - first.t >= 500 ? ((sent - first.sent) * 1000) / (now - first.t) : null;
      update(key, (u) =>
        u.phase === 'sending' || u.phase === 'storing'
          ? { ...u, sent, rate: rate ?? u.rate, phase: total > 0 && sent >= total ? 'storing' : 'sending' }
          : u,
      );
    },
    [update],
  );

  const stopped = useCallback(
    (key: string, why: Interruption) => {
      handles.current.delete(key);
      samples.current.delete(key);
      if (why.kind === 'refused') forget(key);
      update(key, (u) => {
        if (!sending(u)) return u; // paused or abandoned meanwhile
        if (why.kind === 'network') return { ...u, phase: 'offline', rate: null };
        if (why.kind === 'session') return { ...u, phase: 'signin', rate: null };
        return { ...u, phase: 'failed', rate: null, error: why.error };
      });
    },
    [update, forget],
  );

  const storedOne = useCallback(
    (entry: UploadEntry, evidenceId: string | null) => {
      handles.current.delete(entry.key);
      samples.current.delete(entry.key);
      forget(entry.key);
      update(entry.key, (u) => ({ ...u, phase: 'done', sent: u.size, rate: null, evidenceId, error: undefined }));
      setStored((s) => ({ ...s, [entry.caseId]: (s[entry.caseId] ?? 0) + 1 }));
      // The item as the service stored it: its SHA-256 and size, to show back.
      if (evidenceId) {
        unwrap(api.GET('/api/v1/evidence/{id}', { params: { path: { id: evidenceId } } })).then(
          (result) => update(entry.key, (u) => ({ ...u, result })),
          () => undefined,
        );
      }
    },
    [update, forget],
  );

  // The queue: one upload at a time (one station link), in the order they were added.
  const [netTick, setNetTick] = useState(0);
  useEffect(() => {
    if (uploads.some(sending)) return;
    // Offline: nothing new starts (it would fail at once); the `online` event below starts the queue again.
    if (navigator.onLine === false) return;
    const next = uploads.find((u) => u.phase === 'queued' && u.file);
    if (!next || !next.file) return;
    update(next.key, (u) => ({ ...u, phase: 'sending', error: undefined, note: undefined }));
    const entry = next;
    const h = startTusUpload(entry.caseId, next.file, entry.meta, entry.uploadUrl, {
      onUrl: (url) => {
        update(entry.key, (u) => {
          const v = { ...u, uploadUrl: url };
          if (owner.current) saveRecord(owner.current, v);
          return v;
        });
      },
      onProgress: (sent, total) => progress(entry.key, sent, total),
      onStored: (id) => storedOne(entry, id),
      onStopped: (why) => stopped(entry.key, why),
    });
    handles.current.set(entry.key, h);
  }, [uploads, update, progress, storedOne, stopped, netTick]);

  // The network is back: what waited for it goes on (and, while the service itself is unreachable, a try every 15 s).
  const waiting = uploads.some((u) => u.phase === 'offline' || (u.phase === 'queued' && u.file));
  useEffect(() => {
    if (!waiting) return;
    const again = () => {
      if (navigator.onLine === false) return;
      setUploads((all) => all.map((u) => (u.phase === 'offline' ? { ...u, phase: 'queued' } : u)));
      setNetTick((n) => n + 1);
    };
    window.addEventListener('online', again);
    const t = setInterval(again, 15_000);
    return () => {
      window.removeEventListener('online', again);
      clearInterval(t);
    };
  }, [waiting]);

  const start = useCallback(async (caseId: string, caseNumber: string, files: NewUpload[]) => {
    const entries: UploadEntry[] = [];
    for (const { file, meta } of files) {
      entries.push({
        key: newKey(),
        caseId,
        caseNumber,
        fileName: file.name,
        size: file.size,
        file,
        head: await headDigest(file),
        meta,
        phase: 'queued',
        sent: 0,
        uploadUrl: null,
        rate: null,
      });
    }
    // Listed (and resumable after a reload) from now on, even before its turn comes.
    if (owner.current) for (const e of entries) saveRecord(owner.current, e);
    setUploads((all) => [...all, ...entries]);
  }, []);

  const pause = useCallback(
    (key: string) => {
      const h = handles.current.get(key);
      handles.current.delete(key);
      samples.current.delete(key);
      update(key, (u) => (unfinished(u) && u.phase !== 'reselect' ? { ...u, phase: 'paused', rate: null } : u));
      void h?.pause();
    },
    [update],
  );

  const resume = useCallback(
    (key: string) => {
      update(key, (u) =>
        u.file && (u.phase === 'paused' || u.phase === 'offline' || u.phase === 'signin')
          ? { ...u, phase: 'queued', note: undefined }
          : u,
      );
    },
    [update],
  );

  const abandon = useCallback(
    async (key: string) => {
      const u = current.current.find((x) => x.key === key);
      if (!u || !unfinished(u)) return;
      const h = handles.current.get(key);
      handles.current.delete(key);
      if (h) await h.pause();
      update(key, (x) => ({ ...x, phase: 'paused', rate: null }));
      try {
        if (u.uploadUrl) await abandonTusUpload(u.uploadUrl);
        forget(key);
        update(key, (x) => ({ ...x, phase: 'abandoned', note: undefined }));
      } catch (e) {
        update(key, (x) => ({
          ...x,
          phase: x.file ? 'paused' : 'reselect',
          note: `${x.fileName} could not be abandoned just now: ${e instanceof Error ? e.message : String(e)} It stays listed; try again.`,
        }));
      }
    },
    [update, forget],
  );

  const reselect = useCallback(
    async (key: string, file: File) => {
      const u = current.current.find((x) => x.key === key);
      if (!u || u.phase !== 'reselect') return false;
      // Never by the name: the size and the first 64 KiB must be those of the file whose upload this is.
      const same = file.size === u.size && (await headDigest(file)) === u.head;
      if (!same) {
        update(key, (x) => ({
          ...x,
          note:
            `${file.name} is not the file this upload was sending (${x.fileName}, ${bytes(x.size)}): ${file.size !== x.size ? 'its size differs' : 'its first bytes differ'}. ` +
            'Nothing was sent. Choose the same file you were uploading.',
        }));
        return false;
      }
      update(key, (x) => ({ ...x, file, phase: 'queued', note: undefined }));
      return true;
    },
    [update],
  );

  const discardAll = useCallback(async () => {
    const all = current.current;
    for (const h of handles.current.values()) await h.pause();
    handles.current.clear();
    await Promise.all(
      all.filter((u) => unfinished(u) && u.uploadUrl).map((u) => abandonTusUpload(u.uploadUrl!).catch(() => undefined)),
    );
    if (owner.current) for (const u of all) dropRecord(owner.current, u.key);
    setUploads([]);
    setStored({});
  }, []);

  const value = useMemo<Uploads>(
    () => ({
      uploads,
      start,
      pause,
      resume,
      abandon,
      reselect,
      dismiss: (key) => setUploads((all) => all.filter((u) => u.key !== key || unfinished(u))),
      sendSecondCopy: (key, existingId) => {
        update(key, (u) => {
          if (unfinished(u) || !u.file) return u;
          const again: UploadEntry = {
            ...u,
            meta: { ...u.meta, duplicateOf: existingId },
            phase: 'queued',
            sent: 0,
            uploadUrl: null,
            rate: null,
            error: undefined,
            result: undefined,
            evidenceId: undefined,
          };
          if (owner.current) saveRecord(owner.current, again);
          return again;
        });
      },
      inProgress: (caseId) => uploads.filter((u) => u.caseId === caseId && unfinished(u)),
      storedCount: (caseId) => stored[caseId] ?? 0,
      discardAll,
    }),
    [uploads, stored, start, pause, resume, abandon, reselect, update, discardAll],
  );

  // Leaving or reloading the page stops the bytes going out: the browser asks first (it can be resumed after).
  const busy = uploads.some(sending);
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
  return u.size > 0 ? Math.min(100, Math.floor((u.sent / u.size) * 100)) : 0;
}

/** "2 min 5 s", "40 s": time left at the current speed. */
export function duration(seconds: number): string {
  const s = Math.max(1, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

const speed = (bps: number) => `${(bps / 1e6).toFixed(bps >= 1e7 ? 0 : 1)} MB/s`;

/** What happened to an upload that did not end stored, in words an officer can act on. */
export function failureText(u: UploadEntry): string {
  const e = u.error;
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

/** Where an unfinished upload stands, in words. */
function stateText(u: UploadEntry): string {
  const of = `${bytes(u.sent).replace(/ \(.*\)$/, '')} of ${bytes(u.size).replace(/ \(.*\)$/, '')}`;
  switch (u.phase) {
    case 'queued':
      return u.sent > 0 ? `waiting its turn to go on (${of} already sent)` : 'waiting its turn';
    case 'sending': {
      const left = u.rate && u.rate > 0 ? `, ${speed(u.rate)}, about ${duration((u.size - u.sent) / u.rate)} left` : '';
      return `${percentOf(u)}% sent (${of}${left})`;
    }
    case 'storing':
      return 'all bytes sent, the service is storing it and computing its SHA-256';
    case 'paused':
      return `paused at ${percentOf(u)}% (${of})`;
    case 'offline':
      return `waiting for the network at ${percentOf(u)}% (${of}): it goes on by itself when the connection is back`;
    case 'signin':
      return `stopped at ${percentOf(u)}%: your session ended. It goes on once you sign in again`;
    case 'reselect':
      return `not finished: choose the same file again to resume it (${bytes(u.size)})`;
    default:
      return '';
  }
}

/**
 * Every upload of this visit (and the unfinished ones of an earlier visit), on every screen: case, file,
 * bytes, speed and time left; pause, resume, abandon; and how each ended (stored with its SHA-256 and a link
 * to the case, refused with the service's reason, or abandoned). Announced politely to screen readers.
 */
export function UploadsPanel() {
  const { uploads, pause, resume, abandon, reselect, dismiss, sendSecondCopy } = useUploads();
  const [asking, setAsking] = useState<string | null>(null);
  if (uploads.length === 0) return null;
  const left = uploads.filter(unfinished).length;
  return (
    <aside className="uploads-panel panel" aria-labelledby="uploads-h">
      <h2 id="uploads-h">Evidence uploads</h2>
      {uploads.some(sending) && (
        <p className="hint">
          You may go to other screens meanwhile. If the connection drops, the upload goes on by itself when it is back.
        </p>
      )}
      {uploads.some((u) => u.phase === 'reselect') && (
        <p className="notice">
          Some uploads did not finish when this page was last open. To resume one, choose the same file again: it is
          checked by its size and first bytes, and the upload goes on where it stopped. Or abandon it.
        </p>
      )}
      {left > 1 && <p className="muted">{left} uploads not finished; they go one after another.</p>}
      <ul>
        {uploads.map((u) => {
          const duplicateOf =
            u.error instanceof ApiError && u.error.code === 'EVIDENCE.DUPLICATE'
              ? u.error.body.existingEvidenceId
              : undefined;
          return (
            <li key={u.key} className="upload-entry" data-upload-case={u.caseNumber} data-phase={u.phase}>
              <p>
                <strong>{u.fileName}</strong> to case <Link to={`/cases/${u.caseId}`}>{u.caseNumber}</Link>
                {unfinished(u) && <>: {stateText(u)}</>}
              </p>
              {unfinished(u) && u.phase !== 'reselect' && (
                <div className="progress-row">
                  <progress
                    max={100}
                    value={percentOf(u)}
                    aria-label={`Upload of ${u.fileName} to case ${u.caseNumber}`}
                  />
                  <span className="pct">{percentOf(u)}%</span>
                  {(u.phase === 'sending' || u.phase === 'queued' || u.phase === 'offline') && (
                    <button type="button" className="btn secondary" onClick={() => pause(u.key)}>
                      Pause upload of {u.fileName}
                    </button>
                  )}
                  {(u.phase === 'paused' || u.phase === 'offline') && u.file && (
                    <button type="button" className="btn secondary" onClick={() => resume(u.key)}>
                      Resume upload of {u.fileName}
                    </button>
                  )}
                </div>
              )}
              {u.phase === 'reselect' && <Reselect entry={u} onPick={(f) => reselect(u.key, f)} />}
              {unfinished(u) &&
                u.phase !== 'storing' &&
                (asking === u.key ? (
                  <div className="confirm" role="group" aria-label={`Abandon the upload of ${u.fileName}?`}>
                    <p>
                      Abandon the upload of {u.fileName}? The service deletes what it received; nothing of it is kept,
                      and the case does not get this file.
                    </p>
                    <div className="btn-row">
                      <button
                        type="button"
                        className="btn danger"
                        onClick={() => {
                          setAsking(null);
                          void abandon(u.key);
                        }}
                      >
                        Yes, abandon it
                      </button>
                      <button type="button" className="btn secondary" onClick={() => setAsking(null)}>
                        Keep it
                      </button>
                    </div>
                  </div>
                ) : (
                  <button type="button" className="btn secondary" onClick={() => setAsking(u.key)}>
                    Abandon upload of {u.fileName}
                  </button>
                ))}
              {u.note && (
                <p className="error" role="alert">
                  {u.note}
                </p>
              )}
              <div role="status">
                {u.phase === 'done' && (
                  <p className="success">
                    Stored: {u.fileName} is evidence of case <Link to={`/cases/${u.caseId}`}>{u.caseNumber}</Link>
                    {u.result ? (
                      <>
                        , {bytes(u.result.sizeBytes)}, SHA-256 <Hash value={u.result.sha256} />
                      </>
                    ) : null}
                    .
                  </p>
                )}
                {u.phase === 'abandoned' && (
                  <p className="muted">
                    Abandoned: {u.fileName} was not stored; the service deleted what it had received.
                  </p>
                )}
              </div>
              {u.phase === 'failed' && (
                <div className="error" role="alert">
                  <p>{failureText(u)}</p>
                  {duplicateOf && u.file && (
                    <p>
                      If you mean to keep a second copy of the same file,{' '}
                      <button
                        type="button"
                        className="btn secondary"
                        onClick={() => sendSecondCopy(u.key, duplicateOf)}
                      >
                        Upload a second copy anyway
                      </button>
                    </p>
                  )}
                </div>
              )}
              {!unfinished(u) && (
                <button type="button" className="btn secondary" onClick={() => dismiss(u.key)}>
                  Dismiss {u.fileName}
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </aside>
  );
}

/** The file input that resumes an upload after a reload (the browser cannot keep the file itself). */
function Reselect({ entry, onPick }: { entry: UploadEntry; onPick: (f: File) => Promise<boolean> }) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  return (
    <div className="field">
      <label htmlFor={id}>Choose {entry.fileName} again to resume</label>
      <input
        id={id}
        ref={input}
        type="file"
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (!f) return;
          void onPick(f).then((ok) => {
            if (!ok && input.current) input.current.value = '';
          });
        }}
      />
    </div>
  );
}
