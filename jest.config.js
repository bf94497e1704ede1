const tsJest = ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }];
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': tsJest },
};

/**
 * The e2e suites that prove SPEC 1-8 over HTTP alone (no Redis client of their own), run
 * again with chime on a 3-master Redis Cluster and on a Sentinel group: on time and once,
 * changes win, retries and dead letters (delivery-on-time), the replay (admin-ticks), the
 * lifecycle of a delivery (delivery-lifecycle). SPEC 3, 7 and 8 on a cluster or Sentinel
 * have their own suites (cluster-chime, redis-cluster, redis-sentinel, replica-*), which
 * start what they need; the rest run on one node, where they read Redis directly.
 */
const TOPOLOGY_SUITES = ['delivery-on-time', 'admin-ticks', 'delivery-lifecycle'].map(
  (name) => `<rootDir>/test/${name}.e2e-spec.ts`,
);
const topologyProject = (topology) => ({
  ...common,
  displayName: `e2e-${topology}`,
  testMatch: TOPOLOGY_SUITES,
  // Each suite starts its own servers (topology-env-*.ts); the one node is still set up, for
  // the support code that reads CHIME_TEST_REDIS_URL.
  setupFilesAfterEnv: [`<rootDir>/test/support/topology-env-${topology}.ts`],
  globalSetup: '<rootDir>/test/support/redis-server.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
});

/** Unit specs sit beside the code; e2e specs start the built app and real Redis. */
export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/redis-server.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    topologyProject('cluster'),
    topologyProject('sentinel'),
  ],
  // Jest reads this only at the top level; e2e hooks start real processes.
  testTimeout: 30000,
};
