import { z } from 'zod';
import { errorEnvelopeSchema } from './tool-error.js';
import type { OperationDefinition, ToolDefinition } from './tool-definition.js';

type JsonSchema = Record<string, unknown>;

/** The operations a server advertises and accepts: all, or only the non-mutating ones in read-only mode. */
export function advertisedOperations(tool: ToolDefinition, readOnly: boolean): OperationDefinition[] {
  return tool.operations.filter((o) => !readOnly || !o.mutating);
}

/** The strict zod object of one operation, discriminator included. */
export function operationInputSchema(tool: ToolDefinition, operation: OperationDefinition): z.ZodObject {
  return operation.input
    .extend({
      [tool.operationParameter]: z.literal(operation.name).describe(operation.description),
      ...('format_type' in operation.input.shape ? {} : { format_type: formatType }),
    })
    .strict();
}

/**
 * The reference's `format_type`, accepted so its clients keep working. It changes nothing: results are always the
 * complete structured JSON (the reference's summary/truncation lost data; tools.md forbids silent loss).
 */
const formatType = z
  .enum(['detailed', 'summary', 'raw'])
  .optional()
  .describe('Accepted for compatibility; results are always complete structured JSON.');

function toJson(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' }) as JsonSchema;
  delete json['$schema'];
  return json;
}

/**
 * The advertised input schema: `{type: "object", anyOf: [one branch per operation]}`. MCP requires the root
 * `type: "object"`, which zod omits for unions. Tools with operation inference do not require the discriminator.
 */
export function inputJsonSchema(tool: ToolDefinition, readOnly: boolean): JsonSchema {
  const branches = advertisedOperations(tool, readOnly).map((operation) => {
    const json = toJson(operationInputSchema(tool, operation), 'input');
    if (tool.inferOperation && Array.isArray(json['required'])) {
      json['required'] = (json['required'] as string[]).filter((key) => key !== tool.operationParameter);
    }
    return json;
  });
  return {
    type: 'object',
    properties: {
      [tool.operationParameter]: {
        type: 'string',
        enum: branches.map((_, i) => advertisedOperations(tool, readOnly)[i]!.name),
        description: tool.inferOperation
          ? 'The operation; inferred from the other parameters when omitted.'
          : 'The operation.',
      },
    },
    ...(tool.inferOperation ? {} : { required: [tool.operationParameter] }),
    anyOf: branches,
  };
}

/** The output schema: any operation's success result, or the error envelope (SDK clients validate both). */
export function outputZodSchema(tool: ToolDefinition, readOnly: boolean): z.ZodType {
  const outputs = advertisedOperations(tool, readOnly).map((o) => o.output);
  return z.union([...outputs, errorEnvelopeSchema] as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]);
}

export function outputJsonSchema(tool: ToolDefinition, readOnly: boolean): JsonSchema {
  const json = toJson(outputZodSchema(tool, readOnly), 'output');
  return { type: 'object', ...json };
}
