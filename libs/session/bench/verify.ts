/**
 * Token verification throughput, sequential (one verification in flight, so one core does the work).
 * Targets on the reference machine: HS256 >= 15,000/s, RS256 >= 10,000/s.
 *
 *   node --import @swc-node/register/esm-register --conditions=@atoms/source libs/session/bench/verify.ts
 *
 * Pin to one core with `taskset -c 0` in front. Prints one line per case (wall-clock ops/s, and ops per CPU-second of
 * this process, which stays meaningful when other work shares the machine), the targets, then a JSON summary.
 */
import { SignJWT, generateKeyPair, exportJWK, jwtVerify, type CryptoKey } from 'jose';
import { createHmacVerifier, createJwksVerifier, DevIssuer, MemoryJwksCache, RemoteJwks } from '../src/index.js';

const ISSUER = 'https://issuer.bench.local';
const AUDIENCE = 'https://mcp.bench.local/api/mcp';
const SECRET = 'bench-hmac-secret-of-at-least-thirty-two-bytes';
const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 1500);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);

interface Result {
  name: string;
  /** Wall-clock throughput. */
  opsPerSecond: number;
  /** Throughput per second of CPU time used by this process (all its threads): robust when the machine is shared. */
  opsPerCpuSecond: number;
  meanMicros: number;
}

async function measure(name: string, op: () => Promise<unknown>): Promise<Result> {
  for (let i = 0; i < 2000; i += 1) await op(); // warm-up: JIT, key import caches
  const rates: number[] = [];
  const cpuRates: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    let count = 0;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const until = started + DURATION_MS;
    while (performance.now() < until) {
      for (let i = 0; i < 100; i += 1) await op();
      count += 100;
    }
    const elapsed = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    rates.push((count * 1000) / elapsed);
    cpuRates.push((count * 1e6) / (cpu.user + cpu.system));
  }
  const median = (values: number[]): number =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  const wall = median(rates);
  const result = {
    name,
    opsPerSecond: Math.round(wall),
    opsPerCpuSecond: Math.round(median(cpuRates)),
    meanMicros: Math.round((1e6 / wall) * 10) / 10,
  };
  console.log(
    `${name.padEnd(48)} ${String(result.opsPerSecond).padStart(8)} ops/s  ${String(result.opsPerCpuSecond).padStart(8)} ops/cpu-s  ${result.meanMicros} µs/op`,
  );
  return result;
}

const claims = { sub: 'user-1', scope: 'tools:read tools:write', email: 'u@example.com', jti: 'bench-jti' };

async function signed(alg: string, key: CryptoKey | Uint8Array, kid?: string): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader(kid ? { alg, kid } : { alg })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(key);
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${DURATION_MS} ms x ${ROUNDS} rounds per case (median), sequential`);
  const results: Result[] = [];

  // HS256: the shipped verifier (key imported once) and, for reference, jose with a raw secret.
  const secret = new TextEncoder().encode(SECRET);
  const hsToken = await signed('HS256', secret);
  const hmac = createHmacVerifier({ issuer: ISSUER, audience: AUDIENCE, secret: SECRET });
  results.push(await measure('HS256 createHmacVerifier', () => hmac.verify(hsToken)));
  results.push(
    await measure('HS256 jose.jwtVerify, raw secret (reference)', () =>
      jwtVerify(hsToken, secret, { issuer: ISSUER, audience: AUDIENCE }),
    ),
  );

  // RS256 through the remote JWKS path (cached key set, kid lookup), as a resource server runs it.
  const rsa = await generateKeyPair('RS256', { extractable: true });
  const rsJwk = { ...(await exportJWK(rsa.publicKey)), kid: 'rs-1', alg: 'RS256', use: 'sig' };
  const rsToken = await signed('RS256', rsa.privateKey, 'rs-1');
  const remote = new RemoteJwks({
    uri: `${ISSUER}/.well-known/jwks.json`,
    cache: new MemoryJwksCache(),
    fetch: async () => Response.json({ keys: [rsJwk] }),
  });
  const rsVerifier = createJwksVerifier({ issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256'], jwks: remote });
  results.push(await measure('RS256 createJwksVerifier (remote JWKS, cached)', () => rsVerifier.verify(rsToken)));
  results.push(
    await measure('RS256 jose.jwtVerify, imported key (reference)', () =>
      jwtVerify(rsToken, rsa.publicKey, { issuer: ISSUER, audience: AUDIENCE }),
    ),
  );

  // ES256 from the development issuer, verified in process.
  const dev = await DevIssuer.create({ issuer: ISSUER, audience: AUDIENCE, algorithm: 'ES256' });
  const esToken = (await dev.mintAccessToken({ sub: 'user-1', scopes: ['tools:read'] })).token;
  const devVerifier = dev.accessTokenVerifier();
  results.push(await measure('ES256 DevIssuer.accessTokenVerifier', () => devVerifier.verify(esToken)));

  const targets: [string, number][] = [
    ['HS256 createHmacVerifier', 15_000],
    ['RS256 createJwksVerifier (remote JWKS, cached)', 10_000],
  ];
  for (const [name, target] of targets) {
    const found = results.find((r) => r.name === name);
    const rate = found?.opsPerSecond ?? 0;
    const cpuRate = found?.opsPerCpuSecond ?? 0;
    console.log(
      `target ${name}: >= ${target}/s -> wall ${rate >= target ? 'met' : 'MISSED'} (${rate}/s), per CPU-second ${cpuRate >= target ? 'met' : 'MISSED'} (${cpuRate}/s)`,
    );
  }
  console.log(JSON.stringify({ bench: 'session/verify', node: process.version, results }));
}

await main();
