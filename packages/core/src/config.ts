import { z } from 'zod';
import { parseByteSize, parseDuration, parseRetrySchedule } from './durations.js';
import { parseRedisUrl } from './redis-url.js';

// The contract's configuration table as zod fields. Each app builds its own config from these and
// parses `process.env` once at boot; nothing else reads the environment.
/** A text setting turned into a value by `parse`; what `parse` throws is the setting's error message. */
const parsedField = <T>(fallback: string, parse: (text: string) => T) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      try {
        return parse(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    });

const duration = (fallback: string) => parsedField(fallback, parseDuration);

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .default('false')
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const sharedConfigFields = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/dispatch'),
  /** Postgres connections per process. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).default(20),
  // Kept as text (what the processes pass on); the queue package reads it with the same parser.
  REDIS_URL: z
    .string()
    .default('redis://127.0.0.1:6379')
    .superRefine((text, ctx) => {
      try {
        parseRedisUrl(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
  /** Where the jobs wait: Redis, or BullMQ's Postgres backend in DATABASE_URL (then nothing uses Redis). */
  DISPATCH_QUEUE_BACKEND: z.enum(['redis', 'postgres']).default('redis'),
  /** Postgres queue backend: connections per process for queue commands (each queue worker keeps one more). */
  DISPATCH_QUEUE_POOL_SIZE: z.coerce.number().int().min(1).default(10),
  /**
   * How many delivery queues (`{deliveries}`, `{deliveries-1}`…): on Redis Cluster each is one hash
   * slot, so more queues spread the delivery load over more masters. Changing it loses nothing: jobs
   * left in a queue no worker reads any more are overdue, and the reconciler queues them anew. On
   * the Postgres backend they are just more queues.
   */
  DISPATCH_QUEUE_SHARDS: z.coerce.number().int().min(1).max(64).default(1),
  DISPATCH_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only').default('dispatch'),
  DISPATCH_RETRY_SCHEDULE: parsedField('5s,5m,30m,2h,5h,10h,10h', parseRetrySchedule),
  DISPATCH_REQUEST_TIMEOUT: duration('15s'),
  DISPATCH_DISABLE_AFTER: duration('5d'),
  DISPATCH_DISABLE_AFTER_FAILURES: z.coerce.number().int().min(1).default(10),
  DISPATCH_ALLOW_PRIVATE_DESTINATIONS: booleanFlag,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

export { booleanFlag, duration as durationField, parsedField, parseByteSize };

/** Parses the environment; throws one readable line per problem (the app prints it and exits). */
export function parseConfig<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
}
