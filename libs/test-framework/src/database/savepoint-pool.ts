import type pg from 'pg';
import type { SqlRollbackScope, SqlUnit } from '../harmful/rollback.js';

const BEGIN = /^\s*begin\s*(;|$)/i;
const END = /^\s*(commit|rollback)\s*;?\s*$/i;

/**
 * A stand-in for a `pg.Pool` for the schema's `pg` adapter while a rollback scope is open: every unit of work gets
 * the one connection that holds the scope's transaction, one unit at a time, and its BEGIN/COMMIT/ROLLBACK become
 * savepoint operations inside that transaction. A statement that starts with `BEGIN;` (the adapter batches its
 * role setup after it) opens the savepoint and runs the rest. Everything else is the real client.
 */
export function savepointPool(client: pg.Client, scope: SqlRollbackScope): pg.Pool {
  let queue: Promise<void> = Promise.resolve();
  const connect = async (): Promise<pg.PoolClient> => {
    let unlock!: () => void;
    const previous = queue;
    queue = new Promise<void>((resolve) => (unlock = resolve));
    await previous;
    let unit: SqlUnit | undefined;
    const empty = { rows: [], rowCount: 0, command: '', fields: [], oid: 0 };
    const query = async (statement: unknown, values?: unknown[]) => {
      if (typeof statement === 'string' && BEGIN.test(statement)) {
        if (unit) throw new Error('BEGIN inside an open unit on the test connection');
        unit = await scope.unit();
        const rest = statement.replace(BEGIN, '').trim();
        return rest ? client.query(rest, values) : empty;
      }
      const end = typeof statement === 'string' ? END.exec(statement) : null;
      if (end) {
        const current = unit;
        unit = undefined;
        if (!current) throw new Error(`${statement} without BEGIN on the test connection`);
        await (end[1]?.toLowerCase() === 'commit' ? current.commit() : current.rollback());
        return empty;
      }
      return client.query(statement as string, values);
    };
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      unlock();
    };
    return new Proxy(client, {
      get(target, property) {
        if (property === 'query') return query;
        if (property === 'release') return release;
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    }) as unknown as pg.PoolClient;
  };
  return { connect, on: () => undefined, ended: false } as unknown as pg.Pool;
}
