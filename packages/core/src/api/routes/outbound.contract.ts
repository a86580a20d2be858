import { z } from 'zod';
import { isMaskedHeaderValue } from '../../custom-headers.js';
import { filterSchema } from '../../filter.js';
import { eventTypeList, idParams, nulFreeString, pageQuerySchema, webhookUrl } from '../inputs.js';
import { page } from '../resources/common.schema.js';
import { catalogEntrySchema } from '../resources/events.schema.js';
import { outboundWebhookSchema } from '../resources/endpoints.schema.js';
import { defineRoute } from '../route-contract.js';
import { endpointActions } from './endpoint-actions.contract.js';

// Outbound webhooks (automations): `/api/integrations/outbound`. Mutations need webhooks:manage and
// the workspace's `integrations` feature.

const read = { scope: 'webhooks:read' } as const;
const manage = { scope: 'webhooks:manage', feature: 'integrations' } as const;

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
export const customHeadersSchema = z
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
  headers: customHeadersSchema.optional(),
  enabled: z.boolean().optional(),
});
const updateBody = createBody.partial().refine((body) => Object.keys(body).length > 0, 'give at least one field to update');
const byId = idParams('id');

export const outboundApi = {
  catalog: defineRoute({
    id: 'outbound.catalog',
    method: 'get',
    path: '/integrations/outbound/events',
    summary: 'The event catalog: every type with its JSON Schema and an example',
    access: read,
    responses: { 200: z.strictObject({ data: z.array(catalogEntrySchema) }) },
  }),
  list: defineRoute({ id: 'outbound.list', method: 'get', path: '/integrations/outbound', summary: 'List outbound webhooks', access: read, query: pageQuerySchema, responses: { 200: page(outboundWebhookSchema) } }),
  create: defineRoute({
    id: 'outbound.create',
    method: 'post',
    path: '/integrations/outbound',
    summary: 'Create an outbound webhook (the answer holds the full secret, once); 409 if the workspace has the URL',
    access: manage,
    body: createBody,
    responses: { 201: outboundWebhookSchema },
  }),
  get: defineRoute({ id: 'outbound.get', method: 'get', path: '/integrations/outbound/:id', summary: 'An outbound webhook', access: read, params: byId, responses: { 200: outboundWebhookSchema } }),
  update: defineRoute({
    id: 'outbound.update',
    method: 'patch',
    path: '/integrations/outbound/:id',
    summary: 'Change any field but the secret',
    access: manage,
    params: byId,
    body: updateBody,
    responses: { 200: outboundWebhookSchema },
  }),
  delete: defineRoute({ id: 'outbound.delete', method: 'delete', path: '/integrations/outbound/:id', summary: 'Delete an outbound webhook', access: manage, params: byId, responses: { 204: null } }),
  ...endpointActions('outbound', '/integrations/outbound/:id', ['id'], { read, write: manage }, { noun: 'outbound webhook', enableResponse: { 200: outboundWebhookSchema } }),
};
