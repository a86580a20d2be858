import { rateLimited } from '@dispatch/core';
import type { RedisClient } from '@dispatch/queue';
import type { Logger } from 'pino';

const RETRY_AFTER_SECONDS = 1;
/** How often this process adds what it admitted to the shared counters (and reads them back). */
const SYNC_MS = 20;
const WINDOW_MS = 1_000;

interface KeyWindow {
  /** The one-second window (unix seconds) these counts belong to. */
  window: number;
  /** The shared count of every API process, as Redis last answered it (this process's synced share included). */
  shared: number;
  /** Admitted here since the last sync. */
  unsynced: number;
}

/**
 * Fixed one-second window per API key, shared by every API process through one Redis counter per
 * key and second, but decided locally: a request costs no Redis round trip. Each process admits
 * while (shared count last seen + its own requests since) is under the limit, and every SYNC_MS
 * adds its own requests to the counter with one pipeline for all keys, learning the others' in the
 * answer. Within one process the limit is exact; across processes it is approximate: another
 * process's requests are seen up to SYNC_MS late, so a burst hitting several processes at once can
 * pass the limit by what they admit in that interval.
 * If Redis is unreachable every request is counted locally only: accepting events must not depend on
 * the scheduler. Without Redis (the Postgres queue backend) the limit is per process.
 */
export class RateLimiter {
  private readonly windows = new Map<string, KeyWindow>();
  private timer: NodeJS.Timeout | undefined;
  /** One sync at a time: while Redis stalls, what is admitted meanwhile waits for the next one. */
  private syncing = false;
  private failing = false;

  constructor(
    private readonly redis: RedisClient | undefined,
    private readonly options: { prefix: string; limit: number; logger: Logger },
  ) {}

  /** True when the request may go on (and counts it). */
  admit(keyId: string, now = Date.now()): boolean {
    const window = Math.floor(now / WINDOW_MS);
    let state = this.windows.get(keyId);
    if (!state || state.window !== window) {
      state = { window, shared: 0, unsynced: 0 };
      this.windows.set(keyId, state);
    }
    if (state.shared + state.unsynced >= this.options.limit) return false;
    state.unsynced++;
    this.scheduleSync();
    return true;
  }

  private scheduleSync(): void {
    // Alone, this process's count is the count: the window's own turn resets it.
    if (this.syncing || !this.redis) return;
    this.timer ??= setTimeout(() => {
      this.syncing = true;
      void this.sync().finally(() => {
        this.syncing = false;
        if ([...this.windows.values()].some((state) => state.unsynced > 0)) this.scheduleSync();
      });
    }, SYNC_MS).unref();
  }

  private async sync(): Promise<void> {
    this.timer = undefined;
    const current = Math.floor(Date.now() / WINDOW_MS);
    const sent: { state: KeyWindow; window: number; count: number }[] = [];
    if (!this.redis) return;
    const pipeline = this.redis.pipeline();
    for (const [keyId, state] of this.windows) {
      if (state.window < current - 1) {
        this.windows.delete(keyId);
        continue;
      }
      if (state.unsynced === 0) continue;
      // One hash tag for every counter: the sync is one pipeline, which a Redis Cluster serves only
      // when all its keys live on one node (counters tagged per key would spread over masters).
      const counterKey = `${this.options.prefix}:{ratelimit}:${keyId}:${state.window}`;
      pipeline.incrby(counterKey, state.unsynced).pexpire(counterKey, 2 * WINDOW_MS);
      sent.push({ state, window: state.window, count: state.unsynced });
      state.unsynced = 0;
    }
    if (sent.length === 0) return;
    let counts: number[] | undefined;
    try {
      const results = await pipeline.exec();
      counts = sent.map((_, index) => {
        const [error, count] = results?.[index * 2] ?? [new Error('no reply')];
        if (error) throw error;
        return Number(count);
      });
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.options.logger.warn({ err: error }, 'rate limiter cannot reach Redis; counting in this process only');
      this.failing = true;
    }
    sent.forEach(({ state, window, count }, index) => {
      if (state.window !== window) return;
      // Without an answer, keep counting what this process admitted: its own share still holds.
      state.shared = counts ? Math.max(state.shared, counts[index]!) : state.shared + count;
    });
  }
}

export function enforceRateLimit(rateLimiter: RateLimiter, keyId: string): void {
  if (!rateLimiter.admit(keyId)) throw rateLimited(RETRY_AFTER_SECONDS);
}
