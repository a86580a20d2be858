import { api } from '@dispatch/core/api';
import type { EndpointScope } from '@dispatch/db';
import type { ApiDeps } from '../deps.js';
import { requireKey, type Principal } from '../http/auth.js';
import { implement } from '../http/route.js';
import { createEndpoint, getEndpoint, listEndpointsPage, reenableEndpoint, removeEndpoint, updateEndpointFields } from '../services/endpoints.service.js';
import { getLink } from '../services/links.service.js';
import { linkWebhookView } from '../views/endpoint.view.js';
import { endpointActionRoutes } from './endpoint-actions.routes.js';

// Link webhooks: /api/links/:linkId/webhooks. Every route first checks that the link is the
// workspace's; the scope then limits every query to that link, so a webhook of another link is a 404.

async function linkScope(deps: ApiDeps, principal: Principal, params: { linkId: string }): Promise<EndpointScope> {
  const workspaceId = requireKey(principal).workspaceId;
  const link = await getLink(deps, workspaceId, params.linkId);
  return { workspaceId, kind: 'link_webhook', linkId: link.id };
}

const fields = (body: { name?: string | undefined; url?: string | undefined; triggers?: string[] | undefined }) => ({ name: body.name, url: body.url, eventTypes: body.triggers });

export const linkWebhookRoutes = [
  implement(api.linkWebhooks.create, async ({ deps, principal, params, body }) => {
    const { row, secret } = await createEndpoint(deps, await linkScope(deps, principal, params), { ...fields(body), url: body.url, eventTypes: body.triggers });
    return linkWebhookView(row, secret);
  }),
  implement(api.linkWebhooks.list, async ({ deps, principal, params, query }) => {
    const page = await listEndpointsPage(deps, await linkScope(deps, principal, params), query);
    return { data: page.data.map((row) => linkWebhookView(row)), nextCursor: page.nextCursor };
  }),
  implement(api.linkWebhooks.get, async ({ deps, principal, params }) => linkWebhookView(await getEndpoint(deps, await linkScope(deps, principal, params), params.webhookId))),
  implement(api.linkWebhooks.update, async ({ deps, principal, params, body }) =>
    linkWebhookView(await updateEndpointFields(deps, await linkScope(deps, principal, params), params.webhookId, fields(body))),
  ),
  implement(api.linkWebhooks.delete, async ({ deps, principal, params }) => removeEndpoint(deps, await linkScope(deps, principal, params), params.webhookId)),
  implement(api.linkWebhooks.enable, async ({ deps, principal, params }) => linkWebhookView(await reenableEndpoint(deps, await linkScope(deps, principal, params), params.webhookId))),
  ...endpointActionRoutes(api.linkWebhooks, {
    scope: (deps, principal, params) => linkScope(deps, principal, params as { linkId: string }),
    // The route's params schema requires it.
    endpointId: (params) => params.webhookId!,
  }),
];
