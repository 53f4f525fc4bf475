import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';

/** A JSON Schema as tools advertise it (`inputSchema`, `outputSchema`). */
export type JsonSchema = Record<string, unknown>;

export interface SchemaViolation {
  valid: false;
  message: string;
}

export type SchemaCheck = { valid: true } | SchemaViolation;

export type SchemaChecker = (value: unknown) => SchemaCheck;

const validator = new AjvJsonSchemaValidator();
// Compiling is the expensive part (milliseconds); tool schemas are long-lived objects, so compile each once.
const compiled = new WeakMap<JsonSchema, SchemaChecker>();

/**
 * Compiles a schema with the SDK's own validator (Ajv, the one the SDK client checks outputs with), so DRY mode
 * accepts and refuses exactly what a real client would. `$schema` is dropped first: the SDK's Ajv instance only
 * knows draft-07's meta-schema, and the 2020-12 keywords tools use (`$defs`, `additionalProperties`) behave the same.
 */
export function compileSchema(schema: JsonSchema): SchemaChecker {
  const cached = compiled.get(schema);
  if (cached) return cached;
  const checker = compileUncached(schema);
  compiled.set(schema, checker);
  return checker;
}

function compileUncached(schema: JsonSchema): SchemaChecker {
  const { $schema: _dialect, ...rest } = schema;
  void _dialect;
  const check = validator.getValidator(rest);
  return (value) => {
    const outcome = check(value);
    return outcome.valid ? { valid: true } : { valid: false, message: outcome.errorMessage ?? 'invalid' };
  };
}
