import type { LabelRule } from './metric-types.js';

/** The value recorded in place of anything a label may not hold. */
export const OTHER_LABEL_VALUE = 'other';

export type LabelRejectionReason = 'not_allowed' | 'id_like' | 'cardinality';

/**
 * Values that identify one thing (UUIDs, ULIDs, long hex or base64 tokens, numbers, e-mail addresses) would create a
 * series per user, request or row. They are refused even before the cardinality cap is reached.
 */
const ID_LIKE = [
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i,
  /^[0-9A-HJKMNP-TV-Z]{26}$/, // ULID
  /[0-9a-f]{16,}/i,
  /^\d{4,}$/,
  /@/,
  /[A-Za-z0-9_-]{32,}/,
];

export function looksLikeIdentifier(value: string): boolean {
  return ID_LIKE.some((pattern) => pattern.test(value));
}

export interface LabelGuardResult {
  value: string;
  rejected?: LabelRejectionReason;
}

/** Bounds one label of one metric: keeps the distinct values it has admitted. */
export class LabelGuard {
  readonly #allowed: ReadonlySet<string> | undefined;
  readonly #normalize: ((value: string) => string) | undefined;
  readonly #maxValues: number;
  readonly #seen = new Set<string>();

  constructor(rule: LabelRule) {
    this.#allowed = rule.values ? new Set(rule.values) : undefined;
    this.#normalize = rule.normalize;
    this.#maxValues = rule.maxValues ?? 100;
  }

  admit(raw: string): LabelGuardResult {
    const value = this.#normalize ? this.#normalize(raw) : raw;
    if (this.#allowed) {
      return this.#allowed.has(value) ? { value } : { value: OTHER_LABEL_VALUE, rejected: 'not_allowed' };
    }
    if (value === '' || this.#seen.has(value)) return { value };
    if (looksLikeIdentifier(value)) return { value: OTHER_LABEL_VALUE, rejected: 'id_like' };
    if (this.#seen.size >= this.#maxValues) return { value: OTHER_LABEL_VALUE, rejected: 'cardinality' };
    this.#seen.add(value);
    return { value };
  }
}
