import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { encryptionKeyFields, parseByteSize, sharedConfigFields, withEncryptionKeys } from '@dispatch/core';

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
const isProxyAddress = (item: string) => {
  if (PROXY_NAMES.includes(item)) return true;
  const [address = '', bits, ...rest] = item.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128));
};

/**
 * Express's `trust proxy`: which X-Forwarded-For hops to believe when finding a client's address
 * (the failed-authentication throttle counts per address). Off by default: the socket's peer.
 * A hop count ("1": one proxy in front) or the proxies' addresses/subnets ("10.0.0.0/8,loopback").
 * "true" is refused: it believes whatever address a client writes into X-Forwarded-For.
 */
const trustProxy = z
  .string()
  .default('')
  .transform((text, ctx): number | string | false => {
    const value = text.trim();
    if (value === '' || value === 'false' || value === '0') return false;
    if (/^\d+$/.test(value)) return Number(value);
    const items = value.split(',').map((item) => item.trim());
    if (value === 'true' || !items.every(isProxyAddress)) {
      ctx.addIssue({ code: 'custom', message: 'a hop count (e.g. 1) or the proxies\' addresses/subnets (e.g. 10.0.0.0/8,loopback); "true" would believe any client' });
      return z.NEVER;
    }
    return items.join(',');
  });
import { observabilityConfigFields } from '@dispatch/observability';

// apps/api/src/config.ts and apps/api/dist/config.js are both two folders below apps/: the built
// console is found the same way from a checkout and from the Docker image (/app/apps/console/dist).
const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../console/dist', import.meta.url));

const schema = z
  .object({
    ...sharedConfigFields,
    ...encryptionKeyFields,
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
    /** Failed authentications (missing, unknown, revoked or expired key; wrong operator token) per client address per minute, in each API process; a burst of as many, then 429. */
    DISPATCH_AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).default(60),
    /** Operator-token requests per second in each API process (a burst of five seconds' worth). */
    DISPATCH_ADMIN_RATE_LIMIT: z.coerce.number().int().min(1).default(20),
    DISPATCH_TRUST_PROXY: trustProxy,
    /** The built web console served under /console (relative paths are from the working directory). */
    DISPATCH_CONSOLE_DIR: z
      .string()
      .min(1)
      .default(DEFAULT_CONSOLE_DIR)
      .transform((dir) => resolve(dir)),
  })
  // Refuses to start without a key (no key is built in); see encryption-keys.ts.
  .transform(withEncryptionKeys);

export const apiConfigSchema = schema;
export type ApiConfig = z.infer<typeof schema>;
