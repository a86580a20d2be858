import { boolean, index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { workspaces } from './workspaces.js';

export const events = pgTable(
  'events',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    linkId: text('link_id'),
    /** The exact envelope bytes that are signed and sent; never re-serialised. */
    payload: text('payload').notNull(),
    idempotencyKey: text('idempotency_key'),
    test: boolean('test').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('events_idempotency_uidx').on(t.workspaceId, t.idempotencyKey),
    index('events_created_at_idx').on(t.createdAt),
    // The events list, newest first (a time window is an id range too: ids start with their time).
    index('events_workspace_idx').on(t.workspaceId, t.id),
  ],
);
