import { z } from 'zod';
import { filterSchema, isMaskedHeaderValue } from '@dispatch/core';
import type { EndpointScope } from '@dispatch/db';
import { requireKey, type Principal } from '../http/auth.js';
import { reply, route } from '../http/route.js';
import { eventTypeList, idParams, nulFreeString, pageQuerySchema, webhookUrl } from '../http/schemas.js';
import { createEndpoint, getEndpoint, listEndpointsPage, removeEndpoint, updateEndpointFields } from '../services/endpoints.service.js';
import { outboundWebhookView } from '../views/endpoint.view.js';
import { endpointActionRoutes } from './endpoint-actions.routes.js';

// Outbound webhooks (automations): /api/integrations/outbound. Mutations need webhooks:manage and
// the workspace's `integrations` feature.

const read = { scope: 'webhooks:read' } as const;
const manage = { scope: 'webhooks:manage', feature: 'integrations' } as const;
const scopeOf = (principal: Principal): EndpointScope => ({ workspaceId: requireKey(principal).workspaceId, kind: 'outbound_webhook' });
const byId = idParams('id');

// Headers the sender owns: a custom header may never replace the signature or the framing.
const RESERVED_HEADER = /^(content-type|content-length|content-encoding|host|user-agent|transfer-encoding|connection|keep-alive|upgrade|te|trailer|webhook-.*|svix-.*)$/i;
// What Node's HTTP client accepts in a header value: anything else would fail every attempt.
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
// Custom headers are secrets: reads show them masked, and a masked value sent back (say, by a client
// that PATCHes what it read) is refused rather than stored as the header's value.
const headerValue = z
  .string()
  .max(2048)
  .superRefine((value, ctx) => {
    if (isMaskedHeaderValue(value)) ctx.addIssue({ code: 'custom', message: 'is a masked value as reads show it: send the real value (headers replace the whole map)' });
    else if (!HEADER_VALUE.test(value)) ctx.addIssue({ code: 'custom', message: 'may hold only tabs and printable ASCII or Latin-1 characters (no line breaks, NUL or other control characters)' });
  });
const headers = z
  .record(
    z
      .string()
      .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, 'must be a valid HTTP header name')
      .refine((name) => !RESERVED_HEADER.test(name), 'is set by Dispatch and cannot be overridden'),
    headerValue,
  )
  .refine((value) => Object.keys(value).length <= 20, 'at most 20 custom headers');

const createBody = z.strictObject({
  url: webhookUrl,
  events: eventTypeList,
  filter: filterSchema.optional(),
  description: nulFreeString.max(500).nullable().optional(),
  headers: headers.optional(),
  enabled: z.boolean().optional(),
});
const updateBody = createBody.partial().refine((body) => Object.keys(body).length > 0, 'give at least one field to update');

export const outboundRoutes = [
  route({
    method: 'get',
    path: '/integrations/outbound',
    access: read,
    query: pageQuerySchema,
    handler: async ({ deps, principal, query }) => {
      const page = await listEndpointsPage(deps, scopeOf(principal), query);
      return { data: page.data.map((row) => outboundWebhookView(row)), nextCursor: page.nextCursor };
    },
  }),
  route({
    method: 'post',
    path: '/integrations/outbound',
    access: manage,
    body: createBody,
    handler: async ({ deps, principal, body }) => {
      const { row, secret } = await createEndpoint(deps, scopeOf(principal), { ...body, eventTypes: body.events });
      return reply(201, outboundWebhookView(row, secret));
    },
  }),
  route({
    method: 'get',
    path: '/integrations/outbound/:id',
    access: read,
    params: byId,
    handler: async ({ deps, principal, params }) => outboundWebhookView(await getEndpoint(deps, scopeOf(principal), params.id)),
  }),
  route({
    method: 'patch',
    path: '/integrations/outbound/:id',
    access: manage,
    params: byId,
    body: updateBody,
    handler: async ({ deps, principal, params, body }) =>
      outboundWebhookView(await updateEndpointFields(deps, scopeOf(principal), params.id, { ...body, eventTypes: body.events })),
  }),
  route({
    method: 'delete',
    path: '/integrations/outbound/:id',
    access: manage,
    params: byId,
    handler: async ({ deps, principal, params }) => {
      await removeEndpoint(deps, scopeOf(principal), params.id);
      return reply(204);
    },
  }),
  ...endpointActionRoutes({ base: '/integrations/outbound/:id', params: ['id'], idParam: 'id', read, write: manage, scope: async (_deps, principal) => scopeOf(principal) }),
];
