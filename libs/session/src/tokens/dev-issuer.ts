import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
} from 'jose';
import { TokenConfigError, TokenVerificationError } from './errors.js';
import { createJwksVerifier } from './jwks-verifier.js';
import {
  assertSigningKeyRecord,
  MemorySigningKeyStore,
  type DevSigningAlgorithm,
  type SigningKeyRecord,
  type SigningKeyStore,
  type StoredSigningKey,
} from './key-store.js';
import type { VerifiedIdentity } from './identity.js';
import type { VerificationOptions, VerifyCallOptions } from './policy.js';
import { toVerificationError } from './verify-jwt.js';
import type { TokenVerifier } from './verify-jwt.js';

export interface DevIssuerOptions {
  /** The issuer URL (`iss`), e.g. `http://localhost:8000`. Its JWKS is served by the app at `/.well-known/jwks.json`. */
  issuer: string;
  /** Default audience of access tokens (the resource server, e.g. `http://localhost:8000/api/mcp`). */
  audience: string | readonly string[];
  /**
   * Default RS256: every client library knows it, and Node verifies it ~3x faster than ES256 (see the bench), which
   * matters because the embedded server verifies a dev token on every request. ES256 gives smaller tokens.
   */
  algorithm?: DevSigningAlgorithm;
  /** Default: in memory (keys die with the process). The Node app passes the file store (`.atoms/`). */
  keyStore?: SigningKeyStore;
  /** Default 900 s (15 min). At most 24 h, the verifiers' maximum token age. */
  accessTokenTtlSeconds?: number;
  /** Default 30 days. */
  refreshTokenTtlSeconds?: number;
  /** How many retired keys stay in the JWKS after {@link DevIssuer.rotateKey}. Default 1. */
  retainedKeys?: number;
  clock?: () => number;
}

export interface AccessTokenRequest {
  sub: string;
  email?: string;
  scopes?: readonly string[];
  /** Overrides the issuer's default audience. */
  audience?: string | readonly string[];
  ttlSeconds?: number;
  /** Session id, carried as `sid`. */
  sessionId?: string;
  clientId?: string;
  /** Extra claims; the registered ones (`iss`, `sub`, `aud`, `exp`, `iat`, `nbf`, `jti`) cannot be overridden. */
  claims?: Record<string, unknown>;
}

export interface MintedToken {
  readonly token: string;
  readonly jti: string;
  /** Seconds since the epoch. */
  readonly expiresAt: number;
  readonly kid: string;
}

export interface RefreshTokenRequest {
  sub: string;
  /** Rotation family; a new one is started when absent. */
  familyId?: string;
  sessionId?: string;
  ttlSeconds?: number;
}

export interface MintedRefreshToken extends MintedToken {
  readonly familyId: string;
}

export interface RefreshTokenClaims {
  readonly sub: string;
  readonly jti: string;
  readonly familyId: string;
  readonly sessionId?: string;
  readonly exp: number;
  readonly iat: number;
}

const REGISTERED = new Set(['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti']);
const ACCESS_TYP = 'at+jwt';
const REFRESH_TYP = 'refresh+jwt';
const MAX_ACCESS_TTL = 24 * 60 * 60;

async function generateSigningKey(alg: DevSigningAlgorithm, now: number): Promise<StoredSigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  const publicJwk = await exportJWK(publicKey);
  const privateJwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  return {
    kid,
    alg,
    createdAt: now,
    publicJwk: { ...publicJwk, kid, alg, use: 'sig' },
    privateJwk: { ...privateJwk, kid, alg },
  };
}

function ttl(name: string, value: number | undefined, fallback: number, max: number): number {
  const result = value ?? fallback;
  if (!Number.isInteger(result) || result <= 0 || result > max) {
    throw new TokenConfigError(`${name} must be an integer between 1 and ${max} seconds`);
  }
  return result;
}

const randomId = (): string => crypto.randomUUID();

/**
 * A local development issuer: a real asymmetric key pair (generated on first start, then loaded from its key store),
 * a JWKS document, and signed access and refresh tokens. Verifiers cannot tell it from a production issuer: point a
 * JWKS verifier at the served `jwks()` document.
 */
export class DevIssuer {
  readonly issuer: string;
  readonly algorithm: DevSigningAlgorithm;
  readonly #audience: readonly string[];
  readonly #store: SigningKeyStore;
  readonly #accessTtl: number;
  readonly #refreshTtl: number;
  readonly #retained: number;
  readonly #clock: () => number;
  #record!: SigningKeyRecord;
  #signingKey!: CryptoKey;
  #refreshKeys!: ReturnType<typeof createLocalJWKSet>;

  private constructor(options: DevIssuerOptions) {
    let url: URL;
    try {
      url = new URL(options.issuer);
    } catch {
      throw new TokenConfigError(`issuer must be a URL: ${options.issuer}`);
    }
    this.issuer = options.issuer;
    if (url.href.replace(/\/$/, '') !== options.issuer.replace(/\/$/, '')) {
      throw new TokenConfigError(`issuer must be a normalized URL (got ${options.issuer}, expected ${url.href})`);
    }
    const audience = typeof options.audience === 'string' ? [options.audience] : [...options.audience];
    if (audience.length === 0 || audience.some((a) => typeof a !== 'string' || a.length === 0)) {
      throw new TokenConfigError('audience is required');
    }
    this.#audience = audience;
    this.algorithm = options.algorithm ?? 'RS256';
    if (this.algorithm !== 'ES256' && this.algorithm !== 'RS256') {
      throw new TokenConfigError('algorithm must be ES256 or RS256');
    }
    this.#store = options.keyStore ?? new MemorySigningKeyStore();
    this.#accessTtl = ttl('accessTokenTtlSeconds', options.accessTokenTtlSeconds, 900, MAX_ACCESS_TTL);
    this.#refreshTtl = ttl('refreshTokenTtlSeconds', options.refreshTokenTtlSeconds, 30 * 86_400, 366 * 86_400);
    this.#retained = options.retainedKeys ?? 1;
    this.#clock = options.clock ?? Date.now;
  }

  /** Loads the stored key pair, or generates and stores one (first start). */
  static async create(options: DevIssuerOptions): Promise<DevIssuer> {
    const issuer = new DevIssuer(options);
    let record = await issuer.#store.load();
    if (record === undefined) {
      const key = await generateSigningKey(issuer.algorithm, issuer.#clock());
      record = await issuer.#store.create({ version: 1, keys: [key] });
    }
    await issuer.#use(record);
    return issuer;
  }

  /** The active signing key's id. */
  get kid(): string {
    return (this.#record.keys[0] as StoredSigningKey).kid;
  }

  /** The public JWKS document (active key first, then retained ones). */
  jwks(): JSONWebKeySet {
    return { keys: this.#record.keys.map((k) => ({ ...k.publicJwk })) };
  }

  /** The JWKS as an HTTP response, for `GET /.well-known/jwks.json`. */
  jwksResponse(): Response {
    return new Response(JSON.stringify(this.jwks()), {
      headers: {
        'content-type': 'application/jwk-set+json',
        'cache-control': 'public, max-age=300',
      },
    });
  }

  /** RFC 8414 authorization server metadata for the endpoints the app serves. */
  metadata(endpoints: {
    jwksUri: string;
    tokenEndpoint: string;
    scopesSupported?: readonly string[];
  }): Record<string, unknown> {
    return {
      issuer: this.issuer,
      jwks_uri: endpoints.jwksUri,
      token_endpoint: endpoints.tokenEndpoint,
      grant_types_supported: ['refresh_token'],
      token_endpoint_auth_methods_supported: ['none'],
      response_types_supported: [],
      ...(endpoints.scopesSupported ? { scopes_supported: [...endpoints.scopesSupported] } : {}),
    };
  }

  /**
   * A verifier for this issuer's access tokens that uses the keys in memory (no HTTP round trip to itself), with
   * the same checks as any other verifier plus `typ: at+jwt`, so refresh tokens are never accepted as access tokens.
   */
  accessTokenVerifier(
    options: Omit<VerificationOptions, 'issuer' | 'audience'> & { audience?: string | readonly string[] } = {},
  ): TokenVerifier {
    const inner = (): TokenVerifier =>
      createJwksVerifier({
        typ: ACCESS_TYP,
        ...options,
        issuer: this.issuer,
        audience: options.audience ?? this.#audience,
        algorithms: [this.algorithm],
        jwks: this.jwks(),
      });
    // Rebuilt after a key rotation so new tokens verify at once.
    let built = inner();
    let builtFor = this.#record;
    const verify = (token: string, call?: VerifyCallOptions): Promise<VerifiedIdentity> => {
      if (builtFor !== this.#record) {
        built = inner();
        builtFor = this.#record;
      }
      return built.verify(token, call);
    };
    return { issuers: [this.issuer], verify };
  }

  async mintAccessToken(request: AccessTokenRequest): Promise<MintedToken> {
    if (typeof request.sub !== 'string' || request.sub.length === 0) throw new TokenConfigError('sub is required');
    const lifetime = ttl('ttlSeconds', request.ttlSeconds, this.#accessTtl, MAX_ACCESS_TTL);
    const extra: JWTPayload = {};
    for (const [name, value] of Object.entries(request.claims ?? {})) {
      if (REGISTERED.has(name)) throw new TokenConfigError(`claim ${name} is set by the issuer`);
      extra[name] = value;
    }
    if (request.email !== undefined) extra['email'] = request.email;
    if (request.scopes && request.scopes.length > 0) {
      if (request.scopes.some((s) => s.length === 0 || /\s/.test(s))) throw new TokenConfigError('invalid scope');
      extra['scope'] = request.scopes.join(' ');
    }
    if (request.sessionId !== undefined) extra['sid'] = request.sessionId;
    if (request.clientId !== undefined) extra['client_id'] = request.clientId;
    const audience =
      request.audience === undefined
        ? this.#audience
        : typeof request.audience === 'string'
          ? [request.audience]
          : request.audience;
    return this.#sign(extra, request.sub, audience, lifetime, ACCESS_TYP);
  }

  async mintRefreshToken(request: RefreshTokenRequest): Promise<MintedRefreshToken> {
    if (typeof request.sub !== 'string' || request.sub.length === 0) throw new TokenConfigError('sub is required');
    const lifetime = ttl('ttlSeconds', request.ttlSeconds, this.#refreshTtl, 366 * 86_400);
    const familyId = request.familyId ?? randomId();
    const extra: JWTPayload = { fam: familyId };
    if (request.sessionId !== undefined) extra['sid'] = request.sessionId;
    // Audience is the issuer itself: a refresh token is never accepted by a resource server.
    const minted = await this.#sign(extra, request.sub, [this.issuer], lifetime, REFRESH_TYP);
    return { ...minted, familyId };
  }

  /**
   * Checks a refresh token's signature, issuer, audience, type and expiry. Single use and reuse detection are the
   * job of the refresh-token service, keyed by the returned `jti` and `familyId`.
   */
  async verifyRefreshToken(token: string): Promise<RefreshTokenClaims> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 8192) {
      throw new TokenVerificationError(token?.length > 8192 ? 'too_large' : 'malformed', 'invalid refresh token');
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#refreshKeys, {
        issuer: this.issuer,
        audience: this.issuer,
        algorithms: [this.algorithm],
        typ: REFRESH_TYP,
        requiredClaims: ['exp', 'iat', 'sub', 'jti', 'fam'],
        clockTolerance: 30,
        currentDate: new Date(this.#clock()),
      }));
    } catch (error) {
      throw toVerificationError(error);
    }
    if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string' || typeof payload['fam'] !== 'string') {
      throw new TokenVerificationError('malformed', 'refresh token claims are malformed');
    }
    return {
      sub: payload.sub,
      jti: payload.jti,
      familyId: payload['fam'],
      ...(typeof payload['sid'] === 'string' ? { sessionId: payload['sid'] } : {}),
      exp: payload.exp as number,
      iat: payload.iat as number,
    };
  }

  /**
   * Generates a new signing key. The previous `retainedKeys` keys stay in the JWKS so tokens they signed keep
   * verifying until they expire; verifiers pick up the new key through their unknown-`kid` refresh.
   */
  async rotateKey(): Promise<void> {
    const key = await generateSigningKey(this.algorithm, this.#clock());
    const record: SigningKeyRecord = { version: 1, keys: [key, ...this.#record.keys.slice(0, this.#retained)] };
    await this.#store.replace(record);
    await this.#use(record);
  }

  async #use(record: SigningKeyRecord): Promise<void> {
    assertSigningKeyRecord(record);
    const active = record.keys[0] as StoredSigningKey;
    if (active.alg !== this.algorithm) {
      throw new TokenConfigError(`stored key is ${active.alg} but the issuer is configured for ${this.algorithm}`);
    }
    this.#signingKey = (await importJWK(active.privateJwk as JWK, active.alg)) as CryptoKey;
    this.#record = record;
    this.#refreshKeys = createLocalJWKSet({ keys: record.keys.map((k) => k.publicJwk) });
  }

  async #sign(
    extra: JWTPayload,
    sub: string,
    audience: readonly string[],
    lifetime: number,
    typ: string,
  ): Promise<MintedToken> {
    const now = Math.floor(this.#clock() / 1000);
    const jti = randomId();
    const kid = this.kid;
    const token = await new SignJWT(extra)
      .setProtectedHeader({ alg: this.algorithm, kid, typ })
      .setIssuer(this.issuer)
      .setSubject(sub)
      .setAudience(audience.length === 1 ? (audience[0] as string) : [...audience])
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + lifetime)
      .setJti(jti)
      .sign(this.#signingKey);
    return { token, jti, expiresAt: now + lifetime, kid };
  }
}

/** Same as {@link DevIssuer.create}. */
export const createDevIssuer = (options: DevIssuerOptions): Promise<DevIssuer> => DevIssuer.create(options);
