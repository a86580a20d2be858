import { attemptAbandonedAfterMs } from '@dispatch/core';
import { findOverdueOperatorAttempts, findStaleQueuedReplays } from '@dispatch/db';
import type { WorkerDeps } from '../deps.js';
import { PAGE, requeueOverdueDeliveries } from './requeue-overdue.js';

/**
 * Postgres is the record, Redis only the schedule: every pending delivery that is overdue (Redis was
 * flushed, a job exhausted its retries on an outage, the API could not queue it) gets its job back.
 * Jobs that still exist are untouched, since they are added under the same id.
 */
export async function reconcileJob(deps: WorkerDeps): Promise<number> {
  const staleMs = deps.config.DISPATCH_RECONCILE_GRACE;
  const attemptStaleMs = attemptAbandonedAfterMs(deps.config.DISPATCH_REQUEST_TIMEOUT);
  let total = await requeueOverdueDeliveries(deps, { staleMs, attemptStaleMs });
  // Operator's attempts asked for and never made: their job is added again under the same id.
  const asked = await findOverdueOperatorAttempts(deps.db, { staleMs, attemptStaleMs, limit: PAGE });
  await deps.queues.enqueueDeliveries(
    asked.map((row) => ({ deliveryId: row.id, endpointId: row.endpointId, workspaceId: row.workspaceId, jobId: row.jobId, attemptsLeft: 1, manual: true, operator: true })),
  );
  total += asked.length;
  const replays = await findStaleQueuedReplays(deps.db, staleMs);
  for (const replayId of replays) await deps.queues.enqueueReplay(replayId);
  await deps.queues.endpointPauses.forgetEnded();
  if (total > 0 || replays.length > 0) deps.logger.info({ requeued: total, replays: replays.length }, 'reconciler re-queued overdue work');
  return total;
}
