import type { RequestState } from './pipeline.js';

export type RouteHandler = (
  request: Request,
  state: RequestState,
  params: Readonly<Record<string, string>>,
) => Promise<Response>;

interface Route {
  readonly pattern: string;
  readonly segments: readonly string[];
  readonly methods: ReadonlyMap<string, RouteHandler>;
}

export interface RouteMatch {
  readonly pattern: string;
  readonly handler: RouteHandler | undefined;
  readonly params: Readonly<Record<string, string>>;
  /** Methods the path accepts (for 405 `Allow` and CORS preflight). */
  readonly allowed: readonly string[];
}

/**
 * A minimal route table: exact segments and `:param` segments, one handler per method. No framework in the
 * isomorphic core; routes are few and fixed, so a linear scan over pre-split patterns is enough.
 */
export class Router {
  readonly #routes: Route[] = [];

  add(pattern: string, handlers: Partial<Record<'GET' | 'POST' | 'DELETE', RouteHandler>>): this {
    const methods = new Map<string, RouteHandler>();
    for (const [method, handler] of Object.entries(handlers)) if (handler) methods.set(method, handler);
    if (methods.has('GET')) methods.set('HEAD', methods.get('GET') as RouteHandler);
    this.#routes.push({ pattern, segments: split(pattern), methods });
    return this;
  }

  match(method: string, pathname: string): RouteMatch | undefined {
    const parts = split(pathname);
    for (const route of this.#routes) {
      if (route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const segment = route.segments[i] as string;
        const part = parts[i] as string;
        if (segment.startsWith(':')) params[segment.slice(1)] = safeDecode(part);
        else ok = segment === part;
      }
      if (!ok) continue;
      return { pattern: route.pattern, handler: route.methods.get(method), params, allowed: [...route.methods.keys()] };
    }
    return undefined;
  }
}

const split = (path: string): string[] => path.split('/').filter((s) => s.length > 0);

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
