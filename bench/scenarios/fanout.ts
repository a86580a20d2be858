import { generateSecret, newId, SecretBox } from '@dispatch/core';
import { BENCH_EVENT_TYPE, eventBody, postEvent, type Tenant } from '../lib/dispatch-api.js';
import { waitUntil } from '../lib/infra.js';
import { cpuMeter } from '../lib/procstats.js';
import { costPerUnit, processGroups, snapshot, type CostPerUnit } from '../lib/counters.js';
import { wallNow } from '../lib/stats.js';
import type { System } from '../lib/system.js';

// 5. Fan-out: one event to N endpoints (created straight in Postgres, secrets sealed as the API
// would). Times from the request's start: the 202 (event and N delivery rows committed), the fan-out
// job done (every delivery job added), the queue holding N jobs (cross-check) and the last arrival.

export interface FanoutFigure {
  endpoints: number;
  deliveriesReported: number;
  storedMs: number;
  queuedMs: number | null;
  /** First poll where jobs waiting/active/delayed + finished rows reached N (polled every 25 ms). */
  queuedByCountsMs: number | null;
  receivedMs: number | null;
  deliveriesPerSecond: number | null;
  cpuCores: Record<string, number>;
  cost: CostPerUnit;
}

/** Inserts `count` workspace webhooks subscribed to the bench event type, in a few statements. */
export async function seedEndpoints(system: System, tenant: Tenant, count: number, url: string): Promise<void> {
  const box = new SecretBox(system.config.encryptionKey);
  const CHUNK = 5_000;
  for (let offset = 0; offset < count; offset += CHUNK) {
    const size = Math.min(CHUNK, count - offset);
    const ids: string[] = [];
    const sealed: string[] = [];
    const hints: string[] = [];
    for (let i = 0; i < size; i++) {
      const secret = generateSecret();
      ids.push(newId('workspaceWebhook'));
      sealed.push(box.seal(secret));
      hints.push(secret.slice(-4));
    }
    await system.pg.query(
      `INSERT INTO endpoints (id, workspace_id, kind, name, url, url_normalized, event_types, secret_sealed, secret_hint)
       SELECT u.id, $1, 'workspace_webhook', 'fanout', $2, $2, ARRAY[$3]::text[], u.sealed, u.hint
       FROM unnest($4::text[], $5::text[], $6::text[]) AS u(id, sealed, hint)`,
      [tenant.workspaceId, url, BENCH_EVENT_TYPE, ids, sealed, hints],
    );
  }
}

export async function runFanout(system: System, tenant: Tenant, endpoints: number, path: string): Promise<FanoutFigure> {
  const { receiver, fanoutEvents } = system;
  if (!fanoutEvents) throw new Error('the fan-out scenario times fan-out jobs by their Redis events: Redis queue backend only');
  await receiver.reset();
  const completions = new Map<string, number>();
  const onCompleted = ({ jobId }: { jobId: string }) => completions.set(jobId, wallNow());
  fanoutEvents.on('completed', onCompleted);
  const before = await snapshot(system);
  const meter = await cpuMeter(processGroups(system));
  const startedAt = wallNow();
  try {
    const response = await postEvent(system, tenant, JSON.stringify(eventBody()));
    if (response.status !== 202) throw new Error(`fan-out event answered ${response.status}: ${response.body.slice(0, 300)}`);
    const storedMs = response.endedAt - startedAt;
    const accepted = JSON.parse(response.body) as { id: string; deliveries: number };

    let queuedByCountsMs: number | null = null;
    const pollCounts = async () => {
      const [jobs, rows] = await Promise.all([
        system.deliveriesQueue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children'),
        system.pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM deliveries WHERE event_id = $1 AND status <> 'pending'`, [accepted.id]),
      ]);
      const queuedOrDone = Object.values(jobs).reduce((s, n) => s + n, 0) + (rows.rows[0]?.n ?? 0);
      if (queuedOrDone >= endpoints && queuedByCountsMs === null) queuedByCountsMs = wallNow() - startedAt;
      return queuedByCountsMs !== null;
    };
    await waitUntil('the fan-out deliveries to be queued', pollCounts, 60_000, 25).catch(() => undefined);
    await waitUntil('the fan-out job to complete', async () => completions.has(accepted.id), 60_000, 20).catch(() => undefined);
    const completedAt = completions.get(accepted.id);

    let receivedAt: number | null = null;
    await waitUntil(
      'every fan-out delivery to arrive',
      async () => {
        const stats = await receiver.stats();
        if ((stats.byPath[path] ?? 0) >= endpoints) receivedAt = stats.last;
        return receivedAt !== null;
      },
      Math.max(120_000, endpoints * 30),
      100,
    ).catch(() => undefined);
    const cpuCores = await meter.stop();
    const after = await snapshot(system);
    const receivedMs = receivedAt === null ? null : (receivedAt as number) - startedAt;
    return {
      endpoints,
      deliveriesReported: accepted.deliveries,
      storedMs: Math.round(storedMs),
      queuedMs: completedAt === undefined ? null : Math.round(completedAt - startedAt),
      queuedByCountsMs: queuedByCountsMs === null ? null : Math.round(queuedByCountsMs),
      receivedMs: receivedMs === null ? null : Math.round(receivedMs),
      deliveriesPerSecond: receivedMs === null ? null : Math.round((endpoints * 1000) / receivedMs),
      cpuCores,
      cost: costPerUnit(before, after, endpoints),
    };
  } finally {
    fanoutEvents.off('completed', onCompleted);
  }
}
