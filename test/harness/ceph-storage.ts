import type { Client } from 'minio';
import { cephClient, sharedCephRgw, type Shared } from './ceph-rgw';
import { StorageKind, TestStorage } from './test-storage';

/**
 * A suite's storage on the run's Ceph RGW: a bucket of its own, created with Object Lock (the default)
 * or without, and a minio client with the same keys as the service (the S3 user owns its buckets, so
 * these are also the bucket owner's credentials). Used through createTestApp({ storage: 'ceph' }).
 */
export class CephTestStorage extends TestStorage {
  override readonly kind: StorageKind = 'ceph';
  private rgw!: Shared;
  objectLock = true;

  static override async start(opts: { objectLock?: boolean } = {}): Promise<CephTestStorage> {
    const s = new CephTestStorage();
    s.rgw = await sharedCephRgw();
    s.objectLock = opts.objectLock ?? true;
    s.client = cephClient(s.rgw);
    await s.client.makeBucket(s.bucket, s.rgw.region, s.objectLock ? { ObjectLocking: true } : undefined);
    return s;
  }

  override get endpoint(): string {
    return this.rgw.endpoint;
  }

  override get port(): number {
    return this.rgw.port;
  }

  override env(endpoint = this.endpoint): Record<string, string> {
    return {
      S3_ENDPOINT: endpoint,
      S3_ACCESS_KEY: this.rgw.accessKey,
      S3_SECRET_KEY: this.rgw.secretKey,
      S3_BUCKET: this.bucket,
      S3_REGION: this.rgw.region,
    };
  }

  /** A minio client of the run's S3 user (the service's credentials, and the bucket owner's). */
  newClient(): Client {
    return cephClient(this.rgw);
  }

  override pendingMultipartUploads(): string[] {
    throw new Error('On Ceph RGW, read pending uploads through S3: incompleteUploads()');
  }

  /** Multipart uploads still pending, as S3 lists them (ListMultipartUploads). */
  async incompleteUploads(prefix = ''): Promise<{ key: string; uploadId: string }[]> {
    const out: { key: string; uploadId: string }[] = [];
    for await (const u of this.client.listIncompleteUploads(this.bucket, prefix, true)) {
      out.push({ key: (u as { key: string }).key, uploadId: (u as { uploadId: string }).uploadId });
    }
    return out;
  }

  override async pendingUploads(prefix = ''): Promise<string[]> {
    return (await this.incompleteUploads(prefix)).map((u) => u.uploadId).sort();
  }

  /** ListObjectVersions: every version and delete marker under `prefix`. */
  override async versions(prefix = ''): Promise<{ key: string; versionId: string | null; deleteMarker: boolean }[]> {
    const out: { key: string; versionId: string | null; deleteMarker: boolean }[] = [];
    for await (const o of this.client.listObjects(this.bucket, prefix, true, { IncludeVersion: true })) {
      const v = o as { name: string; versionId?: string | null; isDeleteMarker?: boolean };
      out.push({ key: v.name, versionId: v.versionId ?? null, deleteMarker: !!v.isDeleteMarker });
    }
    return out;
  }

  /**
   * The cluster is the run's, and its OSD holds what is stored in RAM: releases what the suite stored where
   * the engine allows it. Versions under GOVERNANCE retention (the large suites run so) are deleted with the
   * bypass header after their legal hold is lifted; COMPLIANCE-locked versions cannot be removed, by design,
   * and stay until the run ends (the engine refuses: that refusal is ignored here).
   */
  override async stop(): Promise<void> {
    const uploads = await this.incompleteUploads().catch(() => []);
    for (const u of uploads)
      await this.client.abortMultipartUpload(this.bucket, u.key, u.uploadId).catch(() => undefined);
    const versions = await this.versions().catch(() => []);
    let kept = 0;
    for (const v of versions) {
      const versionId = v.versionId ?? undefined;
      if (this.objectLock && !v.deleteMarker) {
        await Promise.resolve(
          this.client.setObjectLegalHold(this.bucket, v.key, { versionId, status: 'OFF' } as never),
        ).catch(() => undefined);
      }
      await this.client.removeObject(this.bucket, v.key, { versionId, governanceBypass: true }).catch(() => {
        kept += 1;
      });
    }
    if (!kept) await this.client.removeBucket(this.bucket).catch(() => undefined);
  }
}

/** The legal hold of one version, read from the engine (minio-js 8 types it 'ON' | 'OFF' but returns { Status: 'ON' }). */
export async function legalHoldOf(client: Client, bucket: string, key: string, versionId: string): Promise<string> {
  const r = (await client.getObjectLegalHold(bucket, key, { versionId })) as unknown;
  return typeof r === 'string' ? r : String((r as { Status?: string })?.Status);
}

/** The S3 error code an engine refused a call with ('ACCEPTED' when it did not): minio-js errors carry no HTTP status. */
export async function s3Refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return String((e as { code?: string }).code ?? (e as Error).message);
  }
  return 'ACCEPTED';
}
