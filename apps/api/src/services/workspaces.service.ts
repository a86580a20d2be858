import { randomBytes } from 'node:crypto';
import { API_KEY_PREFIX, newId, notFound, SCOPES, type Feature, type Scope } from '@dispatch/core';
import { findWorkspace, insertApiKey, insertWorkspace, updateWorkspaceFeatures, type Db, type WorkspaceRow } from '@dispatch/db';
import { hashApiKey } from '../http/auth.js';

// Operator provisioning, shared by the admin routes and the CLI (which is why it takes a Db, not ApiDeps).

export function workspaceView(row: WorkspaceRow) {
  return { id: row.id, name: row.name, features: row.features, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

export async function createWorkspace(db: Db, input: { name: string; features: Feature[] }) {
  return workspaceView(await insertWorkspace(db, { id: newId('workspace'), name: input.name, features: [...new Set(input.features)] }));
}

export async function setWorkspaceFeatures(db: Db, workspaceId: string, features: Feature[]) {
  const row = await updateWorkspaceFeatures(db, { id: workspaceId, features: [...new Set(features)] });
  if (!row) throw notFound('workspace');
  return workspaceView(row);
}

/** The full key is returned here and nowhere else; only its SHA-256 is stored. */
export async function createApiKey(db: Db, input: { workspaceId: string; name: string; scopes: Scope[] }) {
  if (!(await findWorkspace(db, input.workspaceId))) throw notFound('workspace');
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  const row = await insertApiKey(db, {
    id: newId('apiKey'),
    workspaceId: input.workspaceId,
    name: input.name,
    keyHash: hashApiKey(key),
    scopes: [...new Set(input.scopes)],
  });
  return { id: row.id, name: row.name, key, scopes: row.scopes, workspaceId: input.workspaceId, createdAt: row.createdAt.toISOString() };
}

export const ALL_SCOPES: Scope[] = [...SCOPES];
