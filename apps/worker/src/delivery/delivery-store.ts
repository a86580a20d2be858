import { attemptAbandonedAfterMs, maskHeaders, parseHeadersPlaintext, type HeaderMap, type SecretBox } from '@dispatch/core';
import { claimDeliveries, recordAttempts, refusedByPostgres, type AttemptRecord, type ClaimedDelivery, type ClaimRequest } from '@dispatch/db';
import type { WorkerDeps } from '../deps.js';
import { TurnBatcher } from './turn-batcher.js';

// One statement carries the claims (and one the records) of every job that reached that point in
// the same turn of the event loop. A worker runs up to DISPATCH_WORKER_CONCURRENCY jobs at once, so
// a batch never gets near this; the cap only bounds a statement's size.
const MAX_BATCH = 100;

export interface DeliveryStore {
  claim(request: ClaimRequest): Promise<ClaimedDelivery | undefined>;
  /**
   * Resolves once the attempt and the delivery's new state are committed: true; or false when the
   * run no longer owned the delivery and nothing was written (see recordAttempts).
   */
  record(record: AttemptRecord): Promise<boolean>;
  secrets: SecretCache;
}

// Kept beside the worker's deps rather than in them: it is only a way of using `deps.db`, built
// on first use, and each worker (several in one test process) gets its own.
const stores = new WeakMap<WorkerDeps, DeliveryStore>();

export function deliveryStore(deps: WorkerDeps): DeliveryStore {
  let store = stores.get(deps);
  if (!store) {
    const { db } = deps;
    const attemptStaleMs = attemptAbandonedAfterMs(deps.config.DISPATCH_REQUEST_TIMEOUT);
    // A failed claim batch claimed nothing (one statement), so its jobs just fail and come back.
    const claims = new TurnBatcher((requests: ClaimRequest[]) => claimDeliveries(db, requests, attemptStaleMs), { maxBatch: MAX_BATCH });
    const records = new TurnBatcher(
      (batch: AttemptRecord[]) => recordAttempts(db, batch),
      // Retried row by row only when Postgres refused the batch (a row it cannot take: its delivery
      // deleted meanwhile, a deadlock), so one bad row fails only its own job.
      { maxBatch: MAX_BATCH, retrySingly: refusedByPostgres },
    );
    store = { claim: (request) => claims.add(request), record: (record) => records.add(record), secrets: new SecretCache(deps.secretBox) };
    stores.set(deps, store);
  }
  return store;
}

// Opening a sealed value is an AES-GCM decryption on every attempt; a worker sends for the same
// endpoints all day. The cache is keyed by the sealed text itself, so a rotation or a change of
// headers (a new sealed value) is seen on the very next claim. Every entry expires SECRET_TTL_MS
// after it was opened, and expired entries are swept at least every SECRET_TTL_MS whether or not
// anything misses: a rotated-out secret leaves the worker's memory within two TTLs.
const SECRET_TTL_MS = 60_000;
const MAX_CACHED_SECRETS = 10_000;

/** An endpoint's custom headers: the values to send, and the masked ones an attempt stores. */
export interface OpenedHeaders {
  sent: HeaderMap;
  stored: HeaderMap;
}

export class SecretCache {
  private readonly opened = new Map<string, { value: unknown; expiresAt: number }>();
  private sweptAt: number;

  constructor(private readonly box: SecretBox, private readonly now: () => number = Date.now) {
    this.sweptAt = now();
  }

  /** A webhook secret. */
  open(sealed: string): string {
    return this.get(sealed, (plaintext) => plaintext);
  }

  /** Custom headers, sealed as one JSON map. */
  headers(sealed: string): OpenedHeaders {
    return this.get(sealed, (plaintext) => {
      const sent = parseHeadersPlaintext(plaintext);
      return { sent, stored: maskHeaders(sent) };
    });
  }

  /** How many opened values are held (expired ones included until the next sweep). */
  get size(): number {
    return this.opened.size;
  }

  private get<T>(sealed: string, build: (plaintext: string) => T): T {
    const now = this.now();
    if (now - this.sweptAt >= SECRET_TTL_MS) this.sweep(now);
    const hit = this.opened.get(sealed);
    if (hit && hit.expiresAt > now) return hit.value as T;
    const value = build(this.box.open(sealed));
    if (this.opened.size >= MAX_CACHED_SECRETS) this.sweep(now);
    if (this.opened.size >= MAX_CACHED_SECRETS) this.opened.clear();
    this.opened.set(sealed, { value, expiresAt: now + SECRET_TTL_MS });
    return value;
  }

  private sweep(now: number): void {
    this.sweptAt = now;
    for (const [key, entry] of this.opened) if (entry.expiresAt <= now) this.opened.delete(key);
  }
}
