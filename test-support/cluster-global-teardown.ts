import databaseTeardown from './global-teardown';

/** Stops the run's cluster, and drops the run's database (a second drop by the other project finds nothing). */
export default async function clusterGlobalTeardown(): Promise<void> {
  await globalThis.dispatchTestCluster?.stop();
  await databaseTeardown();
}
