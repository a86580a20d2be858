import { z } from 'zod';
import { FEATURES, SCOPES } from '../../scopes.js';
import { nullableTimestamp, timestamp } from './common.schema.js';

export const workspaceSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  features: z.array(z.enum(FEATURES)),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type Workspace = z.infer<typeof workspaceSchema>;

/** A key as listed: never the key itself, only a hint of its end. */
export const apiKeySchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.enum(SCOPES)),
  hint: z.string().nullable(),
  createdAt: timestamp,
  lastUsedAt: nullableTimestamp,
  expiresAt: nullableTimestamp,
  revokedAt: nullableTimestamp,
});
export type ApiKey = z.infer<typeof apiKeySchema>;

/** The answer of key creation and rotation: the only time the key is shown. */
export const createdApiKeySchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  key: z.string(),
  hint: z.string(),
  scopes: z.array(z.enum(SCOPES)),
  workspaceId: z.string(),
  createdAt: timestamp,
  expiresAt: nullableTimestamp,
});
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;

/** Rotation: the new key, and until when the old one keeps working. */
export const rotatedApiKeySchema = createdApiKeySchema.extend({ previousKeyExpiresAt: timestamp });
