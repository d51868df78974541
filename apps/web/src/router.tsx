import { AnchorHTMLAttributes, MouseEvent, useEffect, useState } from 'react';

/**
 * A small history router: the console has a dozen screens with at most one id in the path, which a
 * pattern match covers without another dependency (docs/decisions/0003-console-without-router-library.md).
 */
const listeners = new Set<() => void>();

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  listeners.forEach((l) => l());
  window.scrollTo(0, 0);
}

window.addEventListener('popstate', () => listeners.forEach((l) => l()));

/** The current location (path and query), re-rendering on every navigation. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((n) => n + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

/**
 * A path segment as text, or null when the address is not valid percent-encoding (`/cases/%E0`, `/%`):
 * anyone can type or link any address, and decodeURIComponent throws on those.
 */
export function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** Whether every segment of the path decodes (otherwise the console says the address is not valid). */
export function isDecodablePath(path: string): boolean {
  return path.split('/').every((s) => decodeSegment(s) !== null);
}

/** `/cases/:id` against `/cases/3f…` gives `{ id: '3f…' }`; no match (or a segment that does not decode) gives null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) {
      const v = decodeSegment(s[i]);
      if (v === null) return null;
      params[p[i].slice(1)] = v;
    } else if (p[i] !== s[i]) return null;
  }
  return params;
}

/** A `?page=` number from the address: a positive safe integer, else 1 (`?page=1e400`, `?page=-3`, `?page=x`). */
export function pageParam(query: URLSearchParams): number {
  const n = Number(query.get('page') ?? '1');
  return Number.isSafeInteger(n) && n >= 1 ? n : 1;
}

/** An ordinary link (open in new tab works) that navigates in place on a plain click. */
export function Link({ to, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    rest.onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} {...rest} onClick={onClick} />;
}
