import root from '../../eslint.config.mjs';

// The migration runner (`@atoms/schema/migrate`) is a Node-only entry point like `src/node/`: it keeps the scope
// rules but not the isomorphic runtime bans (it reads files, opens pg and PGlite connections).
const nodeOnlyHere = ['src/migrate/**/*.ts', '**/src/migrate/**/*.ts'];
const scopeOnly = root.find(
  (block) => Array.isArray(block.files) && block.files.includes('**/src/node/**') && block.rules,
);

export default [
  ...root,
  {
    files: nodeOnlyHere,
    rules: {
      'no-restricted-imports': 'off',
      ...(scopeOnly ? { '@nx/enforce-module-boundaries': scopeOnly.rules['@nx/enforce-module-boundaries'] } : {}),
    },
  },
];
