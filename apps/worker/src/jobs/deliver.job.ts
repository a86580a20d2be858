import { DelayedError, type Job } from 'bullmq';
import { attemptAbandonedAfterMs } from '@dispatch/core';
import { cancelDelivery, claimOperatorAttempt, findEarlyClaim, type ClaimedDelivery } from '@dispatch/db';
import { deliverJobSchema, JOB_PRIORITIES, workspacePauseKey } from '@dispatch/queue';
import type { WorkerDeps } from '../deps.js';
import { attemptDelivery, type Attempted } from '../delivery/attempt.js';
import { attemptForOperator } from '../delivery/operator-attempt.js';
import { RetryLaterError } from '../delivery/retry-later.js';
import { observeAttempt, observeCancelled } from '../observability/attempt-observer.js';
import { logAttempt } from '../observability/attempt-log.js';

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
  const { deliveryId, endpointId, workspaceId, manual, operator } = deliverJobSchema.parse(job.data);
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
    if (operator === true) return await operatorAttempt(deps, job, deliveryId);
    return await scheduledAttempt(deps, job, deliveryId, token);
  } finally {
    admission.release();
    share.release();
    // A hold published because of a stuck request ends when it finishes, not when it would have timed out.
    if (manual !== true && deps.endpointGuard.admitsNow(endpointId)) deps.pausePublisher.retract(endpointId);
    if (workspaceId !== undefined && deps.workspaceGuard.admitsNow(workspaceId)) deps.pausePublisher.retract(workspacePauseKey(workspaceId));
  }
}

/** The attempt the delivery's schedule owns (its row's job_id). */
async function scheduledAttempt(deps: WorkerDeps, job: Job, deliveryId: string, token: string | undefined): Promise<string> {
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
    // Superseded, already finished (an operator's attempt delivered it), in flight elsewhere, or deleted: nothing to do.
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
  const attempted = await observeAttempt(deps, job, delivery, () => attemptDelivery(deps, delivery));
  afterAttempt(deps, delivery, attempted, delivery.jobTrigger === 'test');
  if (!attempted.recorded) return 'lost';
  if (attempted.step.status === 'pending') throw new RetryLaterError(attempted.step.delayMs);
  return attempted.step.status;
}

/** An operator's attempt (redeliver, replay): the row's manual attempt, beside its schedule. */
async function operatorAttempt(deps: WorkerDeps, job: Job, deliveryId: string): Promise<string> {
  const delivery = await claimOperatorAttempt(deps.db, { deliveryId, jobId: job.id! }, attemptAbandonedAfterMs(deps.config.DISPATCH_REQUEST_TIMEOUT));
  // Taken over by a newer request, in flight elsewhere, or deleted: nothing to do.
  if (!delivery) return 'stale';
  const attempted = await observeAttempt(deps, job, delivery, () => attemptForOperator(deps, delivery));
  afterAttempt(deps, delivery, attempted, true);
  if (!attempted.recorded) return 'lost';
  return attempted.succeeded ? 'succeeded' : 'failed';
}

/** What every attempt tells the guards, the other workers (through the pauses) and the log. */
function afterAttempt(deps: WorkerDeps, delivery: ClaimedDelivery, attempted: Attempted, manual: boolean): void {
  const change = deps.endpointGuard.record(delivery.endpointId, attempted.signal);
  deps.workspaceGuard.record(delivery.workspaceId, attempted.signal.responseTimeMs);
  if (change?.state === 'open') deps.breakerSync.opened(delivery.endpointId, change.until);
  if (attempted.succeeded) deps.breakerSync.succeeded(delivery.endpointId, { closedHere: change?.state === 'closed', manual });
  logAttempt(deps.logger, delivery, attempted, change);
}
