import { createWebhook, eventBody, postEvent, type Tenant } from '../lib/dispatch-api.js';
import { openLoop } from '../lib/http.js';
import { waitUntil } from '../lib/infra.js';
import { costPerUnit, processGroups, snapshot, type CostPerUnit } from '../lib/counters.js';
import { cpuMeter } from '../lib/procstats.js';
import { distribution, percentile, round, type Distribution } from '../lib/stats.js';
import type { System } from '../lib/system.js';

// 7. Bad neighbours: the healthy endpoint's delivery latency alone, and again next to an endpoint
// that hangs until the worker's request timeout and one that answers 500 at once, every event fanned
// out to all three. Same rate, same system, a fresh tenant per phase. The target: the
// healthy endpoint's p99 with neighbours within 2x of its p99 alone.
// The bad endpoints are disabled and the hanging requests released when the scenario ends, so the
// worker does not spend the rest of the bench (or its shutdown) on them.
// Then the same between workspaces: a fresh workspace's healthy endpoint while another workspace's
// BUSY_ENDPOINTS endpoints all hang until the request timeout (each under the endpoint cap, together
// enough to take every worker slot), that workspace sending at BENCH_NEIGHBOURS_BUSY_RATE events/s.
// Its p99 against the same healthy endpoint alone, same target.

export interface NeighboursPhase {
  sent: number;
  accepted: number;
  /** Answers other than 202, by status ("error": no answer, e.g. a reset connection). */
  notAccepted: Record<string, number>;
  /** Events whose delivery reached the healthy endpoint. */
  received: number;
  /** Request start to arrival at the healthy endpoint. */
  startToReceivedMs: Distribution;
  /** 202 seen by the client to arrival at the healthy endpoint: the delivery's part, without the API's queueing. */
  acceptedToReceivedMs: Distribution;
  /** p99 of request start to arrival, per second of sending (when in the window it degrades). */
  p99BySecondMs: (number | null)[];
  /** The API's answer time for these requests. */
  responseMs: Distribution;
  /** Requests each receiver path got, counted when the last healthy delivery arrived. */
  requestsByPath: Record<string, number>;
  /** Deliveries jobs per state right after the last event was sent (held-back jobs sit in `delayed`). */
  queueAtWindowEnd: Record<string, number>;
  /** Requests the receiver's hanging paths were holding right after the last event was sent. */
  hangingAtWindowEnd: number;
  cpuCores: Record<string, number>;
  /** CPU the workers spent per healthy delivery (what the neighbours cost, less sensitive to a busy machine than latency). */
  workerCpuMsPerHealthyDelivery: number | null;
  /** Per healthy delivery. */
  cost: CostPerUnit;
}

export interface NeighboursFigure {
  rate: number;
  durationMs: number;
  /** The worker's settings that decide the outcome, as given to the bench (null: the worker's default). */
  workerSettings: Record<string, string | null>;
  alone: NeighboursPhase;
  withNeighbours: NeighboursPhase & {
    hang: { requests: number; maxHeldAtOnce: number };
    failing: { requests: number };
  };
  /** withNeighbours p99 / alone p99 (target <= 2). */
  p99Ratio: number | null;
  /** Another workspace's healthy endpoint while a busy workspace's endpoints all hang. */
  busyWorkspace?: NeighboursPhase & { busyRate: number; busyEndpoints: number; busyRequests: number; hangingAtWindowEnd: number };
  /** busyWorkspace p99 / alone p99 (target <= 2). */
  busyWorkspaceP99Ratio?: number | null;
}

/** How many endpoints the busy workspace has, each hanging until the worker's request timeout. */
export const BUSY_ENDPOINTS = 100;

const PATHS = {
  alone: '/neighbours/alone/ok',
  healthy: '/neighbours/with/ok',
  hang: '/neighbours/with/hang',
  failing: '/neighbours/with/status/500',
  otherWorkspace: '/neighbours/workspace/ok',
  busyHang: (i: number) => `/neighbours/workspace/busy/${i}/hang`,
};

/** `alongside` runs for the window too (the busy workspace's own load). */
async function runPhase(system: System, tenant: Tenant, healthyPath: string, alongside?: () => Promise<unknown>): Promise<NeighboursPhase> {
  const { config, receiver } = system;
  await receiver.reset();
  const body = JSON.stringify(eventBody());
  const before = await snapshot(system);
  const meter = await cpuMeter(processGroups(system));
  const meteredFrom = performance.now();
  const [results] = await Promise.all([
    openLoop({
      ratePerSecond: config.neighboursRate,
      durationMs: config.neighboursMs,
      send: () => postEvent(system, tenant, body).catch(() => undefined),
    }),
    alongside?.(),
  ]);
  const hangingAtWindowEnd = (await receiver.stats()).held;
  const queueAtWindowEnd = await system.deliveriesQueue.getJobCounts('wait', 'active', 'delayed', 'prioritized');
  const notAccepted: Record<string, number> = {};
  for (const r of results) if (r?.status !== 202) notAccepted[r?.status ?? 'error'] = (notAccepted[r?.status ?? 'error'] ?? 0) + 1;
  const accepted = results.filter((r) => r?.status === 202).map((r) => ({ ...r!, id: (JSON.parse(r!.body) as { id: string }).id }));
  await waitUntil('healthy deliveries to arrive', async () => ((await receiver.stats()).byPath[healthyPath] ?? 0) >= accepted.length, 60_000, 100).catch(
    () => undefined,
  );
  const stats = await receiver.stats();
  const cpuCores = await meter.stop();
  const meteredMs = performance.now() - meteredFrom;
  const after = await snapshot(system);
  const arrivals = await receiver.arrivalsOf(
    accepted.map((a) => a.id),
    healthyPath,
  );
  const latencies: number[] = [];
  const afterAccepted: number[] = [];
  const bySecond: number[][] = [];
  const firstStart = accepted[0]?.startedAt ?? 0;
  arrivals.forEach((at, i) => {
    if (at === null) return;
    const latency = at - accepted[i]!.startedAt;
    latencies.push(latency);
    afterAccepted.push(at - accepted[i]!.endedAt);
    (bySecond[Math.floor((accepted[i]!.startedAt - firstStart) / 1000)] ??= []).push(latency);
  });
  return {
    sent: results.length,
    accepted: accepted.length,
    notAccepted,
    received: latencies.length,
    startToReceivedMs: distribution(latencies),
    acceptedToReceivedMs: distribution(afterAccepted),
    p99BySecondMs: Array.from(bySecond, (values) => round(percentile([...(values ?? [])].sort((a, b) => a - b), 99))),
    responseMs: distribution(accepted.map((a) => a.endedAt - a.startedAt)),
    requestsByPath: stats.byPath,
    queueAtWindowEnd,
    hangingAtWindowEnd,
    cpuCores,
    workerCpuMsPerHealthyDelivery: latencies.length ? round(((cpuCores.workers ?? 0) * meteredMs) / latencies.length, 2) : null,
    cost: costPerUnit(before, after, latencies.length),
  };
}

/**
 * `other`'s healthy endpoint while `busy` sends to BUSY_ENDPOINTS endpoints that all hang. Afterwards
 * the busy endpoints are disabled and their requests released, as for the phase before.
 */
async function runBusyWorkspace(system: System, other: Tenant, busy: Tenant): Promise<NonNullable<NeighboursFigure['busyWorkspace']>> {
  const { config, receiver } = system;
  await createWebhook(system, other, receiver.url(PATHS.otherWorkspace));
  const hanging: string[] = [];
  for (let i = 0; i < BUSY_ENDPOINTS; i++) hanging.push(await createWebhook(system, busy, receiver.url(PATHS.busyHang(i))));
  const body = JSON.stringify(eventBody());
  try {
    const busyLoad = () =>
      openLoop({ ratePerSecond: config.neighboursBusyRate, durationMs: config.neighboursMs, send: () => postEvent(system, busy, body).catch(() => undefined) });
    const phase = await runPhase(system, other, PATHS.otherWorkspace, busyLoad);
    const busyRequests = Array.from({ length: BUSY_ENDPOINTS }, (_, i) => phase.requestsByPath[PATHS.busyHang(i)] ?? 0).reduce((sum, n) => sum + n, 0);
    return { ...phase, busyRate: config.neighboursBusyRate, busyEndpoints: BUSY_ENDPOINTS, busyRequests };
  } finally {
    await retireBadEndpoints(system, hanging);
  }
}

/**
 * Ends a phase's bad endpoints: disabled first, so a held-back job that gets in after the release is
 * cancelled at its claim instead of sending; then the requests still hanging are answered. Their
 * deliveries still pending are cancelled and their jobs (retries, held back) dropped, so the next
 * phase starts on an empty queue instead of next to thousands of jobs coming back during it.
 */
async function retireBadEndpoints(system: System, endpointIds: string[]): Promise<void> {
  await system.pg.query('UPDATE endpoints SET enabled = false WHERE id = ANY($1)', [endpointIds]);
  await system.receiver.release();
  await system.pg.query(`UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL WHERE endpoint_id = ANY($1) AND status = 'pending'`, [endpointIds]);
  for (const state of ['delayed', 'prioritized', 'wait'] as const) await system.deliveriesQueue.clean(0, 1_000_000, state);
}

export async function runNeighbours(system: System, alone: Tenant, crowded: Tenant, workspaces?: { other: Tenant; busy: Tenant }): Promise<NeighboursFigure> {
  const { config, receiver } = system;
  await createWebhook(system, alone, receiver.url(PATHS.alone));
  const aloneFigure = await runPhase(system, alone, PATHS.alone);

  await createWebhook(system, crowded, receiver.url(PATHS.healthy));
  const bad = [await createWebhook(system, crowded, receiver.url(PATHS.hang)), await createWebhook(system, crowded, receiver.url(PATHS.failing))];
  let crowdedFigure: NeighboursPhase;
  let maxHeldAtOnce = 0;
  try {
    crowdedFigure = await runPhase(system, crowded, PATHS.healthy);
    maxHeldAtOnce = (await receiver.stats()).maxHeldByPath[PATHS.hang] ?? 0;
  } finally {
    await retireBadEndpoints(system, bad);
  }
  const aloneP99 = aloneFigure.startToReceivedMs.p99;
  const crowdedP99 = crowdedFigure.startToReceivedMs.p99;
  const busyWorkspace = workspaces ? await runBusyWorkspace(system, workspaces.other, workspaces.busy) : undefined;
  const busyP99 = busyWorkspace?.startToReceivedMs.p99 ?? null;
  return {
    rate: config.neighboursRate,
    durationMs: config.neighboursMs,
    workerSettings: config.workerSettings,
    alone: aloneFigure,
    withNeighbours: {
      ...crowdedFigure,
      hang: { requests: crowdedFigure.requestsByPath[PATHS.hang] ?? 0, maxHeldAtOnce },
      failing: { requests: crowdedFigure.requestsByPath[PATHS.failing] ?? 0 },
    },
    p99Ratio: aloneP99 && crowdedP99 !== null ? round(crowdedP99 / aloneP99, 2) : null,
    ...(busyWorkspace ? { busyWorkspace, busyWorkspaceP99Ratio: aloneP99 && busyP99 !== null ? round(busyP99 / aloneP99, 2) : null } : {}),
  };
}
