import { builtinModules } from 'node:module';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import * as jsoncParser from 'jsonc-eslint-parser';

// The dependency rules of docs/architecture (shared/spec/architecture.md), enforced on every import.
// Scope rules: which libraries a project may import. Runtime rules: what isomorphic code may not import.
const scopeConstraints = [
  { sourceTag: 'scope:session', onlyDependOnLibsWithTags: ['scope:session'] },
  { sourceTag: 'scope:observability', onlyDependOnLibsWithTags: ['scope:observability'] },
  { sourceTag: 'scope:schema', onlyDependOnLibsWithTags: ['scope:schema'] },
  { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:schema', 'scope:observability'] },
  {
    sourceTag: 'scope:server',
    onlyDependOnLibsWithTags: ['scope:tools', 'scope:session', 'scope:observability', 'scope:schema'],
  },
  { sourceTag: 'scope:test-framework', onlyDependOnLibsWithTags: ['type:lib'] },
  // Apps compose libraries; the test framework only from their tests (see the test-file block below).
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  // Libraries never import apps.
  { sourceTag: 'type:lib', notDependOnLibsWithTags: ['type:app'] },
  { sourceTag: 'type:test', notDependOnLibsWithTags: ['type:app'] },
];

// Node-only npm packages: isomorphic code (Vercel Edge, V8 isolates) must never pull them into a bundle.
const nodeOnlyPackages = [
  'pg',
  'pg-*',
  'ioredis',
  '@electric-sql/pglite',
  '@electric-sql/pglite-*',
  'pino',
  'prom-client',
];
const runtimeConstraints = [
  {
    sourceTag: 'runtime:isomorphic',
    onlyDependOnLibsWithTags: ['runtime:isomorphic'],
    bannedExternalImports: nodeOnlyPackages,
  },
];

// Node built-ins are not projects, so the Nx rule never sees them; ESLint's own rule bans them instead.
const noNodeBuiltins = [
  'error',
  {
    paths: builtinModules.map((name) => ({
      name,
      message: 'Isomorphic code runs on the Edge runtime: no Node built-ins. Put Node-only code under src/node/.',
    })),
    patterns: [
      {
        group: ['node:*'],
        message: 'Isomorphic code runs on the Edge runtime: no Node built-ins. Put Node-only code under src/node/.',
      },
    ],
  },
];

const boundaries = (depConstraints) => [
  'error',
  {
    enforceBuildableLibDependency: true,
    allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$'],
    depConstraints,
  },
];

// Files that run only on Node even inside an isomorphic project: node entry points (`src/node/`, the migration
// runner `src/migrate/`), tests, benchmarks, scripts.
const nodeOnlyFiles = [
  '**/src/node/**',
  '**/src/node.ts',
  '**/src/migrate/**',
  '**/*.spec.ts',
  '**/test/**',
  '**/bench/**',
  '**/scripts/**',
];
const testFiles = ['**/*.spec.ts', '**/test/**', '**/bench/**'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  prettier,
  { ignores: ['**/dist', '**/out-tsc', '**/node_modules', '**/test-output', '.atoms/**', 'tmp/**'] },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries([...scopeConstraints, ...runtimeConstraints]),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Isomorphic projects' shipped sources: no Node built-ins.
    files: ['libs/{session,observability,schema,tools,server}/src/**/*.ts', 'apps/edge/src/**/*.ts'],
    ignores: nodeOnlyFiles,
    rules: { 'no-restricted-imports': noNodeBuiltins },
  },
  {
    // Node-only files keep the scope rules but not the runtime bans.
    files: nodeOnlyFiles,
    rules: { '@nx/enforce-module-boundaries': boundaries(scopeConstraints) },
  },
  {
    // Tests of any project may use the test framework on top of their own scope's dependencies.
    files: testFiles,
    rules: {
      '@nx/enforce-module-boundaries': boundaries(
        scopeConstraints.map((c) =>
          c.onlyDependOnLibsWithTags
            ? { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'scope:test-framework'] }
            : c,
        ),
      ),
    },
  },
  {
    // Published libraries declare exactly what they import.
    files: ['libs/*/package.json'],
    languageOptions: { parser: jsoncParser },
    rules: {
      '@nx/dependency-checks': [
        'error',
        {
          ignoredFiles: [
            '{projectRoot}/eslint.config.{js,cjs,mjs,ts,cts,mts}',
            '{projectRoot}/{test,bench,scripts}/**',
            '{projectRoot}/jest.config.cjs',
            '{projectRoot}/src/**/*.spec.ts',
          ],
          ignoredDependencies: ['tslib'],
          checkObsoleteDependencies: false,
        },
      ],
    },
  },
];
