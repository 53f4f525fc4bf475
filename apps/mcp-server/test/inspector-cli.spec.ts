import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  freePort,
  printedToken,
  startApp,
  WORKSPACE_ROOT,
  waitForReady,
  type RunningApp,
} from './support/app-process.js';

/**
 * The MCP Inspector CLI (`@modelcontextprotocol/inspector` 2.12, `--cli` mode) against the app as `npm start` runs
 * it: a child process on a fresh data directory and a free port, driven with the URL and token it prints.
 */
const execFileAsync = promisify(execFile);
const INSPECTOR = join(WORKSPACE_ROOT, 'node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js');
const INSPECTOR_TIMEOUT_MS = 60_000;

let dataDir: string;
let inspectorHome: string;
let app: RunningApp | undefined;
let mcpUrl: string;
let token: string;

interface InspectorRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** One Inspector CLI call; its own HOME so it neither reads nor writes the user's ~/.mcp-inspector. */
async function inspector(args: string[]): Promise<InspectorRun> {
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      [INSPECTOR, '--cli', mcpUrl, '--transport', 'http', ...args],
      {
        cwd: inspectorHome,
        env: {
          PATH: process.env['PATH'] ?? '',
          HOME: inspectorHome,
          MCP_CATALOG_PATH: join(inspectorHome, 'mcp.json'),
        },
        timeout: INSPECTOR_TIMEOUT_MS,
        killSignal: 'SIGKILL',
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; code?: number | string; killed?: boolean };
    if (failed.killed || typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

function json<T>(run: InspectorRun): T {
  if (run.code !== 0) throw new Error(`inspector exited ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'atoms-mcp-server-inspector-'));
  inspectorHome = await mkdtemp(join(tmpdir(), 'atoms-mcp-server-inspector-home-'));
  const port = await freePort();
  app = startApp({ ATOMS_DATA_DIR: dataDir, PORT: String(port) });
  await waitForReady(app);
  mcpUrl = `http://127.0.0.1:${port}/api/mcp`;
  expect(app.stdout()).toContain(`ready at ${mcpUrl}`);
  token = printedToken(app.stdout());
});

afterAll(async () => {
  if (app && app.child.exitCode === null) {
    app.child.kill('SIGTERM');
    await app.exited;
  }
  await rm(dataDir, { recursive: true, force: true });
  await rm(inspectorHome, { recursive: true, force: true });
});

describe('MCP Inspector CLI against the started app with its printed token', () => {
  it('the banner prints the Inspector command with the URL and the token', () => {
    expect(app?.stdout()).toContain(
      `npx @modelcontextprotocol/inspector --cli ${mcpUrl} --transport http --method tools/list --header "Authorization: Bearer ${token}"`,
    );
  });

  it('tools/list: the five tools, each with an input schema', async () => {
    const { tools } = json<{ tools: { name: string; inputSchema: { type: string } }[] }>(
      await inspector(['--method', 'tools/list', '--header', `Authorization: Bearer ${token}`]),
    );
    expect(tools.map((t) => t.name)).toEqual([
      'workspace_tool',
      'entity_tool',
      'relationship_tool',
      'workflow_tool',
      'query_tool',
    ]);
    for (const tool of tools) expect(tool.inputSchema.type).toBe('object');
  });

  it('tools/call workspace_tool list_workspaces: the seeded demo workspace', async () => {
    const result = json<{ isError?: boolean; structuredContent: { items: { name: string; role: string }[] } }>(
      await inspector([
        '--method',
        'tools/call',
        '--tool-name',
        'workspace_tool',
        '--tool-arg',
        'operation=list_workspaces',
        '--header',
        `Authorization: Bearer ${token}`,
      ]),
    );
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'Atoms Demo', role: 'owner' })]),
    );
  });

  it('a forged token is refused: the CLI fails instead of listing tools', async () => {
    const run = await inspector(['--method', 'tools/list', '--header', 'Authorization: Bearer forged.token.value']);
    expect(run.code).not.toBe(0);
    expect(run.stdout).not.toContain('workspace_tool');
  });
});
