import { createContext, ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
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
  logout(): void;
}

const KEY = 'ion.session';
const SessionContext = createContext<SessionState | null>(null);

function load(): Stored | null {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Stored | null;
    return s && s.expiresAt > Date.now() ? s : null;
  } catch {
    return null;
  }
}

/**
 * The signed-in user and their token, kept in this tab only (sessionStorage: closing the tab signs
 * out). When the token expires, or the service answers 401, the console shows the sign-in form in
 * place of the screen; forms keep what was typed (drafts) and come back after signing in again.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [stored, setStored] = useState<Stored | null>(load);
  const [expired, setExpired] = useState(false);
  const [lastUsername, setLastUsername] = useState<string | null>(stored?.user.username ?? null);

  const end = useCallback((why: 'expired' | 'logout') => {
    sessionStorage.removeItem(KEY);
    setStored(null);
    setExpired(why === 'expired');
    if (why === 'logout') discardDrafts();
  }, []);

  if (stored) setDraftOwner(stored.user.username);
  configureApi({ token: stored?.token ?? null, onUnauthorized: () => end('expired') });

  useEffect(() => {
    if (!stored) return;
    const t = setTimeout(() => end('expired'), Math.max(0, stored.expiresAt - Date.now()));
    return () => clearTimeout(t);
  }, [stored, end]);

  const adopt = useCallback((r: LoginResult) => {
    const s: Stored = { token: r.accessToken, expiresAt: Date.now() + r.expiresIn * 1000, user: r.user };
    sessionStorage.setItem(KEY, JSON.stringify(s));
    setStored(s);
  }, []);

  const login = useCallback(async (username: string, password: string, systemUseNotice?: string) => {
    const r = await unwrap(api.POST('/api/v1/auth/login', { body: { username, password, ...(systemUseNotice ? { systemUseNotice } : {}) } }));
    const s: Stored = { token: r.accessToken, expiresAt: Date.now() + r.expiresIn * 1000, user: r.user };
    sessionStorage.setItem(KEY, JSON.stringify(s));
    setDraftOwner(s.user.username);
    setLastUsername(s.user.username);
    setExpired(false);
    setStored(s);
  }, []);

  const value = useMemo<SessionState>(
    () => ({ user: stored?.user ?? null, expired, lastUsername, login, adopt, logout: () => end('logout') }),
    [stored, expired, lastUsername, login, adopt, end],
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
