import base from '../eslint.config.mjs';

export default [
  ...base,
  {
    // The benchmarks drive the published libraries from outside (seeding, tokens, the bare comparison server): the
    // tooling project may import libraries there, never an app or the test framework.
    files: ['bench/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          depConstraints: [{ sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['type:lib'] }],
        },
      ],
    },
  },
];
