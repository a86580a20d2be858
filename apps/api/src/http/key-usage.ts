import { recordApiKeysUsed, type Db } from '@dispatch/db';
import type { Logger } from 'pino';

/** How often each API process writes when its keys were last used. */
export const KEY_USAGE_FLUSH_MS = 5_000;

/**
 * Remembers, in memory, when each API key was last used in this process and writes them all with
 * one UPDATE every KEY_USAGE_FLUSH_MS: never a write per request. So a key's lastUsedAt is the time
 * of its last request (to the millisecond, as this process saw it), and shows up to
 * KEY_USAGE_FLUSH_MS (plus the UPDATE's own time) late. A process that crashes loses its last interval.
 */
export class KeyUsage {
  private used = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
  ) {
    this.schedule();
  }

  record(keyId: string, at: number): void {
    this.used.set(keyId, at);
  }

  /** Writes what was recorded since the last flush (the next one is KEY_USAGE_FLUSH_MS after it); on failure keeps it for the next. */
  async flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.schedule();
    if (this.used.size === 0) return;
    const batch = this.used;
    this.used = new Map();
    this.flushing = recordApiKeysUsed(
      this.db,
      [...batch].map(([keyId, at]) => ({ keyId, at: new Date(at) })),
    )
      .catch((error: unknown) => {
        this.logger.warn({ err: error, keys: batch.size }, 'cannot record API key usage; will retry');
        for (const [keyId, at] of batch) if (!this.used.has(keyId)) this.used.set(keyId, at);
      })
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  /** Stops the timer and writes what is left (before the pool closes). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.flushing;
    await this.flush();
    clearTimeout(this.timer);
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (!this.closed) this.timer = setTimeout(() => void this.flush(), KEY_USAGE_FLUSH_MS).unref();
  }
}
