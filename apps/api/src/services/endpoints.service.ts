import { conflict, generateSecret, newId, notFound, type IdKind } from '@dispatch/core';
import {
  deleteEndpoint,
  enableEndpoint,
  findEndpoint,
  insertEndpoint,
  listEndpoints,
  rotateEndpointSecret,
  updateEndpoint,
  type EndpointKind,
  type EndpointPatch,
  type EndpointRow,
  type EndpointScope,
  type PageInput,
  isUniqueViolation,
} from '@dispatch/db';
import type { ApiDeps } from '../deps.js';
import { validateDestination } from './destinations.js';
import { sealedHeaderColumns } from './sealed-headers.js';

// The three kinds of receiver share one lifecycle; routes differ only in scope and field names.

const ID_KIND: Record<EndpointKind, IdKind> = {
  workspace_webhook: 'workspaceWebhook',
  link_webhook: 'linkWebhook',
  outbound_webhook: 'outboundWebhook',
};

export const endpointNoun = (kind: EndpointKind) =>
  kind === 'workspace_webhook' ? 'webhook' : kind === 'link_webhook' ? 'link webhook' : 'outbound webhook';

export interface EndpointInput {
  url: string;
  eventTypes: string[];
  name?: string | null | undefined;
  description?: string | null | undefined;
  filter?: unknown;
  headers?: Record<string, string> | undefined;
  enabled?: boolean | undefined;
}

const duplicateUrl = () => conflict('the workspace already has an outbound webhook with this URL');

export async function createEndpoint(deps: ApiDeps, scope: EndpointScope, input: EndpointInput) {
  const destination = validateDestination(deps, input.url);
  const secret = generateSecret();
  try {
    const row = await insertEndpoint(deps.db, {
      id: newId(ID_KIND[scope.kind]),
      workspaceId: scope.workspaceId,
      kind: scope.kind,
      linkId: scope.linkId ?? null,
      name: input.name ?? null,
      description: input.description ?? null,
      ...destination,
      eventTypes: input.eventTypes,
      filter: input.filter ?? null,
      ...sealedHeaderColumns(deps.secretBox, input.headers ?? {}),
      enabled: input.enabled ?? true,
      secretSealed: deps.secretBox.seal(secret),
      secretHint: secret.slice(-4),
    });
    deps.fanoutCache.forget(scope.workspaceId);
    return { row, secret };
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateUrl();
    throw error;
  }
}

export async function getEndpoint(deps: ApiDeps, scope: EndpointScope, id: string): Promise<EndpointRow> {
  const row = await findEndpoint(deps.db, scope, id);
  if (!row) throw notFound(endpointNoun(scope.kind));
  return row;
}

export const listEndpointsPage = (deps: ApiDeps, scope: EndpointScope, page: PageInput) => listEndpoints(deps.db, scope, page);

export async function updateEndpointFields(deps: ApiDeps, scope: EndpointScope, id: string, input: Partial<EndpointInput>) {
  const patch: EndpointPatch = {};
  if (input.url !== undefined) Object.assign(patch, validateDestination(deps, input.url));
  if (input.eventTypes !== undefined) patch.eventTypes = input.eventTypes;
  if (input.name !== undefined) patch.name = input.name;
  if (input.description !== undefined) patch.description = input.description;
  if (input.filter !== undefined) patch.filter = input.filter;
  // The map is replaced whole (the route refuses masked values, so a read sent back cannot land here).
  if (input.headers !== undefined) Object.assign(patch, sealedHeaderColumns(deps.secretBox, input.headers));
  if (input.enabled !== undefined) patch.enabled = input.enabled;
  // Switching an endpoint on is also how an operator clears an automatic disable.
  if (input.enabled === true) Object.assign(patch, { disabledAt: null, disabledReason: null, consecutiveFailures: 0, failingSince: null });
  try {
    const row = await updateEndpoint(deps.db, scope, id, patch);
    if (!row) throw notFound(endpointNoun(scope.kind));
    deps.fanoutCache.forget(scope.workspaceId);
    return row;
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateUrl();
    throw error;
  }
}

export async function removeEndpoint(deps: ApiDeps, scope: EndpointScope, id: string): Promise<void> {
  if (!(await deleteEndpoint(deps.db, scope, id))) throw notFound(endpointNoun(scope.kind));
  deps.fanoutCache.forget(scope.workspaceId);
}

/** Returns the new secret once; the old one keeps signing for `graceSeconds`. */
export async function rotateSecret(deps: ApiDeps, scope: EndpointScope, id: string, graceSeconds: number) {
  const secret = generateSecret();
  const row = await rotateEndpointSecret(deps.db, scope, id, { secretSealed: deps.secretBox.seal(secret), secretHint: secret.slice(-4), graceMs: graceSeconds * 1000 });
  if (!row) throw notFound(endpointNoun(scope.kind));
  return { secret, previousSecretExpiresAt: row.previousSecretExpiresAt?.toISOString() ?? null };
}

export async function reenableEndpoint(deps: ApiDeps, scope: EndpointScope, id: string): Promise<EndpointRow> {
  const row = await enableEndpoint(deps.db, scope, id);
  if (!row) throw notFound(endpointNoun(scope.kind));
  deps.fanoutCache.forget(scope.workspaceId);
  return row;
}
