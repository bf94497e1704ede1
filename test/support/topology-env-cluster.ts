// Jest setupFilesAfterEnv of the e2e-cluster project (jest.config.js): each suite gets a
// 3-master cluster with a replica each, and startChime connects chime to it.
import { type RedisCluster, startRedisCluster } from './redis-cluster.js';

let cluster: RedisCluster | undefined;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
  process.env.CHIME_TEST_TOPOLOGY = 'cluster';
  process.env.CHIME_TEST_CLUSTER_NODES = cluster.seeds;
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
}, 60_000);
