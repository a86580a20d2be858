import { z } from 'zod';
import type { EndpointScope } from '@dispatch/db';
import { requireKey, type Principal } from '../http/auth.js';
import { reply, route } from '../http/route.js';
import { eventTypeList, idParams, nulFreeString, pageQuerySchema, webhookUrl } from '../http/schemas.js';
import { createEndpoint, getEndpoint, listEndpointsPage, removeEndpoint, updateEndpointFields } from '../services/endpoints.service.js';
import { webhookView } from '../views/endpoint.view.js';
import { endpointActionRoutes } from './endpoint-actions.routes.js';

// Workspace webhooks: /api/webhooks-manage (core webhook dispatch).

const read = { scope: 'links:read' } as const;
const write = { scope: 'links:write' } as const;
const scopeOf = (principal: Principal): EndpointScope => ({ workspaceId: requireKey(principal).workspaceId, kind: 'workspace_webhook' });
const byId = idParams('id');

export const webhookCreateBody = z.strictObject({ name: nulFreeString.min(1).max(200), url: webhookUrl, triggers: eventTypeList });
const updateBody = webhookCreateBody.partial().refine((body) => Object.keys(body).length > 0, 'give at least one of name, url, triggers');

export const webhookRoutes = [
  route({
    method: 'post',
    path: '/webhooks-manage',
    access: write,
    body: webhookCreateBody,
    handler: async ({ deps, principal, body }) => {
      const { row, secret } = await createEndpoint(deps, scopeOf(principal), { name: body.name, url: body.url, eventTypes: body.triggers });
      return reply(201, webhookView(row, secret));
    },
  }),
  route({
    method: 'get',
    path: '/webhooks-manage',
    access: read,
    query: pageQuerySchema,
    handler: async ({ deps, principal, query }) => {
      const page = await listEndpointsPage(deps, scopeOf(principal), query);
      return { data: page.data.map((row) => webhookView(row)), nextCursor: page.nextCursor };
    },
  }),
  route({
    method: 'get',
    path: '/webhooks-manage/:id',
    access: read,
    params: byId,
    handler: async ({ deps, principal, params }) => webhookView(await getEndpoint(deps, scopeOf(principal), params.id)),
  }),
  route({
    method: 'patch',
    path: '/webhooks-manage/:id',
    access: write,
    params: byId,
    body: updateBody,
    handler: async ({ deps, principal, params, body }) =>
      webhookView(await updateEndpointFields(deps, scopeOf(principal), params.id, { name: body.name, url: body.url, eventTypes: body.triggers })),
  }),
  route({
    method: 'delete',
    path: '/webhooks-manage/:id',
    access: write,
    params: byId,
    handler: async ({ deps, principal, params }) => {
      await removeEndpoint(deps, scopeOf(principal), params.id);
      return reply(204);
    },
  }),
  ...endpointActionRoutes({ base: '/webhooks-manage/:id', params: ['id'], idParam: 'id', read, write, scope: async (_deps, principal) => scopeOf(principal) }),
];
