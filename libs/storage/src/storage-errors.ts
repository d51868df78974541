import { S3Error } from 'minio';
import { DependencyUnavailableError, DomainError, StorageRefusedError } from '@app/common';
import { isDatabaseUnavailable } from '@app/database';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
const SERVER_CODES = new Set(['ServiceUnavailable', 'SlowDown', 'InternalError', 'RequestTimeout']);

/** The S3 error code (`NoSuchKey`, `MethodNotAllowed`, …) or socket error code of a minio client error. */
export function storageErrorCode(e: unknown): string | undefined {
  return (e as { code?: string })?.code;
}

/** True when the storage service could not be reached or answered as unavailable. */
export function isStorageUnavailable(e: unknown): boolean {
  const code = storageErrorCode(e);
  if (code && (NETWORK_CODES.has(code) || SERVER_CODES.has(code))) return true;
  // An HTTP error without an S3 error body (minio-js names 403, 404, 405, 501 and 503 itself): a 500, 502 or 504 of
  // the engine or of a proxy in front of it. Taken as an outage.
  if (isS3Answer(e) && !code) return true;
  const msg = e instanceof Error ? e.message : '';
  return /socket hang up|connect ECONNREFUSED|read ECONNRESET|timed out/i.test(msg);
}

/** An error answer of the S3 engine itself (minio-js S3Error), as opposed to a socket or client-side error. */
export function isS3Answer(e: unknown): e is S3Error {
  return e instanceof S3Error || (e instanceof Error && e.name === 'S3Error');
}

/**
 * The engine answered and refused (AccessDenied, InvalidRequest, InvalidBucketState, NoSuchVersion, …): an answer
 * that a retry would only repeat, unlike an outage ({@link isStorageUnavailable}).
 */
export function isStorageRefusal(e: unknown): boolean {
  return isS3Answer(e) && !!storageErrorCode(e) && !isStorageUnavailable(e);
}

/**
 * The domain error for a storage call that failed: an outage as DependencyUnavailableError (503), a refusal of the
 * engine as StorageRefusedError naming its code (502), anything else (a client-side bug) unchanged.
 */
export function asStorageError(e: unknown, operation: string): unknown {
  if (e instanceof DomainError) return e;
  if (isStorageUnavailable(e)) return new DependencyUnavailableError('storage', e);
  if (isStorageRefusal(e)) return new StorageRefusedError(storageErrorCode(e)!, operation, e);
  return e;
}

/** True when the server does not implement an operation (s3rver: Object Lock, AbortMultipartUpload, …). */
export function isNotImplemented(e: unknown): boolean {
  const code = storageErrorCode(e);
  return code === 'NotImplemented' || code === 'MethodNotAllowed';
}

/** The object, or the version asked for, does not exist (HEAD answers carry no body, hence NotFound). */
export function isNoSuchKey(e: unknown): boolean {
  const code = storageErrorCode(e);
  return code === 'NoSuchKey' || code === 'NoSuchVersion' || code === 'NotFound';
}

/** Translates an unreachable storage service to a 503-mapped domain error; rethrows anything else. */
export function translateStorageError(e: unknown): never {
  if (isStorageUnavailable(e)) throw new DependencyUnavailableError('storage', e);
  throw e;
}

/**
 * The error to answer with for a failure in a step that touches both the database and storage:
 * domain errors as they are, an unreachable dependency as DependencyUnavailableError (503)
 * naming it, a refusal of the storage engine as StorageRefusedError (502), anything else unchanged.
 */
export function asDependencyError(e: unknown): unknown {
  if (e instanceof DomainError) return e;
  if (isStorageUnavailable(e)) return new DependencyUnavailableError('storage', e);
  if (isDatabaseUnavailable(e)) return new DependencyUnavailableError('database', e);
  if (isStorageRefusal(e)) return new StorageRefusedError(storageErrorCode(e)!, 'complete a storage request', e);
  return e;
}
