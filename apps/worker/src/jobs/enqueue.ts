import { attemptsLeft } from '@dispatch/core';
import type { QueueableDelivery } from '@dispatch/db';
import type { WorkerDeps } from '../deps.js';

const CHUNK = 1_000;

/** Adds the jobs that own these deliveries, keeping each row's own job id (so existing jobs are no-ops). */
export async function enqueueQueueable(deps: Pick<WorkerDeps, 'queues'>, rows: readonly QueueableDelivery[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await deps.queues.enqueueDeliveries(
      rows.slice(i, i + CHUNK).map((row) => ({
        deliveryId: row.id,
        endpointId: row.endpointId,
        workspaceId: row.workspaceId,
        jobId: row.jobId,
        attemptsLeft: attemptsLeft(row),
        delayMs: Math.max(0, row.nextAttemptAt.getTime() - Date.now()),
      })),
    );
  }
}
