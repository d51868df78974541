import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Model, protect, Suppression } from './disclosure-control';

// --- the disclosure control in a worker thread -------------------------------------------------------
//
// protect() (elimination and bounds propagation over every published cell, again after each round of
// complementary suppression) takes from a few hundred milliseconds to seconds on a long history: on the
// main thread the API would answer nobody meanwhile. The worker runs THIS file (__filename:
// dist/apps/api/apps/api/src/statistics/disclosure-worker.js when built), which with the role below
// protects the model it was given, posts the result and ends; it loads nothing but ./disclosure-control
// (no Nest, no TypeORM), so it starts in tens of milliseconds.
//
// One worker per computation, not a resident one: a computation runs at most once per cache period
// (STATISTICS_CACHE_SECONDS, 300 s) per process, so the start-up is negligible, while a resident worker
// would hold its heap between computations, need restarting after a crash and ending with the app. A
// worker that ends without an answer (crash, out of memory, failed to load) rejects the computation
// like an exception of protect() does inline: the caller sees the same failure, nothing is cached.

const WORKER_ROLE = 'ion-statistics/protect';

interface Job {
  role: typeof WORKER_ROLE;
  model: Model;
}

type Reply = { state: Map<string, Suppression | null> } | { error: { message: string; stack?: string } };

if (!isMainThread && parentPort && (workerData as Partial<Job> | null)?.role === WORKER_ROLE) {
  let reply: Reply;
  try {
    reply = { state: protect((workerData as Job).model) };
  } catch (e) {
    reply = { error: e instanceof Error ? { message: e.message, stack: e.stack } : { message: String(e) } };
  }
  parentPort.postMessage(reply);
}

/** protect(model) in a worker thread of its own (the result is the same Map protect returns). */
export function protectInWorker(model: Model): Promise<Map<string, Suppression | null>> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
    };
    const job: Job = { role: WORKER_ROLE, model };
    const worker = new Worker(__filename, { workerData: job });
    worker.on('message', (reply: Reply) =>
      settle(() => {
        if ('state' in reply) return resolve(reply.state);
        // The exception protect() threw, as it would have been thrown inline (its stack from the worker).
        const e = new Error(reply.error.message);
        if (reply.error.stack) e.stack = reply.error.stack;
        reject(e);
      }),
    );
    worker.on('messageerror', (e) => settle(() => reject(e)));
    worker.on('error', (e) => settle(() => reject(e)));
    worker.on('exit', (code) =>
      settle(() => reject(new Error(`the disclosure control worker ended (exit code ${code}) without an answer`))),
    );
  });
}

/** Worker threads can only load this file when it runs as compiled JavaScript (not under ts-jest). */
export const CAN_USE_WORKERS = __filename.endsWith('.js');

/** protect(model) off the main thread when the API runs as compiled JavaScript; inline under ts-jest. */
export function protectOffMainThread(model: Model): Promise<Map<string, Suppression | null>> {
  if (CAN_USE_WORKERS) return protectInWorker(model);
  try {
    return Promise.resolve(protect(model));
  } catch (e) {
    return Promise.reject(e as Error);
  }
}
