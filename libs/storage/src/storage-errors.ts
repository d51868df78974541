import { DependencyUnavailableError, DomainError } from '@app/common';
import { isDatabaseUnavailable } from '@app/database';

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
 * naming it, anything else unchanged.
 */
export function asDependencyError(e: unknown): unknown {
  if (e instanceof DomainError) return e;
  if (isStorageUnavailable(e)) return new DependencyUnavailableError('storage', e);
  if (isDatabaseUnavailable(e)) return new DependencyUnavailableError('database', e);
  return e;
}
