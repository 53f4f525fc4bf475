import { SessionError } from '../errors.js';
import * as scripts from './lua-scripts.js';
import type { LuaScript } from './lua-scripts.js';
import {
  assertId,
  assertNamespace,
  assertRef,
  assertTtl,
  assertValue,
  wholeMs,
  type ListedRecord,
  type RecordRef,
  type StateStore,
  type VersionedRecord,
} from './state-store.js';

/**
 * How a Redis-protocol store reaches its server: run one Lua script (EVALSHA with an EVAL fallback). Implemented
 * for ioredis (`@atoms/session/redis`) and `@upstash/redis` (`@atoms/session/upstash`); anything else that can
 * run scripts (node-redis, a Vercel KV client) is a few lines.
 */
export interface ScriptRunner {
  run(script: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown>;
}

export interface RedisProtocolStoreOptions {
  /** Prefix of every key this store writes; default `atoms:session:`. */
  readonly prefix?: string;
}

/**
 * A StateStore over any Redis-protocol server. Layout (`{…}` is a Redis Cluster hash tag, so an owner's records
 * and index share a slot and multi-key scripts stay legal):
 * - record: hash `<prefix>r:<ns>:{<owner>}:<id>` (or `<prefix>r:<ns>::<id>` without owner) with fields `v`
 *   (version) and `d` (JSON), PEXPIRE = ttl;
 * - owner index: sorted set `<prefix>o:<ns>:{<owner>}`, member = id, score = expiry (server ms);
 * - counter: string `<prefix>c:<key>` with INCR + PEXPIRE on creation.
 */
export class RedisProtocolStore implements StateStore {
  readonly kind: string;
  readonly #runner: ScriptRunner;
  readonly #prefix: string;

  constructor(kind: string, runner: ScriptRunner, options: RedisProtocolStoreOptions = {}) {
    this.kind = kind;
    this.#runner = runner;
    this.#prefix = options.prefix ?? 'atoms:session:';
  }

  async get<T extends object>(ref: RecordRef): Promise<VersionedRecord<T> | null> {
    assertRef(ref);
    const reply = await this.#run(scripts.GET, [this.#recordKey(ref)], []);
    if (reply === '' || reply === null || reply === undefined) return null;
    const [version, json] = parseJson(reply) as [number, string];
    return { version: Number(version), value: JSON.parse(json) as T };
  }

  async create<T extends object>(ref: RecordRef, value: T, ttlMs: number): Promise<boolean> {
    assertRef(ref);
    assertTtl(ttlMs);
    const json = assertValue(value);
    const reply = await this.#run(scripts.CREATE, this.#keys(ref), [json, wholeMs(ttlMs), encodeURIComponent(ref.id)]);
    return Number(reply) === 1;
  }

  async replace<T extends object>(ref: RecordRef, expectedVersion: number, value: T, ttlMs: number): Promise<boolean> {
    assertRef(ref);
    assertTtl(ttlMs);
    const json = assertValue(value);
    const reply = await this.#run(scripts.REPLACE, this.#keys(ref), [
      expectedVersion,
      json,
      wholeMs(ttlMs),
      encodeURIComponent(ref.id),
    ]);
    return Number(reply) === 1;
  }

  async delete(ref: RecordRef): Promise<boolean> {
    assertRef(ref);
    return Number(await this.#run(scripts.DELETE, this.#keys(ref), [encodeURIComponent(ref.id)])) === 1;
  }

  async list<T extends object>(ns: string, owner: string): Promise<ListedRecord<T>[]> {
    assertNamespace(ns);
    assertId('record owner', owner);
    const reply = await this.#run(scripts.LIST, [this.#indexKey(ns, owner)], [this.#ownedPrefix(ns, owner)]);
    return (parseJson(reply) as [string, number, string][]).map(([member, version, json]) => ({
      id: decodeURIComponent(member),
      version: Number(version),
      value: JSON.parse(json) as T,
    }));
  }

  async deleteAll(ns: string, owner: string): Promise<number> {
    assertNamespace(ns);
    assertId('record owner', owner);
    return Number(await this.#run(scripts.DELETE_ALL, [this.#indexKey(ns, owner)], [this.#ownedPrefix(ns, owner)]));
  }

  async increment(key: string, ttlMs: number): Promise<number> {
    assertId('counter key', key);
    assertTtl(ttlMs);
    return Number(await this.#run(scripts.INCREMENT, [this.#counterKey(key)], [wholeMs(ttlMs)]));
  }

  async counter(key: string): Promise<number> {
    assertId('counter key', key);
    return Number(await this.#run(scripts.COUNTER, [this.#counterKey(key)], []));
  }

  async purgeExpired(): Promise<number> {
    let cursor = '0';
    let removed = 0;
    do {
      const [next, count] = parseJson(
        await this.#run(scripts.PURGE_PAGE, [], [cursor, `${escapeGlob(this.#prefix)}o:*`]),
      ) as [string, number];
      cursor = String(next);
      removed += Number(count);
    } while (cursor !== '0');
    return removed;
  }

  async #run(script: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await this.#runner.run(script, keys, args);
    } catch (error) {
      throw new SessionError('store_unavailable', `${this.kind} store: script ${script.name} failed`, {
        cause: error,
      });
    }
  }

  #keys(ref: RecordRef): string[] {
    const record = this.#recordKey(ref);
    return ref.owner === undefined ? [record] : [record, this.#indexKey(ref.ns, ref.owner)];
  }

  #recordKey(ref: RecordRef): string {
    return ref.owner === undefined
      ? `${this.#prefix}r:${ref.ns}::${encodeURIComponent(ref.id)}`
      : `${this.#ownedPrefix(ref.ns, ref.owner)}${encodeURIComponent(ref.id)}`;
  }

  #ownedPrefix(ns: string, owner: string): string {
    return `${this.#prefix}r:${ns}:{${encodeURIComponent(owner)}}:`;
  }

  #indexKey(ns: string, owner: string): string {
    return `${this.#prefix}o:${ns}:{${encodeURIComponent(owner)}}`;
  }

  #counterKey(key: string): string {
    return `${this.#prefix}c:${encodeURIComponent(key)}`;
  }
}

// Upstash's client may already have JSON-parsed a string reply; ioredis never does.
function parseJson(reply: unknown): unknown {
  return typeof reply === 'string' ? JSON.parse(reply) : reply;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
