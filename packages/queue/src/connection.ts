import type { ConnectionOptions } from 'bullmq';

/** BullMQ connection options from a redis:// URL (BullMQ then owns and closes its connections). */
export function redisConnectionOptions(redisUrl: string): ConnectionOptions {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined,
    tls: url.protocol === 'rediss:' ? {} : undefined,
    // Workers block on Redis; they must wait out an outage instead of failing commands.
    maxRetriesPerRequest: null,
  };
}
