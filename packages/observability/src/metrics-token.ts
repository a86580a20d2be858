import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Whether an Authorization header carries the metrics token. Without a configured token /metrics
 * is open (the contract's default: it is usually reachable only inside the cluster). Compared as
 * digests, in constant time, so neither the token nor its length leaks through timing.
 */
export function metricsAuthorized(authorization: string | undefined, token: string | undefined): boolean {
  if (!token) return true;
  const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  if (!match) return false;
  return timingSafeEqual(digest(match[1]!), digest(token));
}
