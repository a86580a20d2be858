import { processGroups } from '../lib/counters.js';
import { cpuMeter, cpuMsOf } from '../lib/procstats.js';
import { dispatchGot, sendWithGot, sendWithNodeHttp, signAndSendLoop, type Send } from '../lib/senders.js';
import { perSecond, round } from '../lib/stats.js';
import type { System } from '../lib/system.js';

// 1. The ceiling: a bare loop that signs and POSTs the same payloads to the same receiver with the
// same number in flight, once with got configured as the worker does, once with node:http.

export interface BaselineFigure {
  client: string;
  requestsPerSecond: number;
  failures: number;
  senderCpuUsPerRequest: number | null;
  receiverCpuUsPerRequest: number | null;
  cpuCores: Record<string, number>;
}

async function measure(system: System, client: string, send: Send): Promise<BaselineFigure> {
  const { config, receiver } = system;
  const receiverCpuBefore = cpuMsOf(receiver.child.pid);
  const meter = await cpuMeter(processGroups(system));
  const result = await signAndSendLoop(send, receiver.url(`/baseline/${client}`), {
    inFlight: config.inFlight,
    warmupMs: config.warmupMs,
    durationMs: config.baselineMs,
  });
  const cpuCores = await meter.stop();
  // The receiver's CPU includes the warm-up; scale it to the counted window.
  const receiverCpuMs = ((cpuMsOf(receiver.child.pid) - receiverCpuBefore) * result.elapsedMs) / (result.elapsedMs + config.warmupMs);
  return {
    client,
    requestsPerSecond: perSecond(result.requests, result.elapsedMs),
    failures: result.failures,
    senderCpuUsPerRequest: result.requests ? round((result.senderCpuMs * 1000) / result.requests) : null,
    receiverCpuUsPerRequest: result.requests ? round((receiverCpuMs * 1000) / result.requests) : null,
    cpuCores,
  };
}

/** The got loop alone: run again around each end-to-end run, whose ratio is taken to the mean of the two. */
export const measureGot = (system: System): Promise<BaselineFigure> => measure(system, 'got', sendWithGot(dispatchGot()));

export async function runBaselines(system: System): Promise<{ got: BaselineFigure; nodeHttp: BaselineFigure }> {
  const got = await measureGot(system);
  const nodeHttp = await measure(system, 'node-http', sendWithNodeHttp());
  return { got, nodeHttp };
}
