import { DelayedError, type Job } from 'bullmq';
import { cancelDelivery, findEarlyClaim } from '@dispatch/db';
import { deliverJobSchema, JOB_PRIORITIES, workspacePauseKey } from '@dispatch/queue';
import type { WorkerDeps } from '../deps.js';
import { attemptDelivery } from '../delivery/attempt.js';
import { RetryLaterError } from '../delivery/retry-later.js';
import { observeAttempt, observeCancelled } from '../observability/attempt-observer.js';

/** Holds the job back without using an attempt; it comes back at `retryAt`, behind live traffic. */
async function holdBack(job: Job, retryAt: number, token: string | undefined): Promise<never> {
  // BullMQ serves jobs without a priority first, so a held-back backlog returning does not queue in
  // front of healthy endpoints' jobs.
  if (job.priority < JOB_PRIORITIES.held) await job.changePriority({ priority: JOB_PRIORITIES.held });
  await job.moveToDelayed(retryAt, token);
  throw new DelayedError();
}

/** One job per delivery (never a loop over endpoints); one run of it is one attempt. */
export async function deliverJob(deps: WorkerDeps, job: Job, token?: string): Promise<string> {
  const { deliveryId, endpointId, workspaceId, manual } = deliverJobSchema.parse(job.data);
  // A workspace whose slow deliveries hold its share of this worker's slots waits while others have
  // work; a saturated or tripped endpoint holds its own jobs back. No attempt is used, no row touched.
  const share = deps.workspaceGuard.admit(workspaceId, { always: manual === true });
  if (!share.admitted) {
    // Published (when it lasts a while) so the API queues the workspace's next deliveries for then.
    deps.pausePublisher.offer(workspacePauseKey(workspaceId!), share.heldUntil);
    return holdBack(job, share.retryAt, token);
  }
  const admission = deps.endpointGuard.admit(endpointId, { ignoreBreaker: manual === true });
  if (!admission.admitted) {
    share.release();
    // Published so the API queues this endpoint's next deliveries for when the hold ends.
    deps.pausePublisher.offer(endpointId, admission.heldUntil);
    return holdBack(job, admission.retryAt, token);
  }
  try {
    const claim = { deliveryId, jobId: job.id! };
    const delivery = await deps.deliveryStore.claim(claim);
    if (!delivery) {
      // Run before the row says the delivery is due (a rerun of a job whose attempt was already
      // recorded, say): no attempt now, and no attempt used; the job comes back when it is due.
      const early = await findEarlyClaim(deps.db, claim);
      if (early) {
        await job.moveToDelayed(Date.now() + early.dueInMs, token);
        throw new DelayedError();
      }
      // Superseded (a redelivery took over), already finished, in flight elsewhere, or deleted: nothing to do.
      return 'stale';
    }
    // A disabled endpoint gets no scheduled attempts. What an operator asks for (test, redeliver,
    // replay) still reaches it: that is how a fix is checked before re-enabling.
    const scheduled = delivery.jobTrigger === 'initial' || delivery.jobTrigger === 'retry';
    if (!delivery.test && scheduled && !delivery.endpointActive) {
      await cancelDelivery(deps.db, deliveryId);
      observeCancelled(deps, delivery);
      return 'cancelled';
    }
    const { step, signal, recorded } = await observeAttempt(deps, job, delivery, () => attemptDelivery(deps, delivery));
    deps.endpointGuard.record(endpointId, signal);
    deps.workspaceGuard.record(workspaceId, signal.responseTimeMs);
    if (!recorded) {
      // Another run owns the delivery now (this one stalled past its claim): its attempt is the one
      // that counts, and its job schedules what follows. Nothing was written; nothing is scheduled.
      deps.logger.warn({ deliveryId, jobId: job.id }, 'attempt not recorded: this run no longer owned the delivery');
      return 'lost';
    }
    if (step.status === 'pending') throw new RetryLaterError(step.delayMs);
    return step.status;
  } finally {
    admission.release();
    share.release();
    // A hold published because of a stuck request ends when it finishes, not when it would have timed out.
    if (manual !== true && deps.endpointGuard.admitsNow(endpointId)) deps.pausePublisher.retract(endpointId);
    if (workspaceId !== undefined && deps.workspaceGuard.admitsNow(workspaceId)) deps.pausePublisher.retract(workspacePauseKey(workspaceId));
  }
}
