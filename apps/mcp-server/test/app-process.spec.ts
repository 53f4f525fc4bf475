import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  baseEnv,
  freePort,
  MAIN,
  NODE_ARGS,
  printedToken,
  runToCompletion,
  startApp,
  TOKEN_CLI,
  WORKSPACE_ROOT,
  waitForReady,
  type RunningApp,
} from './support/app-process.js';

/**
 * The app as a user runs it: a child process on a temporary data directory and port (PGlite, dev issuer, memory
 * stores), driven over real HTTP and stdio with the SDK's clients. One data directory for the whole file, in the
 * order a user meets it: first start, token CLI, shutdown, second start, stdio.
 */
let dataDir: string;
let port: number;
let env: Record<string, string>;
let app: RunningApp | undefined;

function running(): RunningApp {
  if (!app) throw new Error('the app was not started');
  return app;
}

const mcpUrl = (): string => `http://127.0.0.1:${port}/api/mcp`;

async function connect(token: string): Promise<Client> {
  const client = new Client({ name: 'mcp-server-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(mcpUrl()), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

async function demoOrganizations(client: Client): Promise<string[]> {
  const result = await client.callTool({
    name: 'entity_tool',
    arguments: { operation: 'list', entity_type: 'organization', fields: ['name'], limit: 100 },
  });
  expect(result.isError).toBeFalsy();
  const items = (result.structuredContent as { items: { name: string }[] }).items;
  return items.map((i) => i.name).filter((n) => n === 'Atoms Demo');
}

async function stop(running: RunningApp): Promise<number | null> {
  running.child.kill('SIGTERM');
  return running.exited;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'atoms-mcp-server-test-'));
  port = await freePort();
  env = { ATOMS_DATA_DIR: dataDir, PORT: String(port), SHUTDOWN_DRAIN_DELAY_MS: '1500' };
});

afterAll(async () => {
  if (app && app.child.exitCode === null) app.child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

describe('first start on a fresh data directory', () => {
  beforeAll(async () => {
    app = startApp(env);
    await waitForReady(app);
  });

  it('prints the MCP URL, a token and client configuration', () => {
    const out = running().stdout();
    expect(out).toContain(`ready at ${mcpUrl()}`);
    expect(out).toContain(`claude mcp add --transport http atoms ${mcpUrl()}`);
    expect(out).toContain(`npx @modelcontextprotocol/inspector --cli ${mcpUrl()} --transport http --method tools/list`);
    expect(printedToken(out).split('.')).toHaveLength(3);
    // The configuration report went to stderr, and it migrated and seeded.
    expect(running().stderr()).toContain('Atoms MCP configuration (development, http)');
  });

  it('is ready', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(response.status).toBe(200);
  });

  it('accepts the printed token: tools/list and the seeded demo workspace over HTTP with the SDK client', async () => {
    const client = await connect(printedToken(running().stdout()));
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual([
        'workspace_tool',
        'entity_tool',
        'relationship_tool',
        'workflow_tool',
        'query_tool',
      ]);
      expect(await demoOrganizations(client)).toEqual(['Atoms Demo']);
      const requirements = await client.callTool({
        name: 'entity_tool',
        arguments: { operation: 'list', entity_type: 'requirement', fields: ['name'] },
      });
      expect((requirements.structuredContent as { total: number }).total).toBe(3);
    } finally {
      await client.close();
    }
  });

  it('refuses a request without a token with an RFC 9728 challenge', async () => {
    const response = await fetch(mcpUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('resource_metadata=');
  });

  it('accepts a token from the token CLI for another user (provisioned on first use, no demo data)', async () => {
    const minted = await runToCompletion(TOKEN_CLI, ['--email', 'alice@example.com'], env);
    expect(minted.code).toBe(0);
    const token = minted.stdout.trim();
    const client = await connect(token);
    try {
      expect((await client.listTools()).tools).toHaveLength(5);
      expect(await demoOrganizations(client)).toEqual([]); // RLS: alice does not see the dev user's workspace
    } finally {
      await client.close();
    }
    const bad = await runToCompletion(TOKEN_CLI, ['--email', 'not-an-email'], env);
    expect(bad.code).toBe(2);
  });

  it('drains on SIGTERM: readiness 503 first, then exit 0', async () => {
    running().child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 400)); // inside the 1.5 s drain delay
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(ready.status).toBe(503);
    const live = await fetch(`http://127.0.0.1:${port}/health/live`);
    expect(live.status).toBe(200);
    expect(await running().exited).toBe(0);
  });
});

describe('second start on the same data directory', () => {
  it('reuses the data: no migration, no second demo organization; the persisted keys keep old tokens valid', async () => {
    const firstToken = printedToken(running().stdout());
    app = startApp({ ...env, LOG_LEVEL: 'info' });
    await waitForReady(app);
    expect(app.stdout()).not.toContain('database migrated');
    expect(app.stdout()).not.toContain('demo workspace created');
    const client = await connect(firstToken);
    try {
      expect(await demoOrganizations(client)).toEqual(['Atoms Demo']);
    } finally {
      await client.close();
    }
    expect(await stop(app)).toBe(0);
  });

  it('refuses a second process on the same embedded database while one runs', async () => {
    app = startApp(env);
    await waitForReady(app);
    const other = await runToCompletion(MAIN, [], { ...env, PORT: String(await freePort()) });
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/is in use by process \d+/);
    expect(await stop(app)).toBe(0);
  });
});

describe('--stdio', () => {
  it('answers tools/list and tool calls over stdio as the dev user, with nothing but protocol on stdout', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [...NODE_ARGS, MAIN, '--stdio'],
      cwd: WORKSPACE_ROOT,
      env: baseEnv({ ATOMS_DATA_DIR: dataDir }),
      stderr: 'pipe',
    });
    const client = new Client({ name: 'mcp-server-stdio-test', version: '1.0.0' });
    await client.connect(transport); // a non-JSON line on stdout would fail the protocol parse
    try {
      expect((await client.listTools()).tools).toHaveLength(5);
      expect(await demoOrganizations(client)).toEqual(['Atoms Demo']);
    } finally {
      await client.close();
    }
  });
});

describe('--stdio with ATOMS_ACCESS_TOKEN', () => {
  it("serves the verified token's user, and refuses a bad token before speaking the protocol", async () => {
    const minted = await runToCompletion(TOKEN_CLI, ['--email', 'bob@example.com'], env);
    expect(minted.code).toBe(0);
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [...NODE_ARGS, MAIN, '--stdio'],
      cwd: WORKSPACE_ROOT,
      env: baseEnv({ ...env, ATOMS_ACCESS_TOKEN: minted.stdout.trim() }),
      stderr: 'pipe',
    });
    const client = new Client({ name: 'mcp-server-stdio-token-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      expect(await demoOrganizations(client)).toEqual([]); // bob, not the dev user
    } finally {
      await client.close();
    }
    const refused = await runToCompletion(MAIN, ['--stdio'], { ...env, ATOMS_ACCESS_TOKEN: 'not.a.token' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('ATOMS_ACCESS_TOKEN was refused');
    expect(refused.stdout).toBe('');
  });
});

describe('unusable configuration', () => {
  it('exits 78 listing every problem, without a stack trace', async () => {
    const run = await runToCompletion(MAIN, [], { PORT: 'abc', PRODUCTION: 'true', LOG_LEVEL: 'chatty' });
    expect(run.code).toBe(78);
    for (const variable of ['PORT', 'LOG_LEVEL', 'DATABASE_URL', 'PUBLIC_URL', 'REDIS_URL']) {
      expect(run.stderr).toContain(`  - ${variable}: `);
    }
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stdout).toBe('');
  });
});
