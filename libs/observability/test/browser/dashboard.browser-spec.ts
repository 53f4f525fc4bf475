// The dashboard in a real browser (Chromium via playwright-core): it renders from the embedded snapshot, refreshes
// from the JSON endpoint, raises no CSP violation, and its CSP really blocks any inline script it did not hash.
// Needs Chromium (`apt-get install -y chromium`; path from CHROMIUM_PATH, default /usr/bin/chromium): run with
// `npx nx run observability:test-browser`. Fails loudly when Chromium is missing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright-core';
import { createNodeObservability, type NodeObservability } from '../../src/node/index.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** The page's globals, typed here because the spec project has no DOM lib. */
type PageGlobals = {
  document: { getElementById(id: string): { textContent: string | null } | null };
  __injected?: boolean;
};

/** Waits until the dashboard shows `expected` total requests (a function predicate: the CSP forbids string eval). */
const totalIs = (page: Page, expected: string, timeout = 10_000) =>
  page.waitForFunction(
    ({ expected }) => (globalThis as unknown as PageGlobals).document.getElementById('total')?.textContent === expected,
    { expected },
    { timeout },
  );

let browser: Browser;
let server: Server;
let base: string;
let obs: NodeObservability;
let jsonHits = 0;

async function toNode(response: Response, res: import('node:http').ServerResponse) {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
  obs = createNodeObservability({
    service: 'atoms-mcp',
    version: '9.9.9',
    log: { destination: { write: () => undefined } },
    prometheus: { defaultMetrics: false },
  });
  obs.health.addCheck({ name: 'database', componentType: 'database', check: async () => 'pass' });
  obs.health.addCheck({
    name: 'session_store',
    critical: false,
    check: async () => ({ status: 'warn', output: 'slow' }),
  });
  for (let i = 1; i <= 40; i++) {
    obs.metrics.recordHttpRequest({
      method: 'POST',
      route: '/api/mcp',
      status: i % 10 ? 200 : 503,
      durationSeconds: i / 1000,
    });
    obs.metrics.recordMcpOperation({
      method: 'tools/call',
      tool: 'entity_tool',
      operation: 'read',
      outcome: 'success',
      durationSeconds: 0.03,
    });
  }
  server = createServer((req, res) => {
    void (async () => {
      if (req.url === '/dashboard') return toNode(await obs.dashboardResponse({ refreshSeconds: 1 }), res);
      if (req.url === '/tampered') {
        const page = await obs.dashboardResponse();
        const html = (await page.text()).replace('</body>', '<script>window.__injected = true;</script></body>');
        return toNode(new Response(html, { headers: page.headers }), res);
      }
      if (req.url === '/api/observability/dashboard.json') {
        jsonHits++;
        return toNode(await obs.dashboardJsonResponse(), res);
      }
      res.writeHead(404).end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe('dashboard in Chromium', () => {
  it('renders the snapshot, refreshes from the JSON endpoint, and raises no CSP violation', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${base}/dashboard`);
    await totalIs(page, '40');
    expect(await page.textContent('#error-rate')).toBe('10 %');
    expect(await page.textContent('#tools-table')).toContain('entity_tool');
    expect(await page.textContent('#health-table')).toContain('session_store (non-critical)');
    expect(await page.textContent('#health-status')).toBe('warn');

    for (let i = 0; i < 10; i++)
      obs.metrics.recordHttpRequest({ method: 'GET', route: '/health', status: 200, durationSeconds: 0.001 });
    await totalIs(page, '50');
    expect(jsonHits).toBeGreaterThanOrEqual(1);
    expect(await page.getAttribute('#latency-spark polyline', 'points')).toMatch(/\d/);
    await page.screenshot({ path: 'test-output/dashboard.png', fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 30_000);

  it('blocks an inline script the CSP does not hash', async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) violations.push(message.text());
    });
    await page.goto(`${base}/tampered`);
    await totalIs(page, '50');
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__injected)).toBeUndefined();
    expect(violations.length).toBeGreaterThanOrEqual(1);
    await page.close();
  }, 30_000);
});
