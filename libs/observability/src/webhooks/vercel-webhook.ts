import type { Logger } from '../logging/logger.js';
import type { AtomsMetrics } from '../metrics/atoms-metrics.js';
import type { AlertInput } from './alert-event.js';
import { fromHex, importHmacKey, timingSafeEqual } from './hmac.js';

export const VERCEL_SIGNATURE_HEADER = 'x-vercel-signature';

export const VERCEL_DEPLOYMENT_EVENTS = [
  'deployment.created',
  'deployment.succeeded',
  'deployment.ready',
  'deployment.promoted',
  'deployment.error',
  'deployment.canceled',
  'deployment.check-rerequested',
] as const;
export type VercelDeploymentEventType = (typeof VERCEL_DEPLOYMENT_EVENTS)[number];

export interface VercelDeploymentPayload {
  deployment: { id: string; url?: string; name?: string; meta?: Record<string, string>; inspectorUrl?: string };
  project?: { id: string };
  team?: { id: string } | null;
  user?: { id: string };
  target?: 'production' | 'staging' | string | null;
  links?: { deployment?: string; project?: string };
  regions?: string[];
  [key: string]: unknown;
}

interface VercelEventBase {
  /** Unique per delivery: use it to drop duplicates. */
  id: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  region?: string | null;
}

export interface VercelDeploymentEvent extends VercelEventBase {
  type: VercelDeploymentEventType;
  payload: VercelDeploymentPayload;
}

/** Any other event type (project.*, domain.*, integration-configuration.*, ...), payload unparsed. */
export interface VercelOtherEvent extends VercelEventBase {
  type: string;
  payload: Record<string, unknown>;
}

export type VercelWebhookEvent = VercelDeploymentEvent | VercelOtherEvent;

export const isVercelDeploymentEvent = (event: VercelWebhookEvent): event is VercelDeploymentEvent =>
  (VERCEL_DEPLOYMENT_EVENTS as readonly string[]).includes(event.type);

export type VercelWebhookErrorCode =
  | 'missing_signature'
  | 'invalid_signature'
  | 'invalid_payload'
  | 'payload_too_large';

export class VercelWebhookError extends Error {
  readonly code: VercelWebhookErrorCode;
  readonly status: number;
  constructor(code: VercelWebhookErrorCode, message: string) {
    super(message);
    this.name = 'VercelWebhookError';
    this.code = code;
    this.status = code === 'payload_too_large' ? 413 : code === 'invalid_payload' ? 400 : 401;
  }
}

const SHA1_BYTES = 20;

/**
 * Verifies `x-vercel-signature` (hex HMAC-SHA1 of the raw body with the integration's client secret, or the
 * webhook secret) in constant time, then parses and checks the event's shape. The body must be the exact bytes
 * received: re-serialised JSON would not verify.
 */
export async function verifyVercelWebhook(
  rawBody: Uint8Array | ArrayBuffer | string,
  signature: string | null | undefined,
  secret: string,
): Promise<VercelWebhookEvent> {
  if (!secret) throw new TypeError('verifyVercelWebhook: a secret is required');
  if (!signature) throw new VercelWebhookError('missing_signature', `missing ${VERCEL_SIGNATURE_HEADER} header`);
  const body =
    typeof rawBody === 'string'
      ? new TextEncoder().encode(rawBody)
      : rawBody instanceof Uint8Array
        ? rawBody
        : new Uint8Array(rawBody);
  const received = fromHex(signature.trim());
  const key = await importHmacKey(secret, 'SHA-1', 'sign');
  const expected = new Uint8Array(await crypto.subtle.sign('HMAC', key, body));
  // Length is public (always 20 bytes); the comparison itself never short-circuits.
  if (!received || received.length !== SHA1_BYTES || !timingSafeEqual(received, expected)) {
    throw new VercelWebhookError('invalid_signature', 'signature does not match the body');
  }
  return parseEvent(body);
}

function parseEvent(body: Uint8Array): VercelWebhookEvent {
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new VercelWebhookError('invalid_payload', 'body is not valid UTF-8 JSON');
  }
  const event = data as Record<string, unknown> | null;
  if (!event || typeof event !== 'object' || Array.isArray(event)) {
    throw new VercelWebhookError('invalid_payload', 'event must be a JSON object');
  }
  if (typeof event['id'] !== 'string' || !event['id'])
    throw new VercelWebhookError('invalid_payload', 'event.id missing');
  if (typeof event['type'] !== 'string' || !event['type']) {
    throw new VercelWebhookError('invalid_payload', 'event.type missing');
  }
  if (typeof event['createdAt'] !== 'number')
    throw new VercelWebhookError('invalid_payload', 'event.createdAt missing');
  const payload = event['payload'];
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new VercelWebhookError('invalid_payload', 'event.payload must be an object');
  }
  const parsed = event as unknown as VercelWebhookEvent;
  if (isVercelDeploymentEvent(parsed)) {
    const deployment = (payload as Record<string, unknown>)['deployment'] as Record<string, unknown> | undefined;
    if (!deployment || typeof deployment['id'] !== 'string') {
      throw new VercelWebhookError('invalid_payload', 'deployment event without payload.deployment.id');
    }
  }
  return parsed;
}

/** Deployment events as alert events (created -> started, succeeded/ready -> completed, error/canceled -> failed). */
export function vercelEventToAlert(event: VercelWebhookEvent): AlertInput | undefined {
  if (!isVercelDeploymentEvent(event)) return undefined;
  const { deployment, target } = event.payload;
  const metadata = { vercelEventId: event.id, deploymentId: deployment.id, url: deployment.url, target };
  const name = deployment.name ?? deployment.id;
  switch (event.type) {
    case 'deployment.created':
      return { type: 'deployment.started', title: `Deployment of ${name} started`, metadata };
    case 'deployment.succeeded':
    case 'deployment.ready':
      return { type: 'deployment.completed', title: `Deployment of ${name} completed`, metadata };
    case 'deployment.error':
      return { type: 'deployment.failed', severity: 'error', title: `Deployment of ${name} failed`, metadata };
    case 'deployment.canceled':
      return { type: 'deployment.failed', severity: 'warning', title: `Deployment of ${name} canceled`, metadata };
    default:
      return undefined;
  }
}

export interface VercelWebhookHandlerOptions {
  secret: string;
  onEvent: (event: VercelWebhookEvent) => void | Promise<void>;
  /** Bodies above this are refused (413) before any HMAC work. Default 1 MiB. */
  maxBodyBytes?: number;
  logger?: Logger;
  metrics?: AtomsMetrics;
}

/** `POST /api/webhooks/vercel`: verify, then hand the typed event over; 401/400/413 with a JSON error otherwise. */
export function createVercelWebhookHandler(
  options: VercelWebhookHandlerOptions,
): (request: Request) => Promise<Response> {
  const maxBytes = options.maxBodyBytes ?? 1024 * 1024;
  return async (request) => {
    if (request.method !== 'POST') return json(405, { error: 'method_not_allowed' }, { allow: 'POST' });
    let event: VercelWebhookEvent;
    try {
      const declared = Number(request.headers.get('content-length') ?? '0');
      if (declared > maxBytes) throw new VercelWebhookError('payload_too_large', 'body too large');
      const body = await readLimited(request, maxBytes);
      event = await verifyVercelWebhook(body, request.headers.get(VERCEL_SIGNATURE_HEADER), options.secret);
    } catch (error) {
      if (!(error instanceof VercelWebhookError)) throw error;
      options.metrics?.recordVercelWebhook('unverified', 'rejected');
      options.logger?.warn({ code: error.code }, 'vercel webhook rejected');
      return json(error.status, { error: error.code, message: error.message });
    }
    options.metrics?.recordVercelWebhook(event.type, 'accepted');
    options.logger?.info({ vercelEventId: event.id, vercelEventType: event.type }, 'vercel webhook received');
    await options.onEvent(event);
    return json(200, { received: true, id: event.id });
  };
}

async function readLimited(request: Request, maxBytes: number): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new VercelWebhookError('payload_too_large', 'body too large');
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
