import type { ApiKey, CreatedApiKey, Feature, Scope, Workspace } from '@dispatch/core/api';
import type { ApiKeyRow, WorkspaceRow } from '@dispatch/db';
import { iso, isoOrNull } from './time.js';

export function workspaceView(row: WorkspaceRow): Workspace {
  return { id: row.id, name: row.name, features: row.features as Feature[], createdAt: iso(row.createdAt), updatedAt: iso(row.updatedAt) };
}

/** A key as listed: neither the key nor its hash ever leaves; keys made before hints have none. */
export function apiKeyView(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes as Scope[],
    hint: row.hint,
    createdAt: iso(row.createdAt),
    lastUsedAt: isoOrNull(row.lastUsedAt),
    expiresAt: isoOrNull(row.expiresAt),
    revokedAt: isoOrNull(row.revokedAt),
  };
}

/** The answer of key creation and rotation: the only place where the full key is ever shown. */
export function createdKeyView(row: ApiKeyRow, key: string): CreatedApiKey {
  return {
    id: row.id,
    name: row.name,
    key,
    hint: row.hint ?? '',
    scopes: row.scopes as Scope[],
    workspaceId: row.workspaceId,
    createdAt: iso(row.createdAt),
    expiresAt: isoOrNull(row.expiresAt),
  };
}
