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
  // Schemas used more than once (entity types, filters, paging…) become `$defs` referenced from each branch: the
  // advertised list stays a fraction of the inlined size.
  const json = z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any', reused: 'ref' }) as JsonSchema;
  delete json['$schema'];
  return json;
}

/**
 * The advertised input schema: `{type: "object", anyOf: [one branch per operation]}`. MCP requires the root
 * `type: "object"`, which zod omits for unions. Tools with operation inference do not require the discriminator.
 */
export function inputJsonSchema(tool: ToolDefinition, readOnly: boolean): JsonSchema {
  const operations = advertisedOperations(tool, readOnly);
  const branches = operations.map((operation) => operationInputSchema(tool, operation));
  const union =
    branches.length === 1 ? branches[0]! : z.union(branches as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]);
  const json = toJson(union, 'input');
  const anyOf = (branches.length === 1 ? [json] : (json['anyOf'] as JsonSchema[])).map((branch) => {
    const copy: JsonSchema = { ...branch };
    delete copy['$defs'];
    delete copy['definitions'];
    if (tool.inferOperation && Array.isArray(copy['required'])) {
      copy['required'] = (copy['required'] as string[]).filter((key) => key !== tool.operationParameter);
    }
    return copy;
  });
  const defs = (json['$defs'] ?? json['definitions']) as JsonSchema | undefined;
  return {
    type: 'object',
    properties: {
      [tool.operationParameter]: {
        type: 'string',
        enum: operations.map((o) => o.name),
        description: tool.inferOperation
          ? 'The operation; inferred from the other parameters when omitted.'
          : 'The operation.',
      },
    },
    ...(tool.inferOperation ? {} : { required: [tool.operationParameter] }),
    anyOf,
    ...(defs ? { [json['$defs'] ? '$defs' : 'definitions']: defs } : {}),
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
