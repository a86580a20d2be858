import { notFound } from '@dispatch/core';
import {
  findDelivery,
  findDeliveryPayload,
  listAttempts,
  listEndpointDeliveries,
  type DeliveryFilters,
  type EndpointScope,
  type PageInput,
} from '@dispatch/db';
import type { ApiDeps } from '../deps.js';
import { deliveryDetailView, deliveryView } from '../views/delivery.view.js';
import { getEndpoint } from './endpoints.service.js';

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
