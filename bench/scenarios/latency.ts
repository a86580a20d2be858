import { eventBody, postEvent, type Tenant } from '../lib/dispatch-api.js';
import { openLoop } from '../lib/http.js';
import { waitUntil } from '../lib/infra.js';
import { processGroups } from '../lib/counters.js';
import { cpuMeter } from '../lib/procstats.js';
import { distribution, type Distribution } from '../lib/stats.js';
import type { System } from '../lib/system.js';

// 3. Latency at a fixed moderate rate: single events through POST /api/events, one webhook each,
// from the start of the request to the moment the receiver had it (both wall clocks of this machine).
// A few seconds at the same rate come first, unmeasured: the warm-up before the scenarios sends
// batches, so the single-event path (its code not yet optimised by V8, the API's and worker's pools
// opening connections one by one) is cold here, and its first second would otherwise be the p99.
// The warm-up's answer times are reported on their own (`warmupResponseMs`).

export interface LatencyFigure {
  rate: number;
  sent: number;
  accepted: number;
  received: number;
  /** Request start to arrival at the receiver. */
  startToReceivedMs: Distribution;
  /** 202 seen by the client to arrival (negative when the delivery beat the response back). */
  acceptedToReceivedMs: Distribution;
  /** The API's answer time for these requests. */
  responseMs: Distribution;
  /** The API's answer time during the unmeasured warm-up at the same rate. */
  warmupResponseMs: Distribution;
  cpuCores: Record<string, number>;
}

export async function runLatency(system: System, tenant: Tenant): Promise<LatencyFigure> {
  const { config, receiver } = system;
  await receiver.reset();
  const body = JSON.stringify(eventBody());
  const send = () => postEvent(system, tenant, body).catch(() => undefined);
  const warmup = await openLoop({ ratePerSecond: config.latencyRate, durationMs: config.latencyWarmupMs, send });
  const warmupAccepted = warmup.filter((r) => r?.status === 202).length;
  await waitUntil('warm-up deliveries to arrive', async () => (await receiver.stats()).count >= warmupAccepted, 60_000, 100).catch(() => undefined);
  await receiver.reset();
  const meter = await cpuMeter(processGroups(system));
  const results = await openLoop({
    ratePerSecond: config.latencyRate,
    durationMs: config.latencyMs,
    send,
  });
  const accepted = results.filter((r) => r?.status === 202).map((r) => ({ ...r!, id: (JSON.parse(r!.body) as { id: string }).id }));
  await waitUntil('latency deliveries to arrive', async () => (await receiver.stats()).count >= accepted.length, 60_000, 100).catch(() => undefined);
  const cpuCores = await meter.stop();
  const arrivals = await receiver.arrivalsOf(accepted.map((a) => a.id));
  const startToReceived: number[] = [];
  const acceptedToReceived: number[] = [];
  arrivals.forEach((at, i) => {
    if (at === null) return;
    startToReceived.push(at - accepted[i]!.startedAt);
    acceptedToReceived.push(at - accepted[i]!.endedAt);
  });
  return {
    rate: config.latencyRate,
    sent: results.length,
    accepted: accepted.length,
    received: startToReceived.length,
    startToReceivedMs: distribution(startToReceived),
    acceptedToReceivedMs: distribution(acceptedToReceived),
    responseMs: distribution(accepted.map((a) => a.endedAt - a.startedAt)),
    warmupResponseMs: distribution(warmup.flatMap((r) => (r?.status === 202 ? [r.endedAt - r.startedAt] : []))),
    cpuCores,
  };
}
