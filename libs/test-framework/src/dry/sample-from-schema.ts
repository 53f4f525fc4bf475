import { compileSchema, type JsonSchema } from './json-schema.js';

export interface SampleOptions {
  /**
   * Values to prefer by property name (DRY mode passes the call's arguments and `data`), used wherever they
   * validate against the property's schema, so a simulated `create` echoes the name it was given.
   */
  hints?: Record<string, unknown>;
  /** Depth past which optional properties are left out (recursive schemas terminate). */
  maxDepth?: number;
}

type Schema = JsonSchema;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function resolvePointer(root: Schema, ref: string): Schema {
  if (!ref.startsWith('#')) throw new Error(`cannot simulate a schema with a remote $ref: ${ref}`);
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = isRecord(node) ? node[key] : undefined;
  }
  if (!isRecord(node)) throw new Error(`unresolvable $ref ${ref}`);
  return node;
}

const FORMAT_SAMPLES: Record<string, () => string> = {
  uuid: () => crypto.randomUUID(),
  'date-time': () => new Date().toISOString(),
  date: () => new Date().toISOString().slice(0, 10),
  time: () => new Date().toISOString().slice(11, 19) + 'Z',
  email: () => 'dry-run@example.com',
  uri: () => 'https://example.com/dry-run',
  url: () => 'https://example.com/dry-run',
  hostname: () => 'example.com',
  ipv4: () => '192.0.2.1',
  ipv6: () => '2001:db8::1',
};

// Sub-schema checkers per root schema (they carry the root's definitions), kept as long as the root lives.
const subCheckers = new WeakMap<Schema, Map<Schema, ReturnType<typeof compileSchema>>>();

class Sampler {
  private readonly checkers: Map<Schema, ReturnType<typeof compileSchema>>;

  constructor(
    private readonly root: Schema,
    private readonly options: Required<SampleOptions>,
  ) {
    let checkers = subCheckers.get(root);
    if (!checkers) subCheckers.set(root, (checkers = new Map()));
    this.checkers = checkers;
  }

  private fits(schema: Schema, value: unknown): boolean {
    let checker = this.checkers.get(schema);
    if (!checker) {
      // Sub-schemas may $ref into the root: compile them with the root's definitions alongside.
      const withDefs = { ...schema, $defs: this.root['$defs'], definitions: this.root['definitions'] };
      checker = compileSchema(withDefs);
      this.checkers.set(schema, checker);
    }
    return checker(value).valid;
  }

  sample(schema: Schema | boolean, depth: number, name?: string): unknown {
    if (schema === true || schema === undefined) return name && /(^id|_id)$/.test(name) ? crypto.randomUUID() : 'dry';
    if (schema === false) throw new Error(`schema for ${name ?? 'value'} admits nothing`);
    if (typeof schema['$ref'] === 'string') return this.sample(resolvePointer(this.root, schema['$ref']), depth, name);
    if (name && name in this.options.hints && this.fits(schema, this.options.hints[name])) {
      return this.options.hints[name];
    }
    if ('const' in schema) return schema['const'];
    if (Array.isArray(schema['enum'])) return schema['enum'][0];
    if ('default' in schema && this.fits(schema, schema['default'])) return schema['default'];
    if (Array.isArray(schema['examples']) && schema['examples'].length > 0) return schema['examples'][0];
    const branches = combinedBranches(schema, this.root);
    if (branches.kind === 'union') {
      for (const option of branches.schemas) {
        const candidate = this.sample(option, depth, name);
        if (this.fits(schema, candidate)) return candidate;
      }
      return this.sample(branches.schemas[0] as Schema, depth, name);
    }
    if (branches.kind === 'all') return this.sample(branches.schemas[0] as Schema, depth, name);
    const type = pickType(schema);
    switch (type) {
      case 'null':
        return null;
      case 'boolean':
        return false;
      case 'integer':
      case 'number':
        return sampleNumber(schema, type === 'integer');
      case 'string':
        return sampleString(schema, name);
      case 'array':
        return this.sampleArray(schema, depth, name);
      case 'object':
        return this.sampleObject(schema, depth);
      default:
        return null;
    }
  }

  private sampleArray(schema: Schema, depth: number, name?: string): unknown[] {
    const items = (isRecord(schema['items']) ? schema['items'] : {}) as Schema;
    const prefix = Array.isArray(schema['prefixItems']) ? (schema['prefixItems'] as Schema[]) : [];
    const min = typeof schema['minItems'] === 'number' ? schema['minItems'] : 0;
    const max = typeof schema['maxItems'] === 'number' ? schema['maxItems'] : Infinity;
    // One element by default, so simulated lists exercise the code that reads them.
    const count = Math.min(Math.max(min, prefix.length, depth < this.options.maxDepth ? 1 : 0), max);
    const out: unknown[] = [];
    for (let i = 0; i < count; i++) {
      out.push(this.sample(prefix[i] ?? items, depth + 1, name));
    }
    return out;
  }

  private sampleObject(schema: Schema, depth: number): Record<string, unknown> {
    const properties = (isRecord(schema['properties']) ? schema['properties'] : {}) as Record<string, Schema>;
    const required = new Set(Array.isArray(schema['required']) ? (schema['required'] as string[]) : []);
    const out: Record<string, unknown> = {};
    for (const [key, propertySchema] of Object.entries(properties)) {
      if (!required.has(key) && depth >= this.options.maxDepth) continue;
      out[key] = this.sample(propertySchema, depth + 1, key);
    }
    for (const key of required) {
      if (!(key in out)) out[key] = this.sample(true, depth + 1, key);
    }
    return out;
  }
}

type Branches = { kind: 'none' } | { kind: 'union' | 'all'; schemas: Schema[] };
// Merged branch schemas are built once per schema object, so their compiled checkers are reused across calls.
const branchCache = new WeakMap<Schema, Branches>();

function combinedBranches(schema: Schema, root: Schema): Branches {
  const cached = branchCache.get(schema);
  if (cached) return cached;
  let branches: Branches = { kind: 'none' };
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) {
      const base = Object.fromEntries(Object.entries(schema).filter(([k]) => k !== key));
      branches = { kind: 'union', schemas: (options as Schema[]).map((option) => ({ ...base, ...option })) };
      break;
    }
  }
  if (branches.kind === 'none' && Array.isArray(schema['allOf'])) {
    const merged = (schema['allOf'] as Schema[]).reduce<Schema>(
      (acc, part) => mergeSchemas(acc, typeof part['$ref'] === 'string' ? resolvePointer(root, part['$ref']) : part),
      Object.fromEntries(Object.entries(schema).filter(([k]) => k !== 'allOf')),
    );
    branches = { kind: 'all', schemas: [merged] };
  }
  branchCache.set(schema, branches);
  return branches;
}

function mergeSchemas(a: Schema, b: Schema): Schema {
  const merged: Schema = { ...a, ...b };
  if (isRecord(a['properties']) || isRecord(b['properties'])) {
    merged['properties'] = { ...(a['properties'] as object), ...(b['properties'] as object) };
  }
  if (Array.isArray(a['required']) || Array.isArray(b['required'])) {
    merged['required'] = [...new Set([...((a['required'] as string[]) ?? []), ...((b['required'] as string[]) ?? [])])];
  }
  return merged;
}

function pickType(schema: Schema): string | undefined {
  const type = schema['type'];
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return (type as string[]).find((t) => t !== 'null') ?? 'null';
  if (isRecord(schema['properties'])) return 'object';
  if (schema['items'] !== undefined) return 'array';
  return undefined;
}

function sampleNumber(schema: Schema, integer: boolean): number {
  const num = (key: string) => (typeof schema[key] === 'number' ? (schema[key] as number) : undefined);
  const exclusiveMinimum = num('exclusiveMinimum');
  const maximum = num('maximum');
  let value = num('minimum') ?? (exclusiveMinimum !== undefined ? exclusiveMinimum + 1 : undefined);
  if (value === undefined) value = maximum !== undefined ? Math.min(0, maximum) : 0;
  const multiple = num('multipleOf');
  if (multiple) value = Math.ceil(value / multiple) * multiple;
  return integer ? Math.ceil(value) : value;
}

function sampleString(schema: Schema, name?: string): string {
  const format = typeof schema['format'] === 'string' ? schema['format'] : undefined;
  if (format && FORMAT_SAMPLES[format]) return FORMAT_SAMPLES[format]();
  if (!schema['pattern'] && name && /(^id|_id)$/.test(name)) return crypto.randomUUID();
  const min = typeof schema['minLength'] === 'number' ? schema['minLength'] : 0;
  const max = typeof schema['maxLength'] === 'number' ? schema['maxLength'] : Infinity;
  let value = `dry ${name ?? 'value'}`;
  if (value.length < min) value = value.padEnd(min, 'x');
  if (value.length > max) value = value.slice(0, max);
  return value;
}

/**
 * A deterministic, schema-valid instance of `schema` (formats, enums, bounds, `$ref`, combinators honoured). The
 * result is checked against the schema; a schema this sampler cannot satisfy (e.g. an unsatisfiable `pattern`)
 * throws rather than returning an invalid value.
 */
export function sampleFromSchema(schema: JsonSchema, options: SampleOptions = {}): unknown {
  const sampler = new Sampler(schema, { hints: options.hints ?? {}, maxDepth: options.maxDepth ?? 4 });
  const value = sampler.sample(schema, 0);
  const check = compileSchema(schema)(value);
  if (!check.valid) {
    throw new Error(`cannot simulate a value for this schema (${check.message}); sample was ${JSON.stringify(value)}`);
  }
  return value;
}
