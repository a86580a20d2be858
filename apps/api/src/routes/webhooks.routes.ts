import { z } from 'zod';
import type { EndpointScope } from '@dispatch/db';
import { requireKey, type Principal } from '../http/auth.js';
import { reply, route } from '../http/route.js';
import { deliveriesQuerySchema, eventTypeList, idParams, pageQuerySchema, testBodySchema, webhookUrl } from '../http/schemas.js';
import { listDeliveries } from '../services/deliveries.service.js';
import {
  createEndpoint,
  getEndpoint,
  listEndpointsPage,
  reenableEndpoint,
  removeEndpoint,
  updateEndpointFields,
} from '../services/endpoints.service.js';
import { sendTestDelivery } from '../services/test-delivery.service.js';
import { webhookView } from '../views/endpoint.view.js';

// Workspace webhooks: /api/webhooks-manage (core webhook dispatch).

const read = { scope: 'links:read' } as const;
const write = { scope: 'links:write' } as const;
const scopeOf = (principal: Principal): EndpointScope => ({ workspaceId: requireKey(principal).workspaceId, kind: 'workspace_webhook' });
const byId = idParams('id');

const createBody = z.strictObject({ name: z.string().min(1).max(200), url: webhookUrl, triggers: eventTypeList });
const updateBody = createBody.partial().refine((body) => Object.keys(body).length > 0, 'give at least one of name, url, triggers');

export const webhookRoutes = [
  route({
    method: 'post',
    path: '/webhooks-manage',
    access: write,
    body: createBody,
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
  route({
    method: 'post',
    path: '/webhooks-manage/:id/test',
    access: write,
    params: byId,
    body: testBodySchema,
    handler: ({ deps, principal, params, body }) => sendTestDelivery(deps, scopeOf(principal), params.id, body.event),
  }),
  route({
    method: 'post',
    path: '/webhooks-manage/:id/enable',
    access: write,
    params: byId,
    handler: async ({ deps, principal, params }) => webhookView(await reenableEndpoint(deps, scopeOf(principal), params.id)),
  }),
  route({
    method: 'get',
    path: '/webhooks-manage/:id/deliveries',
    access: read,
    params: byId,
    query: deliveriesQuerySchema,
    handler: ({ deps, principal, params, query }) =>
      listDeliveries(deps, scopeOf(principal), params.id, { status: query.status, eventType: query.event, since: query.since, until: query.until }, query),
  }),
];
