import { endpointReceives, generateSecret, getEventDefinition, newId, SecretBox, serializeEnvelope } from '@dispatch/core';
import { createDb } from '@dispatch/db';
import { sql as sqlTag } from 'drizzle-orm';
import { Queues } from '@dispatch/queue';
import { benchConfig as config, databaseUrl } from './lib/config.js';
import { createDatabase, deleteRedisKeys, dropDatabase } from './lib/infra.js';

// Where the time goes when one event fans out to N endpoints, stage by stage, with the real
// @dispatch/db and @dispatch/queue functions the API and the fan-out job call (loosely typed: a
// signature change breaks this script at run time, not the workspace's typecheck).
// Usage: pnpm exec tsx --conditions=dispatch-source bench/fanout-cost.ts   (BENCH_FANOUT_N=10000)

const sqlText = (text: string) => sqlTag.raw(text);
const N = Number(process.env.BENCH_FANOUT_N ?? 10_000);
const type = 'payout.created';

interface LooseDb {
  findFanoutCandidates(db: unknown, input: { workspaceId: string; types: string[] }): Promise<{ id: string; kind: string; linkId: string | null; eventTypes: string[]; filter: unknown }[]>;
  insertEvents(db: unknown, rows: unknown[]): Promise<unknown>;
  insertDeliveries(db: unknown, rows: unknown[], options: Record<string, unknown>): Promise<void>;
  findUnattemptedEventDeliveries(db: unknown, eventId: string): Promise<{ id: string; endpointId: string; jobId: string; attemptCount: number; maxAttempts: number }[]>;
}

async function timed<T>(rows: string[][], stage: string, run: () => Promise<T>): Promise<T> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await run();
  const used = process.cpuUsage(cpu);
  rows.push([stage, String(Math.round(performance.now() - start)), String(Math.round((used.user + used.system) / 1000))]);
  return value;
}

await createDatabase(config);
const handle = createDb(databaseUrl(config), { max: 20, applicationName: 'dispatch-bench-fanout' });
const queues = new Queues({ url: config.redisUrl, maxRetriesPerRequest: null } as never, config.queuePrefix);
try {
  const real = (await import('@dispatch/db')) as unknown as LooseDb;
  const { pool, db } = handle;
  const workspaceId = newId('workspace');
  await pool.query(`INSERT INTO workspaces (id, name) VALUES ($1, 'fanout-cost')`, [workspaceId]);
  const box = new SecretBox(config.encryptionKey);
  const ids = Array.from({ length: N }, () => newId('workspaceWebhook'));
  const sealed = ids.map(() => box.seal(generateSecret()));
  await pool.query(
    `INSERT INTO endpoints (id, workspace_id, kind, url, url_normalized, event_types, secret_sealed, secret_hint)
     SELECT u.id, $1, 'workspace_webhook', 'http://127.0.0.1:9/f', 'http://127.0.0.1:9/f', ARRAY[$2]::text[], u.sealed, 'abcd'
     FROM unnest($3::text[], $4::text[]) AS u(id, sealed)`,
    [workspaceId, type, ids, sealed],
  );
  await pool.query('ANALYZE');

  const rows: string[][] = [];
  for (let round_ = 0; round_ < 2; round_++) {
    rows.length = 0;
    const eventId = newId('event');
    const createdAt = new Date();
    const envelope = { id: eventId, type, timestamp: createdAt.toISOString(), data: getEventDefinition(type).example };
    await db.transaction(async (tx) => {
      const candidates = await timed(rows, `API: findFanoutCandidates (${N} rows)`, () => real.findFanoutCandidates(tx, { workspaceId, types: [type] }));
      const deliveries = await timed(rows, 'API: filter + newId + rows in JS', async () =>
        candidates
          .filter((e) => endpointReceives(e as never, { type, linkId: null, envelope }))
          .map((e) => {
            const id = newId('delivery');
            return { id, eventId, eventType: type, endpointId: e.id, endpointKind: e.kind, jobId: `${id}-1` };
          }),
      );
      await timed(rows, 'API: insertEvents (1 row)', () =>
        real.insertEvents(tx, [{ id: eventId, workspaceId, type, linkId: null, payload: serializeEnvelope(envelope), idempotencyKey: null, test: false, createdAt }]),
      );
      // What-if (BENCH_FANOUT_NO_FK=1): without the foreign-key checks, to see what they cost.
      if (process.env.BENCH_FANOUT_NO_FK === '1') await (tx as unknown as { execute(q: unknown): Promise<unknown> }).execute(sqlText('SET LOCAL session_replication_role = replica'));
      await timed(rows, `API: insertDeliveries (${N} rows, unnest)`, () =>
        real.insertDeliveries(tx, deliveries, { workspaceId, test: false, maxAttempts: 8, trigger: 'initial', createdAt }),
      );
    }).then(() => undefined);
    const queued = await timed(rows, 'job: findUnattemptedEventDeliveries', () => real.findUnattemptedEventDeliveries(db, eventId));
    const items = queued.map((r) => ({ deliveryId: r.id, endpointId: r.endpointId, jobId: r.jobId, attemptsLeft: r.maxAttempts - r.attemptCount }));
    const chunks = (size: number) => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
    await timed(rows, 'job: addBulk, 1,000 at a time (as enqueueQueueable)', async () => {
      for (const chunk of chunks(1_000)) await queues.enqueueDeliveries(chunk);
    });
    await queues.deliveries.obliterate({ force: true });
    await timed(rows, 'alt: addBulk, 1,000 at a time, 4 in parallel', async () => {
      const list = chunks(1_000);
      await Promise.all(Array.from({ length: 4 }, async () => {
        for (let c = list.shift(); c; c = list.shift()) await queues.enqueueDeliveries(c);
      }));
    });
    await queues.deliveries.obliterate({ force: true });
  }
  const widths = [Math.max(...rows.map((r) => r[0]!.length)), 8, 8];
  process.stdout.write(`fan-out of one event to ${N.toLocaleString('en-US')} endpoints (second, warm round)\n`);
  process.stdout.write(`${'stage'.padEnd(widths[0]!)} | wall ms | CPU ms\n`);
  for (const r of rows) process.stdout.write(`${r[0]!.padEnd(widths[0]!)} | ${r[1]!.padStart(7)} | ${r[2]!.padStart(6)}\n`);
} finally {
  await queues.close();
  await handle.close();
  await dropDatabase(config);
  await deleteRedisKeys(config);
}
