/**
 * `@atoms/session/upstash`: the Upstash Redis / Vercel KV store over REST (`@upstash/redis`); runs on the Edge
 * runtime. Same Lua scripts as the ioredis store, so the same atomicity.
 */
import { isNoScriptError, scriptSha, type LuaScript } from '../sessions/stores/lua-scripts.js';
import {
  RedisProtocolStore,
  type RedisProtocolStoreOptions,
  type ScriptRunner,
} from '../sessions/stores/redis-protocol-store.js';

export type UpstashStoreOptions = RedisProtocolStoreOptions;

/**
 * The two `@upstash/redis` methods the store uses; its `Redis` (Node, Cloudflare, Fastly builds) fits. Declared
 * structurally so these type declarations do not require `@upstash/redis` to be installed.
 */
export interface UpstashLike {
  evalsha(sha: string, keys: string[], args: string[]): Promise<unknown>;
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
}

/** Runs scripts through `@upstash/redis`: EVALSHA, falling back to EVAL on NOSCRIPT. */
export class UpstashScriptRunner implements ScriptRunner {
  readonly #redis: UpstashLike;

  constructor(redis: UpstashLike) {
    this.#redis = redis;
  }

  async run(script: LuaScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    const sha = await scriptSha(script);
    const keyList = [...keys];
    const argList = args.map(String);
    try {
      return await this.#redis.evalsha(sha, keyList, argList);
    } catch (error) {
      if (!isNoScriptError(error)) throw error;
      return this.#redis.eval(script.source, keyList, argList);
    }
  }
}

/**
 * The Upstash / Vercel KV StateStore. Pass your `Redis` client (`new Redis({ url, token })` or `Redis.fromEnv()`);
 * replies are read the same whether or not its automatic JSON deserialization is on.
 */
export function createUpstashStore(redis: UpstashLike, options: UpstashStoreOptions = {}): RedisProtocolStore {
  return new RedisProtocolStore('upstash', new UpstashScriptRunner(redis), options);
}

export { RedisProtocolStore } from '../sessions/stores/redis-protocol-store.js';
