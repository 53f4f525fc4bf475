// Shared Jest settings for every project. Our libraries are native ES modules (they use import.meta and
// top-level await), so Jest runs in its ESM mode: `NODE_OPTIONS=--experimental-vm-modules` is set by the
// `test` target default in nx.json. SWC strips types only; type checking is the `typecheck` target's job.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  // Source files import each other with `.js` specifiers (NodeNext); map them back to the `.ts` sources.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // Resolve workspace libraries to their TypeScript sources (the `@atoms/source` export condition), so tests
  // never need a prior build.
  testEnvironmentOptions: { customExportConditions: ['@atoms/source', 'node', 'node-addons'] },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  // The summary reporter lets .ci/run print one closing 'N passed, N failed' line for the workspace.
  reporters: ['default', require('node:path').join(__dirname, 'tools/jest/summary-reporter.cjs')],
  // Two cores: keep memory-heavy suites (PGlite is ~400 MB per instance) from oversubscribing the machine.
  maxWorkers: 2,
  // Integration tests talk to real PostgreSQL, Redis, PGlite and HTTP servers on a shared 2-core machine; a 5 s
  // default turns load into false failures. Suites that need longer set their own.
  testTimeout: 30_000,
};
