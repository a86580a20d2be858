import { eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { workspaces } from '../schema/index.js';
import { cursorCondition, newestFirst, toPage, type Page, type PageInput } from './pagination.js';

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

export async function listWorkspaces(db: Db, page: PageInput): Promise<Page<WorkspaceRow>> {
  const rows = await db
    .select(workspaceColumns)
    .from(workspaces)
    .where(cursorCondition(workspaces.id, page.cursor))
    .orderBy(newestFirst(workspaces.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}
