import type { Job } from 'bullmq';
import { REPLAY_MAX_DELIVERIES } from '@dispatch/core/api';
import { ENDPOINT_KINDS, findReplayById, markForReplay, startReplay } from '@dispatch/db';
import { JOB_PRIORITIES, replayJobSchema } from '@dispatch/queue';
import type { WorkerDeps } from '../deps.js';

/** Hands each matching delivery to an operator's attempt (one each, beside its schedule), at low priority. */
export async function replayJob(deps: WorkerDeps, job: Job): Promise<number> {
  const { replayId } = replayJobSchema.parse(job.data);
  const replay = await findReplayById(deps.db, replayId);
  if (!replay || replay.status !== 'queued') return 0;
  const { filters } = replay;
  const marked = await markForReplay(deps.db, replay.id, {
    workspaceId: replay.workspaceId,
    endpointId: replay.endpointId,
    targetKinds: filters.targetKinds ?? ENDPOINT_KINDS,
    eventType: filters.eventType,
    statusCode: filters.statusCode,
    since: replay.since,
    until: replay.until,
    selection: replay.statusFilter,
    limit: REPLAY_MAX_DELIVERIES,
  });
  await startReplay(deps.db, replay.id, marked.length);
  await deps.queues.enqueueDeliveries(
    marked.map((delivery) => ({
      deliveryId: delivery.id,
      endpointId: delivery.endpointId,
      workspaceId: replay.workspaceId,
      jobId: delivery.jobId,
      attemptsLeft: 1,
      // The operator's attempt is the probe: it goes through an open breaker (after a fix, a paused
      // endpoint's deliveries would otherwise wait out the pause), and it runs beside the schedule.
      manual: true,
      operator: true,
      priority: JOB_PRIORITIES.replay,
    })),
  );
  return marked.length;
}
