import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { apiKeys, workspaces } from '../schema/index.js';
import { clientOf } from './named-statements.js';
import { cursorCondition, newestFirst, toPage, type Page, type PageInput } from './pagination.js';

// API keys: provisioning (admin routes, CLI) and the lookups behind authentication. The key itself
// is never stored; callers pass its SHA-256.

const keyColumns = {
  id: apiKeys.id,
  workspaceId: apiKeys.workspaceId,
  name: apiKeys.name,
  hint: apiKeys.hint,
  scopes: apiKeys.scopes,
  createdAt: apiKeys.createdAt,
  expiresAt: apiKeys.expiresAt,
  revokedAt: apiKeys.revokedAt,
  lastUsedAt: apiKeys.lastUsedAt,
};
/** A key that may be used now: not revoked, not expired (by Postgres's clock). */
const usable = sql`${apiKeys.revokedAt} IS NULL AND (${apiKeys.expiresAt} IS NULL OR ${apiKeys.expiresAt} > now())`;

export type ApiKeyRow = { [K in keyof typeof keyColumns]: (typeof apiKeys.$inferSelect)[K] };

export interface NewApiKey {
  id: string;
  workspaceId: string;
  name: string;
  keyHash: string;
  hint: string;
  scopes: string[];
  expiresAt: Date | null;
}

export async function insertApiKey(db: Db, input: NewApiKey): Promise<ApiKeyRow> {
  const [row] = await db.insert(apiKeys).values(input).returning(keyColumns);
  return row!;
}

export async function listApiKeys(db: Db, workspaceId: string, page: PageInput): Promise<Page<ApiKeyRow>> {
  const rows = await db
    .select(keyColumns)
    .from(apiKeys)
    .where(and(eq(apiKeys.workspaceId, workspaceId), cursorCondition(apiKeys.id, page.cursor)))
    .orderBy(newestFirst(apiKeys.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

export async function findApiKey(db: Db, workspaceId: string, keyId: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db
    .select(keyColumns)
    .from(apiKeys)
    .where(and(eq(apiKeys.workspaceId, workspaceId), eq(apiKeys.id, keyId)));
  return row;
}

/** Revokes a key (a key revoked before keeps its first revokedAt). Undefined when it is not the workspace's. */
export async function revokeApiKey(db: Db, input: { workspaceId: string; keyId: string }): Promise<ApiKeyRow | undefined> {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: sql`COALESCE(${apiKeys.revokedAt}, now())`, changedAt: sql`now()` })
    .where(and(eq(apiKeys.workspaceId, input.workspaceId), eq(apiKeys.id, input.keyId)))
    .returning(keyColumns);
  return row;
}

/**
 * Ends a usable key's life `graceSeconds` from now (never later than it would have ended anyway).
 * Undefined when the key is not usable (revoked, expired) or not the workspace's.
 */
export async function shortenApiKeyLife(db: Db, input: { workspaceId: string; keyId: string; graceSeconds: number }): Promise<ApiKeyRow | undefined> {
  const endsAt = sql`now() + make_interval(secs => ${input.graceSeconds}::float8)`;
  const [row] = await db
    .update(apiKeys)
    .set({ expiresAt: sql`LEAST(COALESCE(${apiKeys.expiresAt}, 'infinity'::timestamptz), ${endsAt})`, changedAt: sql`now()` })
    .where(and(eq(apiKeys.workspaceId, input.workspaceId), eq(apiKeys.id, input.keyId), usable))
    .returning(keyColumns);
  return row;
}

// ---------------------------------------------------------------------------------------------
// Authentication

export interface ApiKeyPrincipal {
  keyId: string;
  workspaceId: string;
  scopes: string[];
  features: string[];
}

export interface ApiKeyAuth extends ApiKeyPrincipal {
  /** When the key stops working by itself (an expiry, or the end of a rotation's grace). */
  expiresAt: Date | null;
}

const authColumns = {
  keyId: apiKeys.id,
  workspaceId: apiKeys.workspaceId,
  scopes: apiKeys.scopes,
  features: workspaces.features,
  expiresAt: apiKeys.expiresAt,
};

/** The key with this hash if it may be used now (not revoked, not expired). */
export async function findApiKeyByHash(db: Db, keyHash: string): Promise<ApiKeyAuth | undefined> {
  const [row] = await db
    .select(authColumns)
    .from(apiKeys)
    .innerJoin(workspaces, eq(workspaces.id, apiKeys.workspaceId))
    .where(and(eq(apiKeys.keyHash, keyHash), usable));
  return row;
}

export interface ChangedApiKey extends ApiKeyAuth {
  keyHash: string;
  usable: boolean;
}

/** Keys created, revoked or rotated in the last `seconds` (by Postgres's clock), through api_keys_changed_at_idx. */
export async function findApiKeysChangedWithin(db: Db, seconds: number): Promise<ChangedApiKey[]> {
  return db
    .select({ ...authColumns, keyHash: apiKeys.keyHash, usable: sql<boolean>`${usable}` })
    .from(apiKeys)
    .innerJoin(workspaces, eq(workspaces.id, apiKeys.workspaceId))
    .where(sql`${apiKeys.changedAt} > now() - make_interval(secs => ${seconds}::float8)`);
}

/** One statement for every key a process saw in use; a time never moves back (GREATEST). */
export async function recordApiKeysUsed(db: Db, used: { keyId: string; at: Date }[]): Promise<void> {
  if (used.length === 0) return;
  await clientOf(db).query({
    text: `UPDATE api_keys k SET last_used_at = GREATEST(k.last_used_at, u.at)
      FROM unnest($1::text[], $2::timestamptz[]) AS u(id, at)
      WHERE k.id = ANY($1::text[]) AND k.id = u.id`,
    values: [used.map((u) => u.keyId), used.map((u) => u.at.toISOString())],
  });
}
