/** Sessions, refresh-token rotation, revocation, device risk, rate rules, audit and the stores. */
export { SessionError, isSessionError, type SessionErrorCode } from './errors.js';
export type { StateStore, RecordRef, VersionedRecord, ListedRecord } from './stores/state-store.js';
export { MemoryStore, type MemoryStoreOptions } from './stores/memory-store.js';
export { PostgresStore, atomsSessionsDdl, type PostgresStoreOptions, type SqlQuery } from './stores/postgres-store.js';
export {
  RedisProtocolStore,
  type RedisProtocolStoreOptions,
  type ScriptRunner,
} from './stores/redis-protocol-store.js';
export type { LuaScript } from './stores/lua-scripts.js';
