/**
 * A tiny hash router: `#/section/rest?k=v`. Hash routes need no server rewrites (file:// in Electron, static files
 * in `semid serve`) and never navigate the window away, which the Electron main process forbids anyway.
 */
import { useEffect, useState } from 'react';

export interface Route {
  /** Path segments after '#/', e.g. ['datasets', '3']. */
  parts: string[];
  query: Record<string, string>;
}

export function parseHash(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  const [path = '', qs = ''] = h.split('?', 2);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(qs)) query[k] = v;
  return { parts, query };
}

export function formatHash(parts: (string | number)[], query: Record<string, string | number | undefined | null> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v != null && v !== '') q.set(k, String(v));
  const qs = q.toString();
  return `#/${parts.map((p) => encodeURIComponent(String(p))).join('/')}${qs ? `?${qs}` : ''}`;
}

export function navigate(parts: (string | number)[], query?: Record<string, string | number | undefined | null>, replace = false): void {
  const h = formatHash(parts, query);
  if (replace) window.history.replaceState(null, '', h);
  if (replace) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else window.location.hash = h;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const on = (): void => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
