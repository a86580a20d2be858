import { z } from 'zod';
import { durationField, resolveEncryptionKey, sharedConfigFields } from '@dispatch/core';
import { observabilityConfigFields, workerHealthConfigFields } from '@dispatch/observability';

const schema = z
  .object({
    ...sharedConfigFields,
    ...observabilityConfigFields,
    ...workerHealthConfigFields,
    DISPATCH_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(50),
    /** At most this many of a worker's concurrent deliveries go to any one endpoint. */
    DISPATCH_ENDPOINT_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(10),
    /** How long an endpoint's deliveries wait after it throttles (429/502/503/504) or keeps timing out. */
    DISPATCH_BREAKER_PAUSE: durationField('5s'),
    /** How often the reconciler looks for deliveries Redis forgot, and how late one must be to count. */
    DISPATCH_RECONCILE_INTERVAL: durationField('15s'),
    DISPATCH_RECONCILE_GRACE: durationField('30s'),
    /** Attempts, and finished events with their deliveries, are kept this long. */
    DISPATCH_RETENTION: durationField('30d'),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).default(20),
  })
  .transform((env, ctx) => {
    try {
      return { ...env, encryptionKey: resolveEncryptionKey(env) };
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['DISPATCH_ENCRYPTION_KEY'], message: (error as Error).message });
      return z.NEVER;
    }
  });

export const workerConfigSchema = schema;
export type WorkerConfig = z.infer<typeof schema>;
