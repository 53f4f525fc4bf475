/** @type {import('jest').Config} */
module.exports = {
  displayName: '@atoms/session',
  preset: '../../jest.preset.js',
};
