import { setTimeout as sleep } from 'node:timers/promises';
import { clearExpiredPreviousSecrets, createAttemptPartitionsAhead, dropAttemptPartitionsBefore, pruneAttemptsBatch, pruneEventsBatch } from '@dispatch/db';
import type { WorkerDeps } from '../deps.js';

const BATCH = 5_000;
// A run stops after this long and the next scheduled run continues, so one job never runs for hours.
const RUN_BUDGET_MS = 60_000;
// A breath between batches leaves room for live writes and for autovacuum.
const PAUSE_MS = 50;
// The job runs every hour: a week of attempt partitions ahead survives a worker that is down for days.
const PARTITION_DAYS_AHEAD = 7;

export interface PruneTotals {
  attempts: number;
  events: number;
  previousSecrets: number;
  attemptPartitionsCreated: number;
  attemptPartitionsDropped: number;
}

/**
 * Keeps a week of attempt partitions ahead and drops the days wholly past the retention period;
 * deletes the attempts left older than it (in the partition that holds the cutoff), then finished
 * events (with their deliveries); and clears rotated-out webhook secrets whose grace period is over.
 */
export async function pruneJob(deps: WorkerDeps): Promise<PruneTotals> {
  const before = new Date(Date.now() - deps.config.DISPATCH_RETENTION);
  const deadline = Date.now() + RUN_BUDGET_MS;
  const totals = {
    attempts: 0,
    events: 0,
    previousSecrets: await clearExpiredPreviousSecrets(deps.db),
    attemptPartitionsCreated: (await createAttemptPartitionsAhead(deps.db, { now: new Date(), daysAhead: PARTITION_DAYS_AHEAD })).length,
    attemptPartitionsDropped: (await dropAttemptPartitionsBefore(deps.db, before)).length,
  };
  for (const [kind, prune] of [
    ['attempts', pruneAttemptsBatch],
    ['events', pruneEventsBatch],
  ] as const) {
    for (;;) {
      const deleted = await prune(deps.db, { before, batchSize: BATCH });
      totals[kind] += deleted;
      if (deleted < BATCH || Date.now() > deadline) break;
      await sleep(PAUSE_MS);
    }
  }
  if (Object.values(totals).some((n) => n > 0)) deps.logger.info(totals, 'pruned history past retention and expired previous secrets');
  return totals;
}
