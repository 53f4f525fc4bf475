import { jest } from '@jest/globals';
import { AuditEmitter, type AuditEvent } from '../../src/sessions/audit.js';
import {
  randomToken,
  RECENT_HASHES,
  recentSha256Hex,
  seal,
  sha256Hex,
  unseal,
  uuidFromKey,
} from '../../src/sessions/crypto.js';
import { SessionManager } from '../../src/sessions/session-manager.js';
import { MemoryStore } from '../../src/sessions/stores/memory-store.js';

describe('audit sink policy', () => {
  it('rethrows sink failures by default and reports them to onSinkError when given', async () => {
    const failing = () => {
      throw new Error('sink down');
    };
    await expect(
      new SessionManager({ store: new MemoryStore(), audit: { sink: failing } }).create('u'),
    ).rejects.toThrow('sink down');
    const reported: AuditEvent[] = [];
    const tolerant = new AuditEmitter({ sink: failing, onSinkError: (_e, event) => reported.push(event) });
    const sessions = new SessionManager({ store: new MemoryStore(), audit: tolerant });
    const { sessionId } = await sessions.create('u');
    expect(reported.map((e) => e.type)).toEqual(['session.created']);
    expect(JSON.stringify(reported)).not.toContain(sessionId);
  });
});

describe('crypto helpers', () => {
  it('makes 256-bit base64url ids, hex hashes and stable v8 UUIDs', async () => {
    const ids = new Set(Array.from({ length: 1000 }, () => randomToken()));
    expect(ids.size).toBe(1000);
    expect([...ids].every((id) => /^[A-Za-z0-9_-]{43}$/.test(id))).toBe(true);
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const uuid = await uuidFromKey('session::abc');
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await uuidFromKey('session::abc')).toBe(uuid);
  });

  it('hashes a value a client repeats once, and forgets the oldest beyond its cache size', async () => {
    const digest = jest.spyOn(crypto.subtle, 'digest');
    try {
      const first = await recentSha256Hex('session-id-repeated');
      expect(first).toBe(await sha256Hex('session-id-repeated'));
      digest.mockClear();
      expect(await recentSha256Hex('session-id-repeated')).toBe(first);
      expect(digest).not.toHaveBeenCalled();
      for (let i = 0; i < RECENT_HASHES; i++) await recentSha256Hex(`other-${i}`);
      digest.mockClear();
      expect(await recentSha256Hex('session-id-repeated')).toBe(first); // evicted: computed again, same value
      expect(digest).toHaveBeenCalledTimes(1);
    } finally {
      digest.mockRestore();
    }
  });

  it('seals a successor so only the holder of the previous token can open it', async () => {
    const sealed = await seal('rt_successor', 'rt_previous');
    expect(await unseal(sealed, 'rt_previous')).toBe('rt_successor');
    await expect(unseal(sealed, 'rt_other')).rejects.toThrow();
    await expect(unseal(sealed, await sha256Hex('rt_previous'))).rejects.toThrow();
  });
});
