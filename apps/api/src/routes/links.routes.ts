import { z } from 'zod';
import { requireKey } from '../http/auth.js';
import { reply, route } from '../http/route.js';
import { idParams, nulFreeString, pageQuerySchema, refuseNul } from '../http/schemas.js';
import { createLink, getLink, linkView, listLinksPage, removeLink } from '../services/links.service.js';

const read = { scope: 'links:read' } as const;
const write = { scope: 'links:write' } as const;

export const linkRoutes = [
  route({
    method: 'post',
    path: '/links',
    access: write,
    body: z.strictObject({ url: refuseNul(z.url({ protocol: /^https?$/ }).max(2048)), key: nulFreeString.min(1).max(190).optional(), externalId: nulFreeString.min(1).max(190).optional() }),
    handler: async ({ deps, principal, body }) => reply(201, await createLink(deps, requireKey(principal).workspaceId, body)),
  }),
  route({
    method: 'get',
    path: '/links',
    access: read,
    query: pageQuerySchema,
    handler: ({ deps, principal, query }) => listLinksPage(deps, requireKey(principal).workspaceId, query),
  }),
  route({
    method: 'get',
    path: '/links/:linkId',
    access: read,
    params: idParams('linkId'),
    handler: async ({ deps, principal, params }) => linkView(await getLink(deps, requireKey(principal).workspaceId, params.linkId)),
  }),
  route({
    method: 'delete',
    path: '/links/:linkId',
    access: write,
    params: idParams('linkId'),
    handler: async ({ deps, principal, params }) => {
      await removeLink(deps, requireKey(principal).workspaceId, params.linkId);
      return reply(204);
    },
  }),
];
