import type { JWK } from 'jose';

export type DevSigningAlgorithm = 'ES256' | 'RS256';

/** One signing key pair, as JWKs (the format persisted to disk or a secret store). */
export interface StoredSigningKey {
  /** RFC 7638 thumbprint of the public key. */
  readonly kid: string;
  readonly alg: DevSigningAlgorithm;
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
  /** Epoch milliseconds. */
  readonly createdAt: number;
}

/** Versioned so the on-disk format can evolve. `keys[0]` signs; the others are still published for verification. */
export interface SigningKeyRecord {
  readonly version: 1;
  readonly keys: readonly StoredSigningKey[];
}

/** Where the development issuer keeps its key pair. The Node entry provides a file-backed store (`.atoms/`). */
export interface SigningKeyStore {
  load(): Promise<SigningKeyRecord | undefined>;
  /**
   * Stores `record` only if nothing is stored yet, and returns what is stored afterwards: when two processes start
   * at once, both end up with the winner's key.
   */
  create(record: SigningKeyRecord): Promise<SigningKeyRecord>;
  /** Overwrites the stored record (key rotation). */
  replace(record: SigningKeyRecord): Promise<void>;
}

/** Keys that live as long as the process (tests, ephemeral previews). */
export class MemorySigningKeyStore implements SigningKeyStore {
  #record: SigningKeyRecord | undefined;

  async load(): Promise<SigningKeyRecord | undefined> {
    return this.#record;
  }

  async create(record: SigningKeyRecord): Promise<SigningKeyRecord> {
    this.#record ??= record;
    return this.#record;
  }

  async replace(record: SigningKeyRecord): Promise<void> {
    this.#record = record;
  }
}

/** Checks a record read from storage before it is trusted (a hand-edited or truncated file fails loudly). */
export function assertSigningKeyRecord(value: unknown): asserts value is SigningKeyRecord {
  const record = value as Partial<SigningKeyRecord> | null;
  if (typeof record !== 'object' || record === null || record.version !== 1 || !Array.isArray(record.keys)) {
    throw new Error('signing key record: expected { version: 1, keys: [...] }');
  }
  if (record.keys.length === 0) throw new Error('signing key record: no keys');
  for (const key of record.keys) {
    const k = key as Partial<StoredSigningKey>;
    if (
      typeof k?.kid !== 'string' ||
      (k.alg !== 'ES256' && k.alg !== 'RS256') ||
      typeof k.privateJwk !== 'object' ||
      typeof k.publicJwk !== 'object' ||
      typeof k.privateJwk?.d !== 'string' ||
      k.publicJwk?.d !== undefined ||
      typeof k.createdAt !== 'number'
    ) {
      throw new Error('signing key record: a key is malformed');
    }
  }
}
