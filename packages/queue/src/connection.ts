import type { ConnectionOptions } from 'bullmq';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { parseRedisUrl, type RedisTarget } from '@dispatch/core';

// Every Redis connection of Dispatch is built here from REDIS_URL (one server, a Sentinel-managed
// master or a Redis Cluster; see core's redis-url.ts for the forms), so the API, the worker, BullMQ
// and the endpoint-pauses hash all reach the same Redis the same way.

export type RedisClient = Redis | Cluster;

/** Settings a caller may change: how commands behave while Redis is away. */
export type RedisTuning = Pick<RedisOptions, 'maxRetriesPerRequest' | 'enableOfflineQueue' | 'lazyConnect'>;

// Without retryStrategy, which ioredis types as nullable and BullMQ's options do not (it is never set here).
type ServerOptions = Omit<RedisOptions, 'retryStrategy'>;

function serverOptions(target: Exclude<RedisTarget, { mode: 'cluster' }>, tuning: RedisTuning): ServerOptions {
  const common: ServerOptions = {
    username: target.username,
    password: target.password,
    db: target.db,
    tls: target.tls ? {} : undefined,
    ...tuning,
  };
  if (target.mode === 'standalone') return { ...common, host: target.host, port: target.port };
  return {
    ...common,
    sentinels: target.sentinels,
    name: target.masterName,
    sentinelPassword: target.sentinelPassword,
    enableTLSForSentinelMode: target.tls,
  };
}

function clusterOptions(target: Extract<RedisTarget, { mode: 'cluster' }>, tuning: RedisTuning): ClusterOptions {
  const { enableOfflineQueue, lazyConnect, ...perNode } = tuning;
  return {
    // Per-node settings belong in redisOptions: left at the top level, each node connection would
    // silently keep ioredis's own (20 retries per request, which BullMQ's workers refuse).
    redisOptions: { username: target.username, password: target.password, tls: target.tls ? {} : undefined, ...perNode },
    enableOfflineQueue,
    lazyConnect,
    enableReadyCheck: true,
    // While a replica is promoted, commands get CLUSTERDOWN or redirections; these retry them over
    // about 5 s instead of ioredis's 1.6 s, so a failover costs callers a pause rather than errors.
    maxRedirections: 50,
    retryDelayOnClusterDown: 100,
    retryDelayOnFailover: 100,
  };
}

/** A client of its own (the caller closes it): a `Cluster` for a cluster URL, else a `Redis`. */
export function createRedisClient(redisUrl: string, tuning: RedisTuning = {}): RedisClient {
  const target = parseRedisUrl(redisUrl);
  return target.mode === 'cluster' ? new Cluster(target.nodes, clusterOptions(target, tuning)) : new Redis(serverOptions(target, tuning));
}

/**
 * What BullMQ's Queue and Worker take as `connection`. For one server or Sentinel, options: BullMQ
 * opens and closes its connections itself. For a cluster, a `Cluster` client (BullMQ cannot build
 * one from options): queues share it and workers duplicate it for their blocking reads, and the
 * caller releases it (`releaseRedisConnection`) after closing them.
 */
export function redisConnection(redisUrl: string): ConnectionOptions {
  // Workers block on Redis; they must wait out an outage instead of failing commands.
  const tuning: RedisTuning = { maxRetriesPerRequest: null };
  const target = parseRedisUrl(redisUrl);
  return target.mode === 'cluster' ? new Cluster(target.nodes, clusterOptions(target, tuning)) : serverOptions(target, tuning);
}

/**
 * Closes what `redisConnection` opened itself (a cluster client); options need nothing. A client
 * that is not connected is dropped: a graceful QUIT would wait for a Redis that is away.
 */
export async function releaseRedisConnection(connection: ConnectionOptions): Promise<void> {
  if (!(connection instanceof Cluster || connection instanceof Redis)) return;
  if (connection.status === 'ready') await connection.quit().catch(() => connection.disconnect());
  else connection.disconnect();
}
