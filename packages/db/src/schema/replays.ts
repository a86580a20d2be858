import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { REPLAY_SELECTIONS, REPLAY_STATUSES } from '@dispatch/core/api';
import { endpoints, type EndpointKind } from './endpoints.js';

export { REPLAY_STATUSES } from '@dispatch/core/api';

/** What a replay takes besides its window and selection: one endpoint, or filters over the workspace. */
export interface ReplayFilters {
  targetKinds?: EndpointKind[];
  eventType?: string;
  statusCode?: string;
}

// A bulk re-send of deliveries in a time window: one endpoint's (endpoint_id), or the workspace's that
// match `filters`. `argsKey` makes the same request idempotent: asking again returns this row
// instead of sending everything twice.
export const replays = pgTable(
  'replays',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    endpointId: text('endpoint_id').references(() => endpoints.id, { onDelete: 'cascade' }),
    filters: jsonb('filters').$type<ReplayFilters>().notNull().default({}),
    argsKey: text('args_key').notNull(),
    since: timestamp('since', { withTimezone: true, precision: 3 }).notNull(),
    until: timestamp('until', { withTimezone: true, precision: 3 }).notNull(),
    statusFilter: text('status_filter', { enum: REPLAY_SELECTIONS }).notNull(),
    count: integer('count').notNull(),
    done: integer('done').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    status: text('status', { enum: REPLAY_STATUSES }).notNull().default('queued'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('replays_workspace_args_uidx').on(t.workspaceId, t.argsKey), index('replays_endpoint_idx').on(t.endpointId)],
);
