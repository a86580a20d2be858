import { useEffect, useState } from 'preact/hooks';

// Path routing under the console's base (`/console/`): the API answers every path below it with
// index.html, so links can be opened, shared and reloaded. Filters live in the query string.

const BASE = import.meta.env.BASE_URL.replace(/\/$/, '');
const CHANGED = 'console:navigate';

export interface Location {
  /** Path below the base, always starting with `/`. */
  path: string;
  query: URLSearchParams;
}

function current(): Location {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return { path: path || '/', query: new URLSearchParams(location.search) };
}

export const href = (to: string) => `${BASE}${to}`;

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  history[options.replace ? 'replaceState' : 'pushState'](null, '', href(to));
  window.dispatchEvent(new Event(CHANGED));
}

export function useLocation(): Location {
  const [where, setWhere] = useState(current);
  useEffect(() => {
    const update = () => setWhere(current());
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGED, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGED, update);
    };
  }, []);
  return where;
}

/** A query string from the set values only (`?a=1&b=2`, or '' when none is set). */
export function withQuery(path: string, values: Record<string, string | null | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value) query.set(name, value);
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** Plain left clicks stay in the app; a modified click opens a tab as the browser would. */
export function onLinkClick(event: MouseEvent, to: string): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(to);
  window.scrollTo(0, 0);
}
