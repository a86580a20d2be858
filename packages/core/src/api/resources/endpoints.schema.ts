import { z } from 'zod';
import { eventTypeSchema } from '../../events/catalog.js';
import { DISABLED_REASONS } from '../enums.js';
import { nullableTimestamp, timestamp } from './common.schema.js';

// The three kinds of receiver as the API shows them. `secret` is masked (`whsec_••••••••3fQ9`) on
// every read; only create and rotate-secret answer with the full secret.

const health = {
  disabledAt: nullableTimestamp,
  disabledReason: z.enum(DISABLED_REASONS).nullable(),
};

export const workspaceWebhookSchema = z.strictObject({
  id: z.string(),
  name: z.string().nullable(),
  url: z.string(),
  triggers: z.array(eventTypeSchema),
  secret: z.string(),
  ...health,
  consecutiveFailures: z.number().int(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type WorkspaceWebhook = z.infer<typeof workspaceWebhookSchema>;

export const linkWebhookSchema = workspaceWebhookSchema.extend({ linkId: z.string() });
export type LinkWebhook = z.infer<typeof linkWebhookSchema>;

export const outboundWebhookSchema = z.strictObject({
  id: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  events: z.array(eventTypeSchema),
  filter: z.unknown().nullable(),
  /** Names with masked values: custom headers are secrets. */
  headers: z.record(z.string(), z.string()),
  enabled: z.boolean(),
  ...health,
  secret: z.string(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type OutboundWebhook = z.infer<typeof outboundWebhookSchema>;

export const rotatedSecretSchema = z.strictObject({ secret: z.string(), previousSecretExpiresAt: nullableTimestamp });

export const linkSchema = z.strictObject({
  id: z.string(),
  url: z.string(),
  key: z.string().nullable(),
  externalId: z.string().nullable(),
  createdAt: timestamp,
});
export type Link = z.infer<typeof linkSchema>;
