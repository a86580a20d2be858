import { findFanoutCandidates, type Database, type FanoutCandidate } from '@dispatch/db';

/**
 * How long this process reuses a workspace's subscribers of one event type. Longer saves more
 * queries; it bounds how late another API process sees a created or re-enabled endpoint, or one
 * whose changed triggers, link or filter now take an event they did not (this process forgets its
 * own changes at once, see `forget`). The other way is never late: an endpoint deleted, disabled or
 * changed since it was cached is never delivered to on the cache's word: the insert re-checks each
 * target's version against the table (insertEventsWithDeliveries) and decides again from the
 * current row (retarget.ts), and the workspace's entries are then dropped.
 */
export const FANOUT_CACHE_MS = 1_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  candidates: FanoutCandidate[];
  expiresAt: number;
}

/** Active endpoints per (workspace, event type), so accepting an event needs no query for them. */
export class FanoutCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Map<string, FanoutCandidate[]>>>();
  /** Bumped by `forget`: a load that started before it must not be stored. */
  private readonly generations = new Map<string, number>();

  constructor(
    private readonly db: Database,
    private readonly ttlMs = FANOUT_CACHE_MS,
  ) {}

  /** Candidates for each of `types` (one query for all the types not cached). */
  async candidates(workspaceId: string, types: readonly string[]): Promise<Map<string, FanoutCandidate[]>> {
    const now = Date.now();
    const found = new Map<string, FanoutCandidate[]>();
    const missing: string[] = [];
    for (const type of types) {
      const entry = this.entries.get(cacheKey(workspaceId, type));
      if (entry && entry.expiresAt > now) found.set(type, entry.candidates);
      else missing.push(type);
    }
    if (missing.length > 0) for (const [type, candidates] of await this.load(workspaceId, missing.sort())) found.set(type, candidates);
    return found;
  }

  /** Drops a workspace's entries after one of its endpoints changed in this process. */
  forget(workspaceId: string): void {
    this.generations.set(workspaceId, this.generation(workspaceId) + 1);
    const prefix = cacheKey(workspaceId, '');
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
    for (const key of [...this.loading.keys()]) if (key.startsWith(prefix)) this.loading.delete(key);
  }

  /** One query per burst of requests for the same cold types: concurrent callers share it. */
  private load(workspaceId: string, types: readonly string[]): Promise<Map<string, FanoutCandidate[]>> {
    const key = cacheKey(workspaceId, types.join(','));
    const pending = this.loading.get(key);
    if (pending) return pending;
    const generation = this.generation(workspaceId);
    const query = findFanoutCandidates(this.db, { workspaceId, types }).then((rows) => {
      const byType = new Map(types.map((type) => [type, rows.filter((row) => row.eventTypes.includes(type))]));
      // A load that began before `forget` may predate the change: answer with it, do not keep it.
      if (this.generation(workspaceId) === generation) for (const [type, candidates] of byType) this.store(cacheKey(workspaceId, type), candidates);
      return byType;
    });
    this.loading.set(key, query);
    const done = () => {
      if (this.loading.get(key) === query) this.loading.delete(key);
    };
    query.then(done, done);
    return query;
  }

  private generation(workspaceId: string): number {
    return this.generations.get(workspaceId) ?? 0;
  }

  private store(key: string, candidates: FanoutCandidate[]): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { candidates, expiresAt: Date.now() + this.ttlMs });
  }
}

const cacheKey = (workspaceId: string, type: string) => `${workspaceId}\u0000${type}`;
