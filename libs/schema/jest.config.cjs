/** @type {import('jest').Config} */
module.exports = {
  displayName: '@atoms/schema',
  preset: '../../jest.preset.js',
  // The first run of a checkout builds the migrated template database and PGlite snapshot (several seconds).
  testTimeout: 120_000,
};
