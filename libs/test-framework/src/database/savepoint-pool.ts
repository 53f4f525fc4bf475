import type pg from 'pg';
import type { SqlRollbackScope, SqlUnit } from '../harmful/rollback.js';

/**
 * A stand-in for a `pg.Pool` for the schema's `pg` adapter while a rollback scope is open: every unit of work gets
 * the one connection that holds the scope's transaction, one unit at a time, and its BEGIN/COMMIT/ROLLBACK become
 * savepoint operations inside that transaction.
 */
export function savepointPool(client: pg.Client, scope: SqlRollbackScope): pg.Pool {
  let queue: Promise<void> = Promise.resolve();
  const connect = async (): Promise<pg.PoolClient> => {
    let release!: () => void;
    const previous = queue;
    queue = new Promise<void>((resolve) => (release = resolve));
    await previous;
    let unit: SqlUnit | undefined;
    const query = async (text: unknown, values?: unknown[]) => {
      if (text === 'BEGIN') {
        unit = await scope.unit();
        return { rows: [], rowCount: 0 };
      }
      if (text === 'COMMIT' || text === 'ROLLBACK') {
        const current = unit;
        unit = undefined;
        if (!current) throw new Error(`${text} without BEGIN on the test connection`);
        await (text === 'COMMIT' ? current.commit() : current.rollback());
        return { rows: [], rowCount: 0 };
      }
      return client.query(text as string, values);
    };
    return { query, release: () => release() } as unknown as pg.PoolClient;
  };
  return { connect, on: () => undefined, ended: false } as unknown as pg.Pool;
}
