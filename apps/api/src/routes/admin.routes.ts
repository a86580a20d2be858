import { api, ENDPOINT_KINDS } from '@dispatch/core/api';
import { implement } from '../http/route.js';
import { listApiKeysPage, revokeApiKeyById, rotateApiKey } from '../services/api-keys.service.js';
import { listEndpointSummaries } from '../services/endpoint-lists.service.js';
import { resealSecrets, secretsStatus } from '../services/secrets.service.js';
import { createApiKey, createWorkspace, getWorkspace, listWorkspacesPage, setWorkspaceFeatures } from '../services/workspaces.service.js';

// Operator routes, authenticated with DISPATCH_ADMIN_TOKEN: tenants, their keys, on-call's view
// across workspaces, and the encryption key ring.

export const adminRoutes = [
  implement(api.admin.createWorkspace, ({ deps, body }) => createWorkspace(deps.db, body)),
  implement(api.admin.listWorkspaces, ({ deps, query }) => listWorkspacesPage(deps.db, query)),
  implement(api.admin.getWorkspace, ({ deps, params }) => getWorkspace(deps.db, params.workspaceId)),
  implement(api.admin.updateWorkspace, ({ deps, params, body }) => setWorkspaceFeatures(deps.db, params.workspaceId, body.features)),
  implement(api.admin.listKeys, ({ deps, params, query }) => listApiKeysPage(deps.db, params.workspaceId, query)),
  implement(api.admin.createKey, ({ deps, params, body }) =>
    createApiKey(deps.db, { workspaceId: params.workspaceId, name: body.name, scopes: body.scopes, expiresInMs: body.expiresIn }),
  ),
  implement(api.admin.revokeKey, ({ deps, params }) => revokeApiKeyById(deps.db, params.workspaceId, params.keyId)),
  implement(api.admin.rotateKey, ({ deps, params, body }) => rotateApiKey(deps.db, params.workspaceId, params.keyId, body.graceSeconds)),
  implement(api.admin.endpoints, ({ deps, query }) => listEndpointSummaries(deps, { kinds: ENDPOINT_KINDS, kind: query.kind, health: query.status }, query)),
  implement(api.admin.secretsStatus, ({ deps }) => secretsStatus(deps)),
  implement(api.admin.resealSecrets, ({ deps, body }) => resealSecrets(deps, body.limit)),
];
