import { catalogEntryJson, eventCatalog } from '@dispatch/core';
import { api } from '@dispatch/core/api';
import type { EndpointScope } from '@dispatch/db';
import { requireKey, type Principal } from '../http/auth.js';
import { implement } from '../http/route.js';
import { createEndpoint, getEndpoint, listEndpointsPage, reenableEndpoint, removeEndpoint, updateEndpointFields } from '../services/endpoints.service.js';
import { outboundWebhookView } from '../views/endpoint.view.js';
import { endpointActionRoutes } from './endpoint-actions.routes.js';

// Outbound webhooks (automations): /api/integrations/outbound, and the event catalog. Mutations need
// webhooks:manage and the workspace's `integrations` feature (the contract's access says so).

const scopeOf = (principal: Principal): EndpointScope => ({ workspaceId: requireKey(principal).workspaceId, kind: 'outbound_webhook' });

export const outboundRoutes = [
  implement(api.outbound.catalog, async () => ({ data: eventCatalog.map(catalogEntryJson) })),
  implement(api.outbound.list, async ({ deps, principal, query }) => {
    const page = await listEndpointsPage(deps, scopeOf(principal), query);
    return { data: page.data.map((row) => outboundWebhookView(row)), nextCursor: page.nextCursor };
  }),
  implement(api.outbound.create, async ({ deps, principal, body }) => {
    const { row, secret } = await createEndpoint(deps, scopeOf(principal), { ...body, eventTypes: body.events });
    return outboundWebhookView(row, secret);
  }),
  implement(api.outbound.get, async ({ deps, principal, params }) => outboundWebhookView(await getEndpoint(deps, scopeOf(principal), params.id))),
  implement(api.outbound.update, async ({ deps, principal, params, body }) =>
    outboundWebhookView(await updateEndpointFields(deps, scopeOf(principal), params.id, { ...body, eventTypes: body.events })),
  ),
  implement(api.outbound.delete, ({ deps, principal, params }) => removeEndpoint(deps, scopeOf(principal), params.id)),
  implement(api.outbound.enable, async ({ deps, principal, params }) => outboundWebhookView(await reenableEndpoint(deps, scopeOf(principal), params.id))),
  ...endpointActionRoutes(api.outbound, {
    scope: async (_deps, principal) => scopeOf(principal),
    // The route's params schema requires it.
    endpointId: (params) => params.id!,
  }),
];
