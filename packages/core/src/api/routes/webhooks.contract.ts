import { z } from 'zod';
import { eventTypeList, idParams, nulFreeString, pageQuerySchema, webhookUrl } from '../inputs.js';
import { page } from '../resources/common.schema.js';
import { linkWebhookSchema, workspaceWebhookSchema } from '../resources/endpoints.schema.js';
import { defineRoute } from '../route-contract.js';
import { endpointActions } from './endpoint-actions.contract.js';

const read = { scope: 'links:read' } as const;
const write = { scope: 'links:write' } as const;

const atLeastOne = 'give at least one of name, url, triggers';
export const webhookCreateBody = z.strictObject({ name: nulFreeString.min(1).max(200), url: webhookUrl, triggers: eventTypeList });
const webhookUpdateBody = webhookCreateBody.partial().refine((body) => Object.keys(body).length > 0, atLeastOne);

const byId = idParams('id');

/** Workspace webhooks: `/api/webhooks-manage` (core webhook dispatch). */
export const webhooksApi = {
  create: defineRoute({
    id: 'webhooks.create',
    method: 'post',
    path: '/webhooks-manage',
    summary: 'Create a workspace webhook (the answer holds the full secret, once)',
    access: write,
    body: webhookCreateBody,
    responses: { 201: workspaceWebhookSchema },
  }),
  list: defineRoute({ id: 'webhooks.list', method: 'get', path: '/webhooks-manage', summary: 'List workspace webhooks', access: read, query: pageQuerySchema, responses: { 200: page(workspaceWebhookSchema) } }),
  get: defineRoute({ id: 'webhooks.get', method: 'get', path: '/webhooks-manage/:id', summary: 'A workspace webhook', access: read, params: byId, responses: { 200: workspaceWebhookSchema } }),
  update: defineRoute({
    id: 'webhooks.update',
    method: 'patch',
    path: '/webhooks-manage/:id',
    summary: 'Change name, url or triggers',
    access: write,
    params: byId,
    body: webhookUpdateBody,
    responses: { 200: workspaceWebhookSchema },
  }),
  delete: defineRoute({ id: 'webhooks.delete', method: 'delete', path: '/webhooks-manage/:id', summary: 'Delete a workspace webhook', access: write, params: byId, responses: { 204: null } }),
  ...endpointActions('webhooks', '/webhooks-manage/:id', ['id'], { read, write }, { noun: 'webhook', enableResponse: { 200: workspaceWebhookSchema } }),
};

const linkBase = '/links/:linkId/webhooks';
const linkWebhookCreateBody = z.strictObject({ name: nulFreeString.min(1).max(200).optional(), url: webhookUrl, triggers: eventTypeList });
const linkWebhookUpdateBody = linkWebhookCreateBody.partial().refine((body) => Object.keys(body).length > 0, atLeastOne);
const byLinkAndId = idParams('linkId', 'webhookId');

/** Link webhooks: `/api/links/:linkId/webhooks`; every route first checks the link is the workspace's. */
export const linkWebhooksApi = {
  create: defineRoute({
    id: 'linkWebhooks.create',
    method: 'post',
    path: linkBase,
    summary: 'Create a webhook for one link (the answer holds the full secret, once)',
    access: write,
    params: idParams('linkId'),
    body: linkWebhookCreateBody,
    responses: { 201: linkWebhookSchema },
  }),
  list: defineRoute({
    id: 'linkWebhooks.list',
    method: 'get',
    path: linkBase,
    summary: "List a link's webhooks",
    access: read,
    params: idParams('linkId'),
    query: pageQuerySchema,
    responses: { 200: page(linkWebhookSchema) },
  }),
  get: defineRoute({ id: 'linkWebhooks.get', method: 'get', path: `${linkBase}/:webhookId`, summary: 'A link webhook', access: read, params: byLinkAndId, responses: { 200: linkWebhookSchema } }),
  update: defineRoute({
    id: 'linkWebhooks.update',
    method: 'patch',
    path: `${linkBase}/:webhookId`,
    summary: 'Change name, url or triggers',
    access: write,
    params: byLinkAndId,
    body: linkWebhookUpdateBody,
    responses: { 200: linkWebhookSchema },
  }),
  delete: defineRoute({ id: 'linkWebhooks.delete', method: 'delete', path: `${linkBase}/:webhookId`, summary: 'Delete a link webhook', access: write, params: byLinkAndId, responses: { 204: null } }),
  ...endpointActions('linkWebhooks', `${linkBase}/:webhookId`, ['linkId', 'webhookId'], { read, write }, { noun: 'link webhook', enableResponse: { 200: linkWebhookSchema } }),
};
