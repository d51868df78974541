import { ObjectWriter } from './object-writer';
import type { MultipartStore, StoredPart, UploadJournal } from './storage.types';

/** A storage whose part uploads stay pending until the test settles them, in any order. */
class FakeStorage {
  readonly calls: string[] = [];
  readonly pending = new Map<number, { body: Buffer; resolve: (p: StoredPart) => void; reject: (e: Error) => void }>();
  completedWith: StoredPart[] | null = null;
  abandonedWith: StoredPart[] | null = null;

  async initiateMultipart(): Promise<string> {
    this.calls.push('initiate');
    return 'up-1';
  }

  uploadPart(_key: string, _id: string, partNumber: number, body: Buffer): Promise<StoredPart> {
    this.calls.push(`part ${partNumber}`);
    return new Promise((resolve, reject) => this.pending.set(partNumber, { body, resolve, reject }));
  }

  finish(partNumber: number): void {
    const p = this.pending.get(partNumber)!;
    this.pending.delete(partNumber);
    p.resolve({ part: partNumber, etag: `e${partNumber}`, size: p.body.length });
  }

  fail(partNumber: number): void {
    const p = this.pending.get(partNumber)!;
    this.pending.delete(partNumber);
    p.reject(new Error(`part ${partNumber} refused`));
  }

  async completeMultipart(_key: string, _id: string, parts: StoredPart[]) {
    this.completedWith = parts.map((p) => ({ ...p }));
    return { etag: 'done', versionId: 'v1' };
  }

  async abandonMultipart(_key: string, _id: string, parts: StoredPart[]) {
    this.calls.push(`abandon with ${this.pending.size} in flight`);
    this.abandonedWith = parts.map((p) => ({ ...p }));
    return 'ABORTED' as const;
  }
}

const journalOf = () => {
  const events: string[] = [];
  const journal: UploadJournal = {
    opened: async (u) => void events.push(`opened ${u.uploadId}`),
    partStored: async (_id, p) => void events.push(`part ${p.part}`),
    closed: async (_id, outcome) => void events.push(`closed ${outcome}`),
  };
  return { events, journal };
};

/** Lets every settled promise run its continuations. */
const flush = () => new Promise((r) => setImmediate(r));

describe('ObjectWriter with parts in flight', () => {
  it('keeps up to `concurrency` parts uploading at once, then makes the writer wait', async () => {
    const s = new FakeStorage();
    const w = new ObjectWriter(s as unknown as MultipartStore, 'k', 'application/octet-stream', 4, undefined, 3);
    for (const c of ['aaaa', 'bbbb', 'cccc']) await w.write(Buffer.from(c));
    expect([...s.pending.keys()]).toEqual([1, 2, 3]);
    let fourthAccepted = false;
    const fourth = w.write(Buffer.from('dddd')).then(() => (fourthAccepted = true));
    await flush();
    expect(fourthAccepted).toBe(false); // 3 in flight: backpressure
    s.finish(2);
    await fourth;
    expect([...s.pending.keys()].sort()).toEqual([1, 3, 4]);
  });

  it('completes and journals the parts in stream order whatever order they finish in, with exactly the bytes written', async () => {
    const s = new FakeStorage();
    const { events, journal } = journalOf();
    const w = new ObjectWriter(s as unknown as MultipartStore, 'k', 'application/octet-stream', 4, journal, 4);
    await w.write(Buffer.from('aaaabbbbcc'));
    await w.write(Buffer.from('ccdddde'));
    const bodies = [...s.pending.entries()].map(([n, p]) => `${n}:${p.body.toString()}`);
    expect(bodies).toEqual(['1:aaaa', '2:bbbb', '3:cccc', '4:dddd']);
    s.finish(3);
    s.finish(2);
    await flush();
    expect(events).toEqual(['opened up-1']); // part 1 is still in flight: nothing after it is recorded yet
    s.finish(1);
    s.finish(4);
    const done = w.complete();
    await flush();
    s.finish(5);
    const r = await done;
    expect(s.completedWith).toEqual([1, 2, 3, 4, 5].map((n) => ({ part: n, etag: `e${n}`, size: n === 5 ? 1 : 4 })));
    expect(events).toEqual(['opened up-1', 'part 1', 'part 2', 'part 3', 'part 4', 'part 5', 'closed COMPLETED']);
    expect(r).toMatchObject({ size: 17, parts: 5, versionId: 'v1' });
  });

  it('fails the next write when a part fails, and aborts only once no part is in flight', async () => {
    const s = new FakeStorage();
    const { events, journal } = journalOf();
    const w = new ObjectWriter(s as unknown as MultipartStore, 'k', 'application/octet-stream', 4, journal, 2);
    await w.write(Buffer.from('aaaabbbb'));
    s.fail(1);
    await flush();
    await expect(w.write(Buffer.from('cccc'))).rejects.toThrow('part 1 refused');
    const aborted = w.abort('part failed');
    await flush();
    expect(s.calls).not.toContainEqual(expect.stringMatching(/^abandon/)); // part 2 still in flight
    s.finish(2);
    expect(await aborted).toBe('ABORTED');
    expect(s.calls).toEqual(['initiate', 'part 1', 'part 2', 'abandon with 0 in flight']);
    expect(events).toEqual(['opened up-1', 'closed ABORTED']);
    expect(w.completed).toBe(false);
  });

  it('with concurrency 1 sends one part at a time', async () => {
    const s = new FakeStorage();
    const w = new ObjectWriter(s as unknown as MultipartStore, 'k', 'application/octet-stream', 4, undefined, 1);
    await w.write(Buffer.from('aaaa'));
    let second = false;
    const p = w.write(Buffer.from('bbbb')).then(() => (second = true));
    await flush();
    expect(second).toBe(false);
    expect([...s.pending.keys()]).toEqual([1]);
    s.finish(1);
    await p;
    expect([...s.pending.keys()]).toEqual([2]);
  });
});
