import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { OPERATION_PARAMETER, TOOL_OPERATIONS, type AtomsToolName } from './contract.js';

export interface SurfaceProblem {
  tool: string;
  problem: string;
}

export interface SurfaceCheckOptions {
  /** Require the five Atoms tools and every operation of tools.md (default true). */
  atomsSurface?: boolean;
  /** Operations that may be missing (e.g. mutating ones under ATOMS_READ_ONLY=true). */
  allowMissingOperations?: readonly string[];
}

const HINTS = ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const;

type Schema = Record<string, unknown>;
const isRecord = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Values an input schema accepts for one property: its `enum`/`const`, across `oneOf`/`anyOf`/`allOf` branches. */
export function acceptedValues(schema: Schema, property: string): Set<string> {
  const values = new Set<string>();
  const visit = (node: unknown) => {
    if (!isRecord(node)) return;
    const prop = isRecord(node['properties']) ? node['properties'][property] : undefined;
    if (isRecord(prop)) {
      if (Array.isArray(prop['enum'])) for (const v of prop['enum']) if (typeof v === 'string') values.add(v);
      if (typeof prop['const'] === 'string') values.add(prop['const']);
      for (const key of ['oneOf', 'anyOf']) {
        const options = prop[key];
        if (Array.isArray(options))
          for (const o of options) if (isRecord(o) && typeof o['const'] === 'string') values.add(o['const']);
      }
    }
    for (const key of ['oneOf', 'anyOf', 'allOf']) {
      const branches = node[key];
      if (Array.isArray(branches)) branches.forEach(visit);
    }
  };
  visit(schema);
  return values;
}

/**
 * Checks an advertised tool list against the contract of tools.md: every tool has a title and the four behaviour
 * hints, an object input schema and an object output schema; with `atomsSurface`, the five tools are there and
 * each accepts every operation of its tool (read from the operation parameter's enum/const values).
 */
export function checkToolSurface(tools: readonly Tool[], options: SurfaceCheckOptions = {}): SurfaceProblem[] {
  const problems: SurfaceProblem[] = [];
  const allowed = new Set(options.allowMissingOperations ?? []);
  for (const tool of tools) {
    const add = (problem: string) => problems.push({ tool: tool.name, problem });
    if (!tool.title && !tool.annotations?.title) add('no title');
    for (const hint of HINTS) {
      if (typeof tool.annotations?.[hint] !== 'boolean') add(`annotation ${hint} is not declared`);
    }
    if (tool.inputSchema.type !== 'object') add('input schema root is not type "object"');
    if (!tool.outputSchema) add('no output schema');
    else if (tool.outputSchema.type !== 'object') add('output schema root is not type "object"');
  }
  if (options.atomsSurface ?? true) {
    for (const name of Object.keys(TOOL_OPERATIONS) as AtomsToolName[]) {
      const tool = tools.find((t) => t.name === name);
      if (!tool) {
        problems.push({ tool: name, problem: 'not advertised' });
        continue;
      }
      const accepted = acceptedValues(tool.inputSchema as Schema, OPERATION_PARAMETER[name]);
      const missing = TOOL_OPERATIONS[name].filter((op) => !accepted.has(op) && !allowed.has(op));
      if (missing.length > 0) {
        problems.push({ tool: name, problem: `operations not accepted: ${missing.join(', ')}` });
      }
    }
  }
  return problems;
}
