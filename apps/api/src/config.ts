import { z } from 'zod';
import { parseByteSize, resolveEncryptionKey, sharedConfigFields } from '@dispatch/core';
import { observabilityConfigFields } from '@dispatch/observability';

const schema = z
  .object({
    ...sharedConfigFields,
    ...observabilityConfigFields,
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    DISPATCH_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    DISPATCH_MAX_BODY: z
      .string()
      .default('256kb')
      .transform((text, ctx) => {
        try {
          return parseByteSize(text);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
    /** Requests per second per API key (a fixed one-second window kept in Redis). */
    DISPATCH_RATE_LIMIT: z.coerce.number().int().min(1).default(1000),
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

export const apiConfigSchema = schema;
export type ApiConfig = z.infer<typeof schema>;
