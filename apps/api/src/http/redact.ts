import { createHash } from 'node:crypto';

/** A download/playback ticket as the service issues it: a fixed prefix, then 32 random bytes in base64url. */
export const TICKET_PATTERN = /iontk_[A-Za-z0-9_-]{43}/g;
/** Whatever follows /tickets/ in a path (a ticket, or something sent as one). */
const TICKET_SEGMENT = /(\/tickets\/+)([^/?#]+)/gi;

/** `redacted:<12 hex>`: the first digits of the SHA-256 of the value, which the ticket's row holds, so a line can be matched to it. */
function redaction(value: string): string {
  return `redacted:${createHash('sha256').update(value).digest('hex').slice(0, 12)}`;
}

/**
 * A URL or path as it may be logged or audited: a ticket is a credential for a few minutes, so neither the
 * segment after /tickets/ nor anything shaped like a ticket elsewhere (a query string, another path) is kept.
 */
export function redactUrl(url: string): string {
  return url
    .replace(TICKET_SEGMENT, (_m, prefix: string, segment: string) => `${prefix}${redaction(segment)}`)
    .replace(TICKET_PATTERN, (t) => redaction(t));
}
