import { postEventsInBatches, type Tenant } from '../lib/dispatch-api.js';
import { waitUntil } from '../lib/infra.js';
import { cpuMeter, rssSampler } from '../lib/procstats.js';
import { costPerUnit, processGroups, snapshot, type CostPerUnit } from '../lib/counters.js';
import { perSecond, wallNow } from '../lib/stats.js';
import type { System } from '../lib/system.js';

// 2. End-to-end throughput: N events posted through /api/events/batch (500 each), each delivered to
// one endpoint and its attempt stored. Steady state is the rate between the 10th and the 90th
// percentile of arrivals (and of `succeeded` rows in Postgres), so start-up and the tail do not count.
// 6. Memory: the workers' resident set, sampled every 200 ms during the run.

export interface ThroughputFigure {
  workers: number;
  events: number;
  postedInMs: number;
  ingestEventsPerSecond: number;
  /** Receiver arrivals between the 10th and the 90th percentile. */
  steadyDeliveriesPerSecond: number;
  /** (N - 1) / (last arrival - first arrival). */
  firstToLastDeliveriesPerSecond: number;
  /** `succeeded` rows in Postgres, between 10 % and 90 % of N. */
  postgresSucceededPerSecond: number | null;
  /** First request to the last row marked succeeded. */
  totalMs: number;
  timeline: { atMs: number; succeeded: number }[];
  cpuCores: Record<string, number>;
  /** Largest worker's resident set when the run started (after the warm-up). */
  workerStartRssMb: number;
  workerPeakRssMb: number;
  workerVmHwmMb: number;
  cost: CostPerUnit;
}

/** When `count` crossed `target`, interpolating linearly between two samples. */
function crossing(timeline: { atMs: number; succeeded: number }[], target: number): number | null {
  for (let i = 1; i < timeline.length; i++) {
    const a = timeline[i - 1]!;
    const b = timeline[i]!;
    if (b.succeeded >= target && a.succeeded < target) return a.atMs + ((target - a.succeeded) / (b.succeeded - a.succeeded)) * (b.atMs - a.atMs);
  }
  return null;
}

export async function runThroughput(system: System, tenant: Tenant, endpointId: string): Promise<ThroughputFigure> {
  const { config, receiver } = system;
  const total = config.events;
  await receiver.reset();
  const before = await snapshot(system);
  const meter = await cpuMeter(processGroups(system));
  const rss = rssSampler(() => system.workers.map((w) => w.pid));
  const startedAt = wallNow();

  const timeline: { atMs: number; succeeded: number }[] = [];
  let sampling = true;
  const countSucceeded = async () => {
    const result = await system.pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM deliveries WHERE endpoint_id = $1 AND status = 'succeeded'`, [endpointId]);
    return result.rows[0]?.n ?? 0;
  };
  const sampler = (async () => {
    while (sampling) {
      timeline.push({ atMs: Math.round(wallNow() - startedAt), succeeded: await countSucceeded() });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();

  try {
    const ids = await postEventsInBatches(system, tenant, total, { batchSize: 500, parallel: 2 });
    const postedInMs = wallNow() - startedAt;
    const timeoutMs = Math.max(120_000, total * 20);
    await waitUntil('every delivery to arrive', async () => (await receiver.stats()).count >= ids.length, timeoutMs, 100);
    await waitUntil('every delivery to be marked succeeded', async () => (await countSucceeded()) >= ids.length, 60_000, 50);
    const totalMs = wallNow() - startedAt;
    sampling = false;
    await sampler;
    timeline.push({ atMs: Math.round(totalMs), succeeded: ids.length });
    const cpuCores = await meter.stop();
    const memory = rss.stop();
    const after = await snapshot(system);

    const n = ids.length;
    const [first, p10, p90, last] = (await receiver.arrivalAt([0, Math.floor(n * 0.1), Math.floor(n * 0.9), n - 1])) as number[];
    const pg10 = crossing(timeline, n * 0.1);
    const pg90 = crossing(timeline, n * 0.9);
    return {
      workers: system.workers.length,
      events: n,
      postedInMs: Math.round(postedInMs),
      ingestEventsPerSecond: perSecond(n, postedInMs),
      steadyDeliveriesPerSecond: perSecond(Math.floor(n * 0.9) - Math.floor(n * 0.1), p90! - p10!),
      firstToLastDeliveriesPerSecond: perSecond(n - 1, last! - first!),
      postgresSucceededPerSecond: pg10 !== null && pg90 !== null && pg90 > pg10 ? perSecond(n * 0.8, pg90 - pg10) : null,
      totalMs: Math.round(totalMs),
      timeline: timeline.filter((_, i) => i % 4 === 0),
      cpuCores,
      workerStartRssMb: memory.startRssMb,
      workerPeakRssMb: memory.peakRssMb,
      workerVmHwmMb: memory.vmHwmMb,
      cost: costPerUnit(before, after, n),
    };
  } finally {
    sampling = false;
    rss.stop();
    await sampler.catch(() => undefined);
  }
}
