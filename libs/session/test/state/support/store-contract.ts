/**
 * The one contract every StateStore passes. Each store's spec file calls `describeStoreContract` with a factory
 * for a live store on its real backend.
 */
import { SessionError } from '../../../src/sessions/errors.js';
import type { StateStore } from '../../../src/sessions/stores/state-store.js';

export interface StoreFixture {
  readonly store: StateStore;
  /** A user id valid for this store (the Postgres store needs an existing user UUID). */
  newOwner(): Promise<string>;
  /** Redis drops expired keys (and indexes) by itself, so its purge may find nothing left to do. */
  readonly selfExpiring?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let seq = 0;
const uniqueId = (label: string) => `${label}:${Date.now().toString(36)}:${(seq++).toString(36)}`;

export function describeStoreContract(getFixture: () => StoreFixture): void {
  describe('StateStore contract', () => {
    it('creates a record once, reads it back at version 1 and refuses a second create', async () => {
      const { store } = getFixture();
      const ref = { ns: 'thing', id: uniqueId('a') };
      expect(await store.get(ref)).toBeNull();
      expect(await store.create(ref, { n: 1, text: 'héllo ✓', nested: { list: [1, 'two', null] } }, 60_000)).toBe(true);
      expect(await store.get(ref)).toEqual({
        version: 1,
        value: { n: 1, text: 'héllo ✓', nested: { list: [1, 'two', null] } },
      });
      expect(await store.create(ref, { n: 2 }, 60_000)).toBe(false);
      expect((await store.get(ref))?.value).toEqual({ n: 1, text: 'héllo ✓', nested: { list: [1, 'two', null] } });
    });

    it('replaces only at the expected version and bumps the version', async () => {
      const { store } = getFixture();
      const ref = { ns: 'thing', id: uniqueId('cas') };
      expect(await store.replace(ref, 1, { n: 0 }, 60_000)).toBe(false);
      await store.create(ref, { n: 1 }, 60_000);
      expect(await store.replace(ref, 2, { n: 99 }, 60_000)).toBe(false);
      expect(await store.replace(ref, 1, { n: 2 }, 60_000)).toBe(true);
      expect(await store.get(ref)).toEqual({ version: 2, value: { n: 2 } });
      expect(await store.replace(ref, 1, { n: 3 }, 60_000)).toBe(false);
      expect(await store.replace(ref, 2, { n: 3 }, 60_000)).toBe(true);
      expect(await store.get(ref)).toEqual({ version: 3, value: { n: 3 } });
    });

    it('deletes a live record once', async () => {
      const { store } = getFixture();
      const ref = { ns: 'thing', id: uniqueId('del') };
      await store.create(ref, { n: 1 }, 60_000);
      expect(await store.delete(ref)).toBe(true);
      expect(await store.get(ref)).toBeNull();
      expect(await store.delete(ref)).toBe(false);
      expect(await store.create(ref, { n: 2 }, 60_000)).toBe(true);
      expect(await store.get(ref)).toEqual({ version: 1, value: { n: 2 } });
    });

    it('scopes owned records by owner and lists them per owner and namespace', async () => {
      const { store, newOwner } = getFixture();
      const [alice, bob] = [await newOwner(), await newOwner()];
      const id = uniqueId('shared:id/with%odd chars');
      await store.create({ ns: 'session', id, owner: alice }, { who: 'alice' }, 60_000);
      expect(await store.get({ ns: 'session', id, owner: bob })).toBeNull();
      expect(await store.get({ ns: 'session', id })).toBeNull();
      await store.create({ ns: 'session', id, owner: bob }, { who: 'bob' }, 60_000);
      await store.create({ ns: 'session', id: uniqueId('second'), owner: alice }, { who: 'alice-2' }, 60_000);
      await store.create({ ns: 'family', id: uniqueId('fam'), owner: alice }, { who: 'alice-family' }, 60_000);

      const aliceSessions = await store.list<{ who: string }>('session', alice);
      expect(aliceSessions.map((r) => r.value.who).sort()).toEqual(['alice', 'alice-2']);
      expect(aliceSessions.find((r) => r.value.who === 'alice')?.id).toBe(id);
      expect(aliceSessions.every((r) => r.version === 1)).toBe(true);
      expect((await store.list<{ who: string }>('session', bob)).map((r) => r.value.who)).toEqual(['bob']);
      expect((await store.list<{ who: string }>('family', alice)).map((r) => r.value.who)).toEqual(['alice-family']);

      expect(await store.delete({ ns: 'session', id, owner: alice })).toBe(true);
      expect((await store.list<{ who: string }>('session', alice)).map((r) => r.value.who)).toEqual(['alice-2']);
      expect(await store.get({ ns: 'session', id, owner: bob })).not.toBeNull();
    });

    it('deleteAll removes one owner namespace and nothing else', async () => {
      const { store, newOwner } = getFixture();
      const [alice, bob] = [await newOwner(), await newOwner()];
      for (let i = 0; i < 3; i++) await store.create({ ns: 'session', id: uniqueId('s'), owner: alice }, { i }, 60_000);
      await store.create({ ns: 'session', id: uniqueId('s'), owner: bob }, { i: 9 }, 60_000);
      const familyRef = { ns: 'family', id: uniqueId('f'), owner: alice };
      await store.create(familyRef, { i: 7 }, 60_000);
      expect(await store.deleteAll('session', alice)).toBe(3);
      expect(await store.list('session', alice)).toEqual([]);
      expect(await store.list('session', bob)).toHaveLength(1);
      expect(await store.get(familyRef)).not.toBeNull();
      expect(await store.deleteAll('session', alice)).toBe(0);
    });

    it('expires records after their TTL: invisible to get and list, and creatable again', async () => {
      const { store, newOwner } = getFixture();
      const owner = await newOwner();
      const ref = { ns: 'session', id: uniqueId('ttl'), owner };
      const longRef = { ns: 'session', id: uniqueId('long'), owner };
      // Only expiry is asserted for the short record: on a loaded machine a round trip can outlast a short TTL.
      await store.create(ref, { short: true }, 200);
      await store.create(longRef, { short: false }, 60_000);
      await sleep(600);
      expect(await store.get(ref)).toBeNull();
      expect(await store.get(longRef)).toEqual({ version: 1, value: { short: false } });
      expect(await store.replace(ref, 1, { short: true }, 60_000)).toBe(false);
      expect((await store.list<{ short: boolean }>('session', owner)).map((r) => r.value.short)).toEqual([false]);
      expect(await store.create(ref, { again: true }, 60_000)).toBe(true);
      expect(await store.get(ref)).toEqual({ version: 1, value: { again: true } });
    });

    it('purgeExpired physically removes what expired', async () => {
      const { store, newOwner, selfExpiring } = getFixture();
      const owner = await newOwner();
      await store.create({ ns: 'session', id: uniqueId('purge'), owner }, { x: 1 }, 100);
      await store.create({ ns: 'session', id: uniqueId('purge-long'), owner }, { x: 2 }, 60_000);
      await store.increment(uniqueId('purge-counter'), 100);
      await sleep(300);
      const purged = await store.purgeExpired();
      expect(purged).toBeGreaterThanOrEqual(selfExpiring ? 0 : 2);
      expect((await store.list<{ x: number }>('session', owner)).map((r) => r.value.x)).toEqual([2]);
    });

    it('counts with increment: one window per TTL, restarting at 1 after expiry', async () => {
      const { store } = getFixture();
      const key = uniqueId('count');
      expect(await store.counter(key)).toBe(0);
      expect(await store.increment(key, 60_000)).toBe(1);
      expect(await store.increment(key, 60_000)).toBe(2);
      expect(await store.increment(key, 60_000)).toBe(3);
      expect(await store.counter(key)).toBe(3);
      const short = uniqueId('count-short');
      await store.increment(short, 200);
      await store.increment(short, 200);
      await sleep(600);
      expect(await store.counter(short)).toBe(0);
      expect(await store.increment(short, 60_000)).toBe(1);
      expect(await store.counter(key)).toBe(3);
    });

    it('is atomic under concurrency: 50 increments, creates and compare-and-sets race', async () => {
      const { store } = getFixture();
      const key = uniqueId('race');
      const counts = await Promise.all(Array.from({ length: 50 }, () => store.increment(key, 60_000)));
      expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));

      const ref = { ns: 'thing', id: uniqueId('race-create') };
      const created = await Promise.all(Array.from({ length: 50 }, (_, i) => store.create(ref, { i }, 60_000)));
      expect(created.filter(Boolean)).toHaveLength(1);
      const winner = created.indexOf(true);
      expect(await store.get(ref)).toEqual({ version: 1, value: { i: winner } });

      const replaced = await Promise.all(Array.from({ length: 50 }, (_, i) => store.replace(ref, 1, { r: i }, 60_000)));
      expect(replaced.filter(Boolean)).toHaveLength(1);
      expect(await store.get(ref)).toEqual({ version: 2, value: { r: replaced.indexOf(true) } });
    });

    it('refuses malformed input with a structured error and writes nothing', async () => {
      const { store } = getFixture();
      const id = uniqueId('bad');
      const refused = async (p: Promise<unknown>) => {
        const error = await p.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(SessionError);
        expect((error as SessionError).code).toBe('invalid_argument');
      };
      await refused(store.create({ ns: 'Bad NS', id }, { x: 1 }, 1000));
      await refused(store.create({ ns: 'thing', id: '' }, { x: 1 }, 1000));
      await refused(store.create({ ns: 'thing', id }, [1, 2] as unknown as object, 1000));
      await refused(store.create({ ns: 'thing', id }, { x: 1 }, 0));
      await refused(store.create({ ns: 'thing', id }, { x: 1 }, Number.NaN));
      await refused(store.increment('', 1000));
      expect(await store.get({ ns: 'thing', id })).toBeNull();
    });
  });
}
