import type { Response } from 'express';
import { deliver } from '@app/common';
import type { OpenPacketArchive } from '@app/packets';

/** Sends an open packet archive (GET /packets/:id/archive, and tickets); true when every byte went out (`deliver` decides). */
export async function sendArchive(res: Response, open: OpenPacketArchive): Promise<boolean> {
  const size = await open.archive.size;
  res.status(200);
  res.setHeader('Content-Type', 'application/zip');
  if (size >= 0) {
    res.setHeader('Content-Length', String(size));
    // Each evidence entry is exactly its manifest size or the archive fails; Node refusing another body length is the backstop.
    res.strictContentLength = true;
  }
  res.setHeader('Content-Disposition', `attachment; filename="${open.filename}"`);
  res.setHeader('X-Packet-Manifest-SHA256', open.packet.manifestSha256);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // Each evidence entry is verified as it streams (length, SHA-256, its last chunk held back until it matches).
  const sent = await deliver(open.archive.stream, res);
  if (!sent.complete) {
    open.archive.destroy();
    await open.failed(sent.error);
  }
  return sent.complete;
}
