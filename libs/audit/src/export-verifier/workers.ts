import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { blockLines } from './blocks';
import { checkRows, RowBatch } from './checks';
import { Format } from './parse';

// --- worker threads -------------------------------------------------------------------------------
//
// The per-row checks (checkRows) of a batch of lines or a block of bytes, in a worker thread. The
// worker runs THIS file (__filename: dist/apps/api/libs/audit/src/export-verifier/workers.js when
// built), which serves jobs when started with its role below; the main thread only loads it for
// RowWorker.

const WORKER_ROLE = 'ion-audit-export-verifier/rows';

/**
 * Lines numbered from `firstLine`, or a block of bytes holding whole lines, numbered from 1: the
 * block is handed over before the lines ahead of it are counted (see ExportCheck.settle in
 * ./verifier). `fast`: checkRows' fast path (false only in the spec that compares it with the plain path).
 */
export type RowJob =
  | { format: Format; fast: boolean; lines: string[]; firstLine: number }
  | { format: Format; fast: boolean; block: Uint8Array };

export interface WorkerReply {
  batch?: RowBatch;
  /** checkRows threw (a bug, not a problem with the export). */
  error?: string;
  /** The job's block, handed back. */
  block?: Uint8Array;
}

if (!isMainThread && parentPort && (workerData as { role?: unknown } | null)?.role === WORKER_ROLE) {
  const port = parentPort;
  port.on('message', (job: RowJob) => {
    const reply: WorkerReply = {};
    try {
      reply.batch =
        'block' in job
          ? checkRows(job.format, blockLines(job.block), 1, job.fast)
          : checkRows(job.format, job.lines, job.firstLine, job.fast);
    } catch (e) {
      reply.error = (e as Error).stack ?? String(e);
    }
    if ('block' in job) {
      reply.block = job.block;
      port.postMessage(reply, [job.block.buffer as ArrayBuffer]);
    } else {
      port.postMessage(reply);
    }
  });
}

/** A worker thread running checkRows; replies come back in the order of the jobs. */
export class RowWorker {
  // A larger young generation: each batch allocates a few MB that die young.
  private readonly worker = new Worker(__filename, {
    workerData: { role: WORKER_ROLE },
    resourceLimits: { maxYoungGenerationSizeMb: 64 },
  });
  private readonly waiting: { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }[] = [];
  private failed?: Error;

  constructor() {
    this.worker.on('message', (reply: WorkerReply) => this.waiting.shift()?.resolve(reply));
    const fail = (e: Error) => {
      this.failed ??= e;
      for (const w of this.waiting.splice(0)) w.reject(e);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`export verifier worker exited (${code})`)));
  }

  /** Checks the rows of a job; a block is moved to the worker (it is unusable here until handed back). */
  check(job: RowJob): Promise<WorkerReply> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if ('block' in job) this.worker.postMessage(job, [job.block.buffer as ArrayBuffer]);
      else this.worker.postMessage(job);
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

/** Worker threads can only load this file when it runs as compiled JavaScript (not under ts-jest). */
const CAN_USE_WORKERS = __filename.endsWith('.js');

export const threadsOf = (threads: number | undefined): number =>
  CAN_USE_WORKERS ? Math.max(0, Math.floor(threads ?? 0)) : 0;
