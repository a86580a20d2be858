import { Cluster, type Redis } from 'ioredis';
import { createRedisClient } from '@dispatch/queue';

/**
 * Deletes the keys matching `pattern` (a harness's prefix) from the Redis at `redisUrl`, one server
 * or every master of a cluster. One key per command: on a cluster, keys of different slots cannot
 * share a DEL.
 */
export async function deleteKeysMatching(redisUrl: string, pattern: string): Promise<void> {
  const client = createRedisClient(redisUrl, { maxRetriesPerRequest: 2 });
  client.on('error', () => {});
  try {
    const nodes: Redis[] = client instanceof Cluster ? (await waitForNodes(client)) : [client];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        if (keys.length) await keys.reduce((pipeline, key) => pipeline.unlink(key), node.pipeline()).exec();
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    client.disconnect();
  }
}

async function waitForNodes(cluster: Cluster): Promise<Redis[]> {
  if (cluster.status !== 'ready') await new Promise<void>((resolve, reject) => cluster.once('ready', resolve).once('end', () => reject(new Error('cluster connection ended'))));
  return cluster.nodes('master');
}
