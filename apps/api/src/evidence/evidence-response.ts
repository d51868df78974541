import type { Response } from 'express';
import { deliver } from '@app/common';
import type { EvidenceContent } from '@app/evidence';

/** Content-Disposition with an ASCII fallback and the exact name in RFC 5987 form. */
export function contentDisposition(type: 'attachment' | 'inline', filename: string | null, id: string): string {
  const name = filename ?? `evidence-${id}`;
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** What went out: bytes handed to the socket, and whether the read ended as it should (every byte, hash checked when whole). */
export interface EvidenceSent {
  bytesSent: number;
  complete: boolean;
}

/**
 * Sends an open evidence read (GET /evidence/:id/content, and tickets): headers, then the bytes as the service
 * verifies them (a whole-file read is re-hashed and its last chunk held back until the hash matches, so no
 * client takes a corrupt file for a complete one).
 */
export async function sendEvidence(
  res: Response,
  c: EvidenceContent,
  disposition: 'attachment' | 'inline',
): Promise<EvidenceSent> {
  const e = c.evidence;
  res.status(c.range ? 206 : 200);
  res.setHeader('Content-Type', e.contentType);
  res.setHeader('Content-Length', String(c.length));
  // c.stream yields exactly c.length bytes or fails; Node refusing any other body length is the backstop.
  res.strictContentLength = true;
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Content-Disposition', contentDisposition(disposition, e.originalFilename, e.id));
  res.setHeader('ETag', `"sha256-${e.sha256}"`);
  res.setHeader('X-Evidence-SHA256', e.sha256);
  res.setHeader('Repr-Digest', `sha-256=:${Buffer.from(e.sha256, 'hex').toString('base64')}:`);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (c.range) res.setHeader('Content-Range', `bytes ${c.range.start}-${c.range.end}/${e.sizeBytes}`);
  res.flushHeaders();
  // c.stream is verified on the way (length; SHA-256 of a whole-file read, its last chunk held back until it matches).
  const sent = await deliver(c.stream, res);
  // Storage failed, a check failed or the client went away: the trail already says the download started; say it did not finish.
  if (!sent.complete) await c.failed(sent.error, sent.bytesSent);
  return { bytesSent: sent.bytesSent, complete: sent.complete };
}
