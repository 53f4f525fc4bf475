import { isError } from '../logging/error-serializer.js';
import type { Logger } from '../logging/logger.js';
import type { AtomsMetrics } from '../metrics/atoms-metrics.js';
import {
  type AlertEventType,
  type AlertInput,
  type AlertPayload,
  type AlertSeverity,
  buildAlertPayload,
  severityRank,
} from './alert-event.js';
import { hmacHex } from './hmac.js';

export interface AlertWebhook {
  /** Shown in logs and reports instead of the URL (webhook URLs often embed their secret). */
  name: string;
  url: string;
  /** Event types this webhook wants; empty or absent means all. */
  events?: readonly AlertEventType[];
  /** Events below this severity are not sent. */
  minSeverity?: AlertSeverity;
  headers?: Record<string, string>;
  /**
   * When set, each request carries `X-Atoms-Timestamp` and `X-Atoms-Signature: sha256=<hex>`, the HMAC-SHA256 of
   * `<timestamp>.<body>`, so the receiver can authenticate it and refuse replays.
   */
  secret?: string;
}

export interface AlertDispatcherOptions {
  webhooks: readonly AlertWebhook[];
  environment: string;
  /** `source` field of the payload. Default `atoms-mcp`. */
  source?: string;
  /** Retries after the first attempt. Default 3. */
  retries?: number;
  /** First retry delay; doubles each retry (1 s, 2 s, 4 s by default). */
  backoffMs?: number;
  /** Cap for one delay, including a server's `Retry-After`. Default 30 s. */
  maxBackoffMs?: number;
  /** Random spread added to each delay, as a fraction of it (0 disables). Default 0.1. */
  jitter?: number;
  /** Per-attempt timeout. Default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  logger?: Logger;
  metrics?: AtomsMetrics;
  sleep?: (ms: number) => Promise<void>;
}

export interface AlertDelivery {
  webhook: string;
  /** Not sent because the webhook's filters exclude the event. */
  filtered: boolean;
  delivered: boolean;
  attempts: number;
  status?: number;
  error?: string;
}

export interface AlertReport {
  payload: AlertPayload;
  deliveries: AlertDelivery[];
}

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class AttemptTimeout extends Error {}

/**
 * Sends alert events to the configured webhooks: filters per webhook, retries with exponential backoff on
 * network errors, timeouts, 408/425/429 and 5xx (honouring `Retry-After`), and a per-attempt timeout. Delivery
 * failures are reported (and logged, and counted), never thrown: an alert must not break the code that raised it.
 */
export class AlertDispatcher {
  readonly #options: AlertDispatcherOptions;
  readonly #fetch: typeof fetch;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: AlertDispatcherOptions) {
    for (const webhook of options.webhooks) {
      const url = new URL(webhook.url);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new TypeError(`alert webhook ${webhook.name}: unsupported URL scheme ${url.protocol}`);
      }
    }
    this.#options = options;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#sleep = options.sleep ?? defaultSleep;
  }

  async send(input: AlertInput): Promise<AlertReport> {
    const payload = buildAlertPayload(input, {
      source: this.#options.source ?? 'atoms-mcp',
      environment: this.#options.environment,
    });
    const body = JSON.stringify(payload);
    const deliveries = await Promise.all(
      this.#options.webhooks.map((webhook) =>
        wants(webhook, payload)
          ? this.#deliver(webhook, payload, body)
          : Promise.resolve({ webhook: webhook.name, filtered: true, delivered: false, attempts: 0 }),
      ),
    );
    return { payload, deliveries };
  }

  async #deliver(webhook: AlertWebhook, payload: AlertPayload, body: string): Promise<AlertDelivery> {
    const retries = this.#options.retries ?? 3;
    const timeoutMs = this.#options.timeoutMs ?? 10_000;
    let lastStatus: number | undefined;
    let lastError: string | undefined;
    let attempt = 0;
    while (attempt <= retries) {
      attempt++;
      let retryAfterMs: number | undefined;
      try {
        const response = await this.#attempt(webhook, payload, body, timeoutMs);
        lastStatus = response.status;
        // The body is not needed; cancelling frees the connection.
        await response.body?.cancel().catch(() => undefined);
        if (response.ok)
          return this.#done(webhook, payload, { delivered: true, attempts: attempt, status: lastStatus });
        lastError = `HTTP ${response.status}`;
        if (!RETRYABLE_STATUS.has(response.status)) break;
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      } catch (error) {
        lastStatus = undefined;
        lastError = error instanceof AttemptTimeout ? `timed out after ${timeoutMs} ms` : describe(error);
      }
      if (attempt > retries) break;
      this.#options.logger?.warn(
        { webhook: webhook.name, alertId: payload.id, eventType: payload.event_type, attempt, error: lastError },
        'alert webhook attempt failed; retrying',
      );
      await this.#sleep(this.#delay(attempt, retryAfterMs));
    }
    return this.#done(webhook, payload, { delivered: false, attempts: attempt, status: lastStatus, error: lastError });
  }

  async #attempt(webhook: AlertWebhook, payload: AlertPayload, body: string, timeoutMs: number): Promise<Response> {
    const headers: Record<string, string> = {
      ...webhook.headers,
      'content-type': 'application/json',
      'user-agent': 'atoms-observability-alerts',
      'x-atoms-event': payload.event_type,
      // Same id on every retry: receivers can drop duplicates.
      'x-atoms-delivery': payload.id,
    };
    if (webhook.secret) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      headers['x-atoms-timestamp'] = timestamp;
      headers['x-atoms-signature'] = `sha256=${await hmacHex(webhook.secret, 'SHA-256', `${timestamp}.${body}`)}`;
    }
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new AttemptTimeout());
      }, timeoutMs);
    });
    try {
      return await Promise.race([
        this.#fetch(webhook.url, { method: 'POST', headers, body, signal: controller.signal, redirect: 'error' }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  #delay(attempt: number, retryAfterMs: number | undefined): number {
    const base = (this.#options.backoffMs ?? 1000) * 2 ** (attempt - 1);
    const jitter = this.#options.jitter ?? 0.1;
    const wanted = Math.max(base * (1 + Math.random() * jitter), retryAfterMs ?? 0);
    return Math.min(wanted, this.#options.maxBackoffMs ?? 30_000);
  }

  #done(
    webhook: AlertWebhook,
    payload: AlertPayload,
    result: { delivered: boolean; attempts: number; status?: number; error?: string },
  ): AlertDelivery {
    this.#options.metrics?.recordAlertDelivery(payload.event_type, result.delivered ? 'delivered' : 'failed');
    const fields = { webhook: webhook.name, alertId: payload.id, eventType: payload.event_type, ...result };
    if (result.delivered) this.#options.logger?.debug(fields, 'alert delivered');
    else this.#options.logger?.error(fields, 'alert webhook delivery failed');
    const delivery: AlertDelivery = { webhook: webhook.name, filtered: false, ...result };
    if (delivery.status === undefined) delete delivery.status;
    if (delivery.error === undefined) delete delivery.error;
    return delivery;
  }
}

function wants(webhook: AlertWebhook, payload: AlertPayload): boolean {
  if (webhook.events?.length && !webhook.events.includes(payload.event_type)) return false;
  if (webhook.minSeverity && severityRank(payload.severity) < severityRank(webhook.minSeverity)) return false;
  return true;
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function describe(error: unknown): string {
  if (isError(error)) {
    const cause = (error as { cause?: unknown }).cause;
    const code = cause && typeof cause === 'object' ? (cause as { code?: unknown }).code : undefined;
    return typeof code === 'string' ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
