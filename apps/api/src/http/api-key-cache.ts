import { findApiKeyByHash, findApiKeysChangedWithin, type ApiKeyAuth, type ApiKeyPrincipal, type Db } from '@dispatch/db';
import type { Logger } from 'pino';

/** What this process lets through for a revoked or rotated-out key: at most this long after the change. */
export const MAX_STALE_MS = 900;
/** How often the recent key changes are read (one indexed query for all keys, only while anything is cached). */
const POLL_MS = 250;
/** How far back each poll reads (by Postgres's clock), less a margin for a change's commit to land after its changed_at. */
const POLL_WINDOW_S = 10;
const POLL_COVERS_MS = (POLL_WINDOW_S - 2) * 1000;
/** A known key is read again at least this often anyway: workspace features are not in the change feed. */
const MAX_AGE_MS = 5_000;
/**
 * A known key not asked for this long is forgotten (a key in use is read again every MAX_AGE_MS), so
 * an idle process stops polling. Until then a stale key is looked up whatever its address's budget.
 */
const FORGET_MS = 15 * 60_000;
/** Unknown, revoked and expired keys are answered without Postgres this long. */
const REFUSED_MS = 60_000;
const MAX_KNOWN = 10_000;
const MAX_REFUSED = 20_000;

interface Known {
  principal: ApiKeyPrincipal;
  expiresAt: number | null;
  /** When the lookup that found it started. */
  loadedAt: number;
  /** Every change to the key up to this moment has been applied here (a lookup's start, or a poll's). */
  verifiedAt: number;
}

export type Peek = ApiKeyPrincipal | 'refused' | 'stale' | 'unknown';

/**
 * This process's knowledge of API keys, by SHA-256, so that authentication costs no Postgres query
 * per request, and so that unknown keys do not either:
 * - a key found is let through while what is known of it is under MAX_STALE_MS old. A poll every
 *   POLL_MS reads the keys created, revoked or rotated lately (api_keys.changed_at) and applies them,
 *   which keeps every known key verified; if polls stop, known keys go stale and are looked up again.
 *   So a revocation committed at T is refused by every process from T + MAX_STALE_MS at the latest.
 * - a key not found (or revoked, or expired) is remembered as refused for REFUSED_MS, in bounded
 *   memory. A key created later cannot be among them (a key's hash is unknowable before it exists);
 *   even so, each poll forgets the refusals of keys just created.
 * The caller decides whether an unknown key is worth a lookup (the per-address throttle).
 */
export class ApiKeyCache {
  private readonly known = new Map<string, Known>();
  private readonly refused = new Map<string, number>();
  private readonly loading = new Map<string, Promise<ApiKeyPrincipal | undefined>>();
  private polling = false;
  private failing = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => void this.poll(), POLL_MS).unref();
  }

  /** What is known without asking Postgres. */
  peek(keyHash: string): Peek {
    const now = this.now();
    const entry = this.known.get(keyHash);
    if (entry) {
      if (entry.expiresAt !== null && entry.expiresAt <= now) {
        this.known.delete(keyHash);
        this.refuse(keyHash, now);
        return 'refused';
      }
      if (now - entry.verifiedAt < MAX_STALE_MS && now - entry.loadedAt < MAX_AGE_MS) return entry.principal;
      return 'stale';
    }
    const until = this.refused.get(keyHash);
    if (until !== undefined) {
      if (until > now) return 'refused';
      this.refused.delete(keyHash);
    }
    return 'unknown';
  }

  /** Asks Postgres (one query per key at a time, however many requests wait for it). */
  load(keyHash: string): Promise<ApiKeyPrincipal | undefined> {
    let pending = this.loading.get(keyHash);
    if (!pending) {
      pending = this.fetch(keyHash).finally(() => this.loading.delete(keyHash));
      this.loading.set(keyHash, pending);
    }
    return pending;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async fetch(keyHash: string): Promise<ApiKeyPrincipal | undefined> {
    const startedAt = this.now();
    const found = await findApiKeyByHash(this.db, keyHash);
    if (!found) {
      this.known.delete(keyHash);
      this.refuse(keyHash, startedAt);
      return undefined;
    }
    if (this.known.size >= MAX_KNOWN && !this.known.has(keyHash)) this.known.delete(this.known.keys().next().value!);
    const entry: Known = { principal: principalOf(found), expiresAt: found.expiresAt?.getTime() ?? null, loadedAt: startedAt, verifiedAt: startedAt };
    this.known.set(keyHash, entry);
    return entry.principal;
  }

  private refuse(keyHash: string, now: number): void {
    this.refused.delete(keyHash);
    if (this.refused.size >= MAX_REFUSED) this.refused.delete(this.refused.keys().next().value!);
    this.refused.set(keyHash, now + REFUSED_MS);
  }

  private async poll(): Promise<void> {
    // Refusals are kept in the order they end (each is re-inserted when renewed).
    const now = this.now();
    for (const [keyHash, until] of this.refused) {
      if (until > now) break;
      this.refused.delete(keyHash);
    }
    if (this.polling || (this.known.size === 0 && this.refused.size === 0)) return;
    this.polling = true;
    const startedAt = this.now();
    try {
      const changed = await findApiKeysChangedWithin(this.db, POLL_WINDOW_S);
      for (const row of changed) {
        if (row.usable) this.refused.delete(row.keyHash);
        const entry = this.known.get(row.keyHash);
        // A lookup that started after this poll saw a newer state than the poll did.
        if (!entry || entry.loadedAt > startedAt) continue;
        if (!row.usable) {
          this.known.delete(row.keyHash);
          this.refuse(row.keyHash, startedAt);
        } else {
          entry.principal = principalOf(row);
          entry.expiresAt = row.expiresAt?.getTime() ?? null;
        }
      }
      // Entries verified within the window have had every later change applied above.
      for (const [keyHash, entry] of this.known) {
        if (startedAt - entry.loadedAt > FORGET_MS) this.known.delete(keyHash);
        else if (entry.verifiedAt >= startedAt - POLL_COVERS_MS && entry.verifiedAt < startedAt) entry.verifiedAt = startedAt;
      }
      if (this.failing) this.logger.info('API key change poll works again');
      this.failing = false;
    } catch (error) {
      // Known keys go stale and are looked up per key until polls work again.
      if (!this.failing) this.logger.warn({ err: error }, 'cannot read API key changes; known keys will be looked up again');
      this.failing = true;
    } finally {
      this.polling = false;
    }
  }
}

function principalOf(row: ApiKeyAuth): ApiKeyPrincipal {
  return { keyId: row.keyId, workspaceId: row.workspaceId, scopes: row.scopes, features: row.features };
}
