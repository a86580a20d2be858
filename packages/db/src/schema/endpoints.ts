import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { links } from './links.js';
import { workspaces } from './workspaces.js';

import { DISABLED_REASONS, ENDPOINT_KINDS } from '@dispatch/core/api';

export { ENDPOINT_KINDS, type EndpointKind } from '@dispatch/core/api';

// One table for the three kinds of receiver: they share delivery, signing, disabling and history;
// the kind decides which routes see the row and which fan-out rule applies (triggers, link, filter).
export const endpoints = pgTable(
  'endpoints',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ENDPOINT_KINDS }).notNull(),
    linkId: text('link_id').references(() => links.id, { onDelete: 'cascade' }),
    name: text('name'),
    description: text('description'),
    url: text('url').notNull(),
    urlNormalized: text('url_normalized').notNull(),
    /** Triggers (workspace/link webhooks) or subscribed events (outbound webhooks). */
    eventTypes: text('event_types').array().notNull(),
    filter: jsonb('filter'),
    /**
     * Custom headers (outbound webhooks) are secrets: the whole map sealed as one JSON value (NULL
     * without custom headers), opened only by the worker, plus the names with masked values that
     * reads show without decrypting.
     */
    headersSealed: text('headers_sealed'),
    headersMasked: jsonb('headers_masked').$type<Record<string, string>>().notNull().default({}),
    /**
     * Plaintext custom headers from before they were sealed. Never written any more: migrate.js
     * (and the reseal route) seal what an upgrade left here and set it NULL; a later migration drops it.
     */
    plaintextHeaders: jsonb('headers').$type<Record<string, string>>(),
    enabled: boolean('enabled').notNull().default(true),
    secretSealed: text('secret_sealed').notNull(),
    /** Last characters of the secret, so masked reads need no decryption. */
    secretHint: text('secret_hint').notNull(),
    previousSecretSealed: text('previous_secret_sealed'),
    previousSecretExpiresAt: timestamp('previous_secret_expires_at', { withTimezone: true, precision: 3 }),
    disabledAt: timestamp('disabled_at', { withTimezone: true, precision: 3 }),
    disabledReason: text('disabled_reason', { enum: DISABLED_REASONS }),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    /** Start of the current run of failures; cleared by any success. Drives the auto-disable rule. */
    failingSince: timestamp('failing_since', { withTimezone: true, precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('endpoints_workspace_kind_idx').on(t.workspaceId, t.kind, t.id),
    index('endpoints_link_idx').on(t.linkId),
    index('endpoints_event_types_idx').using('gin', t.eventTypes),
    // The prune job clears previous secrets whose grace period is over.
    index('endpoints_previous_secret_expires_idx').on(t.previousSecretExpiresAt).where(sql`${t.previousSecretExpiresAt} IS NOT NULL`),
    uniqueIndex('endpoints_outbound_url_uidx')
      .on(t.workspaceId, t.urlNormalized)
      .where(sql`${t.kind} = 'outbound_webhook'`),
  ],
);
