import { expect } from '@jest/globals';
import { McpToolError } from '@atoms/test-framework';

/** Awaits a tool call that must fail with a structured tool error; returns the error for further checks. */
export async function expectToolError(promise: Promise<unknown>): Promise<McpToolError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(McpToolError);
  return error as McpToolError;
}

/** Awaits a tool call that must fail with the structured error `code`; returns the error for further checks. */
export async function expectCode(promise: Promise<unknown>, code: string): Promise<McpToolError> {
  const error = await expectToolError(promise);
  expect(error.code).toBe(code);
  return error;
}
