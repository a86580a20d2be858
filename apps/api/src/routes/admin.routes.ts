import { z } from 'zod';
import { FEATURES, SCOPES } from '@dispatch/core';
import { reply, route } from '../http/route.js';
import { idParams, nulFreeString } from '../http/schemas.js';
import { ALL_SCOPES, createApiKey, createWorkspace, setWorkspaceFeatures } from '../services/workspaces.service.js';

// Operator provisioning, authenticated with DISPATCH_ADMIN_TOKEN.

const features = z.array(z.enum(FEATURES)).max(10);

export const adminRoutes = [
  route({
    method: 'post',
    path: '/admin/workspaces',
    access: 'admin',
    body: z.strictObject({ name: nulFreeString.min(1).max(200), features: features.default([]) }),
    handler: async ({ deps, body }) => reply(201, await createWorkspace(deps.db, body)),
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
    method: 'post',
    path: '/admin/workspaces/:workspaceId/keys',
    access: 'admin',
    params: idParams('workspaceId'),
    body: z.strictObject({ name: nulFreeString.min(1).max(200).default('api key'), scopes: z.array(z.enum(SCOPES)).min(1).default(ALL_SCOPES) }),
    handler: async ({ deps, params, body }) => reply(201, await createApiKey(deps.db, { workspaceId: params.workspaceId, ...body })),
  }),
];
