/** A UTF-16 surrogate without its other half: valid in a JS string, refused by PostgreSQL's jsonb. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** True when the string is valid Unicode (String.prototype.isWellFormed, which this TypeScript target lacks). */
export function isWellFormed(s: string): boolean {
  LONE_SURROGATE.lastIndex = 0;
  return !LONE_SURROGATE.test(s);
}

/** Lone surrogates replaced by U+FFFD, as PostgreSQL and every UTF-8 encoder would (String.prototype.toWellFormed). */
export function toWellFormed(s: string): string {
  return isWellFormed(s) ? s : s.replace(LONE_SURROGATE, '\uFFFD');
}
