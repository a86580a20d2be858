import { forbidden, notFound } from '@dispatch/core';
import type { EndpointKind } from '@dispatch/core/api';
import {
  findDelivery,
  findDeliveryPayload,
  findWorkspaceDelivery,
  listAttempts,
  listEndpointDeliveries,
  listWorkspaceDeliveries,
  type DeliveryFilters,
  type WorkspaceDeliveryFilters,
  type EndpointScope,
  type PageInput,
} from '@dispatch/db';
import type { ApiDeps } from '../deps.js';
import { deliveryDetailView, deliveryView } from '../views/delivery.view.js';
import { getEndpoint } from './endpoints.service.js';
import { redeliver } from './manual-attempts.service.js';

export async function listDeliveries(deps: ApiDeps, scope: EndpointScope, endpointId: string, filters: DeliveryFilters, page: PageInput) {
  await getEndpoint(deps, scope, endpointId);
  const result = await listEndpointDeliveries(deps.db, { workspaceId: scope.workspaceId, endpointId, filters, page });
  return { data: result.data.map(deliveryView), nextCursor: result.nextCursor };
}

export async function getDeliveryDetail(deps: ApiDeps, scope: EndpointScope, endpointId: string, deliveryId: string) {
  await getEndpoint(deps, scope, endpointId);
  const row = await findDelivery(deps.db, { workspaceId: scope.workspaceId, deliveryId, endpointId });
  if (!row) throw notFound('delivery');
  const [attempts, payload] = await Promise.all([listAttempts(deps.db, row.id), findDeliveryPayload(deps.db, row.id)]);
  return deliveryDetailView(row, attempts, payload ?? '');
}

/** Who is asking, for the workspace-wide views: the kinds of endpoint their key reads and acts on. */
export interface WorkspaceCaller {
  workspaceId: string;
  readableKinds: readonly EndpointKind[];
  writableKinds: readonly EndpointKind[];
}

export async function listWorkspaceDeliveriesPage(deps: ApiDeps, caller: WorkspaceCaller, filters: Omit<WorkspaceDeliveryFilters, 'targetKinds'> & { targetKind?: EndpointKind | undefined }, page: PageInput) {
  const targetKinds = filters.targetKind ? caller.readableKinds.filter((kind) => kind === filters.targetKind) : caller.readableKinds;
  const result = await listWorkspaceDeliveries(deps.db, { workspaceId: caller.workspaceId, filters: { ...filters, targetKinds }, page });
  return { data: result.data.map(deliveryView), nextCursor: result.nextCursor };
}

async function workspaceDelivery(deps: ApiDeps, caller: WorkspaceCaller, deliveryId: string, kinds: readonly EndpointKind[]) {
  const row = await findWorkspaceDelivery(deps.db, { workspaceId: caller.workspaceId, deliveryId, kinds });
  if (!row) throw notFound('delivery');
  return row;
}

export async function getWorkspaceDeliveryDetail(deps: ApiDeps, caller: WorkspaceCaller, deliveryId: string) {
  const row = await workspaceDelivery(deps, caller, deliveryId, caller.readableKinds);
  const [attempts, payload] = await Promise.all([listAttempts(deps.db, row.id), findDeliveryPayload(deps.db, row.id)]);
  return deliveryDetailView(row, attempts, payload ?? '');
}

/** A delivery the key may read but not act on is a 403; one it may not read, a 404. */
export async function redeliverById(deps: ApiDeps, caller: WorkspaceCaller, deliveryId: string) {
  const row = await workspaceDelivery(deps, caller, deliveryId, caller.readableKinds);
  if (!caller.writableKinds.includes(row.endpointKind)) throw forbidden(`this API key may not redeliver to ${row.endpointKind} endpoints`);
  return redeliver(deps, { workspaceId: caller.workspaceId, kind: row.endpointKind }, row.endpointId, row.id);
}
