/** @type {import('jest').Config} */
module.exports = {
  displayName: '@atoms/tools',
  preset: '../../jest.preset.js',
  // One test database per file (a PostgreSQL clone by default); two files at a time on two cores.
  maxWorkers: 2,
  workerIdleMemoryLimit: '700MB',
  testTimeout: 30000,
};
