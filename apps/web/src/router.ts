import { reactive } from 'vue';

/*
 * A few client-side routes with the History API (the API answers index.html for any GET outside
 * /api, so a reload or a shared link lands here too). State a page can be shared with — the round,
 * the filters, the page, the as-of time — lives in the query string.
 */

export type Query = Record<string, string>;

function parseQuery(search: string): Query {
  return Object.fromEntries(new URLSearchParams(search));
}

export const route = reactive<{ path: string; query: Query }>({
  path: location.pathname,
  query: parseQuery(location.search),
});

function sync() {
  route.path = location.pathname;
  route.query = parseQuery(location.search);
}

window.addEventListener('popstate', sync);

export function href(path: string, query: Record<string, string | number | boolean | undefined | null> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** Goes to a page (a new history entry), or replaces the current one (a changed filter). */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  history[options.replace ? 'replaceState' : 'pushState'](null, '', to);
  sync();
}

/** Changes some query parameters of the current page; `undefined` or '' removes one. */
export function setQuery(changes: Record<string, string | number | boolean | undefined | null>): void {
  navigate(href(route.path, { ...route.query, ...changes }), { replace: true });
}

/** `/findings/:id` against `/findings/abc` → `{ id: 'abc' }`, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/');
  const s = path.replace(/\/+$/, '').split('/');
  if (p.length !== s.length && !(path === '/' && pattern === '/')) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) params[p[i].slice(1)] = decodeURIComponent(s[i] ?? '');
    else if (p[i] !== (s[i] ?? '')) return null;
  }
  return params;
}
