/**
 * A real transaction around a test: `begin` before it, `rollback` after it, on the very connection the server
 * under test uses, so everything the test wrote through the tools disappears. Where the database cannot offer one
 * (a remote HOT server), there is no scope and the `transaction_rollback` strategy refuses to run.
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

/** One unit of work on the session: a transaction, or a savepoint while a rollback scope is open. */
export interface SqlUnit {
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export interface SqlRollbackScopeOptions {
  /**
   * SQL run after every unit that ended inside the open scope. Units set transaction-local state (`SET LOCAL ROLE`,
   * `request.jwt.claims`) that a savepoint keeps until the outer transaction ends; this puts it back so the next
   * statement does not run as the previous unit's user.
   */
  resetAfterUnit?: string;
}

/**
 * A rollback scope over one SQL session, plus units of work for the code that runs on that session: a real
 * transaction normally, a savepoint while the scope is open (a nested BEGIN/COMMIT would end the outer
 * transaction and defeat the rollback).
 */
export class SqlRollbackScope implements RollbackScope {
  private open = false;
  private savepoints = 0;

  constructor(
    private readonly session: SqlSession,
    private readonly options: SqlRollbackScopeOptions = {},
  ) {}

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

  /** Starts a unit of work: BEGIN, or a SAVEPOINT inside the open scope. */
  async unit(): Promise<SqlUnit> {
    if (!this.open) {
      await this.session.query('BEGIN');
      return {
        commit: async () => void (await this.session.query('COMMIT')),
        rollback: async () => void (await this.session.query('ROLLBACK')),
      };
    }
    const name = `atoms_tf_${++this.savepoints}`;
    await this.session.query(`SAVEPOINT ${name}`);
    const reset = async () => {
      if (this.options.resetAfterUnit) await this.session.query(this.options.resetAfterUnit);
    };
    return {
      commit: async () => {
        await this.session.query(`RELEASE SAVEPOINT ${name}`);
        await reset();
      },
      rollback: async () => {
        await this.session.query(`ROLLBACK TO SAVEPOINT ${name}`);
        await this.session.query(`RELEASE SAVEPOINT ${name}`);
        await reset();
      },
    };
  }

  /** Runs `fn` atomically on the session, nested safely inside an open scope. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    const unit = await this.unit();
    let value: T;
    try {
      value = await fn();
    } catch (error) {
      await unit.rollback();
      throw error;
    }
    await unit.commit();
    return value;
  }
}
