import { z } from 'zod';
import type { EndpointScope } from '@dispatch/db';
import type { ApiDeps } from '../deps.js';
import { requireKey, type Principal } from '../http/auth.js';
import { reply, route } from '../http/route.js';
import { eventTypeList, idParams, nulFreeString, pageQuerySchema, webhookUrl } from '../http/schemas.js';
import { createEndpoint, getEndpoint, listEndpointsPage, removeEndpoint, updateEndpointFields } from '../services/endpoints.service.js';
import { getLink } from '../services/links.service.js';
import { webhookView } from '../views/endpoint.view.js';
import { endpointActionRoutes } from './endpoint-actions.routes.js';

// Link webhooks: /api/links/:linkId/webhooks. Every route first checks that the link is the
// workspace's; the scope then limits every query to that link, so a webhook of another link is a 404.

const read = { scope: 'links:read' } as const;
const write = { scope: 'links:write' } as const;
const base = '/links/:linkId/webhooks';

async function linkScope(deps: ApiDeps, principal: Principal, params: Record<string, string>): Promise<EndpointScope> {
  const workspaceId = requireKey(principal).workspaceId;
  const link = await getLink(deps, workspaceId, params.linkId!);
  return { workspaceId, kind: 'link_webhook', linkId: link.id };
}

const createBody = z.strictObject({ name: nulFreeString.min(1).max(200).optional(), url: webhookUrl, triggers: eventTypeList });
const updateBody = createBody.partial().refine((body) => Object.keys(body).length > 0, 'give at least one of name, url, triggers');
const linkParams = idParams('linkId');
const webhookParams = idParams('linkId', 'webhookId');

export const linkWebhookRoutes = [
  route({
    method: 'post',
    path: base,
    access: write,
    params: linkParams,
    body: createBody,
    handler: async ({ deps, principal, params, body }) => {
      const scope = await linkScope(deps, principal, params);
      const { row, secret } = await createEndpoint(deps, scope, { name: body.name, url: body.url, eventTypes: body.triggers });
      return reply(201, webhookView(row, secret));
    },
  }),
  route({
    method: 'get',
    path: base,
    access: read,
    params: linkParams,
    query: pageQuerySchema,
    handler: async ({ deps, principal, params, query }) => {
      const page = await listEndpointsPage(deps, await linkScope(deps, principal, params), query);
      return { data: page.data.map((row) => webhookView(row)), nextCursor: page.nextCursor };
    },
  }),
  route({
    method: 'get',
    path: `${base}/:webhookId`,
    access: read,
    params: webhookParams,
    handler: async ({ deps, principal, params }) => webhookView(await getEndpoint(deps, await linkScope(deps, principal, params), params.webhookId)),
  }),
  route({
    method: 'patch',
    path: `${base}/:webhookId`,
    access: write,
    params: webhookParams,
    body: updateBody,
    handler: async ({ deps, principal, params, body }) =>
      webhookView(
        await updateEndpointFields(deps, await linkScope(deps, principal, params), params.webhookId, { name: body.name, url: body.url, eventTypes: body.triggers }),
      ),
  }),
  route({
    method: 'delete',
    path: `${base}/:webhookId`,
    access: write,
    params: webhookParams,
    handler: async ({ deps, principal, params }) => {
      await removeEndpoint(deps, await linkScope(deps, principal, params), params.webhookId);
      return reply(204);
    },
  }),
  ...endpointActionRoutes({ base: `${base}/:webhookId`, params: ['linkId', 'webhookId'], idParam: 'webhookId', read, write, scope: linkScope }),
];
