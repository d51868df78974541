import type { KeyObject } from 'node:crypto';
import {
  ExportVerification,
  verifyChunks,
  VerifyExportBytesOptions,
  VerifyExportOptions,
  verifyFile,
  verifyLines,
} from './verifier';

/**
 * Offline verification of an audit export (format in ../export-format). Deliberately light: no
 * Nest, no database, no network, so an investigator can run it on a copy of the file. It streams
 * (memory is a few batches of lines, whatever the size of the file) and stops at the first
 * problem, naming its line and seq.
 *
 * The work is split in two so that it can use more than one core: the checks of one row on its
 * own (parse, types, the row's hash: ./checks, ./parse, ./fast-path) run on batches of lines, in
 * worker threads if asked (./workers); the checks between rows (order, gaps, chain links, the
 * sealed row list) then run in the main thread, in file order, keeping only the previous row
 * (./verifier). The first problem in file order is reported either way.
 *
 * Two ways in: verifyExport reads lines (strings); verifyExportFile and verifyExportChunks read
 * bytes, in blocks of whole lines that go to the worker threads as they are (./blocks; the block's
 * memory is moved, not copied), so that the main thread neither splits nor decodes lines: the
 * workers do, and send back per row only its seq and hash (and its prevHash where it does not link
 * to the row before). That is what the command line tool uses.
 */
export type { ExportVerification, VerifyExportBytesOptions, VerifyExportOptions } from './verifier';
export { fastRowHash } from './fast-path';

/**
 * Verifies an export read line by line (without line terminators). Checks every row's hash,
 * the order and the chain links as rows stream, then the trailer: key id, checkpoint and seal
 * signatures, header digest, the sealed list of rows, and that the rows reach the checkpoint.
 */
export function verifyExport(
  lines: AsyncIterable<string> | Iterable<string>,
  publicKey: KeyObject,
  options: VerifyExportOptions = {},
): Promise<ExportVerification> {
  return verifyLines(lines, publicKey, options, true);
}

/**
 * Verifies an export file, read in blocks of bytes; for the command line tool. Lines end at "\n"
 * (a "\r" before it is dropped), as verifyExport reads them; the same checks, the same problems on
 * the same lines.
 */
export function verifyExportFile(
  path: string,
  publicKey: KeyObject,
  options: VerifyExportBytesOptions = {},
): Promise<ExportVerification> {
  return verifyFile(path, publicKey, options, true);
}

/** Verifies an export read as chunks of bytes (a stream such as standard input; strings are UTF-8 encoded), as verifyExportFile does. */
export function verifyExportChunks(
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  publicKey: KeyObject,
  options: VerifyExportBytesOptions = {},
): Promise<ExportVerification> {
  return verifyChunks(chunks, publicKey, options, true);
}
