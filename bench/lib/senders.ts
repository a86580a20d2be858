import http from 'node:http';
import https from 'node:https';
import got, { type Got, type NativeRequestOptions } from 'got';
import { generateSecret, newId, serializeEnvelope, signedHeaders } from '@dispatch/core';
import { AGENT_OPTIONS, httpClientOptions } from '@dispatch/worker/http-client';
import { sendWebhook } from '@dispatch/worker/send';
import { eventBody } from './dispatch-api.js';

// The two bare senders of the baseline: sign a stored payload and POST it, nothing else.
// `dispatchGot` is the worker's own got configuration (httpClientOptions), `sendWithGot` the worker's
// own send (sendWebhook), so the got loop moves with every change to them. Single options can be
// overridden (bench/probes/got-cost.ts turns them off one at a time; got's `extend` can add a
// handler but not remove one), and the worker's SSRF lookup is left out (the receiver is a loopback
// literal, which never reaches a lookup anyway). `gotBefore` is the configuration before
// per-request costs were cut.

const REQUEST_TIMEOUT_MS = 15_000;

/** got's own choice of request function (what it does without a `request` option): every option passed. */
export const requestWithAllOptions = (url: URL, options: NativeRequestOptions, callback?: (response: http.IncomingMessage) => void) =>
  (url.protocol === 'https:' ? https : http).request(url, options, callback);

export function dispatchGot(overrides: Record<string, unknown> = {}): Got {
  return got.extend({
    ...httpClientOptions({ timeoutMs: REQUEST_TIMEOUT_MS, allowPrivateDestinations: true }),
    dnsLookup: undefined,
    ...overrides,
  });
}

/** got as the worker configured it before the per-request costs were cut (bench/probes/got-cost.ts `got-before`). */
export const gotBefore = () => dispatchGot({ http2: undefined, handlers: [], request: requestWithAllOptions });

export type Send = (url: string, body: string, headers: Record<string, string>) => Promise<number>;

/** The worker's send with `client`: the status, or 0 when no answer came. */
export function sendWithGot(client: Got): Send {
  return async (url, body, headers) => (await sendWebhook(client, { url, body, headers, allowPrivateDestinations: true })).statusCode ?? 0;
}

export function sendWithNodeHttp(): Send {
  // The worker's agent options, so the two loops differ only in the client.
  const agent = new http.Agent(AGENT_OPTIONS);
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
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy());
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
