import { describe, expect, it } from '@jest/globals';
import { Cluster, Redis } from 'ioredis';
import { createRedisClient, redisConnection, releaseRedisConnection } from './connection.js';

// What each REDIS_URL form becomes for ioredis and BullMQ. Nothing connects here (lazyConnect, or
// options only); the cluster and single-server forms are exercised for real by the redis-cluster
// jest project and every other integration suite.

describe('redisConnection (what BullMQ gets)', () => {
  it('gives one server as options BullMQ opens itself, workers never giving up a command', () => {
    expect(redisConnection('rediss://app:s%40cret@cache:6380/2')).toEqual({
      host: 'cache',
      port: 6380,
      db: 2,
      username: 'app',
      password: 's@cret',
      tls: {},
      maxRetriesPerRequest: null,
    });
  });

  it('gives Sentinel as options naming the sentinels and the master (ioredis asks them where it is)', () => {
    expect(redisConnection('redis+sentinel://:pw@s1:26379,s2:26380/mymaster/1?sentinelPassword=sp')).toEqual({
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26380 },
      ],
      name: 'mymaster',
      db: 1,
      username: undefined,
      password: 'pw',
      sentinelPassword: 'sp',
      tls: undefined,
      enableTLSForSentinelMode: false,
      maxRetriesPerRequest: null,
    });
  });

  it('gives a cluster as a Cluster client seeded with every node, the per-node settings inside redisOptions', async () => {
    const connection = redisConnection('rediss+cluster://app:pw@10.0.0.1:7000,10.0.0.2:7001');
    expect(connection).toBeInstanceOf(Cluster);
    const cluster = connection as Cluster;
    try {
      // ioredis keeps the seeds in a private field; they are what the URL listed.
      expect((cluster as unknown as { startupNodes: unknown }).startupNodes).toEqual([
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ]);
      expect(cluster.options.redisOptions).toMatchObject({ username: 'app', password: 'pw', tls: {}, maxRetriesPerRequest: null });
    } finally {
      // Never connected (no such nodes): dropped at once, where a QUIT would wait for good.
      await releaseRedisConnection(cluster);
    }
    expect(cluster.status).toBe('disconnecting');
  });
});

describe('createRedisClient (the API\'s own client)', () => {
  it('applies the caller\'s tuning to a single server and to every node of a cluster', () => {
    const tuning = { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true };
    const single = createRedisClient('redis://127.0.0.1:6390', tuning);
    const cluster = createRedisClient('redis+cluster://127.0.0.1:7000', tuning);
    try {
      expect(single).toBeInstanceOf(Redis);
      expect((single as Redis).options).toMatchObject({ host: '127.0.0.1', port: 6390, maxRetriesPerRequest: 1, enableOfflineQueue: false });
      expect(cluster).toBeInstanceOf(Cluster);
      expect((cluster as Cluster).options).toMatchObject({ enableOfflineQueue: false, redisOptions: { maxRetriesPerRequest: 1 } });
    } finally {
      single.disconnect();
      cluster.disconnect();
    }
  });

  it('refuses a URL the config would refuse, with the same reason', () => {
    expect(() => createRedisClient('redis+cluster://h:1/3')).toThrow(/has no path/);
  });
});
