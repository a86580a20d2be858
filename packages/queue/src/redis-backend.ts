import { Queue, Worker, type ConnectionOptions, type Processor } from 'bullmq';
import { createRedisClient, redisConnection, releaseRedisConnection, type RedisClient } from './connection.js';
import type { EndpointPauses } from './endpoint-pauses.js';
import type { AnyQueue, QueueBackend, QueueWorkerOptions } from './queue-backend.js';
import { RedisEndpointPauses } from './redis-endpoint-pauses.js';

export interface RedisBackendSettings {
  /** REDIS_URL: one server, a Sentinel-managed master or a Redis Cluster (see connection.ts). */
  url: string;
  prefix: string;
  /**
   * Producers share one connection that fails commands at once while Redis is away (the API must
   * answer, its rows are durable in Postgres) instead of queueing them. Without it (the worker)
   * each queue owns a connection that waits out an outage.
   */
  failFast?: boolean;
  onConnectionError?: (err: Error) => void;
}

export class RedisBackend implements QueueBackend {
  readonly kind = 'redis';
  readonly sharedRedis: RedisClient | undefined;
  private readonly producerConnection: ConnectionOptions;
  // Made on first use: the API (fail-fast producers only) never opens it. On a cluster it is one
  // Cluster client the workers share (each duplicates it for its blocking reads).
  private waitingConnection: ConnectionOptions | undefined;

  constructor(private readonly settings: RedisBackendSettings) {
    if (settings.failFast) {
      this.sharedRedis = createRedisClient(settings.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
      this.sharedRedis.on('error', (err: Error) => settings.onConnectionError?.(err));
    }
    this.producerConnection = this.sharedRedis ?? this.connectionThatWaits();
  }

  private connectionThatWaits(): ConnectionOptions {
    this.waitingConnection ??= redisConnection(this.settings.url);
    return this.waitingConnection;
  }

  queue(name: string): AnyQueue {
    return new Queue(name, { connection: this.producerConnection, prefix: this.settings.prefix });
  }

  worker(name: string, processor: Processor, options: QueueWorkerOptions) {
    // Workers block on connections that wait out an outage, never the shared fail-fast one.
    return new Worker(name, processor, { ...options, connection: this.connectionThatWaits(), prefix: this.settings.prefix });
  }

  endpointPauses(queue: AnyQueue): EndpointPauses {
    return new RedisEndpointPauses(queue as Queue, this.settings.prefix);
  }

  isReady(): boolean {
    return this.sharedRedis ? this.sharedRedis.status === 'ready' : true;
  }

  async ping(queue: AnyQueue): Promise<void> {
    if (this.sharedRedis) {
      await this.sharedRedis.ping();
      return;
    }
    // A connection still (re)connecting would hold the command until it is up: not ready.
    const client = await (queue as Queue).getBackend().client;
    if (client.status !== 'ready') throw new Error(`redis connection ${client.status}`);
    await queue.getJobCounts('active');
  }

  async close(): Promise<void> {
    this.sharedRedis?.disconnect();
    if (this.waitingConnection) await releaseRedisConnection(this.waitingConnection);
  }
}
