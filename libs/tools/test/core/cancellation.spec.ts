/**
 * A long tools/call cancelled by the client mid-way (SDK `AbortSignal`, which sends notifications/cancelled): the
 * client gets the cancellation and the database is left exactly as before.
 *
 * The call: workflow_tool import_requirements of 200 requirements, one SQL function in one transaction. On
 * PostgreSQL the test stops it mid-way for certain: an owner transaction holds an EXCLUSIVE lock on audit_logs, so
 * the function inserts its first requirement and then waits (the audit trigger cannot write). The client cancels
 * while it waits, the lock is released, the function finishes its 200 inserts, and the tool must still roll the
 * whole unit of work back. PGlite runs one statement at a time and cannot be held mid-statement: there the client
 * cancels as soon as the first progress notification arrives, and nothing may be written either.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { AtomsTestClient } from '@atoms/test-framework';
import type { FixtureWorkspace } from '@atoms/test-framework/database';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { openToolsHarness, type ToolsHarness } from './harness.js';

let h: ToolsHarness;
let ws: FixtureWorkspace;
let owner: AtomsTestClient;

beforeAll(async () => {
  h = await openToolsHarness();
  ws = await h.fixtures.workspace();
  owner = await h.clientFor(ws.owner);
}, 120_000);

afterAll(() => h?.close());

const postgres = () => h.testDb.backend === 'postgres';

/** Owner SQL on PostgreSQL: the other backends of this database (activity is a per-transaction snapshot). */
async function others(): Promise<{ state: string; wait_event_type: string | null; query: string }[]> {
  const { rows } = await h.testDb.sql.query<{ state: string; wait_event_type: string | null; query: string }>(
    `select s.state, s.wait_event_type, s.query from pg_stat_clear_snapshot(), pg_stat_activity s
      where s.datname = current_database() and s.pid <> pg_backend_pid() and s.backend_type = 'client backend'`,
  );
  return rows;
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('cancellation', () => {
  test('a workflow cancelled mid-way changes nothing and the client gets the cancellation', async () => {
    const document = ws.document.id;
    const before = {
      requirements: await h.count('requirements', 'document_id = $1', [document]),
      audit: await h.count('audit_logs', 'true'),
      versions: await h.count('entity_versions', 'true'),
    };
    const requirements = Array.from({ length: 200 }, (_, i) => ({ name: `Cancelled ${i}` }));
    const controller = new AbortController();
    const progress: number[] = [];
    const call = () =>
      owner.sdk.callTool(
        {
          name: 'workflow_tool',
          arguments: { workflow: 'import_requirements', parameters: { document_id: document, requirements } },
        },
        undefined,
        {
          signal: controller.signal,
          onprogress: (p) => {
            progress.push(p.progress);
            // PGlite: cancel as soon as the workflow reports it started.
            if (!postgres()) controller.abort();
          },
        },
      );

    let outcome: unknown;
    if (postgres()) {
      await h.testDb.sql.query('begin');
      try {
        await h.testDb.sql.query('lock table public.audit_logs in exclusive mode');
        const pending = call().then(
          () => 'completed',
          (error: unknown) => error,
        );
        // The function is running: it inserted a requirement and waits for the audit lock.
        await waitFor('the workflow to wait for the audit lock', async () =>
          (await others()).some((b) => b.wait_event_type === 'Lock' && /import_requirements/.test(b.query)),
        );
        controller.abort();
        outcome = await pending;
        // Let the server receive notifications/cancelled before the function may go on.
        await sleep(100);
      } finally {
        await h.testDb.sql.query('commit');
      }
      // The function finishes its inserts; the tool sees the cancellation before committing and rolls back.
      await waitFor('the workflow to end', async () => (await others()).every((b) => b.state === 'idle'));
      expect((await others()).some((b) => /^ROLLBACK/i.test(b.query))).toBe(true);
    } else {
      outcome = await call().then(
        () => 'completed',
        (error: unknown) => error,
      );
      await sleep(100);
    }

    expect(progress[0]).toBe(0);
    // The SDK rejects the aborted request at once (an McpError carrying the abort reason) and tells the server.
    expect(outcome).toBeInstanceOf(McpError);
    expect((outcome as McpError).message).toMatch(/AbortError: This operation was aborted/);
    expect({
      requirements: await h.count('requirements', 'document_id = $1', [document]),
      audit: await h.count('audit_logs', 'true'),
      versions: await h.count('entity_versions', 'true'),
    }).toEqual(before);
    expect(await h.count('requirements', `name like 'Cancelled %'`)).toBe(0);

    // The server is fine afterwards: the same import, not cancelled, is written in full.
    const done = await owner.workflow.importRequirements<{ result: { imported_count: number } }>({
      document_id: document,
      requirements: requirements.slice(0, 3),
    });
    expect(done.result.imported_count).toBe(3);
    expect(await h.count('requirements', 'document_id = $1', [document])).toBe(before.requirements + 3);
  });
});
