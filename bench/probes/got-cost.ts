import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { Options } from 'got';
import { ReceiverClient, stopChild } from '../lib/processes.js';
import { dispatchGot, gotBefore, requestWithAllOptions, sendWithGot, sendWithNodeHttp, signAndSendLoop, type Send } from '../lib/senders.js';
import { perSecond, round } from '../lib/stats.js';
import { cpuMsOf } from '../lib/procstats.js';
import { benchConfig } from '../lib/config.js';

// What got costs per request next to node:http, and which of its options cost what. Same loop as
// the baseline (sign + POST, 50 in flight, receiver in its own process), one variant at a time,
// the variants taking turns for BENCH_ROUNDS rounds (3) of BENCH_BASELINE_MS (4000) each.
// Usage: pnpm exec tsx --conditions=dispatch-source bench/probes/got-cost.ts [variant ... | options]
// Profile: BENCH_CPU_PROFILE=<dir> writes <dir>/<variant>.cpuprofile covering the measured window only
// (no start-up, no warm-up), for bench/probes/summarize-profile.ts.

const variants: Record<string, () => Send> = {
  'node-http': () => sendWithNodeHttp(),
  // got as the worker now ships it (http-client.ts, send.ts), and as it shipped before.
  'got-dispatch': () => sendWithGot(dispatchGot()),
  'got-before': () => sendWithGot(gotBefore()),
  // One change at a time, from got-dispatch.
  'got-cache-options': () => sendWithGot(dispatchGot({ handlers: [] })),
  'got-all-options': () => sendWithGot(dispatchGot({ request: requestWithAllOptions })),
  'got-no-decompress': () => sendWithGot(dispatchGot({ decompress: false })),
  'got-no-timeout': () => sendWithGot(dispatchGot({ timeout: {} })),
  'got-lean': () => sendWithGot(dispatchGot({ decompress: false, timeout: {} })),
  'got-promise': () => {
    const client = dispatchGot();
    return async (url, body, headers) => (await client(url, { method: 'POST', body, headers })).statusCode;
  },
};

/** CPU µs per call of `fn`, after a warm-up. */
function cpuPerCall(fn: (i: number) => unknown, iterations = 20_000): number {
  for (let i = 0; i < 2_000; i++) fn(i);
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) fn(i);
  const used = process.cpuUsage(start);
  return round((used.user + used.system) / iterations, 2)!;
}

/**
 * What every got call does before any I/O: build its Options from the defaults, and turn them into
 * http.request's options (createNativeRequestOptions, which spreads `cacheOptions` first; see
 * http-client.ts).
 */
function optionsCosts(): Record<string, unknown>[] {
  const defaults = dispatchGot({ handlers: [] }).defaults.options;
  const headers = { 'content-type': 'application/json', 'webhook-id': 'evt_x', 'webhook-signature': 'v1,abc' };
  const body = Buffer.from('x'.repeat(450));
  const build = () => new Options('http://127.0.0.1:1/x', { body, headers, isStream: true }, defaults);
  const asGotLeavesThem = Array.from({ length: 100 }, build);
  const emptied = Array.from({ length: 100 }, () => Object.assign(build(), { cacheOptions: {} }));
  return [
    { variant: 'new Options() alone', 'sender µs/req': cpuPerCall(build) },
    { variant: 'createNativeRequestOptions()', 'sender µs/req': cpuPerCall((i) => asGotLeavesThem[i % 100]!.createNativeRequestOptions()) },
    { variant: '  with cacheOptions = {}', 'sender µs/req': cpuPerCall((i) => emptied[i % 100]!.createNativeRequestOptions()) },
  ];
}

const wanted = process.argv.slice(2);
const names = wanted.length ? wanted.filter((name) => name !== 'options') : Object.keys(variants);
const durationMs = Number(process.env.BENCH_BASELINE_MS ?? 4_000);
const profileDir = process.env.BENCH_CPU_PROFILE;

/** Starts V8's sampling profiler when the measured window opens and writes the profile when it closes. */
function profileWindow(name: string) {
  if (!profileDir) return undefined;
  const session = new Session();
  return {
    async start() {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 250 });
      await session.post('Profiler.start');
    },
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      mkdirSync(profileDir, { recursive: true });
      writeFileSync(join(profileDir, `${name}.cpuprofile`), JSON.stringify(profile));
    },
  };
}
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const receiver = await ReceiverClient.start(benchConfig.root);
try {
  for (const name of names) if (!variants[name]) throw new Error(`unknown variant ${name}; known: ${Object.keys(variants).join(', ')}`);
  // One sender per variant for the whole run (its agent stays warm); the variants take turns, round
  // after round, so that a burst of load from elsewhere on the machine hits all of them alike.
  const senders = new Map(names.map((name) => [name, variants[name]!()]));
  const samples = new Map(names.map((name) => [name, { rps: [] as number[], sender: [] as number[], receiver: [] as number[], failures: 0 }]));
  for (let round = 0; round < rounds; round++) {
    for (const name of names) {
      const warmupMs = round === 0 ? 1_000 : 300;
      const receiverBefore = cpuMsOf(receiver.child.pid);
      const window = round === rounds - 1 ? profileWindow(name) : undefined;
      const result = await signAndSendLoop(senders.get(name)!, receiver.url(`/${name}`), { inFlight: 50, warmupMs, durationMs, window });
      const receiverMs = ((cpuMsOf(receiver.child.pid) - receiverBefore) * durationMs) / (durationMs + warmupMs);
      if (window) writeFileSync(join(profileDir!, `${name}.json`), JSON.stringify({ requests: result.requests, durationMs }));
      const sample = samples.get(name)!;
      sample.rps.push(perSecond(result.requests, result.elapsedMs));
      sample.sender.push((result.senderCpuMs * 1000) / Math.max(1, result.requests));
      sample.receiver.push((receiverMs * 1000) / Math.max(1, result.requests));
      sample.failures += result.failures;
    }
  }
  const reference = samples.has('node-http') ? median(samples.get('node-http')!.sender) : undefined;
  const rows: Record<string, unknown>[] = names.map((name) => {
    const sample = samples.get(name)!;
    const sender = median(sample.sender);
    return {
      variant: name,
      'req/s': round(median(sample.rps)),
      'sender µs/req': round(sender),
      'min..max': `${round(Math.min(...sample.sender))}..${round(Math.max(...sample.sender))}`,
      'x node-http': reference ? round(sender / reference, 2) : '',
      'receiver µs/req': round(median(sample.receiver)),
      failures: sample.failures,
    };
  });
  if (!wanted.length || wanted.includes('options')) rows.push(...optionsCosts());
  const columns = ['variant', 'req/s', 'sender µs/req', 'min..max', 'x node-http', 'receiver µs/req', 'failures'];
  const cell = (row: Record<string, unknown>, column: string) => String(row[column] ?? '');
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((row) => cell(row, c).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  process.stdout.write(`${rounds} rounds of ${durationMs} ms, medians\n`);
  process.stdout.write(`${[line(columns), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map((row) => line(columns.map((c) => cell(row, c))))].join('\n')}\n`);
} finally {
  await stopChild(receiver.child, 2_000);
}
