import { S3Error } from 'minio';
import { DependencyUnavailableError, ErrorCode, StorageRefusedError, ValidationError } from '@app/common';
import { asDependencyError, asStorageError, isStorageRefusal, isStorageUnavailable } from './storage-errors';

/** An error answer as minio-js 8 builds it from an engine's response (S3Error with the XML's Code). */
function s3(code: string, message = `${code} from the engine`): S3Error {
  const e = new S3Error(message);
  e.code = code;
  return e;
}
function socket(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:9`), { code });
}

describe('storage errors: an outage (503) is told apart from a refusal of the engine (502)', () => {
  it.each([['ECONNREFUSED'], ['ECONNRESET'], ['ETIMEDOUT'], ['EPIPE']])('socket error %s: an outage', (code) => {
    expect(isStorageUnavailable(socket(code))).toBe(true);
    expect(isStorageRefusal(socket(code))).toBe(false);
    expect(asStorageError(socket(code), 'x')).toBeInstanceOf(DependencyUnavailableError);
  });

  it.each([['ServiceUnavailable'], ['SlowDown'], ['InternalError'], ['RequestTimeout'], ['']])(
    'engine answer %p (5xx, or no S3 error body): an outage',
    (code) => {
      expect(isStorageUnavailable(s3(code))).toBe(true);
      expect(isStorageRefusal(s3(code))).toBe(false);
      expect((asStorageError(s3(code), 'x') as DependencyUnavailableError).code).toBe(ErrorCode.DependencyUnavailable);
    },
  );

  it.each([['AccessDenied'], ['InvalidRequest'], ['NoSuchVersion'], ['InvalidBucketState'], ['MethodNotAllowed']])(
    'engine answer %s: a refusal, 502 STORAGE.REFUSED naming the code and what was refused',
    (code) => {
      expect(isStorageUnavailable(s3(code))).toBe(false);
      expect(isStorageRefusal(s3(code))).toBe(true);
      const e = asStorageError(s3(code), 'release the legal hold of evidence E') as StorageRefusedError;
      expect(e).toBeInstanceOf(StorageRefusedError);
      expect(e.code).toBe(ErrorCode.StorageRefused);
      expect(e.details).toEqual({ storageCode: code, operation: 'release the legal hold of evidence E' });
      expect(e.message).toContain(`refused to release the legal hold of evidence E (${code})`);
      expect(asDependencyError(s3(code))).toBeInstanceOf(StorageRefusedError);
    },
  );

  it('a client-side error (no engine answer) and a domain error pass through unchanged', () => {
    const bug = new TypeError('x is not a function');
    expect(isStorageRefusal(bug)).toBe(false);
    expect(asStorageError(bug, 'x')).toBe(bug);
    const domain = new ValidationError('no');
    expect(asStorageError(domain, 'x')).toBe(domain);
  });
});
