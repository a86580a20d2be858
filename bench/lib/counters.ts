import { Redis } from 'ioredis';
import type { ProcessGroups } from './procstats.js';
import type { CountsSnapshot, System } from './system.js';
import { sleep } from './infra.js';

// What one unit of work costs in round trips: SQL statements and Redis commands sent by the API and
// the workers (counted inside them by children/count-preload.ts), Redis commands executed by the
// server (INFO commandstats, scripts' inner calls included) and WAL bytes written by Postgres.

export interface Snapshot {
  counts: Record<string, CountsSnapshot>;
  redisServer: Record<string, { calls: number; usec: number }>;
  walLsnBytes: number;
}

let redisInfo: Redis | undefined;

async function commandStats(redisUrl: string): Promise<Record<string, { calls: number; usec: number }>> {
  redisInfo ??= new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  const text = await redisInfo.info('commandstats');
  const stats: Record<string, { calls: number; usec: number }> = {};
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) stats[match[1]!] = { calls: Number(match[2]), usec: Number(match[3]) };
  return stats;
}

export async function closeCounters(): Promise<void> {
  redisInfo?.disconnect();
  redisInfo = undefined;
}

export async function snapshot(system: System): Promise<Snapshot> {
  // The preload writes its totals every 250 ms: let the last ones land.
  if (system.config.count) await sleep(300);
  const wal = await system.pg.query<{ bytes: string }>(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text AS bytes`);
  const redisServer = system.config.queueBackend === 'redis' ? await commandStats(system.config.redisUrl) : {};
  return { counts: system.counts(), redisServer, walLsnBytes: Number(wal.rows[0]?.bytes ?? 0) };
}

function subtract(after: Record<string, number>, before: Record<string, number> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) {
    const delta = value - (before?.[key] ?? 0);
    if (delta > 0) out[key] = delta;
  }
  return out;
}

const top = (counts: Record<string, number>, per: number, limit = 12) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([what, n]) => ({ what, perUnit: Math.round((n / per) * 100) / 100 }));

export interface CostPerUnit {
  units: number;
  sqlStatementsPerUnit: Record<string, number>;
  sqlTop: Record<string, { what: string; perUnit: number }[]>;
  redisClientCommandsPerUnit: Record<string, number>;
  redisClientTop: Record<string, { what: string; perUnit: number }[]>;
  redisServerCallsPerUnit: number;
  redisServerUsecPerUnit: number;
  redisServerTop: { what: string; perUnit: number }[];
  walBytesPerUnit: number;
}

/** The difference between two snapshots, divided by `units` (deliveries, events or requests). */
export function costPerUnit(before: Snapshot, after: Snapshot, units: number): CostPerUnit {
  const per = Math.max(1, units);
  const r2 = (n: number) => Math.round((n / per) * 100) / 100;
  const result: CostPerUnit = {
    units,
    sqlStatementsPerUnit: {},
    sqlTop: {},
    redisClientCommandsPerUnit: {},
    redisClientTop: {},
    redisServerCallsPerUnit: 0,
    redisServerUsecPerUnit: 0,
    redisServerTop: [],
    walBytesPerUnit: Math.round((after.walLsnBytes - before.walLsnBytes) / per),
  };
  for (const [name, now] of Object.entries(after.counts)) {
    const then = before.counts[name];
    result.sqlStatementsPerUnit[name] = r2(now.sqlTotal - (then?.sqlTotal ?? 0));
    result.sqlTop[name] = top(subtract(now.sql, then?.sql), per);
    result.redisClientCommandsPerUnit[name] = r2(now.redisTotal - (then?.redisTotal ?? 0));
    result.redisClientTop[name] = top(subtract(now.redis, then?.redis), per);
  }
  const calls = subtract(
    Object.fromEntries(Object.entries(after.redisServer).map(([k, v]) => [k, v.calls])),
    Object.fromEntries(Object.entries(before.redisServer).map(([k, v]) => [k, v.calls])),
  );
  // INFO itself is the bench's own command.
  delete calls.info;
  result.redisServerCallsPerUnit = r2(Object.values(calls).reduce((s, n) => s + n, 0));
  const usec = Object.entries(after.redisServer).reduce((s, [k, v]) => s + (k === 'info' ? 0 : v.usec - (before.redisServer[k]?.usec ?? 0)), 0);
  result.redisServerUsecPerUnit = r2(usec);
  result.redisServerTop = top(calls, per, 10);
  return result;
}

/**
 * The processes whose CPU the report splits out. Postgres is the bench database's backends plus the
 * server's background processes (WAL writer, checkpointer...); Redis is the server at REDIS_URL (INFO's process_id).
 */
export function processGroups(system: System): ProcessGroups {
  return {
    receiver: () => [system.receiver.child.pid],
    api: () => system.apis.map((a) => a.pid),
    workers: () => system.workers.map((w) => w.pid),
    postgres: async () => {
      const result = await system.pg.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = $1 OR backend_type <> 'client backend'`,
        [system.config.databaseName],
      );
      return result.rows.map((r) => r.pid);
    },
    redis: async () => {
      if (system.config.queueBackend !== 'redis') return [];
      redisInfo ??= new Redis(system.config.redisUrl, { maxRetriesPerRequest: 2 });
      const pid = Number(/process_id:(\d+)/.exec(await redisInfo.info('server'))?.[1] ?? 0);
      return pid ? [pid] : [];
    },
  };
}

