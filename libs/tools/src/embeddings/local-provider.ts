import { EMBEDDING_DIMENSIONS, type EmbeddingProvider } from './provider.js';

export const LOCAL_EMBEDDING_MODEL = 'local-hash-v1';

// Words that carry no topic: left in, they would make every English sentence look alike.
const STOP_WORDS = new Set(
  (
    'a an and are as at be by for from has have in into is it its of on or shall should that the this to was were ' +
    'will with must can may not no be been being do does than then there these those which who whom when where'
  ).split(' '),
);

/** Lower-case word tokens with a light suffix strip, so "logging"/"logs"/"logged" share a feature. */
export function tokenize(text: string): string[] {
  const words =
    text
      .toLowerCase()
      .normalize('NFKD')
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.filter((w) => !STOP_WORDS.has(w)).map(stem);
}

function stem(word: string): string {
  if (word.length <= 3) return word;
  for (const suffix of ['ations', 'ation', 'ings', 'ing', 'edly', 'ed', 'ies', 'es', 's', 'ly']) {
    if (!word.endsWith(suffix) || word.length - suffix.length < 3 || (suffix === 's' && word.endsWith('ss'))) continue;
    const base = word.slice(0, -suffix.length);
    // "logging" -> "logg" -> "log": undouble a final consonant left by the suffix.
    const last = base[base.length - 1] as string;
    return base.length > 3 && last === base[base.length - 2] && !'aeiou'.includes(last) ? base.slice(0, -1) : base;
  }
  return word;
}

// FNV-1a, 32 bit: fast, deterministic, no dependency; collisions only add a little noise at 768 buckets.
function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

function addFeature(vector: Float64Array, feature: string, weight: number): void {
  const h = fnv1a(feature);
  const index = h % EMBEDDING_DIMENSIONS;
  // A second hash decides the sign, so unrelated features cancel out on average instead of piling up.
  const sign = fnv1a(feature, 0x9747b28c) & 1 ? 1 : -1;
  vector[index] = (vector[index] ?? 0) + sign * weight;
}

/**
 * Embeds one text by feature hashing: words (weight 1), word bigrams (0.5) and character trigrams of each word
 * (0.25, so spelling variants stay close), into 768 signed buckets, L2-normalised. Texts sharing vocabulary are
 * near in cosine terms; identical texts are identical vectors. An empty text is the zero vector.
 */
export function hashEmbedding(text: string): number[] {
  const vector = new Float64Array(EMBEDDING_DIMENSIONS);
  const tokens = tokenize(text);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    addFeature(vector, `w:${token}`, 1);
    if (i + 1 < tokens.length) addFeature(vector, `b:${token} ${tokens[i + 1] as string}`, 0.5);
    const padded = `^${token}$`;
    for (let j = 0; j + 3 <= padded.length; j++) addFeature(vector, `c:${padded.slice(j, j + 3)}`, 0.25);
  }
  let norm = 0;
  for (const x of vector) norm += x * x;
  norm = Math.sqrt(norm);
  return Array.from(vector, (x) => (norm === 0 ? 0 : x / norm));
}

/**
 * The embedded default: deterministic, no network, no key. Good enough to rank texts by shared vocabulary; a
 * deployment that wants meaning rather than vocabulary configures Vertex AI.
 */
export function localEmbeddingProvider(): EmbeddingProvider {
  return {
    name: LOCAL_EMBEDDING_MODEL,
    dimensions: EMBEDDING_DIMENSIONS,
    embed(texts) {
      return Promise.resolve(texts.map(hashEmbedding));
    },
  };
}
