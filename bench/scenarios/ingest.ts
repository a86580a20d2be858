import { batchBody, eventBody, type Tenant } from '../lib/dispatch-api.js';
import { closedLoop, httpRequest, keepAliveAgent, openLoop, type HttpResult } from '../lib/http.js';
import { waitUntil } from '../lib/infra.js';
import { cpuMeter } from '../lib/procstats.js';
import { costPerUnit, processGroups, snapshot, type CostPerUnit } from '../lib/counters.js';
import { distribution, perSecond, type Distribution } from '../lib/stats.js';
import type { System } from '../lib/system.js';

// 4. Ingest: POST /api/events at a fixed concurrency over keep-alive connections, with nobody
// subscribed (pure ingest) and with one webhook subscribed; then events per second through /batch;
// the closed loops again over 2 API processes (BENCH_APIS).
// A closed loop finds the most requests per second, but its latency is that of a saturated API (with
// 64 in flight, each waits for the 63 before it), so the p99 the target pairs with 2,000 requests/s
// is measured at that rate: an open loop at a fixed 2,000/s, each request timed from its own start
// whatever happened to the ones before it.

export interface IngestFigure {
  name: string;
  /** Requests in flight (closed loop), or null when sent at `offeredPerSecond`. */
  concurrency: number | null;
  /** The fixed rate requests were started at (open loop), or null for a closed loop. */
  offeredPerSecond: number | null;
  requestsPerSecond: number;
  eventsPerSecond: number;
  errors: number;
  latencyMs: Distribution;
  cpuCores: Record<string, number>;
  cost: CostPerUnit;
}

async function measure(system: System, name: string, tenant: Tenant, options: { path: string; body: string; concurrency: number; eventsPerRequest: number }) {
  const { config } = system;
  const agent = keepAliveAgent(options.concurrency);
  let accepted = 0;
  let turn = 0;
  const send = async (): Promise<HttpResult> => {
    // Over every API process in turn, as a round-robin load balancer would.
    const url = system.apiUrls[turn++ % system.apiUrls.length]!;
    const result = await httpRequest(agent, `${url}${options.path}`, { method: 'POST', headers: tenant.headers, body: options.body });
    if (result.status === 202) accepted += options.eventsPerRequest;
    return result;
  };
  const before = await snapshot(system);
  const meter = await cpuMeter(processGroups(system));
  const result = await closedLoop({ concurrency: options.concurrency, warmupMs: config.warmupMs, durationMs: config.ingestMs, send });
  const cpuCores = await meter.stop();
  const after = await snapshot(system);
  agent.destroy();
  const figure: IngestFigure = {
    name,
    concurrency: options.concurrency,
    offeredPerSecond: null,
    requestsPerSecond: perSecond(result.requests, result.elapsedMs),
    eventsPerSecond: perSecond(result.requests * options.eventsPerRequest, result.elapsedMs),
    errors: result.errors,
    latencyMs: distribution(result.latenciesMs),
    cpuCores,
    // Per request; the window's counts include warm-up traffic, so divide by every accepted request.
    cost: costPerUnit(before, after, accepted / options.eventsPerRequest),
  };
  return { figure, accepted };
}

/** Starts requests at a fixed rate whatever the answers (a warm-up at the same rate first, not measured). */
async function measureAtRate(system: System, name: string, tenant: Tenant, options: { path: string; body: string; rate: number }): Promise<IngestFigure> {
  const { config } = system;
  // Enough sockets that the client never queues a request behind another: only the API's latency counts.
  const agent = keepAliveAgent(512);
  const send = () => httpRequest(agent, `${system.apiUrl}${options.path}`, { method: 'POST', headers: tenant.headers, body: options.body }).catch(() => undefined);
  await openLoop({ ratePerSecond: options.rate, durationMs: config.warmupMs, send });
  const before = await snapshot(system);
  const meter = await cpuMeter(processGroups(system));
  const results = await openLoop({ ratePerSecond: options.rate, durationMs: config.ingestMs, send });
  const cpuCores = await meter.stop();
  const after = await snapshot(system);
  agent.destroy();
  const accepted = results.filter((r) => r?.status === 202);
  // The rate achieved: answers over the window from the first start to the last answer.
  const window = accepted.length === 0 ? 0 : Math.max(...accepted.map((r) => r!.endedAt)) - Math.min(...accepted.map((r) => r!.startedAt));
  return {
    name,
    concurrency: null,
    offeredPerSecond: options.rate,
    requestsPerSecond: perSecond(accepted.length, window),
    eventsPerSecond: perSecond(accepted.length, window),
    errors: results.length - accepted.length,
    latencyMs: distribution(accepted.map((r) => r!.endedAt - r!.startedAt)),
    cpuCores,
    cost: costPerUnit(before, after, accepted.length),
  };
}

export async function runIngest(system: System, pure: Tenant, subscribed: Tenant): Promise<IngestFigure[]> {
  const { config, receiver } = system;
  const single = JSON.stringify(eventBody());
  const figures: IngestFigure[] = [];
  figures.push((await measure(system, 'single, no webhook', pure, { path: '/api/events', body: single, concurrency: config.ingestConcurrency, eventsPerRequest: 1 })).figure);
  figures.push(await measureAtRate(system, 'single, no webhook', pure, { path: '/api/events', body: single, rate: config.ingestRate }));
  figures.push((await measure(system, 'batch of 500, no webhook', pure, { path: '/api/events/batch', body: batchBody(500), concurrency: 4, eventsPerRequest: 500 })).figure);

  // The closed loops again over more API processes (per process: what one more adds on these cores).
  for (const apis of config.apis.filter((n) => n > 1)) {
    while (system.apiUrls.length < apis) await system.addApi();
    const label = `${apis} API processes`;
    figures.push((await measure(system, `single, no webhook, ${label}`, pure, { path: '/api/events', body: single, concurrency: config.ingestConcurrency, eventsPerRequest: 1 })).figure);
    figures.push((await measure(system, `batch of 500, no webhook, ${label}`, pure, { path: '/api/events/batch', body: batchBody(500), concurrency: 4, eventsPerRequest: 500 })).figure);
  }
  while (system.apiUrls.length > 1) await system.removeApi();

  await receiver.reset();
  const withOne = await measure(system, 'single, 1 webhook', subscribed, { path: '/api/events', body: single, concurrency: config.ingestConcurrency, eventsPerRequest: 1 });
  figures.push(withOne.figure);
  // Let the worker catch up before the next scenario, so it starts from an empty queue.
  await waitUntil('ingest deliveries to drain', async () => (await receiver.stats()).count >= withOne.accepted, 180_000, 200);
  return figures;
}
