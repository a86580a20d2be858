import type { Queue } from 'bullmq';
import { liveUntil, type EndpointPauses } from './endpoint-pauses.js';

/** Pauses in one Redis hash beside the queue's keys. */
export class RedisEndpointPauses implements EndpointPauses {
  // One hash for all endpoints: one key, so reading many is one HMGET on a Redis Cluster too. Its
  // fields do not expire by themselves: readers ignore a time past, and `forgetEnded` drops them.
  private readonly key: string;

  constructor(
    private readonly queue: Queue,
    prefix: string,
  ) {
    this.key = `${prefix}:{endpoint-pauses}`;
  }

  private client() {
    return this.queue.getBackend().client;
  }

  async publish(endpointId: string, until: number): Promise<void> {
    await (await this.client()).hset(this.key, { [endpointId]: until });
  }

  async forget(endpointId: string): Promise<void> {
    await (await this.client()).hdel(this.key, endpointId);
  }

  async read(endpointIds: readonly string[], now = Date.now()): Promise<number[]> {
    if (endpointIds.length === 0) return [];
    const values = await (await this.client()).hmget(this.key, ...endpointIds);
    return values.map((value) => liveUntil(Number(value ?? 0) || 0, now));
  }

  async live(now = Date.now()): Promise<Map<string, number>> {
    const entries = Object.entries(await (await this.client()).hgetall(this.key)).map(([key, until]) => [key, Number(until)] as const);
    return new Map(entries.filter(([, until]) => until > now));
  }

  async countLive(now = Date.now()): Promise<number> {
    return (await this.live(now)).size;
  }

  async forgetEnded(now = Date.now()): Promise<number> {
    const client = await this.client();
    const ended = Object.entries(await client.hgetall(this.key)).flatMap(([id, until]) => (Number(until) > now ? [] : [id]));
    return ended.length > 0 ? client.hdel(this.key, ...ended) : 0;
  }
}
