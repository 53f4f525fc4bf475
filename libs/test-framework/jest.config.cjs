/** @type {import('jest').Config} */
module.exports = {
  displayName: '@atoms/test-framework',
  preset: '../../jest.preset.js',
  // PGlite instances are ~400 MB each; one per test file, two files at a time at most.
  maxWorkers: 2,
  // Recycle a worker once a file left it big (PGlite's WebAssembly heap), so the next file starts lean and the
  // final shutdown has no large instance to tear down.
  workerIdleMemoryLimit: '700MB',
  testTimeout: 30000,
};
