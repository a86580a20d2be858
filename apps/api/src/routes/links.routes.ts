import { api } from '@dispatch/core/api';
import { requireKey } from '../http/auth.js';
import { implement } from '../http/route.js';
import { createLink, getLink, listLinksPage, removeLink } from '../services/links.service.js';
import { linkView } from '../views/link.view.js';

const workspaceOf = (principal: Parameters<typeof requireKey>[0]) => requireKey(principal).workspaceId;

export const linkRoutes = [
  implement(api.links.create, async ({ deps, principal, body }) => createLink(deps, workspaceOf(principal), body)),
  implement(api.links.list, ({ deps, principal, query }) => listLinksPage(deps, workspaceOf(principal), query)),
  implement(api.links.get, async ({ deps, principal, params }) => linkView(await getLink(deps, workspaceOf(principal), params.linkId))),
  implement(api.links.delete, ({ deps, principal, params }) => removeLink(deps, workspaceOf(principal), params.linkId)),
];
