import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const workspaces = pgTable('workspaces', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  features: text('features').array().notNull().default([]),
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

// Only the SHA-256 of a key is stored; the key itself is shown once, when it is created.
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    keyHash: text('key_hash').notNull().unique(),
    /** `dsp_…abcd` (the key's last 4 characters), so an operator can tell keys apart; null for keys made before hints. */
    hint: text('hint'),
    scopes: text('scopes').array().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, precision: 3 }),
    /** Written in batches by each API process (a few seconds late), never per request. */
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, precision: 3 }),
    /**
     * Set (by Postgres's clock) on insert and whenever the key's authority changes (revoke, rotate);
     * never by the lastUsedAt batches. API processes poll the recent changes to drop revoked keys
     * from their caches within a second.
     */
    changedAt: timestamp('changed_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('api_keys_workspace_idx').on(t.workspaceId), index('api_keys_changed_at_idx').on(t.changedAt)],
);
