/**
 * What the offline verifier commands (audit-verify, packet-verify) share: usage errors, parsing
 * arguments into either the parsed value or the exit status to return, and the entry point.
 * Pure: no Nest, so the commands start in a blink on an investigator's machine.
 */
import type { Writable } from 'node:stream';

/** A bad command line. An empty message means "--help": print the usage alone and exit 0. */
export class UsageError extends Error {}

/** The parsed arguments, or (after printing the usage, and the problem if any) the exit status: 0 for --help, 2 otherwise. */
export function parseOrExit<T>(
  command: string,
  usage: string,
  parse: () => T,
  stdout: Writable,
  stderr: Writable,
): { args: T } | { exit: number } {
  try {
    return { args: parse() };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    if (!e.message) {
      stdout.write(`${usage}\n`);
      return { exit: 0 };
    }
    stderr.write(`${command}: ${e.message}\n${usage}\n`);
    return { exit: 2 };
  }
}

/** Runs `main` as the process's command: its result is the exit status; a crash prints its stack and exits 2. */
export function runAsCommand(command: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${command}: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
