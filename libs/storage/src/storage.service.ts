import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Client } from 'minio';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { EmbeddedS3Handle, startEmbeddedS3 } from './embedded/embedded-s3';
import { firstBytes } from './exact-length';
import { ObjectWriter, PartBuffers, ResumedUpload } from './object-writer';
import { storageConfig } from './storage.config';
import {
  AbandonOutcome,
  DEPENDENCY_STATES,
  DependencyState,
  MultipartStore,
  PendingUpload,
  StoredPart,
  UploadJournal,
  WormCapability,
} from './storage.types';
import {
  isNoSuchKey,
  isNotImplemented,
  isStorageUnavailable,
  storageErrorCode,
  translateStorageError,
} from './storage-errors';

const HEALTH_PROBE_KEY = 'health/probe';
const HEALTH_PROBE_BODY = Buffer.from('Read by GET /api/v1/health to check that the evidence bucket answers.\n');

/** Whether the evidence bucket answers (a HEAD of a probe object), and whether it offers WORM. */
export class StorageHealth {
  @ApiProperty({ enum: DEPENDENCY_STATES, enumName: 'DependencyState' })
  status: DependencyState;

  @ApiPropertyOptional({ type: Number, description: 'Present when up' })
  latencyMs?: number;

  @ApiPropertyOptional({ enum: ['timed out', 'unreachable'], description: 'Present when down' })
  error?: 'timed out' | 'unreachable';

  @ApiProperty({ type: String, description: 'The evidence bucket' })
  bucket: string;

  @ApiProperty({ type: Boolean, description: 'Whether the bucket has S3 Object Lock (WORM) enabled' })
  worm: boolean;
}

/**
 * The one driver over the S3 API (minio client, path-style, explicit endpoint). Multipart uploads
 * are driven explicitly through {@link ObjectWriter}, so memory stays at about one part and every
 * failure ends in an abort. Boot probes the bucket and whether Object Lock (WORM) is available.
 * Why minio-js and multipart by hand: docs/decisions/0005-s3-client-minio-own-multipart.md.
 */
@Injectable()
export class StorageService implements MultipartStore, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(StorageService.name);
  private embedded?: EmbeddedS3Handle;
  private client!: Client;
  private endpointUrl = '';
  private wormCapability: WormCapability = { available: false, detail: 'not probed' };
  /** Part buffers shared by every writer of this process: one upload's worth (concurrency + 1) kept between uploads. */
  private partBuffers?: PartBuffers;
  /** True over http, where minio-js signs each request's payload SHA-256 (its `enableSHA256 = !useSSL`); see uploadPart. */
  private payloadSigned = false;

  constructor(@Inject(storageConfig.KEY) private readonly config: ConfigType<typeof storageConfig>) {}

  get bucket(): string {
    return this.config.bucket;
  }

  get worm(): WormCapability {
    return this.wormCapability;
  }

  get retention(): { years: number; mode: 'COMPLIANCE' | 'GOVERNANCE' } {
    return { years: this.config.retentionYears, mode: this.config.retentionMode };
  }

  async onModuleInit(): Promise<void> {
    let endpoint: string;
    let accessKey: string;
    let secretKey: string;
    if (this.config.embedded) {
      const directory = join(this.config.dataDir, 's3');
      this.embedded = await startEmbeddedS3({ directory });
      ({ endpoint, accessKey, secretKey } = this.embedded);
      this.logger.log(`Embedded S3 server on ${endpoint}, data in ${directory}`);
    } else {
      endpoint = this.config.endpoint!;
      accessKey = this.config.accessKey!;
      secretKey = this.config.secretKey!;
    }
    this.endpointUrl = endpoint;
    const url = new URL(endpoint);
    this.payloadSigned = url.protocol !== 'https:';
    this.client = new Client({
      endPoint: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      useSSL: url.protocol === 'https:',
      accessKey,
      secretKey,
      region: this.config.region,
      pathStyle: true,
    });
    await this.probe();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.embedded?.stop();
    this.embedded = undefined;
  }

  /** Bucket present (created when allowed) and Object Lock status; refuses to boot when WORM is required but absent. */
  private async probe(): Promise<void> {
    const { bucket } = this.config;
    let exists: boolean;
    try {
      exists = await this.client.bucketExists(bucket);
    } catch (e) {
      throw new Error(`Storage at ${this.endpointUrl} is not usable: ${describe(e)}`);
    }
    if (!exists) {
      if (!this.config.createBucket)
        throw new Error(`Storage bucket ${bucket} does not exist and S3_CREATE_BUCKET=false`);
      // Object Lock can only be enabled when a bucket is created: ask for it; servers without it ignore or refuse.
      try {
        await this.client.makeBucket(bucket, this.config.region, { ObjectLocking: true });
      } catch (e) {
        if (!isNotImplemented(e) && storageErrorCode(e) !== 'InvalidRequest') throw e;
        await this.client.makeBucket(bucket, this.config.region);
      }
      this.logger.log(`Created storage bucket ${bucket}`);
    }
    await this.ensureHealthProbeObject();
    this.wormCapability = await this.probeObjectLock();
    this.logger.log(
      `Storage bucket ${bucket}: WORM ${this.wormCapability.available ? 'available' : 'NOT available'} (${this.wormCapability.detail})`,
    );
    if (this.config.requireWorm && !this.wormCapability.available) {
      throw new Error(
        `STORAGE_REQUIRE_WORM=true but bucket ${bucket} has no S3 Object Lock (${this.wormCapability.detail}). ` +
          'Use a bucket created with Object Lock enabled, or unset STORAGE_REQUIRE_WORM.',
      );
    }
  }

  private async probeObjectLock(): Promise<WormCapability> {
    try {
      const cfg = (await this.client.getObjectLockConfig(this.config.bucket)) as
        { objectLockEnabled?: string } | undefined;
      if (cfg?.objectLockEnabled === 'Enabled') return { available: true, detail: 'Object Lock enabled on the bucket' };
      return { available: false, detail: 'Object Lock is not enabled on the bucket' };
    } catch (e) {
      if (isNotImplemented(e)) return { available: false, detail: 'the storage server does not implement Object Lock' };
      if (storageErrorCode(e) === 'ObjectLockConfigurationNotFoundError') {
        return { available: false, detail: 'Object Lock is not enabled on the bucket' };
      }
      if (isStorageUnavailable(e)) throw new Error(`Storage at ${this.endpointUrl} is not reachable: ${describe(e)}`);
      return { available: false, detail: `Object Lock probe failed: ${describe(e)}` };
    }
  }

  /**
   * The object health checks read: a HEAD of one small object costs the same on every S3 server
   * whatever the bucket holds (s3rver answers HEAD bucket by listing the bucket). Written when missing.
   */
  private async ensureHealthProbeObject(): Promise<void> {
    try {
      await this.client.statObject(this.config.bucket, HEALTH_PROBE_KEY);
    } catch (e) {
      if (!isNoSuchKey(e)) throw e;
      await this.client.putObject(this.config.bucket, HEALTH_PROBE_KEY, HEALTH_PROBE_BODY, HEALTH_PROBE_BODY.length, {
        'Content-Type': 'text/plain',
      });
    }
  }

  /** Storage answers for the evidence bucket: a HEAD of the probe object (re-written if someone removed it). */
  async health(timeoutMs = 2000): Promise<StorageHealth> {
    const started = Date.now();
    const base = { bucket: this.config.bucket, worm: this.wormCapability.available };
    try {
      await withTimeout(this.ensureHealthProbeObject(), timeoutMs);
      return { status: 'up', latencyMs: Date.now() - started, ...base };
    } catch (e) {
      return { status: 'down', error: e instanceof TimeoutError ? 'timed out' : 'unreachable', ...base };
    }
  }

  /** A writer for a new object; nothing exists in storage until it has a full part or is completed. */
  createWriter(
    key: string,
    opts: { contentType?: string; journal?: UploadJournal; resume?: ResumedUpload } = {},
  ): ObjectWriter {
    this.partBuffers ??= new PartBuffers(this.config.partSizeBytes, this.config.uploadConcurrency + 1);
    return new ObjectWriter(
      this,
      key,
      opts.contentType ?? 'application/octet-stream',
      this.config.partSizeBytes,
      opts.journal,
      this.config.uploadConcurrency,
      opts.resume,
      this.partBuffers,
    );
  }

  /** Bytes per multipart part (STORAGE_PART_SIZE_MB): every part but the last of an object is exactly this long. */
  get partSizeBytes(): number {
    return this.config.partSizeBytes;
  }

  // --- primitives used by ObjectWriter (public S3 API calls only) ---

  async putSmall(key: string, body: Buffer, contentType: string): Promise<{ etag: string; versionId: string | null }> {
    try {
      return await this.client.putObject(this.config.bucket, key, body, body.length, { 'Content-Type': contentType });
    } catch (e) {
      return translateStorageError(e);
    }
  }

  async initiateMultipart(key: string, contentType: string): Promise<string> {
    try {
      return await this.client.initiateNewMultipartUpload(this.config.bucket, key, { 'Content-Type': contentType });
    } catch (e) {
      return translateStorageError(e);
    }
  }

  /**
   * One part. Its bytes are checked by the engine against a digest sent with it, one of two:
   * - over http minio-js signs the part's SHA-256 (x-amz-content-sha256, part of the SigV4 signature): AWS and
   *   Ceph RGW refuse a part whose bytes differ from it (XAmzContentSHA256Mismatch / BadDigest), which
   *   test/storage-engine.e2e-spec.ts checks on Ceph. A Content-MD5 on top would check the same bytes again
   *   and cost 1.4 CPU-seconds per GiB (MD5 is 2.3x slower than SHA-256 here), so none is sent;
   * - over https minio-js sends UNSIGNED-PAYLOAD (TLS guards the transfer), and AWS S3 requires Content-MD5
   *   (or an x-amz-checksum-*) on uploads into a bucket with a default Object Lock retention rule: Content-MD5 is
   *   sent. minio-js's own PutObject (putSmall) follows the same rule.
   * s3rver (the embedded engine) checks neither digest (measured: it stores a part whose bytes match neither).
   */
  async uploadPart(key: string, uploadId: string, partNumber: number, body: Buffer): Promise<StoredPart> {
    try {
      const headers: Record<string, string | number> = { 'Content-Length': body.length };
      if (!this.payloadSigned) headers['Content-MD5'] = createHash('md5').update(body).digest('base64');
      const r = await this.client.uploadPart(
        { bucketName: this.config.bucket, objectName: key, uploadID: uploadId, partNumber, headers },
        body,
      );
      return { part: partNumber, etag: r.etag, size: body.length };
    } catch (e) {
      return translateStorageError(e);
    }
  }

  /**
   * Completes the upload. Ceph RGW answers with an empty ETag (AWS and MinIO give it): the object's ETag is
   * then read back from the version just written.
   */
  async completeMultipart(
    key: string,
    uploadId: string,
    parts: StoredPart[],
  ): Promise<{ etag: string; versionId: string | null }> {
    try {
      const r = await this.client.completeMultipartUpload(
        this.config.bucket,
        key,
        uploadId,
        parts.map((p) => ({ part: p.part, etag: p.etag })),
      );
      if (r.etag) return r;
      const s = await this.client.statObject(
        this.config.bucket,
        key,
        r.versionId ? { versionId: r.versionId } : undefined,
      );
      return { etag: s.etag, versionId: r.versionId ?? s.versionId ?? null };
    } catch (e) {
      return translateStorageError(e);
    }
  }

  /**
   * The multipart uploads the engine lists under `prefix` (ListMultipartUploads), or null where the engine
   * does not implement the listing (s3rver): the upload journal is then the only record of pending uploads.
   */
  async listPendingUploads(prefix: string): Promise<PendingUpload[] | null> {
    const out: PendingUpload[] = [];
    try {
      for await (const u of this.client.listIncompleteUploads(this.config.bucket, prefix, true)) {
        const p = u as Partial<PendingUpload>;
        if (p.key && p.uploadId && p.initiated instanceof Date && !Number.isNaN(p.initiated.getTime())) {
          out.push({ key: p.key, uploadId: p.uploadId, initiated: p.initiated });
        }
      }
    } catch (e) {
      if (isNotImplemented(e)) return null;
      return translateStorageError(e);
    }
    return out;
  }

  /**
   * Ends an incomplete multipart upload so no parts are left behind. S3 requires
   * AbortMultipartUpload; a server without it (s3rver) is warned about and, when the bucket has
   * no Object Lock, its parts are released by completing the upload and removing the object.
   * Returns ABORT_PENDING when storage cannot be reached (the caller records it for a retry).
   */
  async abandonMultipart(key: string, uploadId: string, parts: StoredPart[]): Promise<AbandonOutcome> {
    try {
      await this.client.abortMultipartUpload(this.config.bucket, key, uploadId);
      return 'ABORTED';
    } catch (e) {
      if (storageErrorCode(e) === 'NoSuchUpload') return 'ABORTED';
      if (isStorageUnavailable(e)) {
        this.logger.warn(`Could not abort multipart upload ${uploadId} of ${key}: storage unreachable; will retry`);
        return 'ABORT_PENDING';
      }
      if (!isNotImplemented(e)) throw e;
    }
    this.logger.warn(
      `Storage does not implement AbortMultipartUpload (upload ${uploadId} of ${key}); ` +
        (this.wormCapability.available
          ? 'left for the bucket lifecycle rule to expire'
          : 'releasing its parts by completing and removing the object'),
    );
    if (this.wormCapability.available) return 'ABORT_PENDING';
    try {
      const toComplete = parts.length ? parts : [await this.uploadPart(key, uploadId, 1, Buffer.alloc(0))];
      await this.client.completeMultipartUpload(
        this.config.bucket,
        key,
        uploadId,
        toComplete.map((p) => ({ part: p.part, etag: p.etag })),
      );
      await this.client.removeObject(this.config.bucket, key);
      return 'RELEASED';
    } catch (e) {
      if (storageErrorCode(e) === 'NoSuchUpload') return 'ABORTED';
      this.logger.warn(`Could not release multipart upload ${uploadId} of ${key}: ${describe(e)}; will retry`);
      return 'ABORT_PENDING';
    }
  }

  // --- objects ---

  /**
   * Size and ETag of one object version: `versionId` is the version the database recorded (null where
   * storage keeps no versions, e.g. s3rver), never "the latest", which anyone with write access to the
   * bucket can replace or hide behind a delete marker. Null when that version does not exist.
   */
  async stat(
    key: string,
    versionId: string | null,
  ): Promise<{ size: number; etag: string; versionId: string | null } | null> {
    try {
      const s = await this.client.statObject(this.config.bucket, key, versionOpts(versionId));
      return { size: s.size, etag: s.etag, versionId: s.versionId ?? null };
    } catch (e) {
      if (isNoSuchKey(e)) return null;
      return translateStorageError(e);
    }
  }

  /**
   * The bytes of one object version (`versionId` as for {@link stat}), whole or `[start, end]` inclusive. A ranged read that storage answers with more
   * than asked, from the offset asked by its own account (s3rver takes `bytes=0-0` for "from 0 to the
   * end"; a server may ignore Range and send the whole object from 0), is cut to the range asked. Any
   * other length is passed on as it is, for the verifiedStream guard of whoever relays it to catch.
   */
  async read(key: string, versionId: string | null, range?: { start: number; end: number }): Promise<Readable> {
    let stream: Readable;
    try {
      if (!range) return await this.client.getObject(this.config.bucket, key, versionOpts(versionId));
      stream = await this.client.getPartialObject(
        this.config.bucket,
        key,
        range.start,
        range.end - range.start + 1,
        versionOpts(versionId),
      );
    } catch (e) {
      return translateStorageError(e);
    }
    const sent = rangeSent(stream);
    if (sent && sent.start === range.start && sent.end > range.end)
      return firstBytes(stream, range.end - range.start + 1);
    return stream;
  }

  /**
   * Removes an object that no record refers to (a failed upload). Never used on committed
   * evidence. On a versioned (Object Lock) bucket the version itself is deleted, not hidden.
   */
  async removeUnreferenced(key: string, versionId: string | null = null): Promise<void> {
    try {
      await this.client.removeObject(this.config.bucket, key, versionId ? { versionId } : {});
    } catch (e) {
      if (isNoSuchKey(e)) return;
      translateStorageError(e);
    }
  }

  async applyRetention(
    key: string,
    versionId: string | null,
    mode: 'COMPLIANCE' | 'GOVERNANCE',
    until: Date,
  ): Promise<void> {
    await this.client.putObjectRetention(this.config.bucket, key, {
      versionId: versionId ?? '',
      mode,
      retainUntilDate: until.toISOString(),
    });
  }

  async setLegalHold(key: string, versionId: string | null, on: boolean): Promise<void> {
    await this.client.setObjectLegalHold(this.config.bucket, key, {
      ...(versionId ? { versionId } : {}),
      status: on ? 'ON' : 'OFF',
    });
  }
}

/** The S3 request options naming one version; none where storage keeps no versions (the object itself is read). */
function versionOpts(versionId: string | null): { versionId: string } | undefined {
  return versionId ? { versionId } : undefined;
}

class TimeoutError extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new TimeoutError(`timed out after ${ms} ms`)), ms).unref()),
  ]);
}

function describe(e: unknown): string {
  const code = storageErrorCode(e);
  const msg = e instanceof Error ? e.message : String(e);
  return code && !msg.includes(code) ? `${code}: ${msg}` : msg;
}

/** The bytes a GET answer says it carries: its Content-Range on a 206, the whole object from 0 on a 200. */
function rangeSent(stream: Readable): { start: number; end: number } | null {
  const res = stream as Readable & Partial<Pick<IncomingMessage, 'statusCode' | 'headers'>>;
  const length = Number(res.headers?.['content-length']);
  if (res.statusCode === 200) return Number.isSafeInteger(length) && length > 0 ? { start: 0, end: length - 1 } : null;
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(res.headers?.['content-range'] ?? ''));
  return res.statusCode === 206 && m ? { start: Number(m[1]), end: Number(m[2]) } : null;
}
