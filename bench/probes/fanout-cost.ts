import { Redis } from 'ioredis';
import { deliverJobId, generateSecret, getEventDefinition, newId, SecretBox, serializeEnvelope } from '@dispatch/core';
import { createDb, findUnattemptedEventDeliveries, insertEventsWithDeliveries, type AcceptedDeliveryRow, type AcceptedEventRow } from '@dispatch/db';
import { createQueueBackend, Queues, type DeliveryToEnqueue } from '@dispatch/queue';
import { benchConfig as config, databaseUrl } from '../lib/config.js';
import { BENCH_EVENT_TYPE } from '../lib/dispatch-api.js';
import { createDatabase, deleteRedisKeys, dropDatabase } from '../lib/infra.js';
import { cpuMsOf } from '../lib/procstats.js';
import { percentile, round } from '../lib/stats.js';

// What storing and queueing one event's 10,000 deliveries costs, piece by piece, in one process
// with one Postgres connection and one Redis connection (own database and prefix, removed after):
// - as shipped: the API's one statement for the event and all its deliveries, then the fan-out
//   job's work (read them back, add the jobs 1,000 per call, 4 calls in flight);
// - pipelined: the same rows written 1,000 per statement, each chunk's jobs added while the next
//   chunk is written: what a design creating the deliveries in the worker would take (not atomic
//   with the event, so it needs its own recovery; measured here, not shipped).
// CPU of this process (the client), the Postgres backend and Redis comes from /proc.
// Usage: pnpm exec tsx --conditions=dispatch-source bench/probes/fanout-cost.ts   (BENCH_FANOUT_N, BENCH_ROUNDS)

const N = Number(process.env.BENCH_FANOUT_N ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CHUNK = 1_000;
const PARALLEL_CHUNKS = 4;
const WORKSPACE = 'ws_fanout_cost';
// The endpoints' version (updated_at), which each delivery names as the API's fan-out cache would.
const ENDPOINT_VERSION = new Date(Math.floor(Date.now() / 1000) * 1000);

interface Sample {
  variant: string;
  totalMs: number;
  storeMs: number;
  /** This process's CPU until the rows were written (as shipped: building and sending them). */
  storeClientCpuMs: number;
  clientCpuMs: number;
  postgresCpuMs: number;
  redisCpuMs: number;
}

function rowsFor(endpointIds: readonly string[]): { event: AcceptedEventRow; deliveries: AcceptedDeliveryRow[] } {
  const createdAt = new Date();
  const eventId = newId('event');
  const payload = serializeEnvelope({ id: eventId, type: BENCH_EVENT_TYPE, timestamp: createdAt.toISOString(), data: getEventDefinition(BENCH_EVENT_TYPE).example });
  const event: AcceptedEventRow = { id: eventId, workspaceId: WORKSPACE, type: BENCH_EVENT_TYPE, linkId: null, payload, idempotencyKey: null, test: false, createdAt };
  const deliveries = endpointIds.map((endpointId): AcceptedDeliveryRow => {
    const id = newId('delivery');
    return {
      id,
      workspaceId: WORKSPACE,
      eventId,
      eventType: BENCH_EVENT_TYPE,
      endpointId,
      endpointKind: 'workspace_webhook',
      jobId: deliverJobId(id, 1, 'initial'),
      test: false,
      maxAttempts: 6,
      trigger: 'initial',
      createdAt,
      requireActive: true,
      endpointVersion: ENDPOINT_VERSION,
    };
  });
  return { event, deliveries };
}

const toJobs = (rows: readonly { id: string; endpointId: string; workspaceId: string; jobId: string }[]): DeliveryToEnqueue[] =>
  rows.map((row) => ({ deliveryId: row.id, endpointId: row.endpointId, workspaceId: row.workspaceId, jobId: row.jobId, attemptsLeft: 6 }));

function chunksOf<T>(items: readonly T[]): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) chunks.push(items.slice(i, i + CHUNK));
  return chunks;
}

async function main(): Promise<void> {
  await createDatabase(config);
  const { db, pool, close } = createDb(databaseUrl(config), { max: 1 });
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  // These probes measure Redis itself (its CPU per job): always the Redis backend.
  const queues = new Queues(
    createQueueBackend({ kind: 'redis', prefix: config.queuePrefix, redisUrl: config.redisUrl, databaseUrl: '', poolSize: 1, applicationName: 'dispatch-bench' }),
  );
  try {
    const box = new SecretBox(config.encryptionKey);
    await pool.query(`INSERT INTO workspaces (id, name) VALUES ($1, 'fan-out cost')`, [WORKSPACE]);
    const endpointIds = Array.from({ length: N }, () => newId('workspaceWebhook'));
    await pool.query(
      `INSERT INTO endpoints (id, workspace_id, kind, name, url, url_normalized, event_types, secret_sealed, secret_hint, updated_at)
       SELECT id, $1, 'workspace_webhook', 'fanout', 'http://127.0.0.1:9/x', 'http://127.0.0.1:9/x', ARRAY[$2]::text[], $3, 'abcd', $5
       FROM unnest($4::text[]) AS id`,
      [WORKSPACE, BENCH_EVENT_TYPE, box.seal(generateSecret()), endpointIds, ENDPOINT_VERSION],
    );
    const backendPid = (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);

    const clientCpuMsSince = (since: NodeJS.CpuUsage) => {
      const used = process.cpuUsage(since);
      return round((used.user + used.system) / 1000, 0)!;
    };
    // A variant returns when its rows were written, from its start.
    type Variant = () => Promise<{ storeMs: number; storeClientCpu: NodeJS.CpuUsage }>;
    const measure = async (variant: string, run: Variant): Promise<Sample> => {
      await pool.query('TRUNCATE attempts, deliveries, events');
      await pool.query('CHECKPOINT').catch(() => undefined);
      await queues.deliveries.obliterate({ force: true });
      const cpu = () => ({ client: process.cpuUsage(), postgres: cpuMsOf(backendPid), redis: cpuMsOf(redisPid) });
      const before = cpu();
      const started = performance.now();
      const { storeMs, storeClientCpu } = await run();
      const totalMs = performance.now() - started;
      const after = cpu();
      return {
        variant,
        totalMs: round(totalMs, 0)!,
        storeMs: round(storeMs, 0)!,
        storeClientCpuMs: round((storeClientCpu.user + storeClientCpu.system) / 1000 - (before.client.user + before.client.system) / 1000, 0)!,
        clientCpuMs: clientCpuMsSince(before.client),
        postgresCpuMs: round(after.postgres - before.postgres, 0)!,
        redisCpuMs: round(after.redis - before.redis, 0)!,
      };
    };

    const written = (started: number) => ({ storeMs: performance.now() - started, storeClientCpu: process.cpuUsage() });
    const variants: Record<string, Variant> = {
      'as shipped': async () => {
        const started = performance.now();
        const { event, deliveries } = rowsFor(endpointIds);
        await insertEventsWithDeliveries(db, { events: [event], deliveries });
        const stored = written(started);
        const chunks = chunksOf(await findUnattemptedEventDeliveries(db, event.id));
        let next = 0;
        await Promise.all(
          Array.from({ length: PARALLEL_CHUNKS }, async () => {
            while (next < chunks.length) await queues.enqueueDeliveries(toJobs(chunks[next++]!));
          }),
        );
        return stored;
      },
      pipelined: async () => {
        const started = performance.now();
        const { event, deliveries } = rowsFor(endpointIds);
        const chunks = chunksOf(deliveries);
        let queueing: Promise<void> = Promise.resolve();
        for (const [index, chunk] of chunks.entries()) {
          await insertEventsWithDeliveries(db, { events: index === 0 ? [event] : [], deliveries: chunk }).catch(async (error: unknown) => {
            await queueing;
            throw error;
          });
          await queueing;
          queueing = queues.enqueueDeliveries(toJobs(chunk));
        }
        const stored = written(started);
        await queueing;
        return stored;
      },
    };

    const samples: Sample[] = [];
    // One round of each first, not measured (connections, prepared statements, JIT).
    for (const run of Object.values(variants)) await measure('warm-up', run);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [variant, run] of Object.entries(variants)) {
        const sample = await measure(variant, run);
        samples.push(sample);
        process.stderr.write(`${JSON.stringify(sample)}\n`);
      }
    }
    process.stdout.write(`\n${N.toLocaleString('en-US')} deliveries, median of ${ROUNDS} alternating rounds (CPU in ms):\n`);
    for (const variant of Object.keys(variants)) {
      const mine = samples.filter((s) => s.variant === variant);
      const m = (pick: (s: Sample) => number) => percentile(mine.map(pick).sort((a, b) => a - b), 50);
      process.stdout.write(
        `  ${variant.padEnd(11)} stored + queued ${m((s) => s.totalMs)} ms (rows written after ${m((s) => s.storeMs)} ms); ` +
          `CPU: client ${m((s) => s.clientCpuMs)} (${m((s) => s.storeClientCpuMs)} until the rows were written), ` +
          `postgres ${m((s) => s.postgresCpuMs)}, redis ${m((s) => s.redisCpuMs)}\n`,
      );
    }
  } finally {
    await queues.close();
    await queues.backend.close();
    redis.disconnect();
    await close();
    await dropDatabase(config);
    await deleteRedisKeys(config);
  }
}

await main();
