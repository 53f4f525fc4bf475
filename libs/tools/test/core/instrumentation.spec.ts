import { afterAll, beforeAll, expect, test } from '@jest/globals';
import type { Logger } from '@atoms/observability';
import { AtomsTestClient } from '@atoms/test-framework';
import type { FixtureUser } from '@atoms/test-framework/database';
import { createAtomsMcpServer } from '../../src/index.js';
import { openToolsHarness, type ToolsHarness } from './harness.js';

interface Line {
  level: string;
  fields: Record<string, unknown>;
  message: string | undefined;
}

function capturingLogger(lines: Line[], bindings: Record<string, unknown> = {}): Logger {
  const at =
    (level: string) =>
    (fields?: unknown, message?: string): void => {
      lines.push({ level, fields: { ...bindings, ...(fields as Record<string, unknown>) }, message });
    };
  return {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: (more) => capturingLogger(lines, { ...bindings, ...more }),
    isLevelEnabled: () => true,
    level: 'trace',
  } as Logger;
}

let h: ToolsHarness;
let user: FixtureUser;
beforeAll(async () => {
  h = await openToolsHarness();
  user = await h.fixtures.user();
}, 120_000);
afterAll(async () => {
  await h?.close();
});

test('every call is logged with tool, operation and outcome; argument values never reach the log', async () => {
  const lines: Line[] = [];
  const client = await AtomsTestClient.connect({
    kind: 'in-process',
    server: () => createAtomsMcpServer({ db: h.database, logger: capturingLogger(lines) }),
    authInfo: user.authInfo,
  });
  await client.entity
    .create('document', { name: 'secret-name-123', project_id: '00000000-0000-4000-8000-000000000000' })
    .catch(() => undefined);
  await client.workspace.getContext();
  await client.close();
  const text = JSON.stringify(lines);
  expect(text).not.toContain('secret-name-123');
  const failed = lines.find((l) => l.fields['outcome'] === 'tool_error');
  expect(failed?.fields).toMatchObject({
    tool: 'entity_tool',
    operation: 'create',
    argKeys: expect.arrayContaining(['operation', 'entity_type', 'data']),
  });
  const ok = lines.find((l) => l.fields['outcome'] === 'success');
  expect(ok?.fields).toMatchObject({ tool: 'workspace_tool', operation: 'get_context' });
});
