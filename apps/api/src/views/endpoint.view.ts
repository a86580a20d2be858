import { SECRET_PREFIX } from '@dispatch/core';
import type { EventType, LinkWebhook, OutboundWebhook, WorkspaceWebhook } from '@dispatch/core/api';
import type { EndpointRow } from '@dispatch/db';
import { iso, isoOrNull } from './time.js';

// Response shapes are built field by field, so a secret can only leave through the routes that
// deliberately pass `secret` (create and rotate-secret). Custom headers never leave: every answer,
// create included, shows their names with masked values.

const maskedSecret = (row: EndpointRow) => `${SECRET_PREFIX}••••••••${row.secretHint}`;

export function workspaceWebhookView(row: EndpointRow, fullSecret?: string): WorkspaceWebhook {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    triggers: row.eventTypes as EventType[],
    secret: fullSecret ?? maskedSecret(row),
    disabledAt: isoOrNull(row.disabledAt),
    disabledReason: row.disabledReason,
    consecutiveFailures: row.consecutiveFailures,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export function linkWebhookView(row: EndpointRow, fullSecret?: string): LinkWebhook {
  return { ...workspaceWebhookView(row, fullSecret), linkId: row.linkId! };
}

export function outboundWebhookView(row: EndpointRow, fullSecret?: string): OutboundWebhook {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.eventTypes as EventType[],
    filter: row.filter ?? null,
    headers: row.headersMasked,
    enabled: row.enabled,
    disabledAt: isoOrNull(row.disabledAt),
    disabledReason: row.disabledReason,
    secret: fullSecret ?? maskedSecret(row),
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}
