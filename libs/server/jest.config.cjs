/** @type {import('jest').Config} */
module.exports = { displayName: '@atoms/server', preset: '../../jest.preset.js', testTimeout: 20000 };
