import { DatabaseError } from '../errors/database-error.js';
import type { SqlExecutor } from '../port/sql-session.js';

/** Wraps an executor so a session leaked out of its unit of work fails loudly instead of running outside it. */
export function scopedExecutor(inner: SqlExecutor): { executor: SqlExecutor; end: () => void } {
  let open = true;
  return {
    executor: {
      query(text, params) {
        if (!open) {
          return Promise.reject(new DatabaseError('internal', 'Session used after its unit of work ended'));
        }
        return inner.query(text, params);
      },
    },
    end: () => {
      open = false;
    },
  };
}
