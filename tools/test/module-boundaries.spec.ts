/**
 * Proves every dependency rule of the architecture bites: each probe is linted with the workspace's real ESLint
 * configuration, as a file inside a real project (ESLint's lintText with a virtual path; nothing is written), and
 * must be refused with the rule's own message — or, for the allowed counterparts, pass cleanly. Allowed probes keep
 * the rules honest: a configuration that refused everything would fail them.
 */
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: root });

interface Probe {
  name: string;
  file: string;
  code: string;
  /** The message expected from the boundary rules, or null when the import is allowed. */
  refused: RegExp | null;
}

const scope = (tag: string) => new RegExp(`A project tagged with "${tag}" can only depend on libs tagged with`);
const banned = (imp: string) =>
  new RegExp(`A project tagged with "runtime:isomorphic" is not allowed to import "${imp.replace(/[/.]/g, '\\$&')}"`);
const builtin = /Isomorphic code runs on the Edge runtime: no Node built-ins/;

const probes: Probe[] = [
  // Scope rules.
  {
    name: 'session imports nothing internal',
    file: 'libs/session/src/probe.ts',
    code: "import '@atoms/schema';",
    refused: scope('scope:session'),
  },
  {
    name: 'observability imports nothing internal',
    file: 'libs/observability/src/probe.ts',
    code: "import '@atoms/session';",
    refused: scope('scope:observability'),
  },
  {
    name: 'schema imports nothing internal',
    file: 'libs/schema/src/probe.ts',
    code: "import '@atoms/observability';",
    refused: scope('scope:schema'),
  },
  {
    name: 'tools may not import session',
    file: 'libs/tools/src/probe.ts',
    code: "import '@atoms/session';",
    refused: scope('scope:tools'),
  },
  { name: 'tools may import schema', file: 'libs/tools/src/probe.ts', code: "import '@atoms/schema';", refused: null },
  {
    name: 'tools may import observability',
    file: 'libs/tools/src/probe.ts',
    code: "import '@atoms/observability';",
    refused: null,
  },
  { name: 'server may import tools', file: 'libs/server/src/probe.ts', code: "import '@atoms/tools';", refused: null },
  {
    name: 'server may import session',
    file: 'libs/server/src/probe.ts',
    code: "import '@atoms/session';",
    refused: null,
  },
  {
    name: 'server may not import the test framework',
    file: 'libs/server/src/probe.ts',
    code: "import '@atoms/test-framework';",
    refused: scope('scope:server'),
  },
  {
    name: 'a library never imports an app',
    file: 'libs/test-framework/src/probe.ts',
    code: "import '@atoms/mcp-server';",
    // Apps depend (transitively) on every library, so such an import is also a cycle, which Nx reports first.
    refused: /Imports of apps are forbidden|Circular dependency between "test-framework" and "mcp-server"/,
  },
  {
    name: 'the test framework may import libraries',
    file: 'libs/test-framework/src/probe.ts',
    code: "import '@atoms/schema';",
    refused: null,
  },
  {
    name: 'an app may import libraries',
    file: 'apps/mcp-server/src/probe.ts',
    code: "import '@atoms/server';",
    refused: null,
  },
  {
    name: 'an app may not import the test framework outside tests',
    file: 'apps/mcp-server/src/probe.ts',
    code: "import '@atoms/test-framework';",
    refused: scope('type:app'),
  },
  {
    name: "an app's tests may import the test framework",
    file: 'apps/mcp-server/src/probe.spec.ts',
    code: "import '@atoms/test-framework';",
    refused: null,
  },
  // Runtime rules: isomorphic shipped sources.
  {
    name: 'isomorphic code may not import pg',
    file: 'libs/schema/src/probe.ts',
    code: "import 'pg';",
    refused: banned('pg'),
  },
  {
    name: 'isomorphic code may not import ioredis',
    file: 'libs/session/src/probe.ts',
    code: "import 'ioredis';",
    refused: banned('ioredis'),
  },
  {
    name: 'isomorphic code may not import PGlite',
    file: 'libs/schema/src/probe.ts',
    code: "import '@electric-sql/pglite';",
    refused: banned('@electric-sql/pglite'),
  },
  {
    name: 'isomorphic code may not import node: built-ins',
    file: 'libs/server/src/probe.ts',
    code: "import 'node:crypto';",
    refused: builtin,
  },
  {
    name: 'isomorphic code may not import bare built-ins',
    file: 'libs/tools/src/probe.ts',
    code: "import 'fs';",
    refused: builtin,
  },
  {
    name: 'the edge app is isomorphic too',
    file: 'apps/edge/src/probe.ts',
    code: "import 'node:fs';",
    refused: builtin,
  },
  { name: 'isomorphic code may import zod', file: 'libs/schema/src/probe.ts', code: "import 'zod';", refused: null },
  // Node-only files inside isomorphic projects keep the scope rules but not the runtime bans.
  {
    name: 'a node entry may import ioredis',
    file: 'libs/session/src/node/probe.ts',
    code: "import 'ioredis';",
    refused: null,
  },
  {
    name: 'a node entry may import node: built-ins',
    file: 'libs/schema/src/node/probe.ts',
    code: "import 'node:fs';",
    refused: null,
  },
  {
    name: 'the migration runner may import pg and node: built-ins',
    file: 'libs/schema/src/migrate/probe.ts',
    code: "import 'node:fs';\nimport 'pg';",
    refused: null,
  },
  {
    name: 'a node entry still obeys scope rules',
    file: 'libs/session/src/node/probe.ts',
    code: "import '@atoms/schema';",
    refused: scope('scope:session'),
  },
  {
    name: 'the Node app may import node: built-ins',
    file: 'apps/mcp-server/src/probe.ts',
    code: "import 'node:http';",
    refused: null,
  },
];

const boundaryRules = new Set(['@nx/enforce-module-boundaries', 'no-restricted-imports']);

describe('module boundaries', () => {
  it.each(probes)('$name', async ({ file, code, refused }) => {
    const [result] = await eslint.lintText(code + '\n', { filePath: path.join(root, file) });
    const messages = result.messages.filter((m) => m.ruleId === null || boundaryRules.has(m.ruleId));
    // A null ruleId is a parse or configuration failure: never acceptable.
    expect(messages.filter((m) => m.ruleId === null)).toEqual([]);
    if (refused) {
      expect(messages.map((m) => m.message)).toEqual(expect.arrayContaining([expect.stringMatching(refused)]));
    } else {
      expect(messages).toEqual([]);
    }
  });
});
