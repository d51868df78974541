import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The README's shell blocks, as a reader runs them: every ```bash block in order, in one bash session
 * (`bash -euo pipefail`, so $API, $TOKEN and functions carry over and any failing command, also one
 * inside a pipe, stops the run), each followed by the output the README says it prints.
 *
 * Conventions in README.md:
 * - `<!-- readme-test: skip (reason) -->` on the line before a ```bash block: not run (e.g. `npm start` itself).
 * - A plain ``` block after a bash block, before the next bash block, is what that bash block prints: each of
 *   its lines must appear in the output, in that order. `…` stands for anything; ids, hashes, years and
 *   timings differ between runs and are compared as placeholders (see mask()).
 */
export interface ReadmeBlock {
  /** 1-based line of the opening fence. */
  line: number;
  heading: string;
  code: string;
  skip: string | null;
  expected: string[] | null;
}

export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  let heading = '';
  let previous: ReadmeBlock | null = null; // the code block just before, if it was a bash block
  for (let i = 0; i < lines.length; i++) {
    if (/^#{1,6} /.test(lines[i])) heading = lines[i].replace(/^#+ /, '');
    const fence = /^```(\w*)\s*$/.exec(lines[i]);
    if (!fence) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    if (i >= lines.length) throw new Error(`README line ${start + 1}: unclosed code block`);
    if (fence[1] === 'bash') {
      let prev = start - 1;
      while (prev >= 0 && lines[prev].trim() === '') prev--;
      const skip = /^<!-- readme-test: skip \((.+)\) -->$/.exec(lines[prev]?.trim() ?? '');
      previous = { line: start + 1, heading, code: body.join('\n'), skip: skip ? skip[1] : null, expected: null };
      blocks.push(previous);
      continue;
    }
    if (fence[1] === '' && previous && !previous.skip) previous.expected = body;
    previous = null;
  }
  return blocks;
}

/** What differs from run to run, replaced by placeholders on both sides before comparing. */
export function mask(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/\b[0-9a-f]*[a-f][0-9a-f]*\d[0-9a-f]*\b|\b[0-9a-f]*\d[0-9a-f]*[a-f][0-9a-f]*\b/g, (h) =>
      h.length >= 8 ? '<hex>' : h,
    )
    .replace(/\bION-\d{4}-/g, 'ION-<year>-')
    .replace(/\b\d+(\.\d+)? s\b/g, '<seconds> s')
    .replace(/\b(19|20)\d\d-\d\d-\d\dT[\d:.]+Z\b/g, '<time>');
}

/** The README lines missing from `output`, in order (each may match only after the previous one). */
export function missingLines(output: string, expected: string[]): string[] {
  const got = mask(output).split('\n');
  const missing: string[] = [];
  let at = 0;
  for (const want of expected.filter((l) => l.trim() !== '')) {
    const re = new RegExp(
      `^${mask(want)
        .split('…')
        .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    const found = got.findIndex((l, i) => i >= at && re.test(l.trimEnd()));
    if (found < 0) missing.push(want);
    else at = found + 1;
  }
  return missing;
}

export interface BlockRun {
  block: ReadmeBlock;
  ran: boolean;
  output: string;
  /** Why the block failed: its exit status, or the README lines its output lacks. */
  failure: string | null;
}

/**
 * Runs the blocks (skipped ones left out) in one `bash -euo pipefail` session in `cwd`, with `env`.
 * `rewrite` may adapt a block's text to the test's environment (only the service's port, say).
 */
export async function runReadmeBlocks(
  blocks: ReadmeBlock[],
  opts: {
    cwd: string;
    env: NodeJS.ProcessEnv;
    scriptDir: string;
    rewrite?: (code: string) => string;
    timeoutMs?: number;
  },
): Promise<BlockRun[]> {
  const mark = `@@readme-${randomBytes(6).toString('hex')}`;
  const run = blocks.filter((b) => !b.skip);
  const driver = ['exec 2>&1'];
  run.forEach((b, i) => {
    const file = join(opts.scriptDir, `block-${i}.sh`);
    writeFileSync(file, `${(opts.rewrite ?? ((c) => c))(b.code)}\n`);
    driver.push(`echo '${mark} start ${i}'`, `. '${file}'`, `echo '${mark} end ${i}'`);
  });
  writeFileSync(join(opts.scriptDir, 'driver.sh'), `${driver.join('\n')}\n`);
  const { out, code } = await new Promise<{ out: string; code: number | null }>((resolve, reject) => {
    const child = spawn('bash', ['-euo', 'pipefail', join(opts.scriptDir, 'driver.sh')], {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 45_000);
    child.on('error', reject);
    child.on('close', (c, signal) => {
      clearTimeout(timer);
      resolve({ out: text, code: signal ? -1 : c });
    });
  });
  return run.map((block, i) => {
    const started = out.indexOf(`${mark} start ${i}\n`);
    const ended = out.indexOf(`${mark} end ${i}\n`);
    if (started < 0) return { block, ran: false, output: '', failure: 'not reached: an earlier block failed' };
    const from = started + `${mark} start ${i}\n`.length;
    const output = out.slice(from, ended < 0 ? undefined : ended);
    if (ended < 0) return { block, ran: true, output, failure: `exited with status ${code} (bash -euo pipefail)` };
    const missing = block.expected ? missingLines(output, block.expected) : [];
    return {
      block,
      ran: true,
      output,
      failure: missing.length ? `output lacks what the README says it prints:\n${missing.join('\n')}` : null,
    };
  });
}
