import { describe, expect, test } from '@jest/globals';
import { parseToolError } from './tool-error.js';

describe('parseToolError', () => {
  test('reads {code, message, details, hint} from structuredContent, bare or under `error`', () => {
    expect(
      parseToolError({
        isError: true,
        content: [],
        structuredContent: { code: 'conflict', message: 'stale', details: { expected_version: 2 }, hint: 'reload' },
      }),
    ).toEqual({ code: 'conflict', message: 'stale', details: { expected_version: 2 }, hint: 'reload' });
    expect(
      parseToolError({ isError: true, content: [], structuredContent: { error: { code: 'not_found', message: 'x' } } }),
    ).toEqual({ code: 'not_found', message: 'x' });
  });

  test('reads the JSON text rendering when there is no structuredContent', () => {
    expect(
      parseToolError({
        isError: true,
        content: [{ type: 'text', text: '{"error":{"code":"rate_limited","message":"slow down"}}' }],
      }),
    ).toEqual({ code: 'rate_limited', message: 'slow down' });
  });

  test('anything else is an unstructured_error carrying the text, unknown codes included', () => {
    expect(parseToolError({ isError: true, content: [{ type: 'text', text: 'boom' }] })).toEqual({
      code: 'unstructured_error',
      message: 'boom',
    });
    expect(
      parseToolError({ isError: true, content: [], structuredContent: { code: 'teapot', message: 'short and stout' } }),
    ).toEqual({ code: 'unstructured_error', message: 'short and stout' });
  });
});
