/**
 * A tiny client-side router: the History API, one routes table (routes.tsx),
 * exact path matching, query strings read with `useQuery()`.
 */
import type { StaffPermissionValue } from './api.ts';
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

const CHANGE = 'smts:navigate';

function subscribe(cb: () => void): () => void {
  window.addEventListener('popstate', cb);
  window.addEventListener(CHANGE, cb);
  return () => {
    window.removeEventListener('popstate', cb);
    window.removeEventListener(CHANGE, cb);
  };
}

const snapshot = () => window.location.pathname + window.location.search;

/** The current path plus query string ("/checkout?plan=standard"). */
export function useLocation(): { pathname: string; search: string; href: string } {
  const href = useSyncExternalStore(subscribe, snapshot, snapshot);
  const q = href.indexOf('?');
  return { pathname: q === -1 ? href : href.slice(0, q), search: q === -1 ? '' : href.slice(q), href };
}

export function useQuery(): URLSearchParams {
  return new URLSearchParams(useLocation().search);
}

/** Client-side navigation to a path of this app. */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
}

/** A path we may send the user to after logging in: ours, never another origin. */
export function safeNext(next: string | null | undefined, fallback = '/'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.startsWith('/api/')) {
    return fallback;
  }
  return next;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string; replace?: boolean; children: ReactNode };

/** An ordinary link (works with middle-click, ctrl-click, screen readers) that navigates in-app. */
export function Link({ to, replace, onClick, children, ...rest }: LinkProps) {
  function handle(e: MouseEvent<HTMLAnchorElement>) {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if (rest.target && rest.target !== '_self') return;
    e.preventDefault();
    navigate(to, { replace });
  }
  return (
    <a href={to} onClick={handle} {...rest}>
      {children}
    </a>
  );
}

export interface RouteDef {
  path: string;
  /** Document title and the page heading screen readers hear first. */
  title: string;
  render: () => ReactNode;
  /** Needs a session: anonymous visitors are sent to /login?next=… */
  auth?: boolean;
  /** Only for role admin. */
  admin?: boolean;
  /** Only for staff whose role carries this permission (GET /api/me `permissions`). */
  permission?: StaffPermissionValue;
  /** Shown in the header navigation when set (lower order first). */
  nav?: { label: string; order: number };
}

export function matchRoute(routes: readonly RouteDef[], pathname: string): RouteDef | null {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  return routes.find((r) => r.path === path) ?? null;
}
