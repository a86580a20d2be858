import type { Job } from 'bullmq';
import { findReplayById, markForReplay, startReplay } from '@dispatch/db';
import { replayJobSchema } from '@dispatch/queue';
import type { WorkerDeps } from '../deps.js';

export const MAX_REPLAY_DELIVERIES = 10_000;
// Replayed attempts run after live traffic: BullMQ serves jobs without a priority first.
export const REPLAY_PRIORITY = 10;

/** Hands each matching delivery to a replay job (one new attempt each), at low priority. */
export async function replayJob(deps: WorkerDeps, job: Job): Promise<number> {
  const { replayId } = replayJobSchema.parse(job.data);
  const replay = await findReplayById(deps.db, replayId);
  if (!replay || replay.status !== 'queued') return 0;
  const marked = await markForReplay(deps.db, replay.id, {
    endpointId: replay.endpointId,
    since: replay.since,
    until: replay.until,
    statusFilter: replay.statusFilter,
    limit: MAX_REPLAY_DELIVERIES,
  });
  await startReplay(deps.db, replay.id, marked.length);
  await deps.queues.enqueueDeliveries(
    marked.map((delivery) => ({
      deliveryId: delivery.id,
      endpointId: replay.endpointId,
      workspaceId: replay.workspaceId,
      jobId: delivery.jobId,
      attemptsLeft: 1,
      priority: REPLAY_PRIORITY,
    })),
  );
  return marked.length;
}
