/**
 * Token buckets in this process's memory, one per key (a client address, an API key...): each holds
 * up to `burst` tokens and regains `perSecond` tokens a second. No Redis or Postgres on the way.
 * Memory is bounded: past `maxKeys` buckets the oldest-touched ones are dropped, which can only
 * forgive (a dropped bucket comes back full), never refuse a request wrongly.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly options: { burst: number; perSecond: number; maxKeys?: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token: 0 when granted, else the seconds until one is back (for `retry-after`). */
  take(key: string): number {
    const bucket = this.refilled(key);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return (1 - bucket.tokens) / this.options.perSecond;
  }

  /** Seconds until a token is there (0 if one is there now), taking nothing. */
  waitFor(key: string): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return 0;
    const tokens = Math.min(this.options.burst, bucket.tokens + ((this.now() - bucket.at) / 1000) * this.options.perSecond);
    return tokens >= 1 ? 0 : (1 - tokens) / this.options.perSecond;
  }

  /** Gives back a token taken for something that turned out not to count. */
  giveBack(key: string): void {
    const bucket = this.buckets.get(key);
    if (bucket) bucket.tokens = Math.min(this.options.burst, bucket.tokens + 1);
  }

  private refilled(key: string) {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket) {
      bucket.tokens = Math.min(this.options.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.options.perSecond);
      bucket.at = now;
      // Re-inserted so the map's order is least recently touched first.
      this.buckets.delete(key);
    } else {
      bucket = { tokens: this.options.burst, at: now };
      const max = this.options.maxKeys ?? 100_000;
      if (this.buckets.size >= max) this.buckets.delete(this.buckets.keys().next().value!);
    }
    this.buckets.set(key, bucket);
    return bucket;
  }
}
