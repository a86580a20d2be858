import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

// The loopback receiver, in its own process so its CPU is not the bench driver's. Answers every
// request 200 "ok" on keep-alive connections and records, by wall clock (performance.timeOrigin +
// now, comparable across processes on this machine), when each webhook-id first arrived.
// The driver talks to it over the IPC channel: see ReceiverClient in ../lib/processes.ts.

const wallNow = () => performance.timeOrigin + performance.now();

let arrivalsById = new Map<string, number>();
let arrivals: number[] = [];
let byPath = new Map<string, number>();
let badSignatures = 0;

const server = createServer((req, res) => {
  const at = wallNow();
  const id = req.headers['webhook-id'];
  if (typeof id === 'string' && !arrivalsById.has(id)) arrivalsById.set(id, at);
  const signature = req.headers['webhook-signature'];
  if (typeof signature !== 'string' || !signature.startsWith('v1,')) badSignatures++;
  arrivals.push(at);
  const path = req.url ?? '/';
  byPath.set(path, (byPath.get(path) ?? 0) + 1);
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
});
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

type Command =
  | { id: number; type: 'stats' }
  | { id: number; type: 'reset' }
  | { id: number; type: 'arrivalsOf'; ids: string[] }
  | { id: number; type: 'arrivalAt'; indexes: number[] };

function answer(command: Command): unknown {
  switch (command.type) {
    case 'stats':
      return {
        count: arrivals.length,
        first: arrivals[0] ?? null,
        last: arrivals[arrivals.length - 1] ?? null,
        byPath: Object.fromEntries(byPath),
        badSignatures,
        cpu: process.cpuUsage(),
      };
    case 'reset':
      arrivalsById = new Map();
      arrivals = [];
      byPath = new Map();
      badSignatures = 0;
      return true;
    case 'arrivalsOf':
      return command.ids.map((id) => arrivalsById.get(id) ?? null);
    case 'arrivalAt':
      // Arrivals are pushed in time order, so the k-th arrival is arrivals[k].
      return command.indexes.map((k) => arrivals[Math.min(Math.max(0, k), arrivals.length - 1)] ?? null);
  }
}

process.on('message', (command: Command) => {
  process.send?.({ id: command.id, result: answer(command) });
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  process.send?.({ id: 0, result: { port: (server.address() as AddressInfo).port } });
});
