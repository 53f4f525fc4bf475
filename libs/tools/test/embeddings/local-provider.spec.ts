import { describe, expect, test } from '@jest/globals';
import { cosineSimilarity } from '../../src/embeddings/provider.js';
import { hashEmbedding, localEmbeddingProvider, tokenize } from '../../src/embeddings/local-provider.js';

describe('local deterministic embeddings', () => {
  test('768 dimensions, L2-normalised, deterministic', async () => {
    const provider = localEmbeddingProvider();
    const [a, b] = await provider.embed(['User login with password', 'User login with password']);
    expect(a).toHaveLength(768);
    expect(Math.hypot(...a!)).toBeCloseTo(1, 10);
    expect(a).toEqual(b);
    expect(provider.name).toBe('local-hash-v1');
  });

  test('texts sharing vocabulary are nearer than unrelated texts', () => {
    const query = hashEmbedding('password reset email');
    const related = hashEmbedding('The system shall send a password reset link by email');
    const unrelated = hashEmbedding('Telemetry frames are downlinked every orbit');
    expect(cosineSimilarity(query, related)).toBeGreaterThan(0.3);
    expect(cosineSimilarity(query, related)).toBeGreaterThan(cosineSimilarity(query, unrelated) + 0.2);
  });

  test('stop words are ignored and word forms share a stem', () => {
    expect(tokenize('The logging of the logs')).toEqual(['log', 'log']);
    expect(cosineSimilarity(hashEmbedding('encrypting data'), hashEmbedding('encrypted data'))).toBeGreaterThan(0.8);
  });

  test('an empty text is the zero vector (never NaN)', () => {
    const v = hashEmbedding('   ');
    expect(v.every((x) => x === 0)).toBe(true);
  });
});
