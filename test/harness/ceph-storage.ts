import type { Client } from 'minio';
import { cephClient, sharedCephRgw, type Shared } from './ceph-rgw';
import { TestStorage } from './test-storage';

/**
 * A suite's storage on the run's Ceph RGW: a bucket of its own, created with Object Lock (the default)
 * or without, and a minio client with the same keys as the service (the S3 user owns its buckets, so
 * these are also the bucket owner's credentials). Used through createTestApp({ storage: 'ceph' }).
 */
export class CephTestStorage extends TestStorage {
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
    return { S3_ENDPOINT: endpoint, S3_ACCESS_KEY: this.rgw.accessKey, S3_SECRET_KEY: this.rgw.secretKey, S3_BUCKET: this.bucket, S3_REGION: this.rgw.region };
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

  /**
   * Nothing to stop: the cluster is the run's. What the suite stored stays in the OSD's memory until the
   * run ends (COMPLIANCE-locked versions cannot be removed, by design).
   */
  override async stop(): Promise<void> {
    return;
  }
}

