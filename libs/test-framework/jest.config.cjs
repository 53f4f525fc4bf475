/** @type {import('jest').Config} */
module.exports = {
  displayName: '@atoms/test-framework',
  preset: '../../jest.preset.js',
  // PGlite instances are ~400 MB each; one per test file, two files at a time at most.
  maxWorkers: 2,
  testTimeout: 30000,
};
