/** @type {import('jest').Config} */
module.exports = {
  displayName: '@atoms/schema',
  preset: '../../jest.preset.js',
};
