import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { proxiedAuthorizationServerMetadata } from '../src/index.js';

// A real local HTTP server stands in for the authorization server (AuthKit/Supabase are not reachable here).
describe('proxiedAuthorizationServerMetadata', () => {
  let hits = 0;
  let fail = false;
  const upstream = createServer((_req, res) => {
    hits++;
    if (fail) {
      res.writeHead(500).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ issuer: 'https://auth.example.com', token_endpoint: 'https://auth.example.com/token' }));
  });
  let url: string;
  beforeAll(async () => {
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/.well-known/oauth-authorization-server`;
  });
  afterAll(() => new Promise<void>((resolve) => upstream.close(() => resolve())));

  it('fetches once for concurrent requests, serves from cache, keeps the last good copy when a refresh fails', async () => {
    let now = 0;
    const serve = proxiedAuthorizationServerMetadata({ url, cacheTtlMs: 1000, now: () => now });
    const answers = await Promise.all([serve(), serve(), serve()]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(await answers[0]?.json()).toMatchObject({ issuer: 'https://auth.example.com' });
    expect(hits).toBe(1);
    await serve();
    expect(hits).toBe(1);
    now = 5000;
    fail = true;
    const stale = await serve();
    expect(stale.status).toBe(200);
    expect(hits).toBe(2);
  });

  it('answers 502 when nothing was ever fetched', async () => {
    fail = true;
    const response = await proxiedAuthorizationServerMetadata({ url })();
    expect(response.status).toBe(502);
  });
});
