import { createHash } from 'node:crypto';
import { attemptAbandonedAfterMs, badRequest, conflict, forbidden, newId, notFound } from '@dispatch/core';
import { REPLAY_MAX_DELIVERIES, REPLAY_WINDOW_DAYS, type EndpointKind, type ReplaySelection } from '@dispatch/core/api';
import {
  countReplayable,
  findDelivery,
  findReplay,
  insertOpenEndedReplay,
  insertReplay,
  scheduleRedelivery,
  ENDPOINT_KINDS,
  type EndpointScope,
  type ReplayFilters,
} from '@dispatch/db';
import type { ApiDeps } from '../deps.js';
import { deliveryView } from '../views/delivery.view.js';
import { replayView } from '../views/replay.view.js';
import { getEndpoint } from './endpoints.service.js';

// Operator-initiated attempts: redeliver one delivery, replay many.

const REPLAY_WINDOW_MS = REPLAY_WINDOW_DAYS * 86_400_000;

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
  // The attempt is asked for in the row: if Redis does not take the job in time, the reconciler queues
  // it. The delivery's scheduled job stays as it is (an operator's attempt runs beside it).
  await deps.queueHandoff.handOff(1, () =>
    deps.queues.enqueueDeliveries([{ deliveryId, endpointId, workspaceId: scope.workspaceId, jobId: result.jobId, attemptsLeft: 1, manual: true, operator: true }]),
  );
  const row = await findDelivery(deps.db, { workspaceId: scope.workspaceId, deliveryId, endpointId });
  return { delivery: deliveryView(row!) };
}

export interface ReplayInput {
  since: Date;
  until?: Date | undefined;
  status: ReplaySelection;
  dryRun: boolean;
}

/** What a replay covers besides its window: one endpoint, or the workspace's deliveries that match. */
interface ReplayTarget {
  workspaceId: string;
  endpointId?: string | undefined;
  filters: ReplayFilters;
}

function checkWindow(input: ReplayInput): Date {
  const now = Date.now();
  if (input.since.getTime() < now - REPLAY_WINDOW_MS) {
    throw badRequest(`since: replays reach back at most ${REPLAY_WINDOW_DAYS} days`, [{ path: 'since', message: `must be within the last ${REPLAY_WINDOW_DAYS} days` }]);
  }
  const until = input.until ?? new Date(now);
  if (until < input.since) throw badRequest('until: must not be before since', [{ path: 'until', message: 'must not be before since' }]);
  return until;
}

/**
 * Re-sends the matching deliveries in the background. With an explicit `until` the same arguments
 * always give the same replay. An omitted `until` means "now": the same call gives the same replay
 * only while that one is queued or running; after it finished, the call starts a new one (which also
 * takes the deliveries that failed since), instead of answering with the old one.
 */
async function startReplay(deps: ApiDeps, target: ReplayTarget, input: ReplayInput): Promise<{ replayId: string | null; count: number }> {
  const until = checkWindow(input);
  const criteria = {
    workspaceId: target.workspaceId,
    endpointId: target.endpointId,
    targetKinds: target.filters.targetKinds ?? ENDPOINT_KINDS,
    eventType: target.filters.eventType,
    statusCode: target.filters.statusCode,
    since: input.since,
    until,
    selection: input.status,
    limit: REPLAY_MAX_DELIVERIES,
  };
  const count = await countReplayable(deps.db, criteria);
  if (input.dryRun) return { replayId: null, count };
  const argsHash = createHash('sha256')
    .update(JSON.stringify([input.since.toISOString(), input.until?.toISOString() ?? null, input.status, target.filters]))
    .digest('hex');
  // Unique within the workspace: the endpoint (or the whole workspace) and the arguments.
  const argsKey = `${target.endpointId ?? 'workspace'}:${argsHash}`;
  const values = {
    id: newId('replay'),
    workspaceId: target.workspaceId,
    endpointId: target.endpointId ?? null,
    filters: target.filters,
    argsKey,
    since: input.since,
    until,
    statusFilter: input.status,
    count,
  };
  const { row, created } = input.until ? await insertReplay(deps.db, values) : await insertOpenEndedReplay(deps.db, values, `${target.endpointId ?? 'workspace'}:open:${argsHash}:`);
  // The replay row is queued: if Redis does not take its job in time, the reconciler queues it.
  if (created) await deps.queueHandoff.handOff(1, () => deps.queues.enqueueReplay(row.id));
  return { replayId: row.id, count: row.count };
}

export async function startEndpointReplay(deps: ApiDeps, scope: EndpointScope, endpointId: string, input: ReplayInput) {
  await getEndpoint(deps, scope, endpointId);
  const started = await startReplay(deps, { workspaceId: scope.workspaceId, endpointId, filters: {} }, input);
  return input.dryRun ? { ...started, dryRun: true } : started;
}

export async function getReplay(deps: ApiDeps, scope: EndpointScope, endpointId: string, replayId: string) {
  await getEndpoint(deps, scope, endpointId);
  const row = await findReplay(deps.db, { workspaceId: scope.workspaceId, endpointId, replayId });
  if (!row) throw notFound('replay');
  return replayView(row);
}

export interface WorkspaceReplayInput extends ReplayInput {
  targetKind?: EndpointKind | undefined;
  targetId?: string | undefined;
  eventType?: string | undefined;
  statusCode?: string | undefined;
}

/** A replay across the workspace, of the endpoint kinds the key may act on. */
export async function startWorkspaceReplay(deps: ApiDeps, caller: { workspaceId: string; writableKinds: readonly EndpointKind[] }, input: WorkspaceReplayInput) {
  const targetKinds = input.targetKind ? caller.writableKinds.filter((kind) => kind === input.targetKind) : [...caller.writableKinds];
  if (input.targetKind && targetKinds.length === 0) throw forbidden(`this API key may not replay deliveries of ${input.targetKind} endpoints`);
  const filters: ReplayFilters = { targetKinds, ...(input.eventType ? { eventType: input.eventType } : {}), ...(input.statusCode ? { statusCode: input.statusCode } : {}) };
  const started = await startReplay(deps, { workspaceId: caller.workspaceId, endpointId: input.targetId, filters }, input);
  if (started.replayId === null) return { status: 200 as const, body: { count: started.count, dryRun: true as const } };
  return { status: 202 as const, body: { id: started.replayId, count: started.count } };
}

export async function getWorkspaceReplay(deps: ApiDeps, workspaceId: string, replayId: string) {
  const row = await findReplay(deps.db, { workspaceId, replayId });
  if (!row) throw notFound('replay');
  return replayView(row);
}
