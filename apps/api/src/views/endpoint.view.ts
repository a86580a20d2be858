import { SECRET_PREFIX } from '@dispatch/core';
import type { EndpointRow } from '@dispatch/db';

// Response shapes are built field by field, so a secret can only leave through the routes that
// deliberately pass `secret` (create and rotate-secret). Custom headers never leave: every answer,
// create included, shows their names with masked values.

const iso = (date: Date | null) => (date ? date.toISOString() : null);
const maskedSecret = (row: EndpointRow) => `${SECRET_PREFIX}••••••••${row.secretHint}`;

export function webhookView(row: EndpointRow, fullSecret?: string) {
  return {
    id: row.id,
    ...(row.kind === 'link_webhook' ? { linkId: row.linkId } : {}),
    name: row.name,
    url: row.url,
    triggers: row.eventTypes,
    secret: fullSecret ?? maskedSecret(row),
    disabledAt: iso(row.disabledAt),
    disabledReason: row.disabledReason,
    consecutiveFailures: row.consecutiveFailures,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export function outboundWebhookView(row: EndpointRow, fullSecret?: string) {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.eventTypes,
    filter: row.filter ?? null,
    headers: row.headersMasked,
    enabled: row.enabled,
    disabledAt: iso(row.disabledAt),
    disabledReason: row.disabledReason,
    secret: fullSecret ?? maskedSecret(row),
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export function endpointView(row: EndpointRow, fullSecret?: string) {
  return row.kind === 'outbound_webhook' ? outboundWebhookView(row, fullSecret) : webhookView(row, fullSecret);
}
