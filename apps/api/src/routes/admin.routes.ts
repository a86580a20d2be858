import { z } from 'zod';
import { FEATURES, parseDuration, SCOPES } from '@dispatch/core';
import { reply, route } from '../http/route.js';
import { idParams, nulFreeString, pageQuerySchema } from '../http/schemas.js';
import { KEY_LIFETIME_MS, listApiKeysPage, revokeApiKeyById, rotateApiKey } from '../services/api-keys.service.js';
import { ALL_SCOPES, createApiKey, createWorkspace, getWorkspace, listWorkspacesPage, setWorkspaceFeatures } from '../services/workspaces.service.js';

// Operator provisioning, authenticated with DISPATCH_ADMIN_TOKEN.

const features = z.array(z.enum(FEATURES)).max(10);

/** `expiresIn`: a duration such as "1h" or "90d", between one minute and 3650 days; as milliseconds. */
const expiresIn = nulFreeString.max(32).transform((text, ctx) => {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
  if (ms < KEY_LIFETIME_MS.min || ms > KEY_LIFETIME_MS.max) {
    ctx.addIssue({ code: 'custom', message: 'must be between 1m and 3650d' });
    return z.NEVER;
  }
  return ms;
});

const keyParams = idParams('workspaceId', 'keyId');

export const adminRoutes = [
  route({
    method: 'post',
    path: '/admin/workspaces',
    access: 'admin',
    body: z.strictObject({ name: nulFreeString.min(1).max(200), features: features.default([]) }),
    handler: async ({ deps, body }) => reply(201, await createWorkspace(deps.db, body)),
  }),
  route({
    method: 'get',
    path: '/admin/workspaces',
    access: 'admin',
    query: pageQuerySchema,
    handler: ({ deps, query }) => listWorkspacesPage(deps.db, query),
  }),
  route({
    method: 'get',
    path: '/admin/workspaces/:workspaceId',
    access: 'admin',
    params: idParams('workspaceId'),
    handler: ({ deps, params }) => getWorkspace(deps.db, params.workspaceId),
  }),
  route({
    method: 'patch',
    path: '/admin/workspaces/:workspaceId',
    access: 'admin',
    params: idParams('workspaceId'),
    body: z.strictObject({ features }),
    handler: ({ deps, params, body }) => setWorkspaceFeatures(deps.db, params.workspaceId, body.features),
  }),
  route({
    method: 'get',
    path: '/admin/workspaces/:workspaceId/keys',
    access: 'admin',
    params: idParams('workspaceId'),
    query: pageQuerySchema,
    handler: ({ deps, params, query }) => listApiKeysPage(deps.db, params.workspaceId, query),
  }),
  route({
    method: 'post',
    path: '/admin/workspaces/:workspaceId/keys',
    access: 'admin',
    params: idParams('workspaceId'),
    body: z.strictObject({
      name: nulFreeString.min(1).max(200).default('api key'),
      scopes: z.array(z.enum(SCOPES)).min(1).default(ALL_SCOPES),
      expiresIn: expiresIn.optional(),
    }),
    handler: async ({ deps, params, body }) =>
      reply(201, await createApiKey(deps.db, { workspaceId: params.workspaceId, name: body.name, scopes: body.scopes, expiresInMs: body.expiresIn })),
  }),
  route({
    method: 'delete',
    path: '/admin/workspaces/:workspaceId/keys/:keyId',
    access: 'admin',
    params: keyParams,
    handler: async ({ deps, params }) => {
      await revokeApiKeyById(deps.db, params.workspaceId, params.keyId);
      return reply(204);
    },
  }),
  route({
    method: 'post',
    path: '/admin/workspaces/:workspaceId/keys/:keyId/rotate',
    access: 'admin',
    params: keyParams,
    body: z.strictObject({ graceSeconds: z.number().int().min(0).max(604_800).default(86_400) }),
    handler: async ({ deps, params, body }) => reply(201, await rotateApiKey(deps.db, params.workspaceId, params.keyId, body.graceSeconds)),
  }),
];
