import { classifyError, classifyStatus, loggableError, newId } from '@dispatch/core';
import { recordOperatorAttempt, recordReplayOutcome, type ClaimedOperatorAttempt } from '@dispatch/db';
import type { WorkerDeps } from '../deps.js';
import { answerColumns, sendAttempt, type Attempted } from './attempt.js';

/**
 * Makes an operator's attempt (redeliver, replay) of a claimed delivery and records it beside the
 * schedule (operator-attempts.queries.ts): a success ends the delivery as succeeded; a failure
 * changes neither its state nor its schedule, and does not count against the endpoint (an operator
 * probing a receiver must not get it disabled). A replay's attempt counts towards its replay.
 */
export async function attemptForOperator(deps: WorkerDeps, delivery: ClaimedOperatorAttempt): Promise<Attempted> {
  const { attemptedAt, storedHeaders, result } = await sendAttempt(deps, delivery);
  const outcome = result.error ? classifyError(result.error) : classifyStatus(result.statusCode!);
  const succeeded = outcome.kind === 'success';
  const recorded = await deps.db.transaction(async (tx) => {
    const done = await recordOperatorAttempt(tx, {
      id: newId('attempt'),
      deliveryId: delivery.id,
      trigger: delivery.jobTrigger,
      requestHeaders: storedHeaders,
      ...answerColumns(result),
      attemptedAt,
      succeeded,
      healthyEndpointId: succeeded && !delivery.test ? delivery.endpointId : null,
      jobId: delivery.jobId,
      claimedAt: delivery.claimedAt,
    });
    if (done && delivery.replayId) await recordReplayOutcome(tx, delivery.replayId, succeeded);
    return done;
  });
  if (recorded && succeeded && recorded.previousStatus === 'pending' && delivery.scheduledJobId) {
    // Tidying only: the scheduled job would find the delivery finished and do nothing.
    await deps.queues.deliveriesFor(delivery.endpointId).remove(delivery.scheduledJobId).catch((err: unknown) => {
      deps.logger.debug({ err: loggableError(err), deliveryId: delivery.id }, 'could not remove the scheduled job of a delivery an operator delivered');
    });
  }
  return {
    recorded: recorded !== undefined,
    attemptNo: recorded?.attemptNo ?? null,
    succeeded,
    ended: recorded && succeeded && recorded.previousStatus !== 'succeeded' ? 'succeeded' : null,
    nextAttemptAt: recorded && recorded.status === 'pending' ? recorded.nextAttemptAt : null,
    signal: { responseTimeMs: result.timings.total, statusCode: result.statusCode, error: result.error, retryAfterMs: null },
  };
}
