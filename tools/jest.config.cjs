/** @type {import('jest').Config} */
module.exports = {
  displayName: 'workspace-tools',
  preset: '../jest.preset.js',
  // Each probe lints through the real Nx project graph; graph creation takes a few seconds.
  testTimeout: 120_000,
};
