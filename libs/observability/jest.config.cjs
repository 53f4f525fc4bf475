/** @type {import('jest').Config} */
module.exports = {
  displayName: '@atoms/observability',
  preset: '../../jest.preset.js',
};
