import { newId, notFound } from '@dispatch/core';
import { deleteLink, findLink, insertLink, listLinks, type LinkRow, type PageInput } from '@dispatch/db';
import type { ApiDeps } from '../deps.js';
import { linkView } from '../views/link.view.js';

export async function createLink(deps: ApiDeps, workspaceId: string, input: { url: string; key?: string | undefined; externalId?: string | undefined }) {
  return linkView(await insertLink(deps.db, { id: newId('link'), workspaceId, url: input.url, key: input.key ?? null, externalId: input.externalId ?? null }));
}

/** Every link-scoped route starts here: the link must belong to the key's workspace. */
export async function getLink(deps: ApiDeps, workspaceId: string, linkId: string): Promise<LinkRow> {
  const row = await findLink(deps.db, workspaceId, linkId);
  if (!row) throw notFound('link');
  return row;
}

export async function listLinksPage(deps: ApiDeps, workspaceId: string, page: PageInput) {
  const result = await listLinks(deps.db, workspaceId, page);
  return { data: result.data.map(linkView), nextCursor: result.nextCursor };
}

export async function removeLink(deps: ApiDeps, workspaceId: string, linkId: string): Promise<void> {
  if (!(await deleteLink(deps.db, workspaceId, linkId))) throw notFound('link');
  // Its link webhooks went with it.
  deps.fanoutCache.forget(workspaceId);
}
