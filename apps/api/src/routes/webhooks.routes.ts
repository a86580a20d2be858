import { api } from '@dispatch/core/api';
import type { EndpointScope } from '@dispatch/db';
import { requireKey, type Principal } from '../http/auth.js';
import { implement } from '../http/route.js';
import { createEndpoint, getEndpoint, listEndpointsPage, reenableEndpoint, removeEndpoint, updateEndpointFields } from '../services/endpoints.service.js';
import { workspaceWebhookView } from '../views/endpoint.view.js';
import { endpointActionRoutes } from './endpoint-actions.routes.js';

// Workspace webhooks: /api/webhooks-manage (core webhook dispatch).

const scopeOf = (principal: Principal): EndpointScope => ({ workspaceId: requireKey(principal).workspaceId, kind: 'workspace_webhook' });
const fields = (body: { name?: string | undefined; url?: string | undefined; triggers?: string[] | undefined }) => ({ name: body.name, url: body.url, eventTypes: body.triggers });

export const webhookRoutes = [
  implement(api.webhooks.create, async ({ deps, principal, body }) => {
    const { row, secret } = await createEndpoint(deps, scopeOf(principal), { ...fields(body), url: body.url, eventTypes: body.triggers });
    return workspaceWebhookView(row, secret);
  }),
  implement(api.webhooks.list, async ({ deps, principal, query }) => {
    const page = await listEndpointsPage(deps, scopeOf(principal), query);
    return { data: page.data.map((row) => workspaceWebhookView(row)), nextCursor: page.nextCursor };
  }),
  implement(api.webhooks.get, async ({ deps, principal, params }) => workspaceWebhookView(await getEndpoint(deps, scopeOf(principal), params.id))),
  implement(api.webhooks.update, async ({ deps, principal, params, body }) =>
    workspaceWebhookView(await updateEndpointFields(deps, scopeOf(principal), params.id, fields(body))),
  ),
  implement(api.webhooks.delete, ({ deps, principal, params }) => removeEndpoint(deps, scopeOf(principal), params.id)),
  implement(api.webhooks.enable, async ({ deps, principal, params }) => workspaceWebhookView(await reenableEndpoint(deps, scopeOf(principal), params.id))),
  ...endpointActionRoutes(api.webhooks, {
    scope: async (_deps, principal) => scopeOf(principal),
    // The route's params schema requires it.
    endpointId: (params) => params.id!,
  }),
];
