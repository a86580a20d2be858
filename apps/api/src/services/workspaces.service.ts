import { newId, notFound, SCOPES, type Feature, type Scope } from '@dispatch/core';
import { findWorkspace, insertApiKey, insertWorkspace, listWorkspaces, updateWorkspaceFeatures, type Db, type PageInput } from '@dispatch/db';
import { createdKeyView, workspaceView } from '../views/workspace.view.js';
import { mintApiKey } from './api-keys.service.js';

// Operator provisioning (the admin routes; tests provision through the same functions).

export async function createWorkspace(db: Db, input: { name: string; features: Feature[] }) {
  return workspaceView(await insertWorkspace(db, { id: newId('workspace'), name: input.name, features: [...new Set(input.features)] }));
}

export async function getWorkspace(db: Db, workspaceId: string) {
  const row = await findWorkspace(db, workspaceId);
  if (!row) throw notFound('workspace');
  return workspaceView(row);
}

export async function listWorkspacesPage(db: Db, page: PageInput) {
  const result = await listWorkspaces(db, page);
  return { data: result.data.map(workspaceView), nextCursor: result.nextCursor };
}

export async function setWorkspaceFeatures(db: Db, workspaceId: string, features: Feature[]) {
  const row = await updateWorkspaceFeatures(db, { id: workspaceId, features: [...new Set(features)] });
  if (!row) throw notFound('workspace');
  return workspaceView(row);
}

/**
 * The full key is returned here (and by rotation) and nowhere else; only its SHA-256 is stored.
 * `expiresInMs`: the key stops working that long from now (none: until revoked).
 */
export async function createApiKey(db: Db, input: { workspaceId: string; name: string; scopes: Scope[]; expiresInMs?: number | undefined }) {
  if (!(await findWorkspace(db, input.workspaceId))) throw notFound('workspace');
  const minted = mintApiKey();
  const row = await insertApiKey(db, {
    id: newId('apiKey'),
    workspaceId: input.workspaceId,
    name: input.name,
    keyHash: minted.keyHash,
    hint: minted.hint,
    scopes: [...new Set(input.scopes)],
    expiresAt: input.expiresInMs === undefined ? null : new Date(Date.now() + input.expiresInMs),
  });
  return createdKeyView(row, minted.key);
}

export const ALL_SCOPES: Scope[] = [...SCOPES];
