// Without extensions: jest loads its global setup as CommonJS (see global-setup.ts).
import databaseSetup from './global-setup';
import { RedisClusterUnderTest } from './redis-cluster';

declare global {
  // Kept for the teardown, which runs in the same process.
  var dispatchTestCluster: RedisClusterUnderTest | undefined;
}

/**
 * The redis-cluster project's setup: the run's database (unless the other project made it already)
 * and one Redis Cluster for every suite of the project, its URL handed on to cluster-env.ts.
 */
export default async function clusterGlobalSetup(): Promise<void> {
  if (!process.env.DISPATCH_TEST_DATABASE) await databaseSetup();
  const cluster = await RedisClusterUnderTest.start();
  globalThis.dispatchTestCluster = cluster;
  process.env.DISPATCH_TEST_CLUSTER_URL = cluster.url;
}
