import { z } from 'zod';
import { idParams, nulFreeString, pageQuerySchema, refuseNul } from '../inputs.js';
import { page } from '../resources/common.schema.js';
import { linkSchema } from '../resources/endpoints.schema.js';
import { defineRoute } from '../route-contract.js';

const read = { scope: 'links:read' } as const;
const write = { scope: 'links:write' } as const;

export const linksApi = {
  create: defineRoute({
    id: 'links.create',
    method: 'post',
    path: '/links',
    summary: 'Register a link (link webhooks hang on it)',
    access: write,
    body: z.strictObject({
      url: refuseNul(z.url({ protocol: /^https?$/ }).max(2048)),
      key: nulFreeString.min(1).max(190).optional(),
      externalId: nulFreeString.min(1).max(190).optional(),
    }),
    responses: { 201: linkSchema },
  }),
  list: defineRoute({ id: 'links.list', method: 'get', path: '/links', summary: 'List links', access: read, query: pageQuerySchema, responses: { 200: page(linkSchema) } }),
  get: defineRoute({ id: 'links.get', method: 'get', path: '/links/:linkId', summary: 'A link', access: read, params: idParams('linkId'), responses: { 200: linkSchema } }),
  delete: defineRoute({
    id: 'links.delete',
    method: 'delete',
    path: '/links/:linkId',
    summary: 'Delete a link and its link webhooks',
    access: write,
    params: idParams('linkId'),
    responses: { 204: null },
  }),
};
