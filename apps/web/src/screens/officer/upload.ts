import { bearer, NetworkError, sessionEnded, unwrap } from '../../api/client';
import type { components, operations } from '../../api/schema';

export type EvidenceView = components['schemas']['EvidenceView'];
export type EvidenceKind = components['schemas']['EvidenceKind'];

/** What the service takes with the file (the upload's query parameters, as the OpenAPI document has them). */
type UploadQuery = NonNullable<operations['EvidenceController_upload']['parameters']['query']>;
/** `duplicateOf`: only to keep a deliberate second copy of a file the case already holds (the id of that item). */
export type EvidenceMetadata = Pick<UploadQuery, 'deviceId' | 'recordingOfficerBadge' | 'recordedStart' | 'recordedEnd' | 'duplicateOf'> & { kind: EvidenceKind };

export interface UploadHandle {
  /** The stored item (its SHA-256 and size as the service computed them), or ApiError / NetworkError / UploadCancelled. */
  done: Promise<EvidenceView>;
  cancel(): void;
}

export class UploadCancelled extends Error {
  constructor() {
    super('The upload was cancelled; nothing was stored.');
  }
}

/** Bodies the service refuses as uploads (they are its JSON and form bodies): such a file goes as plain bytes. */
const NOT_AN_UPLOAD_TYPE = /^(application\/json|application\/x-www-form-urlencoded|multipart\/)/i;

/**
 * Streams one file to POST /api/v1/cases/{id}/evidence as the raw request body (the browser reads it from
 * disk as it sends: a multi-GB body-worn-camera file is never held in memory), with the metadata as query
 * parameters. XMLHttpRequest rather than fetch, because only it reports upload progress.
 */
export function uploadEvidence(caseId: string, file: File, meta: EvidenceMetadata, onProgress: (sent: number, total: number) => void): UploadHandle {
  const q = new URLSearchParams();
  q.set('kind', meta.kind);
  for (const k of ['deviceId', 'recordingOfficerBadge', 'recordedStart', 'recordedEnd', 'duplicateOf'] as const) {
    const v = meta[k]?.trim();
    if (v) q.set(k, v);
  }
  if (file.name) q.set('originalFilename', file.name);
  const xhr = new XMLHttpRequest();
  let cancelled = false;
  const done = new Promise<EvidenceView>((resolve, reject) => {
    xhr.open('POST', `/api/v1/cases/${encodeURIComponent(caseId)}/evidence?${q.toString()}`);
    const token = bearer();
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    // The service sniffs the real type from the bytes; the declared one is kept for reference.
    xhr.setRequestHeader('Content-Type', file.type && !NOT_AN_UPLOAD_TYPE.test(file.type) ? file.type : 'application/octet-stream');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onabort = () => reject(cancelled ? new UploadCancelled() : new NetworkError());
    xhr.onerror = () => reject(new NetworkError());
    xhr.ontimeout = () => reject(new NetworkError());
    xhr.onload = () => {
      if (xhr.status === 401) sessionEnded();
      let parsed: unknown = null;
      try {
        parsed = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        parsed = null;
      }
      // The same reading of the answer as every other call (plain-words errors, field errors, request id).
      const response = new Response(null, {
        status: xhr.status,
        statusText: xhr.statusText,
        headers: { 'X-Request-Id': xhr.getResponseHeader('X-Request-Id') ?? '' },
      });
      unwrap<EvidenceView>(Promise.resolve({ data: parsed as EvidenceView, error: parsed, response })).then(resolve, reject);
    };
    xhr.send(file);
  });
  return {
    done,
    cancel() {
      cancelled = true;
      xhr.abort();
    },
  };
}
