import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import type { OpenPacketArchive } from '@app/packets';

/** Sends an open packet archive (GET /packets/:id/archive, and tickets); true when every byte went out. */
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
  let produced = false;
  open.archive.stream.once('end', () => (produced = true));
  try {
    await pipeline(open.archive.stream, res);
    return true;
  } catch (e) {
    open.archive.destroy();
    res.destroy();
    // Every byte was handed to the socket and the client hung up right after: that is a completed download.
    if (!produced) await open.failed(e);
    return produced;
  }
}
