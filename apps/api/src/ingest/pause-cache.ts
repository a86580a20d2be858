import type { EndpointPauses } from '@dispatch/queue';

/** How old this process's knowledge of an endpoint's pause may be before it asks Redis again. */
export const PAUSE_CACHE_MS = 1_000;
const MAX_ENTRIES = 100_000;

interface Known {
  until: number;
  fetchedAt: number;
}

/**
 * What this process knows of the endpoint pauses the workers publish (see endpoint-pauses.ts), so
 * queueing a delivery never waits for Redis: an endpoint not known, or known for longer than
 * PAUSE_CACHE_MS, is looked up in the background (one HMGET for all asked meanwhile) and counts as
 * not paused until then. The cost of being late is only the worker parking a few jobs itself.
 */
export class EndpointPauseCache {
  private readonly known = new Map<string, Known>();
  private readonly wanted = new Set<string>();
  private refreshing = false;

  constructor(
    private readonly pauses: EndpointPauses,
    private readonly now: () => number = Date.now,
  ) {}

  /** Until when the endpoint (or workspace, by its workspacePauseKey) is paused (epoch ms), as last known; 0 when it is not. */
  pausedUntil(endpointId: string): number {
    const now = this.now();
    const entry = this.known.get(endpointId);
    if (!entry || now - entry.fetchedAt >= PAUSE_CACHE_MS) this.want(endpointId);
    return entry && entry.until > now ? entry.until : 0;
  }

  private want(endpointId: string): void {
    this.wanted.add(endpointId);
    this.scheduleRefresh();
  }

  // One lookup at a time; what is asked for meanwhile goes into the next one.
  private scheduleRefresh(): void {
    if (this.refreshing || this.wanted.size === 0) return;
    this.refreshing = true;
    setImmediate(() => void this.refresh());
  }

  private async refresh(): Promise<void> {
    const ids = [...this.wanted];
    this.wanted.clear();
    try {
      const until = await this.pauses.read(ids);
      if (this.known.size + ids.length > MAX_ENTRIES) this.known.clear();
      const fetchedAt = this.now();
      ids.forEach((id, index) => this.known.set(id, { until: until[index] ?? 0, fetchedAt }));
    } catch {
      // Redis away: keep what was known; the next delivery to these endpoints asks again.
    } finally {
      this.refreshing = false;
      this.scheduleRefresh();
    }
  }
}
