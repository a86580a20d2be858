import { randomBytes } from 'node:crypto';
import { API_KEY_PREFIX, conflict, hashApiKey, newId, notFound } from '@dispatch/core';
import { KEY_LIFETIME_MS } from '@dispatch/core/api';
import { findApiKey, findWorkspace, insertApiKey, listApiKeys, revokeApiKey, shortenApiKeyLife, type ApiKeyRow, type Database, type Db, type PageInput } from '@dispatch/db';
import { apiKeyView, createdKeyView } from '../views/workspace.view.js';

// API key lifecycle for the operator: list, revoke, rotate (creation is in workspaces.service, which
// the CLI shares). Views are built from explicit fields: neither the key nor its hash ever leaves.

/** A new key, its hash (what is stored) and its hint (`dsp_…` and its last 4 characters). */
export function mintApiKey() {
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, keyHash: hashApiKey(key), hint: `${API_KEY_PREFIX}…${key.slice(-4)}` };
}

async function requireWorkspace(db: Db, workspaceId: string): Promise<void> {
  if (!(await findWorkspace(db, workspaceId))) throw notFound('workspace');
}

export async function listApiKeysPage(db: Db, workspaceId: string, page: PageInput) {
  await requireWorkspace(db, workspaceId);
  const result = await listApiKeys(db, workspaceId, page);
  return { data: result.data.map(apiKeyView), nextCursor: result.nextCursor };
}

/** Idempotent: revoking a revoked key is a success that keeps its first revokedAt. */
export async function revokeApiKeyById(db: Db, workspaceId: string, keyId: string): Promise<void> {
  await requireWorkspace(db, workspaceId);
  if (!(await revokeApiKey(db, { workspaceId, keyId }))) throw notFound('API key');
}

/**
 * A new key with the old one's name and scopes (and, if the old one was made to expire, the same
 * lifetime from now); the old key keeps working for `graceSeconds`, then stops. Both in one
 * transaction. A revoked or expired key cannot be rotated (409): create a new key instead.
 */
export async function rotateApiKey(db: Database, workspaceId: string, keyId: string, graceSeconds: number) {
  await requireWorkspace(db, workspaceId);
  return db.transaction(async (tx) => {
    const before = await findApiKey(tx, workspaceId, keyId);
    if (!before) throw notFound('API key');
    const old = await shortenApiKeyLife(tx, { workspaceId, keyId, graceSeconds });
    if (!old) throw conflict('the API key is revoked or expired; create a new key instead');
    const lifetime = lifetimeOf(before);
    const minted = mintApiKey();
    const row = await insertApiKey(tx, {
      id: newId('apiKey'),
      workspaceId,
      name: old.name,
      keyHash: minted.keyHash,
      hint: minted.hint,
      scopes: old.scopes,
      expiresAt: lifetime === null ? null : new Date(Date.now() + lifetime),
    });
    return { ...createdKeyView(row, minted.key), previousKeyExpiresAt: old.expiresAt!.toISOString() };
  });
}

function lifetimeOf(row: ApiKeyRow): number | null {
  if (!row.expiresAt) return null;
  return Math.min(KEY_LIFETIME_MS.max, Math.max(KEY_LIFETIME_MS.min, row.expiresAt.getTime() - row.createdAt.getTime()));
}
