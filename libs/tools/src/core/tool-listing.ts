import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { OperationDefinition, ToolDefinition } from './tool-definition.js';
import { advertisedOperations, inputJsonSchema, operationInputSchema, outputJsonSchema } from './tool-schema.js';
import type { z } from 'zod';

/*
 * A server is built per request (stateless HTTP), but tool definitions are module constants: converting their zod
 * schemas to JSON Schema (~70 KB) and extending each operation's input for every request would make `tools/list`
 * and every `tools/call` pay work whose result never changes. Both are computed once per definition and mode.
 */
const listings = new WeakMap<ToolDefinition, { readWrite?: Tool; readOnly?: Tool }>();
const inputSchemas = new WeakMap<OperationDefinition, z.ZodObject>();

/** The `tools/list` entry of one tool, or undefined when no operation is left to advertise (read-only mode). */
export function toolListing(tool: ToolDefinition, readOnly: boolean): Tool | undefined {
  if (advertisedOperations(tool, readOnly).length === 0) return undefined;
  let cached = listings.get(tool);
  if (!cached) listings.set(tool, (cached = {}));
  const key = readOnly ? 'readOnly' : 'readWrite';
  return (cached[key] ??= {
    name: tool.name,
    title: tool.title,
    description: describeTool(tool, readOnly),
    inputSchema: inputJsonSchema(tool, readOnly) as Tool['inputSchema'],
    outputSchema: outputJsonSchema(tool, readOnly) as Tool['outputSchema'],
    annotations: {
      title: tool.title,
      ...tool.annotations,
      ...(readOnly ? { readOnlyHint: true, destructiveHint: false } : {}),
    },
  });
}

/** The strict input schema of one operation (discriminator included), built once. */
export function cachedOperationInputSchema(tool: ToolDefinition, operation: OperationDefinition): z.ZodObject {
  let schema = inputSchemas.get(operation);
  if (!schema) inputSchemas.set(operation, (schema = operationInputSchema(tool, operation)));
  return schema;
}

function describeTool(tool: ToolDefinition, readOnly: boolean): string {
  const operations = advertisedOperations(tool, readOnly)
    .map((o) => `- ${o.name}: ${o.description}`)
    .join('\n');
  const mode = readOnly ? '\n(Read-only server: mutating operations are not available.)' : '';
  return `${tool.description}\n\nOperations (parameter \`${tool.operationParameter}\`):\n${operations}${mode}`;
}
