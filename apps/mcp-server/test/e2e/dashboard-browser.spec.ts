import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import {
  freePort,
  printedToken,
  startApp,
  waitForReady,
  WORKSPACE_ROOT,
  type RunningApp,
} from '../support/app-process.js';

/**
 * The observability dashboard of the started app in headless Chromium (Debian's; CHROMIUM_PATH overrides): after
 * known traffic it shows that traffic, logs no console error and requests nothing outside the app's origin.
 */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const SCREENSHOT = join(WORKSPACE_ROOT, 'apps/mcp-server/test-output/dashboard.png');
const LIMIT = 3;

let dataDir: string | undefined;
let port: number;
let app: RunningApp | undefined;
let browser: Browser | undefined;

const origin = (): string => `http://127.0.0.1:${port}`;

/** A table row as the page sees it (the spec project has no DOM lib, hence the narrow type). */
type Row = { querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }> };

async function callTool(token: string, name: string, args: Record<string, unknown>): Promise<number> {
  const response = await fetch(`${origin()}/api/mcp`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
  });
  await response.text();
  return response.status;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
  dataDir = await mkdtemp(join(tmpdir(), 'atoms-mcp-e2e-dashboard-'));
  port = await freePort();
  app = startApp({
    ATOMS_DATA_DIR: dataDir,
    PORT: String(port),
    RATE_LIMIT_REQUESTS_PER_MINUTE: String(LIMIT),
    RATE_LIMIT_BURST_SIZE: String(LIMIT),
    SHUTDOWN_DRAIN_DELAY_MS: '0',
  });
  await waitForReady(app);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  if (app && app.child.exitCode === null) {
    app.child.kill('SIGTERM');
    const timer = setTimeout(() => app?.child.kill('SIGKILL'), 5000);
    await app.exited;
    clearTimeout(timer);
  }
  // Unset when beforeAll refused early (no Chromium): the reason above is the one to read.
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it('renders the live numbers after traffic, with no console error and no request off the origin', async () => {
  if (!app || !browser) throw new Error('not started');
  const token = printedToken(app.stdout());
  // Known traffic: LIMIT entity reads pass, two more are refused (429), one query_tool call.
  const statuses: number[] = [];
  for (let i = 0; i < LIMIT + 2; i++) {
    statuses.push(await callTool(token, 'entity_tool', { operation: 'list', entity_type: 'requirement' }));
  }
  expect(statuses).toEqual([...Array<number>(LIMIT).fill(200), 429, 429]);
  expect(
    await callTool(token, 'query_tool', { query_type: 'search', entities: ['requirement'], search_term: 'demo' }),
  ).toBe(200);

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  const requested: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('request', (request) => requested.push(request.url()));
  const response = await page.goto(`${origin()}/api/observability/dashboard`);
  expect(response?.status()).toBe(200);
  // Wait for one refresh from the JSON endpoint so the numbers are the live ones, not only the embedded snapshot.
  await page.waitForResponse((r) => r.url().endsWith('/api/observability/dashboard.json'), { timeout: 15_000 });
  await page.waitForTimeout(200);

  const total = Number((await page.textContent('#total'))?.replace(/\D/g, ''));
  expect(total).toBeGreaterThanOrEqual(LIMIT + 3);
  expect(await page.textContent('#rate-limited')).toBe('2');
  // Per-operation table: the six MCP POSTs (the two 429s included) with their count.
  const rows = await page.$$eval('#ops-table tr', (trs) =>
    Array.from(trs as unknown as ArrayLike<Row>, (tr) =>
      Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? ''),
    ),
  );
  const counts = Object.fromEntries(rows.filter((r) => r.length > 1).map((r) => [r[0], r[1]]));
  expect(counts['POST /api/mcp']).toBe(String(LIMIT + 3));
  // Tool usage: only the calls that reached a tool (the 429s never did).
  const toolRows = await page.$$eval('#tools-table tr', (trs) =>
    Array.from(trs as unknown as ArrayLike<Row>, (tr) =>
      Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? ''),
    ),
  );
  const toolCalls = Object.fromEntries(toolRows.filter((r) => r.length > 1).map((r) => [r[0], r[1]]));
  expect(toolCalls).toEqual({ entity_tool: String(LIMIT), query_tool: '1' });
  expect(await page.textContent('#health-status')).toBe('pass');

  await mkdir(dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  expect(problems).toEqual([]);
  expect(requested.length).toBeGreaterThanOrEqual(2);
  expect(requested.filter((url) => !url.startsWith(`${origin()}/`))).toEqual([]);
  await page.close();
});
