import { z } from 'zod';
import { encryptionKeyFields, parseByteSize, sharedConfigFields, withEncryptionKeys } from '@dispatch/core';

const schema = z
  .object({
    ...sharedConfigFields,
    ...encryptionKeyFields,
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
  // Refuses to start without a key (no key is built in); see encryption-keys.ts.
  .transform(withEncryptionKeys);

export const apiConfigSchema = schema;
export type ApiConfig = z.infer<typeof schema>;
