const tsJest = ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }];
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': tsJest },
};

/**
 * Suites that prove SPEC 4 over HTTP alone (no Redis client of their own), run again with
 * chime on a 3-master Redis Cluster and on a Sentinel group: the replay, its counts and
 * stats (admin-ticks) and a burst across a shutdown, nothing lost (delivery-lifecycle).
 * The minute-bound on-time suite (delivery-on-time) runs on one node only: on the others it
 * added a minute each to a suite that must stay under 10, and delivery once and on time on
 * a cluster and behind Sentinel is what cluster-chime and failover-burst show.
 * SPEC 3, 7 and 8 on a cluster or Sentinel have their own suites (cluster-chime,
 * redis-cluster, redis-sentinel, replica-*); the rest run on one node, where they read Redis
 * directly. The suite stays well under 10 minutes.
 */
const TOPOLOGY_SUITES = {
  cluster: ['admin-ticks', 'delivery-lifecycle'],
  sentinel: ['admin-ticks', 'delivery-lifecycle'],
};
const topologyProject = (topology) => ({
  ...common,
  displayName: `e2e-${topology}`,
  testMatch: TOPOLOGY_SUITES[topology].map((name) => `<rootDir>/test/${name}.e2e-spec.ts`),
  // Each suite starts its own servers (topology-env-*.ts).
  setupFilesAfterEnv: [`<rootDir>/test/support/topology-env-${topology}.ts`],
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
  // Jest reads these only at the top level; e2e hooks start real processes.
  testTimeout: 30000,
  /**
   * Two suites at a time: most e2e suites wait for real minutes (a tick at second 0, a quiet
   * window's end), so two of them share the 2 cores with room to spare. One at a time took
   * 471 s here and 704 s on CI; two took about 300 s here.
   */
  maxWorkers: 2,
};
