/**
 * Full-text search queries from what a user typed (GET /cases?q=, GET /federal-personnel?q=, the review
 * queue's q), as a PostgreSQL tsquery EXPRESSION whose every piece of user text is a bound parameter:
 * never concatenated into SQL.
 *
 * - Words, "quoted phrases", `or` and `-word` go to websearch_to_tsquery('english', ...) (English stemming:
 *   "detained" finds "detain", "detaining"); it accepts any input without a syntax error.
 * - `word*` is a prefix: to_tsquery('english', 'word:*'), after the word is checked to hold only letters
 *   and digits (so no tsquery operator can reach to_tsquery).
 * - A token with a digit (a badge, a plate, a case number: `#004471`, `AB-0471`, `ION-2026-000123`) also
 *   matches its normalised form as one exact lexeme (see normaliseBadge), written as a quoted tsquery
 *   literal only when it is made of [a-z0-9-].
 * Prefix and badge terms are always required (AND), like plain words.
 */

/** Upper bound of q on every search route (characters). */
export const SEARCH_QUERY_MAX_LENGTH = 200;

/**
 * THE normalised badge, as the database's federal_badge_normalise() computes it: lower case, no white
 * space, no leading '#', no leading zeros ("# 004471" -> "4471"); null when nothing is left.
 */
export function normaliseBadge(badge: string | null | undefined): string | null {
  if (badge == null) return null;
  const s = badge
    .replace(/[ \t\r\n\f\v]+/g, '')
    .toLowerCase()
    .replace(/^#+/, '');
  if (!s) return null;
  return s.replace(/^0+/, '') || '0';
}

export interface ParsedSearch {
  /** Words, phrases and operators for websearch_to_tsquery, in the order typed ('' when none). */
  web: string;
  /** Prefix words (without the *), letters and digits only. */
  prefixes: string[];
  /** Tokens with a digit, as typed, and their exact normalised lexeme (null when not [a-z0-9-]). */
  codes: { token: string; lexeme: string | null }[];
}

const PREFIX = /^([\p{L}\p{N}]+)\*+$/u;
const CODE = /^#?[\p{L}\p{N}]+(?:[-/.][\p{L}\p{N}]+)*$/u;
const LEXEME = /^[a-z0-9-]+$/;

export function parseSearch(q: string): ParsedSearch {
  const web: string[] = [];
  const prefixes: string[] = [];
  const codes: { token: string; lexeme: string | null }[] = [];
  // Quoted phrases stay whole (an unclosed quote runs to the end, as websearch_to_tsquery reads it).
  const parts = q.match(/"[^"]*"?|[^\s"]+/g) ?? [];
  for (const part of parts) {
    if (part.startsWith('"')) {
      web.push(part);
      continue;
    }
    const prefix = PREFIX.exec(part);
    if (prefix) {
      prefixes.push(prefix[1]);
    } else if (CODE.test(part) && /\d/.test(part)) {
      const norm = normaliseBadge(part);
      codes.push({ token: part, lexeme: norm && LEXEME.test(norm) ? norm : null });
    } else {
      web.push(part);
    }
  }
  return { web: web.join(' '), prefixes, codes };
}

/**
 * The tsquery expression for `q`; `param(value)` binds a value and returns its placeholder ($3, :name...).
 * Null when q holds nothing to search for.
 */
export function tsQuerySql(q: string, param: (value: string) => string): string | null {
  const p = parseSearch(q);
  const pieces: string[] = [];
  if (p.web.trim()) pieces.push(`websearch_to_tsquery('english', ${param(p.web)})`);
  for (const w of p.prefixes) pieces.push(`to_tsquery('english', ${param(`${w}:*`)})`);
  for (const c of p.codes) {
    const typed = `websearch_to_tsquery('english', ${param(c.token)})`;
    pieces.push(c.lexeme ? `(${typed} || ${param(`'${c.lexeme}'`)}::tsquery)` : typed);
  }
  return pieces.length ? `(${pieces.join(' && ')})` : null;
}
