import { ParseUUIDPipe } from '@nestjs/common';
import { ValidationError } from '@app/common';

/** Path ids are UUIDs; anything else is a 400 naming the parameter. */
export const UuidParam = new ParseUUIDPipe({
  version: undefined,
  exceptionFactory: () => ValidationError.field('id', 'must be a UUID'),
});

/**
 * The version a client edited: an If-Match header ("3", W/"3" or 3) or a `version` body field.
 * Both given and different, or a malformed header, is a 400.
 */
export function expectedVersion(ifMatch: string | undefined, bodyVersion: number | undefined): number | undefined {
  let fromHeader: number | undefined;
  if (ifMatch !== undefined && ifMatch !== '') {
    const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(ifMatch.trim());
    if (!m) throw ValidationError.field('If-Match', 'must be the case version, e.g. "3"');
    fromHeader = Number(m[1]);
  }
  if (fromHeader !== undefined && bodyVersion !== undefined && fromHeader !== bodyVersion) {
    throw ValidationError.field('version', `If-Match (${fromHeader}) and version (${bodyVersion}) disagree`);
  }
  return fromHeader ?? bodyVersion;
}

/**
 * The optional `If-Match` request header of versioned writes, documented once: Nest's explorer would
 * otherwise list the `@Headers('if-match')` parameter as required (clients may send `version` instead).
 */
export const IF_MATCH_HEADER = {
  name: 'if-match',
  required: false,
  description: 'The version you edited, e.g. "3" (or send `version` in the body); a stale one gets 409',
};
