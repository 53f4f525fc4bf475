/** Sessions, refresh-token rotation, revocation, device risk, rate rules, audit and the stores. */
export { SessionError, isSessionError, type SessionErrorCode } from './errors.js';

export type { StateStore, RecordRef, VersionedRecord, ListedRecord } from './stores/state-store.js';
export { MemoryStore, type MemoryStoreOptions } from './stores/memory-store.js';
export { PostgresStore, atomsSessionsDdl, type PostgresStoreOptions, type SqlQuery } from './stores/postgres-store.js';
export {
  RedisProtocolStore,
  type RedisProtocolStoreOptions,
  type ScriptRunner,
} from './stores/redis-protocol-store.js';
export type { LuaScript } from './stores/lua-scripts.js';

export {
  SessionManager,
  type SessionManagerOptions,
  type SessionRecord,
  type SessionInfo,
  type SessionAttributes,
  type CreateSessionInput,
  type CreatedSession,
  type TouchInput,
} from './session-manager.js';
export {
  RefreshTokenService,
  type RefreshTokenServiceOptions,
  type IssueRefreshTokenInput,
  type IssuedRefreshToken,
  type RotatedRefreshToken,
  type FamilyRecord,
} from './refresh-token-service.js';
export {
  RevocationService,
  type RevocationServiceOptions,
  type RevocationLookup,
  type RevokeTokenInput,
} from './revocation.js';
export { deviceFromHeaders, type DeviceSnapshot, type HeaderSource } from './device.js';
export { ipPrefix } from './ip-prefix.js';
export {
  assessRisk,
  riskAction,
  DEFAULT_RISK_POLICY,
  DEFAULT_RISK_WEIGHTS,
  type RiskAction,
  type RiskAssessment,
  type RiskPolicy,
  type RiskSignal,
  type RiskWeights,
} from './risk.js';
export {
  SecurityRateLimiter,
  DEFAULT_SECURITY_RATE_RULES,
  type SecurityRateLimiterOptions,
  type SecurityRateRuleName,
  type RateRule,
  type RateDecision,
  type BackoffOptions,
} from './rate-rules.js';
export { AuditEmitter, type AuditEvent, type AuditEventType, type AuditSink, type AuditOptions } from './audit.js';
export { extractBearer, type BearerExtraction } from './bearer.js';
export {
  createRequestAuthenticator,
  bearerChallenge,
  revocationQueryOf,
  DEFAULT_SESSION_HEADER,
  type RequestAuthenticatorOptions,
  type RequestInput,
  type VerifiedClaims,
  type VerifyAccessToken,
  type Identity,
  type AuthDecision,
  type AllowDecision,
  type DenyDecision,
  type DenyReason,
} from './request-decision.js';
export { StateStoreJwksCache } from './jwks-store-cache.js';
