import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** A server the bench started as a child process. */
export interface ChildServer {
  readonly label: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly baseUrl: string;
  /** The last 64 KB of its stderr (startup report, failures). */
  stderr(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed by a signal). */
  stop(graceMs?: number): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Spawns `node <args>` with exactly `env` (plus PATH/HOME/LANG), stdout to `stdoutFile` (the app's JSON log lines:
 * written as production writes them, and countable afterwards), stderr kept in memory.
 */
export function spawnServer(input: {
  readonly label: string;
  readonly nodeArgs: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly stdoutFile: string;
  readonly baseUrl: string;
  readonly cwd: string;
}): ChildServer {
  const out = openSync(input.stdoutFile, 'w');
  const inherited: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'LANG', 'TZ']) {
    const value = process.env[name];
    if (value) inherited[name] = value;
  }
  const child = spawn(process.execPath, [...input.nodeArgs], {
    cwd: input.cwd,
    env: { ...inherited, ...input.env },
    stdio: ['ignore', out, 'pipe'],
  });
  closeSync(out); // the child holds its own descriptor
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-65_536);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (child.pid === undefined) throw new Error(`${input.label}: could not start ${process.execPath}`);
  return {
    label: input.label,
    child,
    pid: child.pid,
    baseUrl: input.baseUrl,
    stderr: () => stderr,
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Polls `url` until it answers 200; fails early with the child's stderr when it exits first. */
export async function waitUntilServing(server: ChildServer, url: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(
        `${server.label} exited (${server.child.exitCode ?? server.child.signalCode}):\n${server.stderr()}`,
      );
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${server.label} not ready at ${url} after ${timeoutMs} ms (${last}):\n${server.stderr()}`);
}

/** Resident set size of a process in MiB (`VmRSS` of /proc/<pid>/status; Linux only). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) / 1024;
}

/**
 * CPU time (user + system, every thread: GC, the libuv pool's crypto) a process has used, in ms. /proc reports it in
 * USER_HZ ticks, 100 per second on Linux.
 */
export function cpuTimeMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name (which may contain spaces); utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Watches a process during a load: its maximum RSS (sampled every `intervalMs`) and the CPU time it used. */
export function watchProcess(pid: number, intervalMs = 50): { stop(): { maxRssMiB: number; cpuMs: number } } {
  let max = rssMiB(pid);
  const cpuStart = cpuTimeMs(pid);
  const timer = setInterval(() => {
    try {
      max = Math.max(max, rssMiB(pid));
    } catch {
      // The process ended; the scenario's failures report why.
    }
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      max = Math.max(max, rssMiB(pid));
      return { maxRssMiB: max, cpuMs: cpuTimeMs(pid) - cpuStart };
    },
  };
}
