import {
  classifyError,
  classifyStatus,
  newId,
  nextStep,
  parseRetryAfter,
  PRIVATE_DESTINATION_REFUSAL,
  signedHeaders,
  type NextStep,
} from '@dispatch/core';
import {
  disableEndpointGone,
  markEndpointFailure,
  recordAttempts,
  recordReplayOutcome,
  type AttemptRecord,
  type ClaimedDelivery,
} from '@dispatch/db';
import type { WorkerDeps } from '../deps.js';
import type { AttemptSignal } from './endpoint-guard.js';
import { sendWebhook, type SendResult } from './send.js';

export const USER_AGENT = 'Dispatch-Webhooks/0.1.0';

/** The current secret, plus the previous one while its rotation grace period lasts. */
function signingSecrets(deps: WorkerDeps, delivery: ClaimedDelivery, now: Date): string[] {
  const secrets = [deps.secrets.open(delivery.secretSealed)];
  if (delivery.previousSecretSealed && delivery.previousSecretExpiresAt && delivery.previousSecretExpiresAt > now) {
    secrets.push(deps.secrets.open(delivery.previousSecretSealed));
  }
  return secrets;
}

/**
 * The headers sent, and those stored with the attempt: the same but for custom header values, which
 * are secrets and stored masked. Custom headers go first so they can never replace the signature or
 * content headers.
 */
export function buildRequestHeaders(deps: WorkerDeps, delivery: ClaimedDelivery, at: Date): { sent: Record<string, string>; stored: Record<string, string> } {
  const own = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    ...signedHeaders(signingSecrets(deps, delivery, at), delivery.eventId, at, delivery.payload),
  };
  if (delivery.headersSealed === null) return { sent: own, stored: own };
  const custom = deps.secrets.headers(delivery.headersSealed);
  return { sent: { ...custom.sent, ...own }, stored: { ...custom.stored, ...own } };
}

function decide(deps: WorkerDeps, delivery: ClaimedDelivery, attemptNo: number, result: SendResult) {
  const outcome = result.error ? classifyError(result.error) : classifyStatus(result.statusCode!);
  const retryAfterHeader = result.responseHeaders?.['retry-after'];
  const retryAfterMs = parseRetryAfter(Array.isArray(retryAfterHeader) ? retryAfterHeader[0] : retryAfterHeader);
  return { step: nextStep(outcome, attemptNo, delivery.maxAttempts, deps.config.DISPATCH_RETRY_SCHEDULE, retryAfterMs), retryAfterMs };
}

/**
 * Makes one attempt of a claimed delivery and records it, with its consequences for the delivery
 * and the endpoint, atomically. Returns what happens next.
 *
 * A plain success (the hot path) is recorded in one statement shared with the other jobs finishing
 * in the same turn; anything with more consequences (a failure counts against the endpoint and may
 * disable it, a replay counts towards its replay) gets its own transaction.
 */
export async function attemptDelivery(deps: WorkerDeps, delivery: ClaimedDelivery): Promise<{ step: NextStep; signal: AttemptSignal; recorded: boolean }> {
  const attemptNo = delivery.attemptCount + 1;
  const attemptedAt = new Date();
  const requestHeaders = buildRequestHeaders(deps, delivery, attemptedAt);
  const result = await sendWebhook(deps.http, {
    url: delivery.url,
    body: delivery.payload,
    headers: requestHeaders.sent,
    allowPrivateDestinations: deps.config.DISPATCH_ALLOW_PRIVATE_DESTINATIONS,
  });
  // The attempt records only the kind; the log says which setting would let it through.
  if (result.error === 'destination_blocked') deps.logger.warn({ deliveryId: delivery.id, endpointId: delivery.endpointId }, `destination refused: ${PRIVATE_DESTINATION_REFUSAL}`);
  const { step, retryAfterMs } = decide(deps, delivery, attemptNo, result);
  const succeeded = step.status === 'succeeded';
  const record: AttemptRecord = {
    id: newId('attempt'),
    deliveryId: delivery.id,
    attemptNo,
    trigger: delivery.jobTrigger,
    requestHeaders: requestHeaders.stored,
    statusCode: result.statusCode,
    responseHeaders: result.responseHeaders,
    responseBody: result.responseBody,
    responseBodyTruncated: result.responseBodyTruncated,
    responseBodySize: result.responseBodySize,
    responseTimeMs: result.timings.total,
    timings: result.timings,
    error: result.error,
    attemptedAt,
    status: step.status,
    retryDelayMs: step.status === 'pending' ? step.delayMs : null,
    // Tests check an endpoint without judging it: they never change its health.
    healthyEndpointId: succeeded && !delivery.test ? delivery.endpointId : null,
    jobId: delivery.jobId,
    claimedAt: delivery.claimedAt,
  };
  const recorded = succeeded && !delivery.replayId ? await deps.deliveryStore.record(record) : await recordWithConsequences(deps, delivery, record, step);
  return { step, recorded, signal: { responseTimeMs: result.timings.total, statusCode: result.statusCode, error: result.error, retryAfterMs } };
}

/** False when the run no longer owned the delivery: then none of the consequences are written either. */
async function recordWithConsequences(deps: WorkerDeps, delivery: ClaimedDelivery, record: AttemptRecord, step: NextStep): Promise<boolean> {
  return deps.db.transaction(async (tx) => {
    const [recorded] = await recordAttempts(tx, [record]);
    if (!recorded) return false;
    if (delivery.replayId && step.status !== 'pending') await recordReplayOutcome(tx, delivery.replayId, step.status === 'succeeded');
    if (delivery.test || step.status === 'succeeded') return true;
    const disabled = await markEndpointFailure(tx, delivery.endpointId, {
      disableAfterMs: deps.config.DISPATCH_DISABLE_AFTER,
      disableAfterFailures: deps.config.DISPATCH_DISABLE_AFTER_FAILURES,
    });
    if (disabled) deps.logger.warn({ endpointId: delivery.endpointId }, 'endpoint disabled after failing too long');
    if (step.status === 'failed' && step.gone) await disableEndpointGone(tx, delivery.endpointId);
    return true;
  });
}
