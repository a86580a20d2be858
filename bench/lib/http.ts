import http from 'node:http';
import { wallNow } from './stats.js';

// A plain keep-alive HTTP client for the driver: provisioning calls and the load generators.

export interface HttpResult {
  status: number;
  body: string;
  startedAt: number;
  endedAt: number;
}

export function httpRequest(
  agent: http.Agent,
  url: string,
  options: { method: string; headers?: Record<string, string>; body?: string },
): Promise<HttpResult> {
  const startedAt = wallNow();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...options.headers };
    if (options.body !== undefined) headers['content-length'] = Buffer.byteLength(options.body);
    const req = http.request(url, { method: options.method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), startedAt, endedAt: wallNow() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(60_000, () => req.destroy(new Error(`timeout: ${options.method} ${url}`)));
    req.end(options.body);
  });
}

export const keepAliveAgent = (maxSockets: number) => new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });

export interface ClosedLoopResult {
  requests: number;
  errors: number;
  elapsedMs: number;
  latenciesMs: number[];
  statuses: Record<string, number>;
}

/**
 * `concurrency` loops, each sending the next request as soon as the previous one answered. Requests
 * finished during the first `warmupMs` are not counted; counting stops after `durationMs` more.
 */
export async function closedLoop(options: { concurrency: number; warmupMs: number; durationMs: number; send: () => Promise<HttpResult> }): Promise<ClosedLoopResult> {
  const result: ClosedLoopResult = { requests: 0, errors: 0, elapsedMs: 0, latenciesMs: [], statuses: {} };
  const begin = wallNow();
  const measureFrom = begin + options.warmupMs;
  const measureTo = measureFrom + options.durationMs;
  const loop = async () => {
    while (wallNow() < measureTo) {
      let outcome: HttpResult | undefined;
      try {
        outcome = await options.send();
      } catch {
        // counted below
      }
      if (outcome === undefined || outcome.startedAt < measureFrom || outcome.endedAt > measureTo) {
        if (outcome === undefined && wallNow() >= measureFrom) result.errors++;
        continue;
      }
      result.statuses[outcome.status] = (result.statuses[outcome.status] ?? 0) + 1;
      if (outcome.status >= 400) result.errors++;
      else {
        result.requests++;
        result.latenciesMs.push(outcome.endedAt - outcome.startedAt);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  result.elapsedMs = options.durationMs;
  return result;
}

/** Starts `send(i)` at `ratePerSecond` for `durationMs` (open loop: a slow answer does not slow the rate). */
export async function openLoop<T>(options: { ratePerSecond: number; durationMs: number; send: (index: number) => Promise<T> }): Promise<T[]> {
  const total = Math.round((options.ratePerSecond * options.durationMs) / 1000);
  const interval = 1000 / options.ratePerSecond;
  const begin = performance.now();
  const inFlight: Promise<T>[] = [];
  for (let i = 0; i < total; i++) {
    const due = begin + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(options.send(i));
  }
  return Promise.all(inFlight);
}
