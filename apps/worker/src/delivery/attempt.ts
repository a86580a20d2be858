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
  recordNumberedAttempts,
  recordReplayOutcome,
  type AttemptRecord,
  type ClaimedDelivery,
  type Db,
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

/** What one attempt came to, as the deliver job and its observer need it. */
export interface Attempted {
  signal: AttemptSignal;
  /** False when the run no longer owned the delivery: then nothing of it was written. */
  recorded: boolean;
  /** The stored attempt's number (null when not recorded). */
  attemptNo: number | null;
  succeeded: boolean;
  /** How this attempt ended the delivery, if it did. */
  ended: 'succeeded' | 'failed' | null;
  /** When the schedule makes its next attempt (null: none). */
  nextAttemptAt: Date | null;
}

/** Signs and sends one attempt of a claimed delivery: the request as stored, and the answer. */
export async function sendAttempt(deps: WorkerDeps, delivery: ClaimedDelivery): Promise<{ attemptedAt: Date; storedHeaders: Record<string, string>; result: SendResult }> {
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
  return { attemptedAt, storedHeaders: requestHeaders.stored, result };
}

/** The answer's part of an attempt's record. */
export function answerColumns(result: SendResult) {
  return {
    statusCode: result.statusCode,
    responseHeaders: result.responseHeaders,
    responseBody: result.responseBody,
    responseBodyTruncated: result.responseBodyTruncated,
    responseBodySize: result.responseBodySize,
    responseTimeMs: result.timings.total,
    timings: result.timings,
    error: result.error,
  };
}

/**
 * Makes one scheduled attempt of a claimed delivery and records it, with its consequences for the
 * delivery and the endpoint, atomically. Returns what happens next.
 *
 * A plain success (the hot path) is recorded in one statement shared with the other jobs finishing
 * in the same turn; anything with more consequences (a failure counts against the endpoint and may
 * disable it, a replay counts towards its replay) gets its own transaction.
 */
export async function attemptDelivery(deps: WorkerDeps, delivery: ClaimedDelivery): Promise<Attempted & { step: NextStep }> {
  // The schedule's own count: operator's attempts beside it do not use its steps.
  const scheduleNo = delivery.attemptCount + 1;
  const { attemptedAt, storedHeaders, result } = await sendAttempt(deps, delivery);
  const { step, retryAfterMs } = decide(deps, delivery, scheduleNo, result);
  const succeeded = step.status === 'succeeded';
  const record: AttemptRecord = {
    id: newId('attempt'),
    deliveryId: delivery.id,
    trigger: delivery.jobTrigger,
    requestHeaders: storedHeaders,
    ...answerColumns(result),
    attemptedAt,
    status: step.status,
    retryDelayMs: step.status === 'pending' ? step.delayMs : null,
    // Tests check an endpoint without judging it: they never change its health.
    healthyEndpointId: succeeded && !delivery.test ? delivery.endpointId : null,
    jobId: delivery.jobId,
    claimedAt: delivery.claimedAt,
  };
  const attemptNo = succeeded && !delivery.replayId ? await deps.deliveryStore.record(record) : await recordWithConsequences(deps, delivery, record, step);
  const recorded = attemptNo !== null;
  return {
    step,
    recorded,
    attemptNo,
    succeeded,
    ended: recorded && step.status !== 'pending' ? step.status : null,
    nextAttemptAt: step.status === 'pending' ? new Date(Date.now() + step.delayMs) : null,
    signal: { responseTimeMs: result.timings.total, statusCode: result.statusCode, error: result.error, retryAfterMs },
  };
}

/** The attempt's number, or null when the run no longer owned the delivery: then none of the consequences are written either. */
async function recordWithConsequences(deps: WorkerDeps, delivery: ClaimedDelivery, record: AttemptRecord, step: NextStep): Promise<number | null> {
  return deps.db.transaction(async (tx) => {
    const [attemptNo] = await recordNumberedAttempts(tx, [record]);
    if (attemptNo === null || attemptNo === undefined) return null;
    if (delivery.replayId && step.status !== 'pending') await recordReplayOutcome(tx, delivery.replayId, step.status === 'succeeded');
    if (delivery.test || step.status === 'succeeded') return attemptNo;
    await countFailure(deps, tx, delivery);
    if (step.status === 'failed' && step.gone) {
      await disableEndpointGone(tx, delivery.endpointId);
      deps.logger.warn({ endpointId: delivery.endpointId, deliveryId: delivery.id, eventId: delivery.eventId }, 'endpoint disabled: the receiver answered 410 Gone');
    }
    return attemptNo;
  });
}

/** A failed attempt counts against its endpoint, which is disabled after failing too long. */
async function countFailure(deps: WorkerDeps, tx: Db, delivery: ClaimedDelivery): Promise<void> {
  const disabled = await markEndpointFailure(tx, delivery.endpointId, {
    disableAfterMs: deps.config.DISPATCH_DISABLE_AFTER,
    disableAfterFailures: deps.config.DISPATCH_DISABLE_AFTER_FAILURES,
  });
  if (disabled) deps.logger.warn({ endpointId: delivery.endpointId, deliveryId: delivery.id, eventId: delivery.eventId }, 'endpoint disabled after failing too long');
}
