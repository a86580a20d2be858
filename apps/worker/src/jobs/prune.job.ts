import { setTimeout as sleep } from 'node:timers/promises';
import { clearExpiredPreviousSecrets, pruneAttemptsBatch, pruneEventsBatch } from '@dispatch/db';
import type { WorkerDeps } from '../deps.js';

const BATCH = 5_000;
// A run stops after this long and the next scheduled run continues, so one job never runs for hours.
const RUN_BUDGET_MS = 60_000;
// A breath between batches leaves room for live writes and for autovacuum.
const PAUSE_MS = 50;

/**
 * Deletes attempts, then finished events (with their deliveries), older than the retention period;
 * and clears rotated-out webhook secrets whose grace period is over.
 */
export async function pruneJob(deps: WorkerDeps): Promise<{ attempts: number; events: number; previousSecrets: number }> {
  const before = new Date(Date.now() - deps.config.DISPATCH_RETENTION);
  const deadline = Date.now() + RUN_BUDGET_MS;
  const totals = { attempts: 0, events: 0, previousSecrets: await clearExpiredPreviousSecrets(deps.db) };
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
  if (totals.attempts + totals.events + totals.previousSecrets > 0) deps.logger.info(totals, 'pruned history past retention and expired previous secrets');
  return totals;
}
