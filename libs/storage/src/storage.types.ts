/**
 * The storage library's plain types and the interfaces between its parts. They live here, apart from
 * `StorageService` and `ObjectWriter`, so that the writer depends on an interface (`MultipartStore`) and not on
 * the service that creates it: no file of the library imports another that imports it back.
 */

/** What the Object Lock probe found on the evidence bucket. */
export interface WormCapability {
  /** True when the bucket has S3 Object Lock enabled, so retention and legal holds can be applied. */
  available: boolean;
  /** What the probe found, in words (e.g. "Object Lock enabled", "server does not implement Object Lock"). */
  detail: string;
}

export const DEPENDENCY_STATES = ['up', 'down'] as const;
export type DependencyState = (typeof DEPENDENCY_STATES)[number];

/** One part of a multipart upload as the engine stored it. */
export interface StoredPart {
  part: number;
  etag: string;
  size: number;
}

export type AbandonOutcome = 'ABORTED' | 'RELEASED' | 'ABORT_PENDING';

/** A multipart upload the engine lists as in progress (ListMultipartUploads). */
export interface PendingUpload {
  key: string;
  uploadId: string;
  initiated: Date;
}

/**
 * Where in-flight multipart uploads are recorded, so an upload cut off by a crash or an
 * unreachable storage service can be aborted later instead of being left half-uploaded.
 */
export interface UploadJournal {
  opened(upload: { key: string; uploadId: string }): Promise<void>;
  partStored(uploadId: string, part: StoredPart): Promise<void>;
  closed(uploadId: string, outcome: 'COMPLETED' | AbandonOutcome, detail?: string): Promise<void>;
}

/**
 * The S3 calls an `ObjectWriter` makes (public S3 API only); `StorageService` implements them against the bucket.
 * Every method throws a storage error (`translateStorageError`) when the engine refuses or cannot be reached.
 */
export interface MultipartStore {
  /** Stores an object smaller than one part with a single PUT. */
  putSmall(key: string, body: Buffer, contentType: string): Promise<{ etag: string; versionId: string | null }>;
  /** Begins a multipart upload; returns its upload id. */
  initiateMultipart(key: string, contentType: string): Promise<string>;
  uploadPart(key: string, uploadId: string, partNumber: number, body: Buffer): Promise<StoredPart>;
  completeMultipart(
    key: string,
    uploadId: string,
    parts: StoredPart[],
  ): Promise<{ etag: string; versionId: string | null }>;
  /** Ends an incomplete multipart upload so no parts are left behind (see `StorageService.abandonMultipart`). */
  abandonMultipart(key: string, uploadId: string, parts: StoredPart[]): Promise<AbandonOutcome>;
}
