import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

export interface ZodToolDefinition {
  name: string;
  description?: string;
  /** A zod object schema (or any zod schema whose JSON Schema is an object). */
  inputSchema: z.ZodType;
  outputSchema?: z.ZodType;
  annotations?: Tool['annotations'];
}

function objectSchema(schema: z.ZodType, io: 'input' | 'output'): Tool['inputSchema'] {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  // A discriminated union (one object per operation) becomes `oneOf` without a root type; MCP requires the root
  // `type: "object"`, which holds for every branch, so it is stated.
  const branches = (json['oneOf'] ?? json['anyOf']) as Array<Record<string, unknown>> | undefined;
  if (json['type'] === undefined && branches?.every((branch) => branch['type'] === 'object')) json['type'] = 'object';
  if (json['type'] !== 'object') {
    throw new Error(`a tool schema must describe an object; got ${JSON.stringify(json['type'] ?? json)}`);
  }
  return json as Tool['inputSchema'];
}

/**
 * Tool definitions for DRY mode from zod schemas (as a tool library declares them), without building a server:
 * inputs as the caller may send them, outputs as the server returns them.
 */
export function toolsFromZod(definitions: readonly ZodToolDefinition[]): Tool[] {
  return definitions.map((definition) => ({
    name: definition.name,
    ...(definition.description ? { description: definition.description } : {}),
    inputSchema: objectSchema(definition.inputSchema, 'input'),
    ...(definition.outputSchema
      ? { outputSchema: objectSchema(definition.outputSchema, 'output') as Tool['outputSchema'] }
      : {}),
    ...(definition.annotations ? { annotations: definition.annotations } : {}),
  }));
}
