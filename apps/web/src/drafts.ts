import { useCallback, useEffect, useRef, useState } from 'react';

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
  for (const k of Object.keys(sessionStorage)) if (k.startsWith(PREFIX) && !k.startsWith(`${PREFIX}${username}.`)) sessionStorage.removeItem(k);
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
    // eslint-disable-next-line react-hooks/exhaustive-deps
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
