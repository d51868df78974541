import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ts from 'typescript';
import { canonicalJson } from '@app/common';
import { Model, protect, seenOf, Suppression, THRESHOLD } from './disclosure-control';
import { CAN_USE_WORKERS, protectOffMainThread } from './disclosure-worker';
import { buildModel, CaseFacts, countCases, monthRange, publishTables } from './statistics-tables';

/*
 * The disclosure control in a worker thread (./disclosure-worker) gives exactly what protect() gives
 * inline. A worker thread cannot load TypeScript, so (as `nest build` would) this spec compiles
 * disclosure-worker.ts and disclosure-control.ts to JavaScript in a temporary directory and runs the
 * compiled module, which starts its worker from its own compiled file, as the built API does.
 */

type State = Map<string, Suppression | null>;
type WorkerModule = { protectInWorker: (m: Model) => Promise<State>; CAN_USE_WORKERS: boolean };

let dir: string;
const compile = (name: string) =>
  ts.transpileModule(readFileSync(join(__dirname, `${name}.ts`), 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: `${name}.ts`,
  }).outputText;
/** The compiled worker module in `sub`, next to the compiled disclosure control or a stand-in for it. */
const install = (sub: string, control: string = compile('disclosure-control')): string => {
  const d = join(dir, sub);
  mkdirSync(d);
  writeFileSync(join(d, 'disclosure-worker.js'), compile('disclosure-worker'));
  writeFileSync(join(d, 'disclosure-control.js'), control);
  return d;
};
const load = <T extends object>(file: string): T => jest.requireActual<T>(file);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ion-disclosure-worker-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A deterministic history: `months` months of `perMonth` cases each, spread so that many counts fall below 10. */
function history(months: string[], perMonth: number, seed: number): (CaseFacts & { n: number })[] {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(xs: readonly T[], w: number[]) => {
    let r = rnd() * w.reduce((a, b) => a + b, 0);
    for (let i = 0; i < xs.length; i++) if ((r -= w[i]) < 0) return xs[i];
    return xs[xs.length - 1];
  };
  const agencies = ['ICE_ERO', 'ICE_HSI', 'CBP', 'BORDER_PATROL', 'FBI', 'DEA', 'ATF', 'US_MARSHALS', 'DHS_OTHER'];
  const agencyWeights = [30, 8, 20, 12, 3, 2, 2, 3, 4];
  const out: (CaseFacts & { n: number })[] = [];
  for (const month of months)
    for (let i = 0; i < perMonth; i++) {
      const named = new Set([pick(agencies, agencyWeights)]);
      if (rnd() < 0.25) named.add(pick(agencies, agencyWeights));
      out.push({
        month,
        n: 1,
        decision: pick(
          ['AWAITING_DECISION', 'CHARGES_FILED', 'DECLINED', 'REFERRED_ELSEWHERE', 'MORE_INFO_REQUESTED'],
          [5, 30, 20, 6, 4],
        ),
        activityType: pick(['ARREST', 'DETENTION', 'VEHICLE_STOP', 'SEARCH_OR_ENTRY', 'OTHER'], [30, 25, 15, 8, 3]),
        supervisorIdentification: pick(['VERIFIED', 'PARTIAL', 'REFUSED', 'UNABLE'], [20, 15, 30, 10]),
        agencies: [...named].sort(),
      });
    }
  return out;
}

const modelOf = (facts: (CaseFacts & { n: number })[], months: string[]) => {
  const { counts, categories } = countCases(facts, months);
  return { model: buildModel(counts, months, categories), months, categories };
};

/** What the service publishes and hashes, from a model and its suppressions. */
const sha256Of = (m: ReturnType<typeof modelOf>, state: State) =>
  createHash('sha256')
    .update(
      canonicalJson({
        threshold: THRESHOLD,
        timeZone: 'America/Chicago',
        tables: publishTables(m.months, seenOf(m.model, state), m.categories),
      }),
    )
    .digest('hex');

const MODELS: [string, () => ReturnType<typeof modelOf>][] = [
  ['no referrals (one month of zeros)', () => modelOf([], ['2026-04'])],
  [
    'crafted counts 25, 9, 11, 10, 12, 3',
    () =>
      modelOf(
        [
          {
            month: '2026-01',
            n: 25,
            decision: 'CHARGES_FILED',
            activityType: 'ARREST',
            supervisorIdentification: 'REFUSED',
            agencies: ['ICE_ERO'],
          },
          {
            month: '2026-01',
            n: 9,
            decision: 'DECLINED',
            activityType: 'DETENTION',
            supervisorIdentification: 'REFUSED',
            agencies: ['CBP'],
          },
          {
            month: '2026-02',
            n: 11,
            decision: 'CHARGES_FILED',
            activityType: 'ARREST',
            supervisorIdentification: 'REFUSED',
            agencies: ['ICE_ERO', 'CBP'],
          },
          {
            month: '2026-02',
            n: 10,
            decision: 'DECLINED',
            activityType: 'ARREST',
            supervisorIdentification: 'REFUSED',
            agencies: ['ICE_ERO'],
          },
          {
            month: '2026-03',
            n: 12,
            decision: 'CHARGES_FILED',
            activityType: 'ARREST',
            supervisorIdentification: 'REFUSED',
            agencies: ['ICE_ERO'],
          },
          {
            month: '2026-03',
            n: 3,
            decision: 'AWAITING_DECISION',
            activityType: 'ARREST',
            supervisorIdentification: 'VERIFIED',
            agencies: [],
          },
        ],
        monthRange('2026-01', '2026-04'),
      ),
  ],
  [
    '12 months of 40 cases',
    () => modelOf(history(monthRange('2025-01', '2025-12'), 40, 7), monthRange('2025-01', '2025-12')),
  ],
  [
    '18 months of 70 cases',
    () => modelOf(history(monthRange('2024-07', '2025-12'), 70, 11), monthRange('2024-07', '2025-12')),
  ],
];

describe('disclosure control in a worker thread', () => {
  let worker: WorkerModule;
  let control: { protect: typeof protect };
  beforeAll(() => {
    const d = install('built');
    worker = load<WorkerModule>(join(d, 'disclosure-worker.js'));
    control = load(join(d, 'disclosure-control.js'));
  });

  it('compiled, the module uses workers; under ts-jest it does not (and computes inline)', async () => {
    expect(worker.CAN_USE_WORKERS).toBe(true);
    expect(CAN_USE_WORKERS).toBe(false);
    const m = MODELS[1][1]();
    expect([...(await protectOffMainThread(m.model)).entries()]).toEqual([...protect(m.model).entries()]);
  });

  it.each(MODELS)('%s: exactly the inline result, the same published tables and SHA-256', async (_, make) => {
    const m = make();
    const inline = protect(m.model);
    const onThisThread = jest.spyOn(control, 'protect');
    const fromWorker = await worker.protectInWorker(m.model);
    // protect() ran in the worker, not here.
    expect(onThisThread).not.toHaveBeenCalled();
    onThisThread.mockRestore();
    // A Map (of the realm outside jest's sandbox, where the message arrives).
    expect(Object.prototype.toString.call(fromWorker)).toBe('[object Map]');
    expect([...fromWorker.entries()]).toEqual([...inline.entries()]);
    expect(sha256Of(m, fromWorker)).toBe(sha256Of(m, inline));
    // The cases are not trivial: small counts withheld, and complementary ones in all but the empty history.
    expect([...inline.values()]).toContain('FEWER_THAN_10');
    if (m.months.length > 1) expect([...inline.values()]).toContain('COMPLEMENTARY');
  });

  it('an exception of protect() rejects with the error it throws inline (message and stack)', async () => {
    const broken: Model = {
      cells: [{ key: 'a', value: 3, isTotal: false, table: 't', order: 0 }],
      relations: [{ kind: 'eq', plus: ['a'], minus: [{ key: 'missing', coef: 1 }], tables: ['t'] }],
    };
    expect(() => protect(broken)).toThrow(new Error('relation names an unknown cell missing'));
    const e = await worker.protectInWorker(broken).then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).toBe('relation names an unknown cell missing');
    expect((e as Error).stack).toMatch(/at attack \(.*disclosure-control\.js/);
  });

  it('a worker that ends without an answer rejects the computation (no hang)', async () => {
    const exits = install('exits', `exports.protect = () => process.exit(7);`);
    const { protectInWorker } = load<WorkerModule>(join(exits, 'disclosure-worker.js'));
    await expect(protectInWorker(MODELS[1][1]().model)).rejects.toThrow(
      'the disclosure control worker ended (exit code 7) without an answer',
    );
  });

  it('a worker that cannot load its code rejects the computation with the load error', async () => {
    const fails = install(
      'fails-to-load',
      `if (!require('node:worker_threads').isMainThread) throw new Error('cannot load the disclosure control');`,
    );
    const { protectInWorker } = load<WorkerModule>(join(fails, 'disclosure-worker.js'));
    await expect(protectInWorker(MODELS[1][1]().model)).rejects.toThrow('cannot load the disclosure control');
  });
});
