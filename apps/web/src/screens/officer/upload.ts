import { DetailedError, Upload } from 'tus-js-client';
import { apiErrorOf, ApiError, bearer, sessionEnded } from '../../api/client';
import type { components, operations } from '../../api/schema';

export type EvidenceView = components['schemas']['EvidenceView'];
export type EvidenceKind = components['schemas']['EvidenceKind'];

/** What the service takes with the file (the upload's query parameters, as the OpenAPI document has them). */
type UploadQuery = NonNullable<operations['EvidenceController_upload']['parameters']['query']>;
/** `duplicateOf`: only to keep a deliberate second copy of a file the case already holds (the id of that item). */
export type EvidenceMetadata = Pick<
  UploadQuery,
  'deviceId' | 'recordingOfficerBadge' | 'recordedStart' | 'recordedEnd' | 'duplicateOf'
> & { kind: EvidenceKind };

/** Each PATCH carries at most this much: a cut connection loses at most one chunk's worth of sending. */
export const CHUNK_SIZE = 8 * 1024 * 1024;
/** tus-js-client's own retries of a failed request (ms); past them, the console waits for the network (the `online` event) and tries again. */
export const RETRY_DELAYS = [0, 1000, 3000, 5000, 10_000];

/** How an upload stopped without being stored. */
export type Interruption =
  /** No answer (network down, service unreachable): resumable as it is. */
  | { kind: 'network' }
  /** The service answered 401: resumable after signing in again. */
  | { kind: 'session' }
  /** The service refused (its JSON error), or the file could not be read: not resumable. */
  | { kind: 'refused'; error: unknown };

export interface TusCallbacks {
  /** The upload's URL on the service, once created (or found again): what a reload resumes from. */
  onUrl(url: string): void;
  onProgress(sent: number, total: number): void;
  /** All bytes stored; the id of the new evidence item (the completing PATCH's Evidence-Id header). */
  onStored(evidenceId: string | null): void;
  onStopped(why: Interruption): void;
}

export interface TusHandle {
  /** Stops sending (the service keeps what it has; the upload resumes from there). */
  pause(): Promise<void>;
}

const endpointOf = (caseId: string) => `/api/v1/cases/${encodeURIComponent(caseId)}/evidence/uploads`;

/** The tus Upload-Metadata the service reads (the same fields as the single-request upload). */
export function tusMetadata(meta: EvidenceMetadata, originalFilename: string): Record<string, string> {
  const out: Record<string, string> = { kind: meta.kind };
  for (const k of ['deviceId', 'recordingOfficerBadge', 'recordedStart', 'recordedEnd', 'duplicateOf'] as const) {
    const v = meta[k]?.trim();
    if (v) out[k] = v;
  }
  if (originalFilename) out.originalFilename = originalFilename;
  return out;
}

/** The service's JSON error from a tus request's answer. */
function apiErrorFrom(err: DetailedError): ApiError | null {
  const res = err.originalResponse;
  if (!res) return null;
  return apiErrorOf(res.getStatus(), '', res.getBody() ?? '', res.getHeader('X-Request-Id') ?? null);
}

function offsetMismatch(err: DetailedError): boolean {
  const e = apiErrorFrom(err);
  return !!e && e.status === 409 && (e.body as { uploadOffset?: unknown }).uploadOffset !== undefined;
}

/**
 * Sends one file to the case over tus 1.0.0 (tus-js-client), in chunks of CHUNK_SIZE, from `uploadUrl` when
 * resuming (a HEAD asks the service where to go on from). The bearer token is read at each request, so an
 * upload resumed after signing in again sends the new one. The browser reads the file from disk as it
 * sends: a multi-GB file is never held in memory.
 */
export function startTusUpload(
  caseId: string,
  file: File,
  meta: EvidenceMetadata,
  uploadUrl: string | null,
  cb: TusCallbacks,
): TusHandle {
  let settled = false;
  const upload: Upload = new Upload(file, {
    endpoint: endpointOf(caseId),
    uploadUrl,
    metadata: { ...tusMetadata(meta, file.name), ...(file.type ? { filetype: file.type } : {}) },
    chunkSize: CHUNK_SIZE,
    retryDelays: RETRY_DELAYS,
    // The console keeps its own record of unfinished uploads (per user, with the file's first-bytes digest).
    storeFingerprintForResuming: false,
    removeFingerprintOnSuccess: false,
    onBeforeRequest(req) {
      const token = bearer();
      if (token) req.setHeader('Authorization', `Bearer ${token}`);
    },
    onUploadUrlAvailable() {
      if (upload.url) cb.onUrl(upload.url);
    },
    onProgress: (sent, total) => cb.onProgress(sent, total),
    onShouldRetry(err) {
      const status = err.originalResponse?.getStatus() ?? 0;
      // No answer: retry while the browser believes it is online (offline: wait for the `online` event).
      if (status === 0) return navigator.onLine !== false;
      // Locked (another request on it is ending), rate-limited, or the service/storage briefly unavailable.
      if (status === 423 || status === 429 || status >= 500) return true;
      // 409 with `uploadOffset` is the protocol's offset mismatch (a retry re-reads the offset with HEAD); any other
      // 409 is a refusal (a duplicate file, a case that no longer takes evidence).
      if (status === 409) return offsetMismatch(err);
      return false;
    },
    onSuccess({ lastResponse }) {
      settled = true;
      cb.onStored(lastResponse.getHeader('Evidence-Id') ?? null);
    },
    onError(err) {
      if (settled) return;
      if (err instanceof DetailedError) {
        const res = err.originalResponse;
        if (!res || res.getStatus() === 0) return cb.onStopped({ kind: 'network' });
        if (res.getStatus() === 401) {
          cb.onStopped({ kind: 'session' });
          return sessionEnded(); // the sign-in form in place of the screen; the upload goes on after signing in
        }
        if (res.getStatus() >= 500 || res.getStatus() === 423 || res.getStatus() === 429 || offsetMismatch(err))
          return cb.onStopped({ kind: 'network' });
        return cb.onStopped({ kind: 'refused', error: apiErrorFrom(err) });
      }
      // Reading the file failed (moved, changed, a drive unplugged) or the service's answer made no sense.
      cb.onStopped({
        kind: 'refused',
        error: new Error(
          /read|NotReadable|NotFound/i.test(`${err.name} ${err.message}`)
            ? `${file.name} could not be read from this computer any more (moved, changed or on a disconnected drive). Choose it again.`
            : `The upload stopped: ${err.message}`,
        ),
      });
    },
  });
  upload.start();
  return { pause: () => upload.abort(false) };
}

/** Abandons an upload on the service (tus Termination: DELETE on its URL); nothing of it is kept. */
export async function abandonTusUpload(url: string): Promise<void> {
  try {
    await Upload.terminate(url, {
      retryDelays: [0, 1000],
      onBeforeRequest(req) {
        const token = bearer();
        if (token) req.setHeader('Authorization', `Bearer ${token}`);
      },
    });
  } catch (err) {
    // Already gone (completed, abandoned by the janitor): nothing left to abandon.
    if (err instanceof DetailedError && err.originalResponse?.getStatus() === 404) return;
    if (err instanceof DetailedError && err.originalResponse) throw apiErrorFrom(err);
    throw err;
  }
}
