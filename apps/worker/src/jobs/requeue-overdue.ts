import { findOverdueDeliveries, type OverdueCursor } from '@dispatch/db';
import type { WorkerDeps } from '../deps.js';
import { enqueueQueueable } from './enqueue.js';

// The reconciler's main work (reconcile.job.ts), and what `pnpm bench:history` times after a Redis loss.

/** Rows read from Postgres at a time (the operator's attempts asked for too, reconcile.job.ts). */
export const PAGE = 1_000;
// A run stops after this many and the next scheduled run takes the rest: a backlog of 100,000
// after a Redis loss is one run.
const MAX_PER_RUN = 100_000;
// Pages whose jobs are being added while the next page is read: adding a page's jobs costs more than
// reading it from Postgres (bench/RESULTS.md, "History at scale"), and Redis works while Node builds
// the next page's jobs.
const PAGES_IN_FLIGHT = 4;

/** Re-adds the jobs of overdue deliveries, page by page, a few pages' jobs being added at once. */
export async function requeueOverdueDeliveries(
  deps: Pick<WorkerDeps, 'db' | 'queues'>,
  { staleMs, attemptStaleMs, maxPerRun = MAX_PER_RUN }: { staleMs: number; attemptStaleMs: number; maxPerRun?: number },
): Promise<number> {
  let after: OverdueCursor | undefined;
  let total = 0;
  const adding = new Set<Promise<void>>();
  try {
    while (total < maxPerRun) {
      const rows = await findOverdueDeliveries(deps.db, { staleMs, attemptStaleMs, limit: PAGE, after });
      if (rows.length === 0) break;
      const added: Promise<void> = enqueueQueueable(deps, rows).finally(() => adding.delete(added));
      added.catch(() => undefined); // awaited below; this only keeps a failure from counting as unhandled meanwhile
      adding.add(added);
      if (adding.size >= PAGES_IN_FLIGHT) await Promise.race(adding);
      total += rows.length;
      const last = rows[rows.length - 1]!;
      after = { nextAttemptAt: last.nextAttemptAt, id: last.id };
    }
    await Promise.all(adding);
  } finally {
    await Promise.allSettled(adding); // after a failure, the run ends only once no add is still going
  }
  return total;
}
