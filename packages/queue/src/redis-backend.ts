import { Queue, Worker, type ConnectionOptions, type Processor } from 'bullmq';
import { Redis } from 'ioredis';
import { redisConnectionOptions } from './connection.js';
import type { EndpointPauses } from './endpoint-pauses.js';
import type { AnyQueue, QueueBackend, QueueWorkerOptions } from './queue-backend.js';
import { RedisEndpointPauses } from './redis-endpoint-pauses.js';

export interface RedisBackendSettings {
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
  readonly sharedRedis: Redis | undefined;
  private readonly producerConnection: ConnectionOptions | Redis;

  constructor(private readonly settings: RedisBackendSettings) {
    if (settings.failFast) {
      this.sharedRedis = new Redis({ ...redisConnectionOptions(settings.url), maxRetriesPerRequest: 1, enableOfflineQueue: false });
      this.sharedRedis.on('error', (err) => settings.onConnectionError?.(err));
    }
    this.producerConnection = this.sharedRedis ?? redisConnectionOptions(settings.url);
  }

  queue(name: string): AnyQueue {
    return new Queue(name, { connection: this.producerConnection, prefix: this.settings.prefix });
  }

  worker(name: string, processor: Processor, options: QueueWorkerOptions) {
    // Workers block on their own connections: always options, never the shared fail-fast one.
    return new Worker(name, processor, { ...options, connection: redisConnectionOptions(this.settings.url), prefix: this.settings.prefix });
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
  }
}
