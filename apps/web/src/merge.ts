/**
 * Three-way merge of a form's fields, for a save refused because someone else saved the record first
 * (409, version conflict). `base` is the record as the form was started from, `mine` what this person
 * has in the form, `theirs` the record as it is now. Per field:
 *   unchanged by me                  -> theirs (never write back a field I did not touch)
 *   changed by me only               -> mine
 *   changed by both, to one value    -> that value (nothing to decide)
 *   changed by both, differently     -> a conflict; the form holds theirs until the person chooses
 * Pure: no React, no storage, so it is unit-tested on its own (merge.spec.ts).
 */

/** Per-field equality where plain structural equality is wrong (e.g. two spellings of one instant). */
export type FieldEquality<T> = { [K in keyof T]?: (a: T[K], b: T[K]) => boolean };

export type Choice = 'mine' | 'theirs';

export interface FieldConflict<T, K extends keyof T = keyof T> {
  field: K;
  /** The value both started from. */
  base: T[K];
  mine: T[K];
  theirs: T[K];
  /** What the person chose; null until they do (the form then holds theirs, and saving waits). */
  choice: Choice | null;
}

/** An edit in progress: the record it started from, what the form holds, and the fields still to decide. */
export interface MergeDraft<T> {
  base: T;
  value: T;
  conflicts: FieldConflict<T>[];
}

export interface MergeOutcome<T> {
  draft: MergeDraft<T>;
  /** Fields only I changed: my value kept. */
  kept: (keyof T)[];
  /** Fields only they changed: their value taken. */
  taken: (keyof T)[];
}

/** Structural equality of JSON-like values (arrays in order, objects whatever their key order). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  return (
    ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && deepEqual(ra[k], rb[k]))
  );
}

function keysOf<T extends object>(...records: T[]): (keyof T)[] {
  const keys = new Set<keyof T>();
  for (const r of records) for (const k of Object.keys(r) as (keyof T)[]) keys.add(k);
  return [...keys];
}

function equalFor<T>(eq: FieldEquality<T>, k: keyof T): (a: T[keyof T], b: T[keyof T]) => boolean {
  return (eq[k] as ((a: T[keyof T], b: T[keyof T]) => boolean) | undefined) ?? deepEqual;
}

/** The fields whose value differs between two states of a record. */
export function changedFields<T extends object>(from: T, to: T, eq: FieldEquality<T> = {}): (keyof T)[] {
  return keysOf(from, to).filter((k) => !equalFor(eq, k)(from[k], to[k]));
}

/** Whether two states of a record hold the same values. */
export function sameRecord<T extends object>(a: T, b: T, eq: FieldEquality<T> = {}): boolean {
  return changedFields(a, b, eq).length === 0;
}

/** The plain three-way merge of three records (see the module comment). */
export function merge3<T extends object>(base: T, mine: T, theirs: T, eq: FieldEquality<T> = {}): MergeOutcome<T> {
  const value = { ...theirs };
  const kept: (keyof T)[] = [];
  const taken: (keyof T)[] = [];
  const conflicts: FieldConflict<T>[] = [];
  for (const k of keysOf(base, mine, theirs)) {
    const same = equalFor(eq, k);
    const mineChanged = !same(base[k], mine[k]);
    const theirsChanged = !same(base[k], theirs[k]);
    if (!mineChanged) {
      if (theirsChanged) taken.push(k);
    } else if (!theirsChanged) {
      value[k] = mine[k];
      kept.push(k);
    } else if (!same(mine[k], theirs[k])) {
      conflicts.push({ field: k, base: base[k], mine: mine[k], theirs: theirs[k], choice: null });
    }
  }
  return { draft: { base: theirs, value, conflicts }, kept, taken };
}

/**
 * A draft carried onto the record as it is now (`theirs`). A conflict still undecided keeps its own base
 * and my value, so a second change by someone else neither loses my value nor hides the conflict; a
 * decided conflict is an ordinary change (my value) or none (theirs).
 */
export function rebaseDraft<T extends object>(
  draft: MergeDraft<T>,
  theirs: T,
  eq: FieldEquality<T> = {},
): MergeOutcome<T> {
  const base = { ...draft.base };
  const mine = { ...draft.value };
  for (const c of draft.conflicts) {
    if (c.choice !== null) continue;
    base[c.field] = c.base;
    mine[c.field] = c.mine;
  }
  return merge3(base, mine, theirs, eq);
}

/** The person's choice for one conflicting field: the form then holds that value. */
export function chooseConflict<T extends object>(draft: MergeDraft<T>, field: keyof T, choice: Choice): MergeDraft<T> {
  const c = draft.conflicts.find((x) => x.field === field);
  if (!c) return draft;
  return {
    base: draft.base,
    value: { ...draft.value, [field]: choice === 'mine' ? c.mine : c.theirs },
    conflicts: draft.conflicts.map((x) => (x.field === field ? { ...x, choice } : x)),
  };
}

/** Conflicts the person has not decided yet: saving waits for them. */
export function undecided<T>(draft: MergeDraft<T> | null): FieldConflict<T>[] {
  return draft?.conflicts.filter((c) => c.choice === null) ?? [];
}

/** Whether a draft holds anything to save or decide (otherwise it can be dropped). */
export function draftPending<T extends object>(draft: MergeDraft<T> | null, eq: FieldEquality<T> = {}): boolean {
  return draft !== null && (undecided(draft).length > 0 || !sameRecord(draft.base, draft.value, eq));
}

/** Whether a stored value has the shape of a draft (sessionStorage may hold anything). */
export function isMergeDraft<T>(v: unknown): v is MergeDraft<T> {
  if (!v || typeof v !== 'object') return false;
  const d = v as Record<string, unknown>;
  return (
    !!d.base && typeof d.base === 'object' && !!d.value && typeof d.value === 'object' && Array.isArray(d.conflicts)
  );
}
