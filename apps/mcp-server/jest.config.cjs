/** @type {import('jest').Config} */
module.exports = {
  displayName: '@atoms/mcp-server',
  preset: '../../jest.preset.js',
  // The process suites start the app as a child (TypeScript compiled on the fly, PGlite opened): seconds each.
  testTimeout: 120_000,
};
