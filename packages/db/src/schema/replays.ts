import { index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { endpoints } from './endpoints.js';

export const REPLAY_STATUSES = ['queued', 'running', 'completed'] as const;

// A bulk re-send of an endpoint's deliveries in a time window. `argsKey` makes the same request
// idempotent: asking again returns this row instead of sending everything twice.
export const replays = pgTable(
  'replays',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    endpointId: text('endpoint_id')
      .notNull()
      .references(() => endpoints.id, { onDelete: 'cascade' }),
    argsKey: text('args_key').notNull(),
    since: timestamp('since', { withTimezone: true, precision: 3 }).notNull(),
    until: timestamp('until', { withTimezone: true, precision: 3 }).notNull(),
    statusFilter: text('status_filter', { enum: ['failed', 'all'] }).notNull(),
    count: integer('count').notNull(),
    done: integer('done').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    status: text('status', { enum: REPLAY_STATUSES }).notNull().default('queued'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('replays_endpoint_args_uidx').on(t.endpointId, t.argsKey), index('replays_workspace_idx').on(t.workspaceId)],
);
