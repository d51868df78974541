import { Client } from 'minio';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { EmbeddedS3Handle, startEmbeddedS3 } from '@app/storage';

export type StorageKind = 's3rver' | 'ceph';

/**
 * The engine the storage suites run against: s3rver unless ION_TEST_STORAGE=ceph (set for the
 * `e2e-ceph` jest project by harness/use-ceph.ts, or by hand: ION_TEST_STORAGE=ceph npx jest test/x.e2e-spec.ts).
 */
export function storageUnderTest(): StorageKind {
  const v = process.env.ION_TEST_STORAGE ?? 's3rver';
  if (v !== 's3rver' && v !== 'ceph') throw new Error(`ION_TEST_STORAGE=${v}: must be s3rver or ceph`);
  return v;
}

/**
 * For the suites that store a GiB or more: on Ceph RGW their evidence gets GOVERNANCE retention instead of
 * COMPLIANCE, so that the suite's bucket can be emptied at its end (legal hold lifted, versions deleted with
 * the bypass header, as the bucket owner). The OSD keeps stored objects in RAM, and COMPLIANCE-locked GiBs
 * would stay there until the run ends. COMPLIANCE itself is proven by object-lock.e2e-spec.ts and by the
 * other suites of the e2e-ceph project. Nothing on s3rver.
 */
export function releasableRetention(): Record<string, string> {
  return storageUnderTest() === 'ceph' ? { STORAGE_RETENTION_MODE: 'GOVERNANCE' } : {};
}

/**
 * A real S3-protocol server (s3rver, signature-checking) for one suite, with its data in a
 * temporary directory, plus a client of its own to look at and tamper with what is stored.
 */
export class TestStorage {
  /** Which engine this is: s3rver (no Object Lock, no versioning, no ListMultipartUploads) or Ceph RGW. */
  readonly kind: StorageKind = 's3rver';
  readonly bucket = `ion-test-${randomBytes(4).toString('hex')}`;
  client!: Client;
  private handle?: EmbeddedS3Handle;
  private dir = '';

  static async start(): Promise<TestStorage> {
    const s = new TestStorage();
    s.dir = mkdtempSync(join(tmpdir(), 'ion-test-s3-'));
    chmodSync(s.dir, 0o755);
    s.handle = await startEmbeddedS3({ directory: join(s.dir, 'data') });
    s.client = new Client({
      endPoint: '127.0.0.1',
      port: s.handle.port,
      useSSL: false,
      pathStyle: true,
      region: 'us-east-1',
      accessKey: s.handle.accessKey,
      secretKey: s.handle.secretKey,
    });
    return s;
  }

  get endpoint(): string {
    return this.handle!.endpoint;
  }

  get port(): number {
    return this.handle!.port;
  }

  /** The environment that points the API at this server. */
  env(endpoint = this.endpoint): Record<string, string> {
    return {
      S3_ENDPOINT: endpoint,
      S3_ACCESS_KEY: 'S3RVER',
      S3_SECRET_KEY: 'S3RVER',
      S3_BUCKET: this.bucket,
      S3_REGION: 'us-east-1',
    };
  }

  /** Object keys in the bucket. */
  async keys(prefix = ''): Promise<string[]> {
    const out: string[] = [];
    for await (const o of this.client.listObjectsV2(this.bucket, prefix, true)) out.push((o as { name: string }).name);
    return out.sort();
  }

  /**
   * Multipart uploads still pending. s3rver implements no ListMultipartUploads, so this reads
   * its data directory: one folder per pending upload under <bucket>/._S3rver_uploads.
   */
  pendingMultipartUploads(): string[] {
    const dir = join(this.dir, 'data', this.bucket, '._S3rver_uploads');
    return existsSync(dir) ? readdirSync(dir) : [];
  }

  /** Multipart uploads still pending (their upload ids), read from the engine. */
  async pendingUploads(_prefix = ''): Promise<string[]> {
    return this.pendingMultipartUploads().sort();
  }

  /**
   * Every version stored under `prefix`, delete markers included, read from the engine. s3rver keeps no
   * versions: one entry per key, versionId null.
   */
  async versions(prefix = ''): Promise<{ key: string; versionId: string | null; deleteMarker: boolean }[]> {
    return (await this.keys(prefix)).map((key) => ({ key, versionId: null, deleteMarker: false }));
  }

  async sha256Of(key: string): Promise<{ sha256: string; size: number }> {
    const { createHash } = await import('node:crypto');
    const h = createHash('sha256');
    let size = 0;
    for await (const chunk of await this.client.getObject(this.bucket, key)) {
      h.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    return { sha256: h.digest('hex'), size };
  }

  async stop(): Promise<void> {
    await this.handle?.stop();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
