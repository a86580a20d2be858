import { spawnSync } from 'node:child_process';

// One jest run for the whole workspace. Workspace packages are consumed from source through the
// `dispatch-source` export condition, so tests never need a build first.
const common = {
  testEnvironment: 'node',
  testEnvironmentOptions: { customExportConditions: ['dispatch-source', 'node', 'node-addons'] },
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
  },
};

// Suites that run a second time against a real Redis Cluster (3 masters + 3 replicas started for
// the run, REDIS_URL=redis+cluster://…, DISPATCH_QUEUE_SHARDS=3), beside those written for it
// (`*.cluster.int.test.ts`). Chosen to cover delivery, retries, the pause hash and the rate limiter.
const CLUSTER_SUITES = [
  'apps/worker/test/delivery.int.test.ts',
  'apps/worker/test/retries.int.test.ts',
  'apps/worker/test/endpoint-pauses.int.test.ts',
  'apps/api/test/events.int.test.ts',
];
const canRunCluster = spawnSync('redis-server', ['--version']).status === 0 && spawnSync('redis-cli', ['--version']).status === 0;
if (!canRunCluster) {
  console.warn('jest: the Redis Cluster suites are SKIPPED: redis-server/redis-cli not found (apt-get install redis-server)');
}

export default {
  // Global only: inside a project jest ignores it (hooks would get its 5 s default).
  testTimeout: 30000,
  maxWorkers: 2,
  projects: [
    {
      ...common,
      displayName: 'redis',
      testMatch: ['<rootDir>/{apps,packages}/*/{src,test}/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.cluster\\.int\\.test\\.ts$'],
      globalSetup: '<rootDir>/test-support/global-setup.ts',
      globalTeardown: '<rootDir>/test-support/global-teardown.ts',
    },
    ...(canRunCluster
      ? [
          {
            ...common,
            displayName: 'redis-cluster',
            testMatch: [...CLUSTER_SUITES.map((path) => `<rootDir>/${path}`), '<rootDir>/{apps,packages}/*/test/**/*.cluster.int.test.ts'],
            globalSetup: '<rootDir>/test-support/cluster-global-setup.ts',
            globalTeardown: '<rootDir>/test-support/cluster-global-teardown.ts',
            setupFiles: ['<rootDir>/test-support/cluster-env.ts'],
          },
        ]
      : []),
  ],
};
