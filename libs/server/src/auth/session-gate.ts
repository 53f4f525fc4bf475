import {
  AuditEmitter,
  DEFAULT_RISK_POLICY,
  DEFAULT_RISK_WEIGHTS,
  assessRisk,
  deviceFromHeaders,
  riskAction,
  type AuditSink,
  type RiskAction,
  type RiskAssessment,
  type RiskPolicy,
  type RiskWeights,
  type SessionInfo,
  type SessionManager,
} from '@atoms/session';

/**
 * Where a request names its session: a handle carried in a verified token (`sid` of the local issuer's tokens:
 * the signature binds it, so the handle need not be secret) or a raw session id in `X-Atoms-Session-Id`.
 */
export type SessionReference = { readonly handle: string } | { readonly id: string };

export type SessionGateResult =
  | { readonly ok: true; readonly session: SessionInfo | null; readonly riskAction: RiskAction }
  | { readonly ok: false; readonly reason: 'session_not_found' | 'reauthentication_required' | 'session_revoked' };

export interface SessionGateOptions {
  readonly sessions: SessionManager;
  readonly riskPolicy?: RiskPolicy;
  readonly riskWeights?: RiskWeights;
  readonly audit?: AuditSink;
}

/**
 * Checks a request against its session. `admitted`, when given, is awaited after the session is read and before
 * anything is written: false leaves the session untouched (the caller refuses the request for its own reason).
 */
export type SessionGate = (
  userId: string,
  ref: SessionReference,
  headers: Headers,
  ip?: string,
  admitted?: Promise<boolean>,
) => Promise<SessionGateResult>;

/**
 * Session tracking for an authenticated request: one read + compare-and-set touch (idle and absolute timeouts are
 * the session manager's), the device scored against the session's first device, and the risk policy applied
 * (record, require re-authentication, or revoke).
 */
export function createSessionGate(options: SessionGateOptions): SessionGate {
  const { sessions } = options;
  const policy = options.riskPolicy ?? DEFAULT_RISK_POLICY;
  const weights = options.riskWeights ?? DEFAULT_RISK_WEIGHTS;
  const audit = new AuditEmitter(options.audit ? { sink: options.audit } : undefined);
  return async (userId, ref, headers, ip, admitted) => {
    const device = await deviceFromHeaders(headers, ip);
    let risk: RiskAssessment | null = null;
    let action: RiskAction = 'allow';
    const input = {
      device,
      guard: async (session: SessionInfo) => {
        if (admitted && !(await admitted)) return false;
        risk = session.device ? assessRisk(session.device, device, weights) : null;
        action = risk ? riskAction(risk.score, policy) : 'allow';
        return action === 'allow' || action === 'record';
      },
    };
    const touched =
      'handle' in ref
        ? await sessions.touchByHandle(userId, ref.handle, input)
        : await sessions.touch(userId, ref.id, input);
    if (!touched) return { ok: false, reason: 'session_not_found' };
    const assessed = risk as RiskAssessment | null;
    const decided = action as RiskAction;
    if (assessed && decided !== 'allow') {
      const event = {
        at: Date.now(),
        userId,
        sessionHandle: touched.handle,
        risk: { score: assessed.score, signals: assessed.signals },
        ...(device.ipPrefix ? { ipPrefix: device.ipPrefix } : {}),
      };
      if (decided === 'revoke') {
        await audit.emit({ type: 'session.hijack_suspected', ...event, reason: 'risk_revoke' });
        await sessions.terminateByHandle(userId, touched.handle, 'hijack_suspected');
        return { ok: false, reason: 'session_revoked' };
      }
      if (decided === 'reauthenticate') {
        await audit.emit({ type: 'session.reauthentication_required', ...event });
        return { ok: false, reason: 'reauthentication_required' };
      }
      await audit.emit({ type: 'session.device_changed', ...event });
    }
    return { ok: true, session: touched, riskAction: decided };
  };
}
