import type { PGlite, PGliteInterface, Transaction } from '@electric-sql/pglite';
import type { SqlRollbackScope } from '../harmful/rollback.js';

/**
 * A view of a PGlite instance for the schema's PGlite adapter: its `transaction()` is a real transaction normally
 * and a savepoint while the rollback scope is open, so a test's tool calls commit into the scope's outer
 * transaction and vanish when it rolls back. Everything else goes to the instance unchanged.
 */
export function rollbackablePglite(pg: PGlite, scope: SqlRollbackScope): PGliteInterface {
  const transaction = async <T>(callback: (tx: Transaction) => Promise<T>): Promise<T> => {
    if (!scope.active) return pg.transaction(callback);
    const facade: Transaction = {
      query: (query, params, options) => pg.query(query, params, options),
      sql: (strings, ...params) => pg.sql(strings, ...params),
      exec: (query, options) => pg.exec(query, options),
      rollback: () => Promise.reject(new Error('explicit rollback is not available inside a test rollback scope')),
      listen: (channel, callback) => pg.listen(channel, callback),
      get closed() {
        return pg.closed;
      },
    };
    return scope.transaction(() => callback(facade));
  };
  return new Proxy(pg, {
    get(target, property) {
      if (property === 'transaction') return transaction;
      const value: unknown = Reflect.get(target, property, target);
      // PGlite keeps its state in private fields: methods must run with the real instance as `this`.
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as PGliteInterface;
}
