import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WORKSPACE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const MAIN = join(WORKSPACE_ROOT, 'apps/mcp-server/src/main.ts');
export const TOKEN_CLI = join(WORKSPACE_ROOT, 'apps/mcp-server/src/cli/token.ts');

/** Runs the app's TypeScript sources directly (workspace libraries from source too), as the README documents. */
export const NODE_ARGS = ['--import', '@swc-node/register/esm-register', '--conditions=@atoms/source'];

/** Only what the app needs: the test's own environment (DATABASE_URL, REDIS_URL, ...) must not leak in. */
export function baseEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'NODE_PATH']) {
    const v = process.env[key];
    if (v !== undefined) env[key] = v;
  }
  return { ...env, LOG_LEVEL: 'warn', ...extra };
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface RunningApp {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

export function startApp(env: Record<string, string>, args: string[] = []): RunningApp {
  const child = spawn(process.execPath, [...NODE_ARGS, MAIN, ...args], {
    cwd: WORKSPACE_ROOT,
    env: baseEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Resolves once the banner is printed; fails with the process output if it exits or stalls first. */
export async function waitForReady(app: RunningApp, timeoutMs = 90_000): Promise<void> {
  const started = Date.now();
  while (!/ready at /.test(app.stdout())) {
    if (app.child.exitCode !== null) {
      throw new Error(`app exited ${app.child.exitCode}\nstdout:\n${app.stdout()}\nstderr:\n${app.stderr()}`);
    }
    if (Date.now() - started > timeoutMs) {
      app.child.kill('SIGKILL');
      throw new Error(`app not ready in ${timeoutMs} ms\nstdout:\n${app.stdout()}\nstderr:\n${app.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The token line of the banner (the line after "Access token for"). */
export function printedToken(stdout: string): string {
  const lines = stdout.split('\n');
  const at = lines.findIndex((l) => l.includes('Access token for'));
  const token = lines[at + 2]?.trim() ?? '';
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) throw new Error(`no token in the banner:\n${stdout}`);
  return token;
}

export async function runToCompletion(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...NODE_ARGS, script, ...args], {
    cwd: WORKSPACE_ROOT,
    env: baseEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  return { code, stdout, stderr };
}
