/**
 * Lua scripts behind the Redis-protocol stores (ioredis over TCP, Upstash over REST). Each store operation is one
 * script, so it is atomic in Redis, and replies that carry data are a single JSON document (cjson) so both
 * clients — one of which may JSON-parse string replies on its own — read them the same way.
 */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
}

// Milliseconds by the server's clock; index scores are absolute expiry times in these units.
const NOW = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// Keeps an owner index alive exactly as long as its longest-lived member and drops members already expired.
const INDEX_ADD = `
if #KEYS > 1 then
  ${NOW}
  redis.call('ZADD', KEYS[2], now + tonumber(ttl), member)
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  local top = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
  redis.call('PEXPIREAT', KEYS[2], math.ceil(tonumber(top[2])))
end`;

export const GET: LuaScript = {
  name: 'get',
  source: `
local r = redis.call('HMGET', KEYS[1], 'v', 'd')
if not r[1] then return '' end
return cjson.encode({tonumber(r[1]), r[2]})`,
};

export const CREATE: LuaScript = {
  name: 'create',
  source: `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local ttl, member = ARGV[2], ARGV[3]
redis.call('HSET', KEYS[1], 'v', 1, 'd', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl)
${INDEX_ADD}
return 1`,
};

export const REPLACE: LuaScript = {
  name: 'replace',
  source: `
local v = redis.call('HGET', KEYS[1], 'v')
if not v or tonumber(v) ~= tonumber(ARGV[1]) then return 0 end
local ttl, member = ARGV[3], ARGV[4]
redis.call('HSET', KEYS[1], 'v', tonumber(v) + 1, 'd', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ttl)
${INDEX_ADD}
return 1`,
};

export const DELETE: LuaScript = {
  name: 'delete',
  source: `
local removed = redis.call('DEL', KEYS[1])
if #KEYS > 1 then redis.call('ZREM', KEYS[2], ARGV[1]) end
return removed`,
};

export const LIST: LuaScript = {
  name: 'list',
  source: `
${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local out = {}
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local r = redis.call('HMGET', ARGV[1] .. member, 'v', 'd')
  if r[1] then
    out[#out + 1] = {member, tonumber(r[1]), r[2]}
  else
    redis.call('ZREM', KEYS[1], member)
  end
end
if #out == 0 then return '[]' end
return cjson.encode(out)`,
};

export const DELETE_ALL: LuaScript = {
  name: 'deleteAll',
  source: `
local removed = 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  removed = removed + redis.call('DEL', ARGV[1] .. member)
end
redis.call('DEL', KEYS[1])
return removed`,
};

export const INCREMENT: LuaScript = {
  name: 'increment',
  source: `
local n = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`,
};

export const COUNTER: LuaScript = {
  name: 'counter',
  source: `return tonumber(redis.call('GET', KEYS[1]) or '0')`,
};

// Records and counters expire by TTL; only the owner indexes keep members past their expiry. One SCAN page per
// call so a large keyspace never blocks the server; the caller loops until the cursor is '0'.
export const PURGE_PAGE: LuaScript = {
  name: 'purgePage',
  source: `
${NOW}
local page = redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', 500)
local removed = 0
for _, key in ipairs(page[2]) do
  removed = removed + redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
end
return cjson.encode({page[1], removed})`,
};

const shas = new Map<string, Promise<string>>();

/** SHA-1 of a script's source, as EVALSHA wants it (computed once per script). */
export function scriptSha(script: LuaScript): Promise<string> {
  let sha = shas.get(script.source);
  if (!sha) {
    sha = crypto.subtle.digest('SHA-1', new TextEncoder().encode(script.source)).then((digest) => {
      let hex = '';
      for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, '0');
      return hex;
    });
    shas.set(script.source, sha);
  }
  return sha;
}

/** True for the error a server gives when EVALSHA names a script it has not cached (first call, restart). */
export function isNoScriptError(error: unknown): boolean {
  return error instanceof Error && error.message.includes('NOSCRIPT');
}
