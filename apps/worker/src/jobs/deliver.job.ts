import type { Job } from 'bullmq';
import { cancelDelivery, claimDelivery } from '@dispatch/db';
import { deliverJobSchema } from '@dispatch/queue';
import type { WorkerDeps } from '../deps.js';
import { attemptDelivery } from '../delivery/attempt.js';
import { RetryLaterError } from '../delivery/retry-later.js';

/** One job per delivery (never a loop over endpoints); one run of it is one attempt. */
export async function deliverJob(deps: WorkerDeps, job: Job): Promise<string> {
  const { deliveryId } = deliverJobSchema.parse(job.data);
  const delivery = await claimDelivery(deps.db, deliveryId, job.id!);
  // Superseded (a redelivery took over), already finished, or deleted: nothing to do.
  if (!delivery) return 'stale';
  // A disabled endpoint gets no scheduled attempts. What an operator asks for (test, redeliver,
  // replay) still reaches it: that is how a fix is checked before re-enabling.
  const scheduled = delivery.jobTrigger === 'initial' || delivery.jobTrigger === 'retry';
  if (!delivery.test && scheduled && !delivery.endpointActive) {
    await cancelDelivery(deps.db, deliveryId);
    return 'cancelled';
  }
  const step = await attemptDelivery(deps, delivery);
  if (step.status === 'pending') throw new RetryLaterError(step.delayMs);
  return step.status;
}
