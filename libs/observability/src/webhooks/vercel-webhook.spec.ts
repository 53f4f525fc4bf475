import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { AtomsMetrics } from '../metrics/atoms-metrics.js';
import { createInIsolateMetricsBackend } from '../metrics/in-isolate-backend.js';
import { timingSafeEqual } from './hmac.js';
import {
  createVercelWebhookHandler,
  isVercelDeploymentEvent,
  vercelEventToAlert,
  type VercelWebhookEvent,
  VercelWebhookError,
  verifyVercelWebhook,
} from './vercel-webhook.js';

const SECRET = 'vercel-webhook-secret';
const event = {
  id: 'evt_123',
  type: 'deployment.succeeded',
  createdAt: 1_763_800_000_000,
  region: 'iad1',
  payload: {
    deployment: { id: 'dpl_abc', url: 'atoms-mcp-abc.vercel.app', name: 'atoms-mcp' },
    project: { id: 'prj_1' },
    target: 'production',
    links: { deployment: 'https://vercel.com/x/dpl', project: 'https://vercel.com/x' },
  },
};
// Raw bytes as Vercel sends them (spacing differs from JSON.stringify on purpose: only raw bytes verify).
const raw = JSON.stringify(event, null, 1);
// Independent implementation (node:crypto) of the signature Vercel computes.
const sign = (body: string, secret = SECRET) => createHmac('sha1', secret).update(body).digest('hex');

async function rejection(promise: Promise<unknown>): Promise<VercelWebhookError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof VercelWebhookError) return error;
    throw error;
  }
  throw new Error('expected a VercelWebhookError');
}

describe('verifyVercelWebhook', () => {
  it('accepts the exact body signed with the secret and returns a typed event', async () => {
    const verified = await verifyVercelWebhook(raw, sign(raw), SECRET);
    expect(verified).toEqual(event);
    expect(isVercelDeploymentEvent(verified)).toBe(true);
    if (isVercelDeploymentEvent(verified)) expect(verified.payload.deployment.id).toBe('dpl_abc');
    // Bytes and ArrayBuffer bodies, and upper-case hex, verify too.
    const bytes = new TextEncoder().encode(raw);
    await expect(verifyVercelWebhook(bytes, sign(raw).toUpperCase(), SECRET)).resolves.toEqual(event);
    await expect(verifyVercelWebhook(bytes.buffer, sign(raw), SECRET)).resolves.toEqual(event);
  });

  it('rejects a signature made with the wrong secret', async () => {
    const error = await rejection(verifyVercelWebhook(raw, sign(raw, 'wrong-secret'), SECRET));
    expect([error.code, error.status]).toEqual(['invalid_signature', 401]);
  });

  it('rejects a modified body (one byte changed, or re-serialised JSON)', async () => {
    const signature = sign(raw);
    const tampered = raw.replace('dpl_abc', 'dpl_abd');
    expect((await rejection(verifyVercelWebhook(tampered, signature, SECRET))).code).toBe('invalid_signature');
    expect((await rejection(verifyVercelWebhook(JSON.stringify(event), signature, SECRET))).code).toBe(
      'invalid_signature',
    );
  });

  it('rejects a missing, empty, malformed or truncated signature', async () => {
    expect((await rejection(verifyVercelWebhook(raw, undefined, SECRET))).code).toBe('missing_signature');
    expect((await rejection(verifyVercelWebhook(raw, '', SECRET))).code).toBe('missing_signature');
    expect((await rejection(verifyVercelWebhook(raw, 'not-hex!', SECRET))).code).toBe('invalid_signature');
    expect((await rejection(verifyVercelWebhook(raw, sign(raw).slice(0, 20), SECRET))).code).toBe('invalid_signature');
    expect((await rejection(verifyVercelWebhook(raw, `sha256=${sign(raw)}`, SECRET))).code).toBe('invalid_signature');
  });

  it('rejects correctly signed bodies that are not Vercel events', async () => {
    for (const body of [
      'not json',
      '[]',
      '{"type":"x","createdAt":1,"payload":{}}',
      '{"id":"e","type":"deployment.created","createdAt":1,"payload":{}}',
    ]) {
      const error = await rejection(verifyVercelWebhook(body, sign(body), SECRET));
      expect([error.code, error.status]).toEqual(['invalid_payload', 400]);
    }
  });

  it('refuses to run without a secret', async () => {
    await expect(verifyVercelWebhook(raw, sign(raw), '')).rejects.toThrow(TypeError);
  });
});

describe('createVercelWebhookHandler', () => {
  const request = (body: string, headers: Record<string, string>) =>
    new Request('https://mcp.example.com/api/webhooks/vercel', { method: 'POST', body, headers });

  it('hands verified events over and answers 200; 401 for bad signatures; 413 for oversized bodies; 405 for GET', async () => {
    const received: VercelWebhookEvent[] = [];
    const metrics = new AtomsMetrics(createInIsolateMetricsBackend());
    const handler = createVercelWebhookHandler({
      secret: SECRET,
      onEvent: (e) => void received.push(e),
      metrics,
      maxBodyBytes: 2048,
    });

    const ok = await handler(request(raw, { 'x-vercel-signature': sign(raw) }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ received: true, id: 'evt_123' });
    expect(received).toHaveLength(1);

    const bad = await handler(request(raw, { 'x-vercel-signature': sign(raw, 'nope') }));
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: 'invalid_signature' });
    const missing = await handler(request(raw, {}));
    expect([missing.status, ((await missing.json()) as { error: string }).error]).toEqual([401, 'missing_signature']);

    const big = 'x'.repeat(5000);
    expect((await handler(request(big, { 'x-vercel-signature': sign(big) }))).status).toBe(413);
    expect((await handler(new Request('https://mcp.example.com/api/webhooks/vercel'))).status).toBe(405);
    expect(received).toHaveLength(1);
    const text = await metrics.render();
    expect(text).toContain(
      'atoms_vercel_webhooks_received_total{vercel_event_type="deployment.succeeded",outcome="accepted"} 1',
    );
    expect(text).toContain('atoms_vercel_webhooks_received_total{vercel_event_type="unverified",outcome="rejected"} 3');
  });
});

describe('vercelEventToAlert', () => {
  it('maps deployment lifecycle events to alert events', () => {
    const of = (type: string) => vercelEventToAlert({ ...event, type } as VercelWebhookEvent)?.type;
    expect([
      of('deployment.created'),
      of('deployment.succeeded'),
      of('deployment.ready'),
      of('deployment.error'),
      of('deployment.canceled'),
      of('project.created'),
    ]).toEqual([
      'deployment.started',
      'deployment.completed',
      'deployment.completed',
      'deployment.failed',
      'deployment.failed',
      undefined,
    ]);
  });
});

describe('timingSafeEqual', () => {
  it('compares contents and lengths', () => {
    const a = new Uint8Array([1, 2, 3]);
    expect(timingSafeEqual(a, new Uint8Array([1, 2, 3]))).toBe(true);
    expect(timingSafeEqual(a, new Uint8Array([1, 2, 4]))).toBe(false);
    expect(timingSafeEqual(a, new Uint8Array([1, 2]))).toBe(false);
    expect(timingSafeEqual(a, new Uint8Array([1, 2, 3, 0]))).toBe(false);
    expect(timingSafeEqual(new Uint8Array(), new Uint8Array())).toBe(true);
  });
});
