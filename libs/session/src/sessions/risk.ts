import { invalidArgument } from './errors.js';
import type { DeviceSnapshot } from './device.js';

export type RiskSignal = 'ip_changed' | 'fingerprint_mismatch' | 'user_agent_changed';

export interface RiskWeights {
  readonly ipChanged: number;
  readonly fingerprintMismatch: number;
  readonly userAgentChanged: number;
}

export const DEFAULT_RISK_WEIGHTS: RiskWeights = { ipChanged: 0.3, fingerprintMismatch: 0.5, userAgentChanged: 0.2 };

export interface RiskAssessment {
  /** 0..1 (capped). */
  readonly score: number;
  readonly signals: readonly RiskSignal[];
}

/**
 * Scores how far the current request's device is from the one the session was created on. A user-agent change
 * also changes the fingerprint, so it scores both (0.7 with the defaults): a different browser is more suspicious
 * than a changed language header alone.
 */
export function assessRisk(
  baseline: DeviceSnapshot,
  current: DeviceSnapshot,
  weights: RiskWeights = DEFAULT_RISK_WEIGHTS,
): RiskAssessment {
  const signals: RiskSignal[] = [];
  let score = 0;
  if (baseline.ipPrefix !== undefined && current.ipPrefix !== undefined && baseline.ipPrefix !== current.ipPrefix) {
    signals.push('ip_changed');
    score += weights.ipChanged;
  }
  if (baseline.fingerprint !== current.fingerprint) {
    signals.push('fingerprint_mismatch');
    score += weights.fingerprintMismatch;
  }
  if (baseline.userAgent !== current.userAgent) {
    signals.push('user_agent_changed');
    score += weights.userAgentChanged;
  }
  return { score: Math.min(1, Math.round(score * 1000) / 1000), signals };
}

export type RiskAction = 'allow' | 'record' | 'reauthenticate' | 'revoke';

export interface RiskPolicy {
  /** At or above: allow, but emit an audit event. Default 0.01 (any signal). */
  readonly recordAt: number;
  /** At or above: refuse until the user signs in again. Default 0.5 (a fingerprint change). */
  readonly reauthenticateAt: number;
  /** At or above: terminate the session. Default 1.0 (new IP prefix, new browser, new fingerprint at once). */
  readonly revokeAt: number;
}

export const DEFAULT_RISK_POLICY: RiskPolicy = { recordAt: 0.01, reauthenticateAt: 0.5, revokeAt: 1 };

export function validateRiskPolicy(policy: RiskPolicy): RiskPolicy {
  const { recordAt, reauthenticateAt, revokeAt } = policy;
  if (![recordAt, reauthenticateAt, revokeAt].every((n) => Number.isFinite(n) && n >= 0 && n <= 1.0001)) {
    throw invalidArgument('risk thresholds must be numbers in 0..1');
  }
  if (!(recordAt <= reauthenticateAt && reauthenticateAt <= revokeAt)) {
    throw invalidArgument('risk thresholds must satisfy recordAt <= reauthenticateAt <= revokeAt');
  }
  return policy;
}

/** Maps a score to the action the policy prescribes. */
export function riskAction(score: number, policy: RiskPolicy = DEFAULT_RISK_POLICY): RiskAction {
  if (score >= policy.revokeAt) return 'revoke';
  if (score >= policy.reauthenticateAt) return 'reauthenticate';
  if (score >= policy.recordAt) return 'record';
  return 'allow';
}
