/** Browser suite (Chromium): `npx nx run observability:test-browser`. Not part of `test`, which needs no browser. */
/** @type {import('jest').Config} */
module.exports = {
  displayName: '@atoms/observability (browser)',
  preset: '../../jest.preset.js',
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  testTimeout: 60_000,
};
