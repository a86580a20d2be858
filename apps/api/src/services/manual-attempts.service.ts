import { createHash } from 'node:crypto';
import { attemptAbandonedAfterMs, badRequest, conflict, newId, notFound } from '@dispatch/core';
import {
  countReplayable,
  findDelivery,
  findReplay,
  insertOpenEndedReplay,
  insertReplay,
  scheduleRedelivery,
  type EndpointScope,
  type ReplayRow,
} from '@dispatch/db';
import type { ApiDeps } from '../deps.js';
import { deliveryView } from '../views/delivery.view.js';
import { getEndpoint } from './endpoints.service.js';

// Operator-initiated attempts: redeliver one delivery, replay many.

const MAX_REPLAY = 10_000;
const REPLAY_WINDOW_MS = 14 * 24 * 60 * 60 * 1000;

export async function redeliver(deps: ApiDeps, scope: EndpointScope, endpointId: string, deliveryId: string) {
  await getEndpoint(deps, scope, endpointId);
  const result = await scheduleRedelivery(deps.db, {
    workspaceId: scope.workspaceId,
    endpointId,
    deliveryId,
    inFlightMs: attemptAbandonedAfterMs(deps.config.DISPATCH_REQUEST_TIMEOUT),
  });
  if (result.outcome === 'not_found') throw notFound('delivery');
  if (result.outcome === 'in_flight') throw conflict('an attempt of this delivery is in flight; retry when it has finished');
  // The row is pending and due: if Redis does not take the job in time, the reconciler queues it.
  await deps.queueHandoff.handOff(1, async () => {
    // The scheduled retry is dropped; even if removal fails it no longer owns the delivery.
    if (result.previousJobId) await deps.queues.deliveries.remove(result.previousJobId).catch(() => 0);
    await deps.queues.enqueueDeliveries([
      { deliveryId, endpointId, workspaceId: scope.workspaceId, jobId: result.jobId, attemptsLeft: result.attemptsLeft, manual: true },
    ]);
  });
  const row = await findDelivery(deps.db, { workspaceId: scope.workspaceId, deliveryId, endpointId });
  return { delivery: deliveryView(row!) };
}

export interface ReplayInput {
  since: Date;
  until?: Date | undefined;
  status: 'failed' | 'all';
  dryRun: boolean;
}

export function replayView(row: ReplayRow) {
  return {
    id: row.id,
    status: row.status,
    count: row.count,
    done: row.done,
    failed: row.failed,
    since: row.since.toISOString(),
    until: row.until.toISOString(),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * Re-sends the endpoint's matching deliveries in the background. With an explicit `until` the same
 * arguments always give the same replay. An omitted `until` means "now": the same call gives the
 * same replay only while that one is queued or running; after it finished, the call starts a new
 * one (which also takes the deliveries that failed since), instead of answering with the old one.
 */
export async function startEndpointReplay(deps: ApiDeps, scope: EndpointScope, endpointId: string, input: ReplayInput) {
  await getEndpoint(deps, scope, endpointId);
  const now = Date.now();
  if (input.since.getTime() < now - REPLAY_WINDOW_MS) {
    throw badRequest('since: replays reach back at most 14 days', [{ path: 'since', message: 'must be within the last 14 days' }]);
  }
  const until = input.until ?? new Date(now);
  if (until < input.since) throw badRequest('until: must not be before since', [{ path: 'until', message: 'must not be before since' }]);
  const criteria = { endpointId, since: input.since, until, statusFilter: input.status, limit: MAX_REPLAY };
  if (input.dryRun) return { replayId: null, count: await countReplayable(deps.db, criteria), dryRun: true };
  const argsKey = createHash('sha256')
    .update(JSON.stringify([input.since.toISOString(), input.until?.toISOString() ?? null, input.status]))
    .digest('hex');
  const values = {
    id: newId('replay'),
    workspaceId: scope.workspaceId,
    endpointId,
    argsKey,
    since: input.since,
    until,
    statusFilter: input.status,
    count: await countReplayable(deps.db, criteria),
  };
  const { row, created } = input.until ? await insertReplay(deps.db, values) : await insertOpenEndedReplay(deps.db, values, `open:${argsKey}:`);
  // The replay row is queued: if Redis does not take its job in time, the reconciler queues it.
  if (created) await deps.queueHandoff.handOff(1, () => deps.queues.enqueueReplay(row.id));
  return { replayId: row.id, count: row.count };
}

export async function getReplay(deps: ApiDeps, scope: EndpointScope, endpointId: string, replayId: string) {
  await getEndpoint(deps, scope, endpointId);
  const row = await findReplay(deps.db, { workspaceId: scope.workspaceId, endpointId, replayId });
  if (!row) throw notFound('replay');
  return replayView(row);
}
