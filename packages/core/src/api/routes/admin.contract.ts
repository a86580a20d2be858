import { z } from 'zod';
import { FEATURES, SCOPES } from '../../scopes.js';
import { ENDPOINT_HEALTH_FILTERS, ENDPOINT_KINDS } from '../enums.js';
import { idParams, nulFreeString, pageQuery, pageQuerySchema } from '../inputs.js';
import { parseDuration } from '../../durations.js';
import { apiKeySchema, createdApiKeySchema, rotatedApiKeySchema, workspaceSchema } from '../resources/admin.schema.js';
import { page } from '../resources/common.schema.js';
import { endpointSummarySchema } from '../resources/stats.schema.js';
import { defineRoute } from '../route-contract.js';

// Operator routes, authenticated with DISPATCH_ADMIN_TOKEN.

const features = z.array(z.enum(FEATURES)).max(10);

/** How long an API key may be made to live (`expiresIn`), in ms. */
export const KEY_LIFETIME_MS = { min: 60_000, max: 3650 * 86_400_000 };

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
const byWorkspace = idParams('workspaceId');
const byKey = idParams('workspaceId', 'keyId');

export const adminApi = {
  createWorkspace: defineRoute({
    id: 'admin.createWorkspace',
    method: 'post',
    path: '/admin/workspaces',
    summary: 'Create a workspace (tenant)',
    access: 'admin',
    body: z.strictObject({ name: nulFreeString.min(1).max(200), features: features.default([]) }),
    responses: { 201: workspaceSchema },
  }),
  listWorkspaces: defineRoute({
    id: 'admin.listWorkspaces',
    method: 'get',
    path: '/admin/workspaces',
    summary: 'List workspaces, newest first',
    access: 'admin',
    query: pageQuerySchema,
    responses: { 200: page(workspaceSchema) },
  }),
  getWorkspace: defineRoute({ id: 'admin.getWorkspace', method: 'get', path: '/admin/workspaces/:workspaceId', summary: 'A workspace', access: 'admin', params: byWorkspace, responses: { 200: workspaceSchema } }),
  updateWorkspace: defineRoute({
    id: 'admin.updateWorkspace',
    method: 'patch',
    path: '/admin/workspaces/:workspaceId',
    summary: "Set a workspace's features",
    access: 'admin',
    params: byWorkspace,
    body: z.strictObject({ features }),
    responses: { 200: workspaceSchema },
  }),
  createKey: defineRoute({
    id: 'admin.createKey',
    method: 'post',
    path: '/admin/workspaces/:workspaceId/keys',
    summary: 'Create an API key (shown once; only a hash is stored)',
    access: 'admin',
    params: byWorkspace,
    body: z.strictObject({
      name: nulFreeString.min(1).max(200).default('api key'),
      scopes: z.array(z.enum(SCOPES)).min(1).default([...SCOPES]),
      expiresIn: expiresIn.optional(),
    }),
    responses: { 201: createdApiKeySchema },
  }),
  listKeys: defineRoute({
    id: 'admin.listKeys',
    method: 'get',
    path: '/admin/workspaces/:workspaceId/keys',
    summary: "A workspace's API keys, revoked and expired ones included (never the keys themselves)",
    access: 'admin',
    params: byWorkspace,
    query: pageQuerySchema,
    responses: { 200: page(apiKeySchema) },
  }),
  revokeKey: defineRoute({
    id: 'admin.revokeKey',
    method: 'delete',
    path: '/admin/workspaces/:workspaceId/keys/:keyId',
    summary: 'Revoke an API key: 401 on every API process within 1 s (revoking a revoked key is 204 again)',
    access: 'admin',
    params: byKey,
    responses: { 204: null },
  }),
  rotateKey: defineRoute({
    id: 'admin.rotateKey',
    method: 'post',
    path: '/admin/workspaces/:workspaceId/keys/:keyId/rotate',
    summary: "A new key with the old one's name, scopes and lifetime; the old one keeps working for the grace period (409 for a revoked or expired key)",
    access: 'admin',
    params: byKey,
    body: z.strictObject({ graceSeconds: z.number().int().min(0).max(604_800).default(86_400) }),
    responses: { 201: rotatedApiKeySchema },
  }),
  endpoints: defineRoute({
    id: 'admin.endpoints',
    method: 'get',
    path: '/admin/endpoints',
    summary: "On-call's first look: endpoints of every kind across workspaces, with a 24 h health summary; failing ones first",
    access: 'admin',
    query: z.strictObject({ ...pageQuery, kind: z.enum(ENDPOINT_KINDS).optional(), status: z.enum(ENDPOINT_HEALTH_FILTERS).optional() }),
    responses: { 200: page(endpointSummarySchema) },
  }),
  secretsStatus: defineRoute({
    id: 'admin.secretsStatus',
    method: 'get',
    path: '/admin/secrets',
    summary: 'How many sealed values are under the current encryption key',
    access: 'admin',
    responses: { 200: z.strictObject({ keyId: z.string(), total: z.number().int(), current: z.number().int(), remaining: z.number().int() }) },
  }),
  resealSecrets: defineRoute({
    id: 'admin.resealSecrets',
    method: 'post',
    path: '/admin/secrets/reseal',
    summary: "Re-seal up to `limit` values under the key ring's first key; call until `remaining` is 0 (409 names an endpoint whose value no key of the ring opens)",
    access: 'admin',
    body: z.strictObject({ limit: z.number().int().min(1).max(1000).default(500) }),
    responses: { 200: z.strictObject({ keyId: z.string(), resealed: z.number().int(), remaining: z.number().int(), total: z.number().int() }) },
  }),
};
