/// <reference types="jest" />
/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENUM_WORDS, ERROR_WORDS } from './words';

/**
 * Issue 16, "plain words": every code and every enum value of the service has words in `words.ts`. Reads the
 * generated OpenAPI document (apps/web/src/api/openapi.json, from which schema.ts is generated) and the service's
 * own list of error codes; a new code or enum value without words fails here (and names what to add).
 */
const openapi = JSON.parse(readFileSync(join(__dirname, 'api', 'openapi.json'), 'utf8')) as Record<string, unknown>;
const schemaTs = readFileSync(join(__dirname, 'api', 'schema.ts'), 'utf8');
/** The service's own codes (libs/common/src/errors.ts, read as text: the console's program does not compile the service). */
const errorsTs = readFileSync(join(__dirname, '..', '..', '..', 'libs', 'common', 'src', 'errors.ts'), 'utf8');
const serviceCodes = [
  .../export const ErrorCode = \{([^}]*)\}/.exec(errorsTs)![1].matchAll(/:\s*'([A-Z_]+\.[A-Z_]+)'/g),
].map((m) => m[1]);

interface Found {
  /** The ENUM_WORDS key: `Schema`, `Schema.property`, or `METHOD /path ?parameter`. */
  key: string;
  pointer: string;
  values: string[];
}

function enumsOf(doc: Record<string, unknown>): Found[] {
  const out: Found[] = [];
  const walk = (node: unknown, path: string[]): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, [...path, String(i)]));
    const o = node as Record<string, unknown>;
    if (Array.isArray(o.enum))
      out.push({ key: keyOf(path, doc), pointer: `/${path.join('/')}`, values: o.enum.map(String) });
    for (const [k, v] of Object.entries(o))
      if (k !== 'enum' && k !== 'example' && k !== 'examples') walk(v, [...path, k]);
  };
  walk(doc, []);
  return out;
}

function keyOf(path: string[], doc: Record<string, unknown>): string {
  if (path[0] === 'components' && path[1] === 'schemas') {
    if (path.length === 3) return path[2];
    if (path[3] === 'properties') return `${path[2]}.${path[4]}`;
  }
  if (path[0] === 'paths' && path[3] === 'parameters') {
    const paths = doc.paths as Record<string, Record<string, { parameters: { name: string }[] }>>;
    const p = paths[path[1]][path[2]].parameters[Number(path[4])];
    return `${path[2].toUpperCase()} ${path[1]} ?${p.name}`;
  }
  return `/${path.join('/')}`;
}

const found = enumsOf(openapi);
/** A code-like token (`CITY_LAW`, `IN_REVIEW`): words must not show one. */
const CODE = /\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/;

describe('words for every code and enum of the service (issue 16)', () => {
  it('finds the enums of the generated API document (the check is not vacuous)', () => {
    expect(found.length).toBeGreaterThan(40);
    expect(found.map((f) => f.key)).toEqual(
      expect.arrayContaining(['ErrorCode', 'CaseStatus', 'Role', 'GET /api/v1/cases ?sort']),
    );
  });

  it('every enum value of the API document has words, not a code', () => {
    const problems: string[] = [];
    for (const f of found) {
      const words = ENUM_WORDS[f.key];
      if (!words) {
        problems.push(`${f.key} (${f.pointer}): no entry in ENUM_WORDS for ${f.values.join(', ')}`);
        continue;
      }
      for (const v of f.values) {
        const w = words[v];
        if (typeof w !== 'string' || !w.trim()) problems.push(`${f.key}: ${v} has no words`);
        else if (w === v || CODE.test(w)) problems.push(`${f.key}: ${v} is worded as a code ("${w}")`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('ENUM_WORDS names no enum the API document does not have (it stays the list of what is checked)', () => {
    const keys = new Set(found.map((f) => f.key));
    expect(Object.keys(ENUM_WORDS).filter((k) => !keys.has(k))).toEqual([]);
  });

  it('every error code the service has, and every one the generated types know, has words', () => {
    const generated =
      /ErrorCode: ((?:\s*\|?\s*"[^"]+")+);/
        .exec(schemaTs)?.[1]
        .match(/"[^"]+"/g)
        ?.map((s) => JSON.parse(s) as string) ?? [];
    expect(generated.length).toBeGreaterThan(30);
    const service = serviceCodes;
    expect(service.length).toBeGreaterThan(30);
    const words = ERROR_WORDS as Record<string, string>;
    const missing = [...new Set([...service, ...generated])].filter((c) => !words[c]?.trim());
    expect(missing).toEqual([]);
    // The generated types are current: they list the same codes as the service.
    expect([...generated].sort()).toEqual([...service].sort());
  });
});
