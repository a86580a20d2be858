import { eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { apiKeys, workspaces } from '../schema/index.js';

const workspaceColumns = {
  id: workspaces.id,
  name: workspaces.name,
  features: workspaces.features,
  createdAt: workspaces.createdAt,
  updatedAt: workspaces.updatedAt,
};
export type WorkspaceRow = typeof workspaces.$inferSelect;

export async function insertWorkspace(db: Db, input: { id: string; name: string; features: string[] }): Promise<WorkspaceRow> {
  const [row] = await db.insert(workspaces).values(input).returning(workspaceColumns);
  return row!;
}

export async function updateWorkspaceFeatures(db: Db, input: { id: string; features: string[] }): Promise<WorkspaceRow | undefined> {
  const [row] = await db
    .update(workspaces)
    .set({ features: input.features, updatedAt: new Date() })
    .where(eq(workspaces.id, input.id))
    .returning(workspaceColumns);
  return row;
}

export async function findWorkspace(db: Db, id: string): Promise<WorkspaceRow | undefined> {
  const [row] = await db.select(workspaceColumns).from(workspaces).where(eq(workspaces.id, id));
  return row;
}

export async function insertApiKey(
  db: Db,
  input: { id: string; workspaceId: string; name: string; keyHash: string; scopes: string[] },
): Promise<{ id: string; name: string; scopes: string[]; createdAt: Date }> {
  const [row] = await db
    .insert(apiKeys)
    .values(input)
    .returning({ id: apiKeys.id, name: apiKeys.name, scopes: apiKeys.scopes, createdAt: apiKeys.createdAt });
  return row!;
}

export interface ApiKeyPrincipal {
  keyId: string;
  workspaceId: string;
  scopes: string[];
  features: string[];
}

export async function findApiKeyByHash(db: Db, keyHash: string): Promise<ApiKeyPrincipal | undefined> {
  const [row] = await db
    .select({ keyId: apiKeys.id, workspaceId: apiKeys.workspaceId, scopes: apiKeys.scopes, features: workspaces.features })
    .from(apiKeys)
    .innerJoin(workspaces, eq(workspaces.id, apiKeys.workspaceId))
    .where(eq(apiKeys.keyHash, keyHash));
  return row;
}
