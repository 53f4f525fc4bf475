import type { DatabaseProvider } from '../../src/modes/environment.js';
import type { FixtureDatabase } from './fixture-server.js';

/** Lends the file's shared fixture database to a COLD environment (with its rollback scope). */
export function fixtureProvider(db: () => FixtureDatabase): DatabaseProvider<FixtureDatabase> {
  return {
    acquire: async () => {
      const database = db();
      return { database, rollback: database.scope, release: async () => undefined };
    },
  };
}
