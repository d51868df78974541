import { Client } from 'minio';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { EmbeddedS3Handle, startEmbeddedS3 } from '@app/storage';

/**
 * A real S3-protocol server (s3rver, signature-checking) for one suite, with its data in a
 * temporary directory, plus a client of its own to look at and tamper with what is stored.
 */
export class TestStorage {
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
      endPoint: '127.0.0.1', port: s.handle.port, useSSL: false, pathStyle: true, region: 'us-east-1',
      accessKey: s.handle.accessKey, secretKey: s.handle.secretKey,
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
    return { S3_ENDPOINT: endpoint, S3_ACCESS_KEY: 'S3RVER', S3_SECRET_KEY: 'S3RVER', S3_BUCKET: this.bucket, S3_REGION: 'us-east-1' };
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
