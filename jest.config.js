// One jest run for the whole workspace. Workspace packages are consumed from source through the
// `dispatch-source` export condition, so tests never need a build first.
export default {
  testEnvironment: 'node',
  testEnvironmentOptions: { customExportConditions: ['dispatch-source', 'node', 'node-addons'] },
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
  },
  testMatch: ['<rootDir>/{apps,packages}/*/{src,test}/**/*.test.ts'],
  globalSetup: '<rootDir>/test-support/global-setup.ts',
  globalTeardown: '<rootDir>/test-support/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};
