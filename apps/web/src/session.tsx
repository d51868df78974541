import { createContext, ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { api, configureApi, unwrap } from './api/client';
import type { components } from './api/schema';
import { discardDrafts, setDraftOwner } from './drafts';

export type User = components['schemas']['UserView'];
export type Role = User['role'];
type LoginResult = components['schemas']['LoginResult'];

interface Stored {
  token: string;
  /** When the token stops being accepted (ms since epoch). */
  expiresAt: number;
  user: User;
}

export interface SessionState {
  user: User | null;
  /** Set when the last session ended by itself (expiry, revoked): the login screen says so. */
  expired: boolean;
  /** The last user whose session expired: the login form offers their name again. */
  lastUsername: string | null;
  /** `systemUseNotice`: the SHA-256 of the system use notification the person acknowledged (recorded with the sign-in). */
  login(username: string, password: string, systemUseNotice?: string): Promise<void>;
  /** A new token and user from the service (after changing one's password), in place of the current ones. */
  adopt(result: LoginResult): void;
  /** Signs out on the service (every session of the account ends there), then forgets the token here and in every tab. */
  logout(): Promise<void>;
}

const KEY = 'ion.session';
const SessionContext = createContext<SessionState | null>(null);

/**
 * Tabs of one browser session share one sign-in (issue 16), without anything that outlives the browser: each tab keeps
 * the session in its own sessionStorage (gone when the tab or the browser closes; nothing in localStorage or a cookie),
 * and the open tabs talk over a BroadcastChannel (same origin, same browser profile only):
 * - a tab opened without a session (a link opened in a new tab) asks the open tabs, and one of them hands it over;
 * - signing in (or the new token after a password change) in one tab reaches the others;
 * - signing out in one tab signs out every tab (and discards every tab's drafts).
 * With no tab open (the browser closed) nobody answers, and the next tab asks for a sign-in.
 */
const CHANNEL = 'ion.session';
/** How long a new tab waits for an open tab to hand over the session before showing the sign-in form. */
const ASK_MS = 600;
/** How long signing out waits for the service to end the session before forgetting the token anyway. */
const LOGOUT_WAIT_MS = 5000;
type TabMessage = { type: 'ask' } | { type: 'share' | 'signed-in'; session: Stored } | { type: 'signed-out' };

function isStored(v: unknown): v is Stored {
  const s = v as Stored | null;
  return (
    !!s &&
    typeof s.token === 'string' &&
    typeof s.expiresAt === 'number' &&
    !!s.user &&
    typeof s.user.username === 'string'
  );
}

function load(): Stored | null {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Stored | null;
    return s && s.expiresAt > Date.now() ? s : null;
  } catch {
    return null;
  }
}

/**
 * The signed-in user and their token, kept in this tab's sessionStorage and shared with this browser's other open tabs
 * (see CHANNEL above). When the token expires, or the service answers 401, the console shows the sign-in form in place
 * of the screen; forms keep what was typed (drafts) and come back after signing in again.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [stored, setStored] = useState<Stored | null>(load);
  const [expired, setExpired] = useState(false);
  const [lastUsername, setLastUsername] = useState<string | null>(stored?.user.username ?? null);
  // A tab that opens without a session first asks the other tabs (briefly) before offering the sign-in form.
  const [asking, setAsking] = useState(() => !stored && typeof BroadcastChannel !== 'undefined');
  const storedRef = useRef(stored);
  storedRef.current = stored;
  const channel = useRef<BroadcastChannel | null>(null);
  const tell = (m: TabMessage) => channel.current?.postMessage(m);

  const end = useCallback((why: 'expired' | 'logout') => {
    sessionStorage.removeItem(KEY);
    storedRef.current = null;
    setStored(null);
    setExpired(why === 'expired');
    if (why === 'logout') discardDrafts();
  }, []);

  /** A session from the service or from another tab becomes this tab's. */
  const take = useCallback(
    (s: Stored) => {
      if (s.expiresAt <= Date.now()) return;
      sessionStorage.setItem(KEY, JSON.stringify(s));
      setDraftOwner(s.user.username);
      setLastUsername(s.user.username);
      setExpired(false);
      storedRef.current = s;
      // At once, not at the next render: after a password change the token of before is refused (the service ended it).
      configureApi({ token: s.token, onUnauthorized: () => end('expired') });
      setStored(s);
    },
    [end],
  );

  if (stored) setDraftOwner(stored.user.username);
  configureApi({ token: stored?.token ?? null, onUnauthorized: () => end('expired') });

  useEffect(() => {
    if (typeof BroadcastChannel === 'undefined') return;
    const ch = new BroadcastChannel(CHANNEL);
    channel.current = ch;
    ch.onmessage = (ev: MessageEvent) => {
      const m = ev.data as TabMessage;
      if (m?.type === 'ask') {
        const s = storedRef.current;
        if (s && s.expiresAt > Date.now()) ch.postMessage({ type: 'share', session: s } satisfies TabMessage);
      } else if ((m?.type === 'share' && !storedRef.current) || m?.type === 'signed-in') {
        if (isStored(m.session)) take(m.session);
        setAsking(false);
      } else if (m?.type === 'signed-out') {
        end('logout');
      }
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (!storedRef.current) {
      ch.postMessage({ type: 'ask' } satisfies TabMessage);
      timer = setTimeout(() => setAsking(false), ASK_MS);
    }
    return () => {
      clearTimeout(timer);
      ch.close();
      channel.current = null;
    };
  }, [take, end]);

  useEffect(() => {
    if (!stored) return;
    const t = setTimeout(() => end('expired'), Math.max(0, stored.expiresAt - Date.now()));
    return () => clearTimeout(t);
  }, [stored, end]);

  const adopt = useCallback(
    (r: LoginResult) => {
      const s: Stored = { token: r.accessToken, expiresAt: Date.now() + r.expiresIn * 1000, user: r.user };
      take(s);
      tell({ type: 'signed-in', session: s });
    },
    [take],
  );

  const login = useCallback(
    async (username: string, password: string, systemUseNotice?: string) => {
      const r = await unwrap(
        api.POST('/api/v1/auth/login', {
          body: { username, password, ...(systemUseNotice ? { systemUseNotice } : {}) },
        }),
      );
      const s: Stored = { token: r.accessToken, expiresAt: Date.now() + r.expiresIn * 1000, user: r.user };
      take(s);
      tell({ type: 'signed-in', session: s });
    },
    [take],
  );

  const logout = useCallback(async () => {
    // The service first, while the token is still sent: it ends every session of the account, so a copy of the token
    // left behind (or stolen) stops working. Forgotten here whatever the answer (a token that had already expired or
    // been ended is refused with 401; no answer at all within a few seconds is not a reason to stay signed in).
    try {
      await api.POST('/api/v1/auth/logout', { signal: AbortSignal.timeout(LOGOUT_WAIT_MS) });
    } catch {
      // (the network or the timeout: the token is forgotten below all the same)
    }
    // Every tab of this browser: a shared computer is left signed out everywhere.
    tell({ type: 'signed-out' });
    end('logout');
  }, [end]);

  const value = useMemo<SessionState>(
    () => ({ user: stored?.user ?? null, expired, lastUsername, login, adopt, logout }),
    [stored, expired, lastUsername, login, adopt, logout],
  );
  if (asking)
    return (
      <p role="status" className="muted">
        Opening the console…
      </p>
    );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The signed-in user, on screens that only render when someone is signed in. */
export function useUser(): User {
  const u = useSession().user;
  if (!u) throw new Error('useUser without a signed-in user');
  return u;
}
