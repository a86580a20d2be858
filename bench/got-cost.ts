import { Options } from 'got';
import { ReceiverClient, stopChild } from './lib/processes.js';
import { dispatchGot, sendWithGot, sendWithNodeHttp, signAndSendLoop, type Send } from './lib/senders.js';
import { perSecond, round } from './lib/stats.js';
import { cpuMsOf } from './lib/procstats.js';
import { benchConfig } from './lib/config.js';

// What got costs per request next to node:http, and which of its options cost what. Same loop as
// the baseline (sign + POST, 50 in flight, receiver in its own process), one variant at a time.
// Usage: pnpm exec tsx --conditions=dispatch-source bench/got-cost.ts [variant ...]
// Under a profiler: node --cpu-prof --import tsx --conditions=dispatch-source bench/got-cost.ts got-dispatch

const variants: Record<string, () => Send> = {
  'node-http': () => sendWithNodeHttp(),
  'got-dispatch': () => sendWithGot(dispatchGot()),
  'got-no-decompress': () => sendWithGot(dispatchGot({ decompress: false })),
  'got-no-timeout': () => sendWithGot(dispatchGot({ timeout: {} })),
  'got-lean': () => sendWithGot(dispatchGot({ decompress: false, timeout: {} })),
  'got-promise': () => {
    const client = dispatchGot();
    return async (url, body, headers) => (await client(url, { method: 'POST', body, headers })).statusCode;
  },
};

/** CPU of building got's per-request Options alone (what every call does before any I/O). */
function optionsCost(iterations = 20_000): number {
  const client = dispatchGot();
  const headers = { 'content-type': 'application/json', 'webhook-id': 'evt_x', 'webhook-signature': 'v1,abc' };
  const body = 'x'.repeat(450);
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) new Options('http://127.0.0.1:1/x', { method: 'POST', body, headers }, client.defaults.options);
  const used = process.cpuUsage(start);
  return round((used.user + used.system) / iterations)!;
}

const wanted = process.argv.slice(2);
const names = wanted.length ? wanted.filter((name) => name !== 'options') : Object.keys(variants);
const durationMs = Number(process.env.BENCH_BASELINE_MS ?? 4_000);
const receiver = await ReceiverClient.start(benchConfig.root);
try {
  const rows: Record<string, unknown>[] = [];
  for (const name of names) {
    const make = variants[name];
    if (!make) throw new Error(`unknown variant ${name}; known: ${Object.keys(variants).join(', ')}`);
    const receiverBefore = cpuMsOf(receiver.child.pid);
    const result = await signAndSendLoop(make(), receiver.url(`/${name}`), { inFlight: 50, warmupMs: 1_000, durationMs });
    const receiverMs = ((cpuMsOf(receiver.child.pid) - receiverBefore) * durationMs) / (durationMs + 1_000);
    rows.push({
      variant: name,
      'req/s': perSecond(result.requests, result.elapsedMs),
      'sender µs/req': round((result.senderCpuMs * 1000) / Math.max(1, result.requests)),
      'receiver µs/req': round((receiverMs * 1000) / Math.max(1, result.requests)),
      failures: result.failures,
    });
  }
  if (!wanted.length || wanted.includes('options')) rows.push({ variant: 'new Options() alone', 'sender µs/req': optionsCost() });
  const columns = ['variant', 'req/s', 'sender µs/req', 'receiver µs/req', 'failures'];
  const cell = (row: Record<string, unknown>, column: string) => String(row[column] ?? '');
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((row) => cell(row, c).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  process.stdout.write(`${[line(columns), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map((row) => line(columns.map((c) => cell(row, c))))].join('\n')}\n`);
} finally {
  await stopChild(receiver.child, 2_000);
}
