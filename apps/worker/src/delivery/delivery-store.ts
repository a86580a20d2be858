import { claimDeliveries, recordNumberedAttempts, refusedByPostgres, type AttemptRecord, type ClaimedDelivery, type ClaimRequest, type Database } from '@dispatch/db';
import { TurnBatcher } from './turn-batcher.js';

// One statement carries the claims (and one the records) of every job that reached that point in
// the same turn of the event loop. A worker runs up to DISPATCH_WORKER_CONCURRENCY jobs at once, so
// a batch never gets near this; the cap only bounds a statement's size.
const MAX_BATCH = 100;

/** How the deliver job claims a delivery and records a plain success; one per worker, built in startWorker. */
export interface DeliveryStore {
  claim(request: ClaimRequest): Promise<ClaimedDelivery | undefined>;
  /**
   * Resolves once the attempt and the delivery's new state are committed: the attempt's number; or
   * null when the run no longer owned the delivery and nothing was written (see recordAttempts).
   */
  record(record: AttemptRecord): Promise<number | null>;
}

/** `attemptStaleMs`: an attempt started longer ago than this was abandoned (attemptAbandonedAfterMs). */
export function createDeliveryStore(db: Database, options: { attemptStaleMs: number }): DeliveryStore {
  // A failed claim batch claimed nothing (one statement), so its jobs just fail and come back.
  const claims = new TurnBatcher((requests: ClaimRequest[]) => claimDeliveries(db, requests, options.attemptStaleMs), { maxBatch: MAX_BATCH });
  const records = new TurnBatcher(
    (batch: AttemptRecord[]) => recordNumberedAttempts(db, batch),
    // Retried row by row only when Postgres refused the batch (a row it cannot take: its delivery
    // deleted meanwhile, a deadlock), so one bad row fails only its own job.
    { maxBatch: MAX_BATCH, retrySingly: refusedByPostgres },
  );
  return { claim: (request) => claims.add(request), record: (record) => records.add(record) };
}
