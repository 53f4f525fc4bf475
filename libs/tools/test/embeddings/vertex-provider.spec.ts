/**
 * (fake Vertex, request level): no Vertex AI endpoint is reachable here, so a local HTTP server records what the
 * adapter sends and answers like the `:predict` API.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EmbeddingError } from '../../src/embeddings/provider.js';
import { vertexConfigFromEnv, vertexEmbeddingProvider } from '../../src/embeddings/vertex-provider.js';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: { instances: { content: string; task_type: string }[]; parameters: Record<string, unknown> };
}

let server: Server;
let baseUrl: string;
const requests: Recorded[] = [];
type Reply = { status: number; body: unknown; headers?: Record<string, string> };
let replies: ((r: Recorded) => Reply)[] = [];

const vector = (seed: number) => Array.from({ length: 768 }, (_, i) => Math.sin(seed + i));
const ok = (r: Recorded): Reply => ({
  status: 200,
  body: {
    predictions: r.body.instances.map((_, i) => ({
      embeddings: { values: vector(i), statistics: { token_count: 3 } },
    })),
  },
});

beforeAll(async () => {
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      const recorded: Recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(data),
      };
      requests.push(recorded);
      const reply = (replies.shift() ?? ok)(recorded);
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const provider = (overrides: Partial<Parameters<typeof vertexEmbeddingProvider>[0]> = {}) =>
  vertexEmbeddingProvider({
    project: 'atoms-prod',
    location: 'europe-west4',
    model: 'text-embedding-004',
    accessToken: () => 'ya29.token',
    baseUrl,
    retryDelayMs: 1,
    ...overrides,
  });

describe('Vertex AI adapter (fake Vertex, request level)', () => {
  test('POSTs :predict with bearer token, instances, task type and 768 output dimensions', async () => {
    requests.length = 0;
    const vectors = await provider().embed(['alpha', 'beta'], { task: 'query' });
    expect(vectors).toHaveLength(2);
    expect(vectors[0]).toHaveLength(768);
    expect(requests).toHaveLength(1);
    const [r] = requests;
    expect(r!.method).toBe('POST');
    expect(r!.url).toBe(
      '/v1/projects/atoms-prod/locations/europe-west4/publishers/google/models/text-embedding-004:predict',
    );
    expect(r!.headers['authorization']).toBe('Bearer ya29.token');
    expect(r!.body).toEqual({
      instances: [
        { content: 'alpha', task_type: 'RETRIEVAL_QUERY' },
        { content: 'beta', task_type: 'RETRIEVAL_QUERY' },
      ],
      parameters: { outputDimensionality: 768, autoTruncate: true },
    });
  });

  test('gemini-embedding-001 sends one text per request; documents use RETRIEVAL_DOCUMENT', async () => {
    requests.length = 0;
    const p = provider({ model: 'gemini-embedding-001' });
    expect(p.name).toBe('vertex:gemini-embedding-001');
    await p.embed(['a', 'b', 'c']);
    expect(requests).toHaveLength(3);
    expect(requests.every((r) => r.body.instances.length === 1)).toBe(true);
    expect(requests[0]!.body.instances[0]!.task_type).toBe('RETRIEVAL_DOCUMENT');
    expect(requests[0]!.url).toContain('/models/gemini-embedding-001:predict');
  });

  test('429 and 503 are retried (Retry-After honoured), then succeed', async () => {
    requests.length = 0;
    replies = [
      () => ({ status: 429, body: { error: { message: 'quota' } }, headers: { 'retry-after': '0' } }),
      () => ({ status: 503, body: { error: { message: 'busy' } } }),
    ];
    const vectors = await provider().embed(['x']);
    expect(vectors).toHaveLength(1);
    expect(requests).toHaveLength(3);
  });

  test('errors are classified, carry Google’s message, and never the token', async () => {
    replies = [() => ({ status: 403, body: { error: { code: 403, message: 'Permission denied on resource' } } })];
    const error = (await provider()
      .embed(['x'])
      .catch((e: unknown) => e)) as EmbeddingError;
    expect(error).toBeInstanceOf(EmbeddingError);
    expect(error.code).toBe('permission_denied');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('Permission denied on resource');
    expect(error.message).not.toContain('ya29');

    replies = [ok, ok, ok].map(() => () => ({ status: 500, body: 'boom' }));
    const exhausted = (await provider()
      .embed(['x'])
      .catch((e: unknown) => e)) as EmbeddingError;
    expect(exhausted.code).toBe('unavailable');
    expect(exhausted.retryable).toBe(true);
  });

  test('a malformed response (wrong dimension) is an error, not a silent bad vector', async () => {
    replies = [() => ({ status: 200, body: { predictions: [{ embeddings: { values: [1, 2, 3] } }] } })];
    await expect(provider().embed(['x'])).rejects.toThrow(/invalid embedding/);
  });

  test('configuration from the environment', () => {
    expect(vertexConfigFromEnv({})).toBeNull();
    expect(
      vertexConfigFromEnv({
        GOOGLE_CLOUD_PROJECT: 'p',
        GOOGLE_CLOUD_LOCATION: 'us-east1',
        VERTEX_EMBEDDINGS_MODEL: 'text-embedding-004',
      }),
    ).toEqual({ project: 'p', location: 'us-east1', model: 'text-embedding-004' });
    expect(vertexConfigFromEnv({ GOOGLE_CLOUD_PROJECT: 'p' })).toEqual({
      project: 'p',
      location: 'us-central1',
      model: 'gemini-embedding-001',
    });
    expect(() => vertexConfigFromEnv({ GOOGLE_CLOUD_PROJECT: 'p', VERTEX_EMBEDDINGS_MODEL: 'gpt' })).toThrow(
      /VERTEX_EMBEDDINGS_MODEL/,
    );
  });
});
