import { describe, expect, test } from '@jest/globals';
import { DatabaseError } from '@atoms/schema';
import { z } from 'zod';
import { buildPage, pageRequest, queryFingerprint } from './pagination.js';
import { progressReporter, throwIfCancelled } from './progress.js';
import { toToolError, ToolError } from './tool-error.js';

describe('toToolError', () => {
  test('maps database errors by code, keeping constraint and step, never SQL', () => {
    const mapped = toToolError(
      new DatabaseError('conflict', 'duplicate key value violates unique constraint "documents_slug_key"', {
        sqlState: '23505',
        constraint: 'documents_slug_key',
        hint: 'atoms_step:create_project',
      }),
    );
    expect(mapped.toBody()).toMatchObject({
      code: 'conflict',
      details: { constraint: 'documents_slug_key', sql_state: '23505', step: 'create_project' },
    });
    expect(mapped.hint).not.toMatch(/atoms_step/);
    expect(toToolError(new DatabaseError('validation', 'bad')).code).toBe('validation_error');
    expect(toToolError(new DatabaseError('permission_denied', 'rls')).code).toBe('permission_denied');
  });

  test('anything unexpected is internal with a generic message', () => {
    const error = toToolError(new Error('select * from secrets where token = $1'));
    expect(error.code).toBe('internal');
    expect(error.message).not.toMatch(/select|secrets/);
    expect(toToolError(new DatabaseError('internal', 'relation "x" at character 12')).message).not.toMatch(/relation/);
  });

  test('zod errors list their issues', () => {
    const parsed = z.object({ a: z.number() }).safeParse({ a: 'x' });
    const error = toToolError(parsed.error);
    expect(error.code).toBe('validation_error');
    expect(error.details).toMatchObject({ issues: [{ path: 'a' }] });
  });
});

describe('pagination', () => {
  test('cursors carry the offset and are bound to their query', () => {
    const fingerprint = queryFingerprint({ t: 'requirement', f: { a: 1 } });
    const page = buildPage([1, 2], 5, { limit: 2, offset: 0 }, fingerprint);
    expect(page).toMatchObject({ has_more: true, total: 5 });
    expect(pageRequest({ cursor: page.next_cursor!, limit: 2 }, fingerprint)).toEqual({ limit: 2, offset: 2 });
    expect(() => pageRequest({ cursor: page.next_cursor! }, queryFingerprint({ t: 'document' }))).toThrow(ToolError);
    expect(() => pageRequest({ cursor: page.next_cursor!, offset: 3 }, fingerprint)).toThrow(/either offset or cursor/);
    expect(() => pageRequest({ cursor: '!!!' }, fingerprint)).toThrow(/Invalid cursor/);
    expect(buildPage([5], 5, { limit: 2, offset: 4 }, fingerprint)).toMatchObject({
      has_more: false,
      next_cursor: null,
    });
    expect(queryFingerprint({ b: 1, a: 2 })).toBe(queryFingerprint({ a: 2, b: 1 }));
  });
});

describe('progress and cancellation', () => {
  test('sends increasing progress only when asked, and stops on cancellation', async () => {
    const sent: number[] = [];
    const controller = new AbortController();
    const reporter = progressReporter({
      signal: controller.signal,
      _meta: { progressToken: 't' },
      sendNotification: async (n) => {
        sent.push(n.params.progress);
      },
    });
    await reporter.report(0, 2);
    await reporter.report(0, 2);
    await reporter.report(1, 2);
    expect(sent).toEqual([0, 1]);
    controller.abort();
    await expect(reporter.report(2, 2)).rejects.toMatchObject({ code: 'unavailable', details: { cancelled: true } });
    expect(() => throwIfCancelled(controller.signal)).toThrow(/cancelled/);
    const silent = progressReporter({});
    expect(silent.enabled).toBe(false);
    await silent.report(1);
  });
});
