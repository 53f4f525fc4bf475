/**
 * `@atoms/session/redis`: the Redis store over ioredis (Node only: TCP). Every operation is one Lua script, so
 * rotation compare-and-set, counters and per-user indexes are atomic; keys carry TTLs.
 */
import { isNoScriptError, scriptSha, type LuaScript } from '../../sessions/stores/lua-scripts.js';
import {
  RedisProtocolStore,
  type RedisProtocolStoreOptions,
  type ScriptRunner,
} from '../../sessions/stores/redis-protocol-store.js';

export type RedisStoreOptions = RedisProtocolStoreOptions;

/**
 * The two ioredis methods the store uses. ioredis' `Redis` and `Cluster` fit; declared structurally so these type
 * declarations do not require ioredis' own to be installed.
 */
export interface IoredisLike {
  evalsha(sha: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
}

/** Runs scripts through ioredis: EVALSHA, falling back to EVAL (which also caches the script) on NOSCRIPT. */
export class IoredisScriptRunner implements ScriptRunner {
  readonly #redis: IoredisLike;

  constructor(redis: IoredisLike) {
    this.#redis = redis;
  }

  async run(script: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    const sha = await scriptSha(script);
    try {
      return await this.#redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScriptError(error)) throw error;
      return this.#redis.eval(script.source, keys.length, ...keys, ...args);
    }
  }
}

/** The Redis StateStore. The caller owns the connection (create it, share it, `quit()` it). */
export function createRedisStore(redis: IoredisLike, options: RedisStoreOptions = {}): RedisProtocolStore {
  return new RedisProtocolStore('redis', new IoredisScriptRunner(redis), options);
}

export { RedisProtocolStore } from '../../sessions/stores/redis-protocol-store.js';
