import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseByteSize, resolveEncryptionKey, sharedConfigFields } from '@dispatch/core';

// apps/api/src/config.ts and apps/api/dist/config.js are both two folders below apps/: the built
// console is found the same way from a checkout and from the Docker image (/app/apps/console/dist).
const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../console/dist', import.meta.url));

const schema = z
  .object({
    ...sharedConfigFields,
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
    /** The built web console served under /console (relative paths are from the working directory). */
    DISPATCH_CONSOLE_DIR: z
      .string()
      .min(1)
      .default(DEFAULT_CONSOLE_DIR)
      .transform((dir) => resolve(dir)),
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
