import { DependencyUnavailableError } from '@app/common';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const SERVER_CODES = new Set(['ServiceUnavailable', 'SlowDown', 'InternalError', 'RequestTimeout']);

/** The S3 error code (`NoSuchKey`, `MethodNotAllowed`, …) or socket error code of a minio client error. */
export function storageErrorCode(e: unknown): string | undefined {
  return (e as { code?: string })?.code;
}

/** True when the storage service could not be reached or answered as unavailable. */
export function isStorageUnavailable(e: unknown): boolean {
  const code = storageErrorCode(e);
  if (code && (NETWORK_CODES.has(code) || SERVER_CODES.has(code))) return true;
  const msg = e instanceof Error ? e.message : '';
  return /socket hang up|connect ECONNREFUSED|read ECONNRESET|timed out/i.test(msg);
}

/** True when the server does not implement an operation (s3rver: Object Lock, AbortMultipartUpload, …). */
export function isNotImplemented(e: unknown): boolean {
  const code = storageErrorCode(e);
  return code === 'NotImplemented' || code === 'MethodNotAllowed';
}

export function isNoSuchKey(e: unknown): boolean {
  const code = storageErrorCode(e);
  return code === 'NoSuchKey' || code === 'NotFound';
}

/** Translates an unreachable storage service to a 503-mapped domain error; rethrows anything else. */
export function translateStorageError(e: unknown): never {
  if (isStorageUnavailable(e)) throw new DependencyUnavailableError('storage', e);
  throw e;
}
