import { rateLimited } from '@dispatch/core';
import type { ApiDeps } from '../deps.js';

export const RETRY_AFTER_SECONDS = 1;

/**
 * Fixed one-second window per API key, counted in Redis so every API process shares it.
 * If Redis is unreachable the request goes through: accepting events must not depend on the scheduler.
 */
export async function enforceRateLimit(deps: ApiDeps, keyId: string): Promise<void> {
  const windowStart = Math.floor(Date.now() / 1000);
  const counterKey = `${deps.config.DISPATCH_QUEUE_PREFIX}:ratelimit:{${keyId}}:${windowStart}`;
  let count: number;
  try {
    const results = await deps.redis.multi().incr(counterKey).pexpire(counterKey, 2000).exec();
    count = Number(results?.[0]?.[1] ?? 0);
  } catch (error) {
    deps.logger.warn({ err: error }, 'rate limiter unavailable; request allowed');
    return;
  }
  if (count > deps.config.DISPATCH_RATE_LIMIT) throw rateLimited(RETRY_AFTER_SECONDS);
}
