/**
 * Security audit events, delivered to a sink the application injects (a logger, a queue, a table): this library
 * has no logger dependency. Events never carry tokens or raw session ids — sessions appear as `sessionHandle`
 * (the SHA-256 of the id, the same value `SessionManager.list` returns).
 */
export type AuditEventType =
  | 'session.created'
  | 'session.evicted'
  | 'session.expired'
  | 'session.terminated'
  | 'session.device_changed'
  | 'session.reauthentication_required'
  | 'session.hijack_suspected'
  | 'token.issued'
  | 'token.refreshed'
  | 'token.reuse_detected'
  | 'token.family_revoked'
  | 'token.revoked'
  | 'user.revoked'
  | 'rate.limited';

export interface AuditEvent {
  readonly type: AuditEventType;
  /** Epoch milliseconds by the emitting service's clock. */
  readonly at: number;
  readonly userId?: string;
  readonly sessionHandle?: string;
  readonly familyId?: string;
  /** Why it happened (`idle_timeout`, `max_sessions`, `reuse_detected`, `user_logout`, ...). */
  readonly reason?: string;
  /** Device risk score 0..1 and the signals that made it. */
  readonly risk?: { readonly score: number; readonly signals: readonly string[] };
  /** Client IP reduced to its /24 (IPv4) or /56 (IPv6) prefix. */
  readonly ipPrefix?: string;
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
}

/** Receives every event. May be async; the emitting operation awaits it. */
export type AuditSink = (event: AuditEvent) => void | Promise<void>;

export interface AuditOptions {
  readonly sink?: AuditSink;
  /**
   * Called when the sink throws. Default: rethrow, so a broken audit pipeline is loud. Pass a handler to keep
   * serving (and count/report the failure yourself).
   */
  readonly onSinkError?: (error: unknown, event: AuditEvent) => void;
}

/** Sends events to the sink, applying the sink-error policy. */
export class AuditEmitter {
  readonly #sink: AuditSink | undefined;
  readonly #onSinkError: ((error: unknown, event: AuditEvent) => void) | undefined;

  constructor(options: AuditOptions = {}) {
    this.#sink = options.sink;
    this.#onSinkError = options.onSinkError;
  }

  async emit(event: AuditEvent): Promise<void> {
    if (!this.#sink) return;
    try {
      await this.#sink(event);
    } catch (error) {
      if (!this.#onSinkError) throw error;
      this.#onSinkError(error, event);
    }
  }
}
