/**
 * A test bridge speaking Upstash's REST protocol in front of the real local Redis: `POST /` with a JSON command
 * array, `POST /pipeline` with an array of them, bearer-token auth, and `Upstash-Encoding: base64` replies. It is
 * a protocol translator (node:http -> ioredis), not a fake: every command runs on the real server.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';

export interface UpstashBridge {
  readonly url: string;
  readonly token: string;
  /** Commands received, by name (to prove the store really went through REST). */
  readonly commands: Map<string, number>;
  close(): Promise<void>;
}

export async function startUpstashBridge(redis: Redis): Promise<UpstashBridge> {
  const token = 'bridge-test-token';
  const commands = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'POST' || req.headers.authorization !== `Bearer ${token}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'Unauthorized' }));
        return;
      }
      const base64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
      const body = JSON.parse(await readBody(req)) as unknown;
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/pipeline' || path === '/multi-exec') {
        const replies = [];
        for (const command of body as unknown[][]) replies.push(await execute(redis, command, base64, commands));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(replies));
        return;
      }
      const reply = await execute(redis, body as unknown[], base64, commands);
      res.writeHead('error' in reply ? 400 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    })().catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    commands,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

async function execute(
  redis: Redis,
  command: unknown[],
  base64: boolean,
  seen: Map<string, number>,
): Promise<{ result: unknown } | { error: string }> {
  const [name, ...args] = command.map(String);
  if (!name) return { error: 'ERR empty command' };
  seen.set(name.toLowerCase(), (seen.get(name.toLowerCase()) ?? 0) + 1);
  try {
    const result = await redis.call(name, ...args);
    return { result: base64 ? encode(result) : result };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function encode(value: unknown): unknown {
  if (typeof value === 'string') return value === 'OK' ? value : Buffer.from(value, 'utf8').toString('base64');
  if (Array.isArray(value)) return value.map(encode);
  return value;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
