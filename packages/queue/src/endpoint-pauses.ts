import type { Queue } from 'bullmq';

// Endpoint pauses: a worker whose guard holds an endpoint back for a while (its breaker is open, or
// its requests hang until the timeout) publishes until when. The API then queues that endpoint's new
// deliveries as delayed jobs due at that moment, instead of live jobs that a worker would only fetch
// and park again one by one, spending CPU and Redis calls that healthy endpoints' deliveries need.
// A hint only: lost (Redis flushed) or stale, the worker's own guard still decides; it expires by itself.

/**
 * A workspace held back by a worker (its slow deliveries hold its share of the worker's slots, every
 * one of them stuck) is published the same way, under this key: its new deliveries are queued for then.
 */
export const workspacePauseKey = (workspaceId: string) => `workspace:${workspaceId}`;

/** Only holds at least this long are published: a short hold (a busy endpoint) ends before it would matter. */
export const PUBLISHED_HOLD_MIN_MS = 1_000;

/**
 * When a job held back until `until` should come back: spread over one more hold period (at least
 * 100 ms), so a paused endpoint's backlog does not return all at the same instant and queue in front
 * of every healthy endpoint's jobs.
 */
export function heldJobReturnsAt(until: number, now: number): number {
  return until + Math.floor(Math.random() * Math.max(100, until - now));
}

export class EndpointPauses {
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

  /** Takes a pause back before its end (the endpoint's stuck request finished). */
  async forget(endpointId: string): Promise<void> {
    await (await this.client()).hdel(this.key, endpointId);
  }

  /** Until when each endpoint is paused (epoch ms; 0 when it is not), as published. */
  async read(endpointIds: readonly string[], now = Date.now()): Promise<number[]> {
    if (endpointIds.length === 0) return [];
    const values = await (await this.client()).hmget(this.key, ...endpointIds);
    return values.map((value) => {
      const until = Number(value ?? 0) || 0;
      return until > now ? until : 0;
    });
  }

  /** The pauses that have not ended, by key (the hash holds only a few: live pauses, and ended ones until swept). */
  async live(now = Date.now()): Promise<Map<string, number>> {
    const entries = Object.entries(await (await this.client()).hgetall(this.key)).map(([key, until]) => [key, Number(until)] as const);
    return new Map(entries.filter(([, until]) => until > now));
  }

  /** How many endpoints are paused now. */
  async countLive(now = Date.now()): Promise<number> {
    return (await this.live(now)).size;
  }

  /** Drops the pauses that have ended (run periodically, so the hash holds only live ones). */
  async forgetEnded(now = Date.now()): Promise<number> {
    const client = await this.client();
    const ended = Object.entries(await client.hgetall(this.key)).flatMap(([id, until]) => (Number(until) > now ? [] : [id]));
    return ended.length > 0 ? client.hdel(this.key, ...ended) : 0;
  }
}
