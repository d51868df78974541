import { useCallback, useEffect, useRef, useState } from 'react';
import {
  changedFields,
  chooseConflict,
  draftPending,
  isMergeDraft,
  rebaseDraft,
  sameRecord,
  undecided,
  type Choice,
  type FieldConflict,
  type FieldEquality,
  type MergeDraft,
} from './merge';

/**
 * What someone is typing, kept in this tab's sessionStorage as they type, so that a session that
 * expires mid-form (they sign in again) or a reload loses nothing. Drafts belong to one user: signing
 * in as someone else, or signing out, discards them (a shared station computer).
 */
const PREFIX = 'ion.draft.';
let owner = '';

export function setDraftOwner(username: string): void {
  if (owner === username) return;
  owner = username;
  // Drafts left by another user in this tab (their session expired, then someone else signed in).
  for (const k of Object.keys(sessionStorage))
    if (k.startsWith(PREFIX) && !k.startsWith(`${PREFIX}${username}.`)) sessionStorage.removeItem(k);
}

export function discardDrafts(): void {
  for (const k of Object.keys(sessionStorage)) if (k.startsWith(PREFIX)) sessionStorage.removeItem(k);
}

function read<T>(key: string): T | undefined {
  try {
    const v = sessionStorage.getItem(key);
    return v === null ? undefined : (JSON.parse(v) as T);
  } catch {
    return undefined;
  }
}

/**
 * useState that survives the session expiring: `[value, setValue, clear]`. `key` names the form and
 * the record (`case-edit:<id>`); `initial` is used when nothing was typed yet.
 */
export function useDraft<T>(key: string, initial: T): [T, (v: T | ((prev: T) => T)) => void, () => void] {
  const storageKey = `${PREFIX}${owner}.${key}`;
  const [value, setValue] = useState<T>(() => read<T>(storageKey) ?? initial);
  const keyRef = useRef(storageKey);
  useEffect(() => {
    // Another record (same form): start from its draft or its initial value.
    if (keyRef.current !== storageKey) {
      keyRef.current = storageKey;
      setValue(read<T>(storageKey) ?? initial);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- read again only when the key changes; `initial` is the first render's
  }, [storageKey]);
  const set = useCallback((v: T | ((prev: T) => T)) => {
    setValue((prev) => {
      const next = typeof v === 'function' ? (v as (p: T) => T)(prev) : v;
      sessionStorage.setItem(keyRef.current, JSON.stringify(next));
      return next;
    });
  }, []);
  const clear = useCallback(() => sessionStorage.removeItem(keyRef.current), []);
  return [value, set, clear];
}

/** Whether a draft exists (e.g. to say "restored what you typed"). */
export function hasDraft(key: string): boolean {
  return sessionStorage.getItem(`${PREFIX}${owner}.${key}`) !== null;
}

/**
 * An edit of a versioned record (a case's incident fields, its federal personnel, its violations), kept
 * as a draft that remembers the record it was started from (`base`), so that when the record changed
 * meanwhile (a save refused with 409, another tab, a reload) the draft is carried onto the record as it
 * is now by a three-way merge (./merge.ts): fields this person did not touch take the current values,
 * their own changes stay, and fields both changed wait for their choice. What is saved is only what
 * differs from the base. `saved` is the record as last loaded.
 */
export interface MergingDraft<T extends object> {
  /** What the form shows. */
  value: T;
  /** The stored draft (null when nothing was typed), with its base and conflicts. */
  draft: MergeDraft<T> | null;
  /** Fields that differ from the base: what a save sends. */
  changed: (keyof T)[];
  /** Conflicts not decided yet: saving waits for them. */
  undecided: FieldConflict<T>[];
  /** Whether the draft still has to be carried onto `saved` (it is, right after this render). */
  stale: boolean;
  /** The last merge onto a newer record: which of their fields were taken, which of mine kept. */
  merged: { taken: (keyof T)[]; kept: (keyof T)[] } | null;
  edit(value: T): void;
  choose(field: keyof T, choice: Choice): void;
  /** Forget the draft (after a save, or "discard unsaved changes"). */
  discard(): void;
}

export function useMergingDraft<T extends object>(key: string, saved: T, eq: FieldEquality<T> = {}): MergingDraft<T> {
  const [stored, setStored, clearStored] = useDraft<MergeDraft<T> | null>(key, null);
  const draft = isMergeDraft<T>(stored) ? stored : null;
  const [merged, setMerged] = useState<{ taken: (keyof T)[]; kept: (keyof T)[] } | null>(null);
  const stale = draft !== null && !sameRecord(draft.base, saved, eq);
  const savedJson = JSON.stringify(saved);
  const discard = useCallback(() => {
    setStored(null);
    clearStored();
  }, [setStored, clearStored]);

  useEffect(() => {
    if (!stale || !draft) return;
    const r = rebaseDraft(draft, saved, eq);
    setMerged({ taken: r.taken, kept: r.kept });
    if (draftPending(r.draft, eq)) setStored(r.draft);
    else discard();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `saved` is compared by value (savedJson): a new object on every render
  }, [stale, savedJson]);

  return {
    value: draft?.value ?? saved,
    draft,
    changed: draft ? changedFields(draft.base, draft.value, eq) : [],
    undecided: undecided(draft),
    stale,
    merged,
    edit: (value) => {
      setMerged(null);
      setStored((prev) => {
        const d = isMergeDraft<T>(prev) ? prev : null;
        return { base: d?.base ?? saved, value, conflicts: d?.conflicts ?? [] };
      });
    },
    choose: (field, choice) =>
      setStored((prev) => (isMergeDraft<T>(prev) ? chooseConflict(prev, field, choice) : prev)),
    discard: () => {
      setMerged(null);
      discard();
    },
  };
}
