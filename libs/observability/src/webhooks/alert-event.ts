import { randomId } from '../correlation/random-ids.js';

/** Event types of the reference system's alert webhooks (reference §5), kept for receiver compatibility. */
export const ALERT_EVENT_TYPES = [
  'deployment.started',
  'deployment.completed',
  'deployment.failed',
  'error.occurred',
  'warning.occurred',
  'health.degraded',
  'health.recovered',
  'performance.degraded',
  'custom.event',
] as const;
export type AlertEventType = (typeof ALERT_EVENT_TYPES)[number];

export const ALERT_SEVERITIES = ['info', 'warning', 'error', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** The JSON body posted to every webhook (the reference's payload plus a stable `id` for idempotent receivers). */
export interface AlertPayload {
  id: string;
  event_type: AlertEventType;
  severity: AlertSeverity;
  title: string;
  message: string;
  timestamp: string;
  metadata: Record<string, unknown>;
  source: string;
  environment: string;
}

export interface AlertInput {
  type: AlertEventType;
  severity?: AlertSeverity;
  title: string;
  message?: string;
  metadata?: Record<string, unknown>;
}

const DEFAULT_SEVERITY: Record<AlertEventType, AlertSeverity> = {
  'deployment.started': 'info',
  'deployment.completed': 'info',
  'deployment.failed': 'error',
  'error.occurred': 'error',
  'warning.occurred': 'warning',
  'health.degraded': 'warning',
  'health.recovered': 'info',
  'performance.degraded': 'warning',
  'custom.event': 'info',
};

export const severityRank = (severity: AlertSeverity): number => ALERT_SEVERITIES.indexOf(severity);

export function buildAlertPayload(
  input: AlertInput,
  origin: { source: string; environment: string },
  now: Date = new Date(),
): AlertPayload {
  if (!(ALERT_EVENT_TYPES as readonly string[]).includes(input.type)) {
    throw new TypeError(`unknown alert event type: ${String(input.type)}`);
  }
  if (input.severity !== undefined && !(ALERT_SEVERITIES as readonly string[]).includes(input.severity)) {
    throw new TypeError(`unknown alert severity: ${String(input.severity)}`);
  }
  return {
    id: randomId(),
    event_type: input.type,
    severity: input.severity ?? DEFAULT_SEVERITY[input.type],
    title: input.title,
    message: input.message ?? '',
    timestamp: now.toISOString(),
    metadata: input.metadata ?? {},
    source: origin.source,
    environment: origin.environment,
  };
}
