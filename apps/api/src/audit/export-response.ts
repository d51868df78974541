import type { Response } from 'express';
import { writeChunk } from '@app/common';

/** Sends an audit export (GET /audit/export, and tickets); true when it was sent to its end (checkpoint line included). */
export async function sendExport(
  res: Response,
  lines: AsyncGenerator<string | Buffer>,
  format: 'ndjson' | 'csv',
): Promise<boolean> {
  // The first chunk is made after the export is recorded and checkpointed: failures before it are answered normally.
  const first = await lines.next();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  res.status(200);
  res.setHeader('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="ion-audit-${stamp}.${format}"`);
  res.setHeader('Cache-Control', 'no-store');
  // Written chunk by chunk, waiting for the socket to drain: at most one batch is held in memory.
  try {
    if (!first.done) await writeChunk(res, first.value);
    for await (const chunk of lines) await writeChunk(res, chunk);
    res.end();
    return true;
  } catch {
    res.destroy(); // cut short: the file has no checkpoint line, so no verifier will take it for complete
    await lines.return(undefined);
    return false;
  }
}
