import http from 'node:http';
import https from 'node:https';
import got, { type Got, type NativeRequestOptions } from 'got';
import { generateSecret, newId, serializeEnvelope, signedHeaders } from '@dispatch/core';
import { requestWithDefinedOptions, withoutCacheOptions } from '../../apps/worker/src/delivery/http-client.js';
import { eventBody } from './dispatch-api.js';

// The two bare senders of the baseline: sign a stored payload and POST it, nothing else.
// `dispatchGot` mirrors the configuration of apps/worker/src/delivery/http-client.ts (with the worker's
// own handler and request function, imported) and `sendWithGot` the stream handling of
// apps/worker/src/delivery/send.ts. The configuration is a copy, not the worker's client, because
// got-cost.ts turns single options of it off (got's `extend` can add a handler but not remove one), and
// the baseline must not include the worker's SSRF lookup; keep it in step with that file.
// `gotBefore` is the configuration before per-request costs were cut.

const agentOptions = { keepAlive: true, maxSockets: 256, maxFreeSockets: 64, scheduling: 'lifo' as const };

/** got's own choice of request function (what it does without a `request` option): every option passed. */
export const requestWithAllOptions = (url: URL, options: NativeRequestOptions, callback?: (response: http.IncomingMessage) => void) =>
  (url.protocol === 'https:' ? https : http).request(url, options, callback);

export function dispatchGot(overrides: Record<string, unknown> = {}): Got {
  return got.extend({
    method: 'POST',
    followRedirect: false,
    retry: { limit: 0 },
    throwHttpErrors: false,
    decompress: true,
    http2: false,
    timeout: { request: 15_000 },
    agent: { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) },
    handlers: [withoutCacheOptions],
    request: requestWithDefinedOptions,
    ...overrides,
  });
}

/** got as the worker configured it before the per-request costs were cut (bench/got-cost.ts `got-before`). */
export const gotBefore = () => dispatchGot({ http2: undefined, handlers: [], request: requestWithAllOptions });

export type Send = (url: string, body: string, headers: Record<string, string>) => Promise<number>;

const STORED_BODY_LIMIT = 32 * 1024;

export function sendWithGot(client: Got): Send {
  return (url, body, headers) =>
    new Promise((resolve) => {
      const stream = client.stream(url, { method: 'POST', body, headers });
      const chunks: Buffer[] = [];
      let status = 0;
      let stored = 0;
      stream.on('response', (response: { statusCode: number; headers: Record<string, string | string[] | undefined> }) => {
        status = response.statusCode;
        Object.fromEntries(Object.entries(response.headers).filter((e) => e[1] !== undefined));
      });
      stream.on('data', (chunk: Buffer) => {
        if (stored < STORED_BODY_LIMIT) {
          chunks.push(chunk);
          stored += chunk.length;
        }
      });
      stream.on('end', () => {
        stream.destroy();
        Buffer.concat(chunks).toString('utf8');
        void (stream as unknown as { timings?: unknown }).timings;
        resolve(status);
      });
      stream.on('error', () => resolve(0));
      stream.resume();
    });
}

export function sendWithNodeHttp(): Send {
  const agent = new http.Agent(agentOptions);
  return (url, body, headers) =>
    new Promise((resolve) => {
      const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          Buffer.concat(chunks).toString('utf8');
          resolve(res.statusCode ?? 0);
        });
        res.on('error', () => resolve(0));
      });
      req.setTimeout(15_000, () => req.destroy());
      req.on('error', () => resolve(0));
      req.end(body);
    });
}

/** Payloads exactly as Dispatch stores them (serialised envelopes), and one signing secret. */
export function baselinePayloads(count = 1_000) {
  const { type, data } = eventBody();
  const payloads = Array.from({ length: count }, () => {
    const id = newId('event');
    return { id, body: serializeEnvelope({ id, type, timestamp: new Date().toISOString(), data }) };
  });
  return { payloads, secret: generateSecret() };
}

export interface LoopResult {
  requests: number;
  failures: number;
  elapsedMs: number;
  senderCpuMs: number;
}

/** `inFlight` loops that sign (svix, via core's signedHeaders) and send; counts what completes in the window. */
export async function signAndSendLoop(
  send: Send,
  url: string,
  options: { inFlight: number; warmupMs: number; durationMs: number; window?: { start(): Promise<void>; stop(): Promise<void> } },
): Promise<LoopResult> {
  const { payloads, secret } = baselinePayloads();
  let next = 0;
  let counting = false;
  let requests = 0;
  let failures = 0;
  let stop = false;
  const loop = async () => {
    while (!stop) {
      const payload = payloads[next++ % payloads.length]!;
      const headers = { 'content-type': 'application/json', 'user-agent': 'Dispatch-Webhooks/bench', ...signedHeaders([secret], payload.id, new Date(), payload.body) };
      const status = await send(url, payload.body, headers);
      if (!counting) continue;
      if (status === 200) requests++;
      else failures++;
    }
  };
  const loops = Array.from({ length: options.inFlight }, loop);
  await new Promise((resolve) => setTimeout(resolve, options.warmupMs));
  await options.window?.start();
  counting = true;
  const cpuStart = process.cpuUsage();
  const startedAt = performance.now();
  await new Promise((resolve) => setTimeout(resolve, options.durationMs));
  counting = false;
  const elapsedMs = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuStart);
  await options.window?.stop();
  stop = true;
  await Promise.all(loops);
  return { requests, failures, elapsedMs, senderCpuMs: (cpu.user + cpu.system) / 1000 };
}
