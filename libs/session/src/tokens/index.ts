/** Token verification, the development issuer and the client-side TokenManager. */
export { TokenConfigError, TokenVerificationError, isTokenVerificationError, type TokenErrorReason } from './errors.js';
export { scopesOf, type VerifiedIdentity } from './identity.js';
export {
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  DEFAULT_MAX_TOKEN_AGE_SECONDS,
  DEFAULT_MAX_TOKEN_BYTES,
  type RevocationCheck,
  type RevocationQuery,
  type VerificationOptions,
  type VerifyCallOptions,
} from './policy.js';
export { verifyJwt, type TokenVerifier, type VerificationKey } from './verify-jwt.js';
export { createHmacVerifier, type HmacVerifierOptions } from './hmac-verifier.js';
export { MemoryJwksCache, type JwksCache, type JwksCacheEntry } from './jwks-cache.js';
export { RemoteJwks, publicSigningKeys, type JwksEvent, type RemoteJwksOptions } from './remote-jwks.js';
export { createJwksVerifier, type JwksVerifierOptions } from './jwks-verifier.js';
export { createMultiIssuerVerifier } from './multi-issuer-verifier.js';
export { cacheVerifications, type VerificationCacheOptions } from './verification-cache.js';
export {
  createAuthKitVerifier,
  createSupabaseVerifier,
  type AuthKitVerifierOptions,
  type SupabaseVerifierOptions,
} from './presets.js';
export {
  MemorySigningKeyStore,
  assertSigningKeyRecord,
  type DevSigningAlgorithm,
  type SigningKeyRecord,
  type SigningKeyStore,
  type StoredSigningKey,
} from './key-store.js';
export {
  DevIssuer,
  createDevIssuer,
  type AccessTokenRequest,
  type DevIssuerOptions,
  type MintedRefreshToken,
  type MintedToken,
  type RefreshTokenClaims,
  type RefreshTokenRequest,
} from './dev-issuer.js';
export {
  TokenManager,
  TokenRefreshError,
  type TokenManagerEvent,
  type TokenManagerOptions,
  type TokenRefreshReason,
  type TokenSet,
} from './token-manager.js';
