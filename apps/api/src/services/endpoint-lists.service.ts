import { notFound } from '@dispatch/core';
import type { EndpointHealthFilter, EndpointKind } from '@dispatch/core/api';
import { findEndpointAcross, listEndpointsAcross, type PageInput } from '@dispatch/db';
import type { ApiDeps } from '../deps.js';
import type { WorkspaceCaller } from './deliveries.service.js';
import { endpointSummaries, pausedEndpointIds } from './endpoint-stats.service.js';

export interface EndpointListQuery {
  /** One workspace's endpoints; every workspace's for the operator. */
  workspaceId?: string | undefined;
  kinds: readonly EndpointKind[];
  kind?: EndpointKind | undefined;
  health?: EndpointHealthFilter | undefined;
}

/** Endpoints of every kind asked for, unhealthy first, each with its 24 h health summary. */
export async function listEndpointSummaries(deps: ApiDeps, query: EndpointListQuery, page: PageInput) {
  const kinds = query.kind ? query.kinds.filter((kind) => kind === query.kind) : query.kinds;
  const pausedIds = query.health === 'paused' ? await pausedEndpointIds(deps) : undefined;
  const result = await listEndpointsAcross(deps.db, { workspaceId: query.workspaceId, kinds, health: query.health, pausedIds }, page);
  return { data: await endpointSummaries(deps, result.data), nextCursor: result.nextCursor };
}

export async function getEndpointSummary(deps: ApiDeps, caller: WorkspaceCaller, endpointId: string) {
  const row = await findEndpointAcross(deps.db, { workspaceId: caller.workspaceId, id: endpointId, kinds: caller.readableKinds });
  if (!row) throw notFound('endpoint');
  const [summary] = await endpointSummaries(deps, [row]);
  return summary!;
}
