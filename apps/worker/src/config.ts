import { z } from 'zod';
import { durationField, encryptionKeyFields, sharedConfigFields, withEncryptionKeys } from '@dispatch/core';
import { observabilityConfigFields, workerHealthConfigFields } from '@dispatch/observability';

const schema = z
  .object({
    ...sharedConfigFields,
    ...encryptionKeyFields,
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
  })
  // Refuses to start without a key (no key is built in); see encryption-keys.ts.
  .transform(withEncryptionKeys);

export const workerConfigSchema = schema;
export type WorkerConfig = z.infer<typeof schema>;
