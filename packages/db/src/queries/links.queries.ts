import { and, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { links } from '../schema/index.js';
import { cursorCondition, newestFirst, toPage, type Page, type PageInput } from './pagination.js';

const linkColumns = {
  id: links.id,
  workspaceId: links.workspaceId,
  url: links.url,
  key: links.key,
  externalId: links.externalId,
  createdAt: links.createdAt,
};
export type LinkRow = typeof links.$inferSelect;

export async function insertLink(db: Db, input: typeof links.$inferInsert): Promise<LinkRow> {
  const [row] = await db.insert(links).values(input).returning(linkColumns);
  return row!;
}

export async function findLink(db: Db, workspaceId: string, linkId: string): Promise<LinkRow | undefined> {
  const [row] = await db
    .select(linkColumns)
    .from(links)
    .where(and(eq(links.workspaceId, workspaceId), eq(links.id, linkId)));
  return row;
}

export async function listLinks(db: Db, workspaceId: string, page: PageInput): Promise<Page<LinkRow>> {
  const rows = await db
    .select(linkColumns)
    .from(links)
    .where(and(eq(links.workspaceId, workspaceId), cursorCondition(links.id, page.cursor)))
    .orderBy(newestFirst(links.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

/** Its link webhooks go with it (ON DELETE CASCADE). */
export async function deleteLink(db: Db, workspaceId: string, linkId: string): Promise<boolean> {
  const rows = await db
    .delete(links)
    .where(and(eq(links.workspaceId, workspaceId), eq(links.id, linkId)))
    .returning({ id: links.id });
  return rows.length > 0;
}
