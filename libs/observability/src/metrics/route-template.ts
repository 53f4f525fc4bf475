import { looksLikeIdentifier } from './label-guard.js';

const MAX_SEGMENTS = 6;

/**
 * Turns a concrete path into a route template for the `http_route` label: identifier-like segments become `:id`,
 * the query string is dropped, and paths are cut to 6 segments (`/…` marks the cut). Routers that know their
 * template (`/api/sessions/:id`) should pass it instead; this is the fallback for everything else.
 */
export function routeTemplate(path: string): string {
  const cached = cache.get(path);
  if (cached !== undefined) return cached;
  const route = computeTemplate(path);
  // Bounded memo: most traffic hits a few paths; paths with ids are unbounded, so the map is simply dropped when full.
  if (cache.size >= 1000) cache.clear();
  cache.set(path, route);
  return route;
}

const cache = new Map<string, string>();

function computeTemplate(path: string): string {
  const withoutQuery = path.split(/[?#]/, 1)[0] || '/';
  const segments = withoutQuery.split('/').filter(Boolean);
  const kept = segments.slice(0, MAX_SEGMENTS).map((segment) => {
    if (segment.startsWith(':')) return segment;
    let decoded = segment;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return ':id';
    }
    return looksLikeIdentifier(decoded) || /^\d+$/.test(decoded) || decoded.length > 40 ? ':id' : decoded;
  });
  const route = '/' + kept.join('/');
  return segments.length > MAX_SEGMENTS ? `${route}/…` : route;
}
