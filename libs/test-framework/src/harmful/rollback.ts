/**
 * A real transaction around a test: `begin` before it, `rollback` after it, on the very connection the fixture
 * server uses, so everything the test wrote through the tools disappears. Where the database cannot offer one (a
 * remote HOT server), there is no scope and the `transaction_rollback` strategy refuses to run.
 */
export interface RollbackScope {
  readonly active: boolean;
  begin(): Promise<void>;
  rollback(): Promise<void>;
}

/** One SQL session: a PGlite instance or a dedicated `pg` client. */
export interface SqlSession {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * A rollback scope over one SQL session, plus `transaction()` for the code that runs on that session: a real
 * transaction normally, a savepoint while the scope is open (a nested BEGIN/COMMIT would end the outer transaction
 * and defeat the rollback).
 */
export class SqlRollbackScope implements RollbackScope {
  private open = false;
  private savepoints = 0;

  constructor(private readonly session: SqlSession) {}

  get active(): boolean {
    return this.open;
  }

  async begin(): Promise<void> {
    if (this.open) throw new Error('a rollback scope is already open');
    await this.session.query('BEGIN');
    this.open = true;
  }

  async rollback(): Promise<void> {
    if (!this.open) throw new Error('no rollback scope is open');
    this.open = false;
    await this.session.query('ROLLBACK');
  }

  /** Runs `fn` atomically on the session, nested safely inside an open scope. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.open) {
      await this.session.query('BEGIN');
      try {
        const value = await fn();
        await this.session.query('COMMIT');
        return value;
      } catch (error) {
        await this.session.query('ROLLBACK');
        throw error;
      }
    }
    const name = `atoms_tf_${++this.savepoints}`;
    await this.session.query(`SAVEPOINT ${name}`);
    try {
      const value = await fn();
      await this.session.query(`RELEASE SAVEPOINT ${name}`);
      return value;
    } catch (error) {
      await this.session.query(`ROLLBACK TO SAVEPOINT ${name}`);
      throw error;
    }
  }
}
