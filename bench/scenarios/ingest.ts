import { batchBody, eventBody, type Tenant } from '../lib/dispatch-api.js';
import { closedLoop, httpRequest, keepAliveAgent, type HttpResult } from '../lib/http.js';
import { waitUntil } from '../lib/infra.js';
import { cpuMeter } from '../lib/procstats.js';
import { costPerUnit, processGroups, snapshot, type CostPerUnit } from '../lib/counters.js';
import { distribution, perSecond, type Distribution } from '../lib/stats.js';
import type { System } from '../lib/system.js';

// 4. Ingest: POST /api/events at a fixed concurrency over keep-alive connections, with nobody
// subscribed (pure ingest) and with one webhook subscribed; then events per second through /batch.

export interface IngestFigure {
  name: string;
  concurrency: number;
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
  const send = async (): Promise<HttpResult> => {
    const result = await httpRequest(agent, `${system.apiUrl}${options.path}`, { method: 'POST', headers: tenant.headers, body: options.body });
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

export async function runIngest(system: System, pure: Tenant, subscribed: Tenant): Promise<IngestFigure[]> {
  const { config, receiver } = system;
  const single = JSON.stringify(eventBody());
  const figures: IngestFigure[] = [];
  figures.push((await measure(system, 'single, no webhook', pure, { path: '/api/events', body: single, concurrency: config.ingestConcurrency, eventsPerRequest: 1 })).figure);
  figures.push((await measure(system, 'batch of 500, no webhook', pure, { path: '/api/events/batch', body: batchBody(500), concurrency: 4, eventsPerRequest: 500 })).figure);

  await receiver.reset();
  const withOne = await measure(system, 'single, 1 webhook', subscribed, { path: '/api/events', body: single, concurrency: config.ingestConcurrency, eventsPerRequest: 1 });
  figures.push(withOne.figure);
  // Let the worker catch up before the next scenario, so it starts from an empty queue.
  await waitUntil('ingest deliveries to drain', async () => (await receiver.stats()).count >= withOne.accepted, 180_000, 200);
  return figures;
}
