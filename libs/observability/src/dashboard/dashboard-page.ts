import { DASHBOARD_SCRIPT, DASHBOARD_STYLE } from './dashboard-assets.js';
import type { DashboardSnapshot } from './dashboard-snapshot.js';

export const DEFAULT_DASHBOARD_JSON_PATH = '/api/observability/dashboard.json';

export interface DashboardPageOptions {
  /** Where the page fetches fresh snapshots (same origin). Default `/api/observability/dashboard.json`. */
  jsonPath?: string;
  refreshSeconds?: number;
  title?: string;
}

export interface DashboardPage {
  html: string;
  /** The `Content-Security-Policy` value the page needs; send it with the page (see `headers`). */
  csp: string;
  /** Content type, CSP and the other headers a dashboard response must carry. */
  headers: Record<string, string>;
}

let hashes: Promise<{ script: string; style: string }> | undefined;

async function sha256Base64(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * The dashboard's CSP: nothing loads but this page's own hashed script and style; the only network access is a
 * same-origin fetch of the JSON; no framing, no forms, no base URL changes, Trusted Types required.
 */
export async function dashboardContentSecurityPolicy(): Promise<string> {
  hashes ??= Promise.all([sha256Base64(DASHBOARD_SCRIPT), sha256Base64(DASHBOARD_STYLE)]).then(([script, style]) => ({
    script,
    style,
  }));
  const { script, style } = await hashes;
  return [
    "default-src 'none'",
    `script-src 'sha256-${script}'`,
    `style-src 'sha256-${style}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
  ].join('; ');
}

const escapeHtml = (text: string): string =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/** JSON inside a `<script type="application/json">`: `<`, `>` and `&` escaped so no `</script>` can end it. */
const embedJson = (value: unknown): string =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

/** Renders the self-contained HTML dashboard for a snapshot (no external assets: it works offline and under CSP). */
export async function renderDashboardPage(
  snapshot: DashboardSnapshot,
  options: DashboardPageOptions = {},
): Promise<DashboardPage> {
  const jsonPath = options.jsonPath ?? DEFAULT_DASHBOARD_JSON_PATH;
  if (!jsonPath.startsWith('/') || jsonPath.startsWith('//')) {
    throw new TypeError(
      'dashboard jsonPath must be a same-origin absolute path such as /api/observability/dashboard.json',
    );
  }
  const refreshMs = Math.max(1, options.refreshSeconds ?? 5) * 1000;
  const title = escapeHtml(options.title ?? `${snapshot.service} observability`);
  const kpi = (id: string, label: string) =>
    `<div class="kpi"><div class="value" id="${id}">—</div><div class="label">${label}</div></div>`;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${title}</title>
<style>${DASHBOARD_STYLE}</style>
</head>
<body>
<div id="dashboard" data-endpoint="${escapeHtml(jsonPath)}" data-refresh-ms="${refreshMs}">
<header><h1>${title}</h1><span id="service" class="muted"></span><span id="health-status"></span><span id="generated" class="muted"></span><span id="stale"></span></header>
<main>
<section><h2>Traffic</h2><div class="kpis">${kpi('rate', 'requests / s')}${kpi('total', 'requests')}${kpi('error-rate', '5xx rate')}${kpi('uptime', 'uptime')}${kpi('sessions', 'active sessions')}${kpi('rate-limited', 'rate-limited')}</div></section>
<section><h2>Latency (ms, all routes)</h2><div class="kpis">${kpi('p50', 'p50')}${kpi('p95', 'p95')}${kpi('p99', 'p99')}</div>
<svg class="spark" id="latency-spark" viewBox="0 0 300 60" preserveAspectRatio="none" role="img" aria-label="p95 latency over recent refreshes"><polyline points=""></polyline></svg></section>
<section><h2>Component health</h2><table id="health-table"></table></section>
<section><h2>Tool usage</h2><table id="tools-table"></table></section>
<section><h2>Operations (rolling window)</h2><table id="ops-table"></table></section>
<section><h2>Responses by status class</h2><table id="status-table"></table></section>
</main>
</div>
<script type="application/json" id="dashboard-data">${embedJson(snapshot)}</script>
<script>${DASHBOARD_SCRIPT}</script>
</body>
</html>
`;
  const csp = await dashboardContentSecurityPolicy();
  return {
    html,
    csp,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': csp,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
    },
  };
}

/** The page as a `Response`, headers included. */
export async function dashboardResponse(
  snapshot: DashboardSnapshot,
  options?: DashboardPageOptions,
): Promise<Response> {
  const page = await renderDashboardPage(snapshot, options);
  return new Response(page.html, { status: 200, headers: page.headers });
}

/** The JSON endpoint's response. */
export function dashboardJsonResponse(snapshot: DashboardSnapshot): Response {
  return new Response(JSON.stringify(snapshot), {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });
}
