import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// The loopback receiver, in its own process so its CPU is not the bench driver's. Answers every
// request 200 "ok" on keep-alive connections and records, by wall clock (performance.timeOrigin +
// now, comparable across processes on this machine), when each webhook-id first arrived, overall and
// per path (one event fanned out to several endpoints carries the same webhook-id to each).
// Bad receivers, chosen by the path's last segments:
//   .../hang          never answers, until the driver sends `release` (or the process ends);
//   .../status/<nnn>  answers <nnn> at once.
// The driver talks to it over the IPC channel: see ReceiverClient in ../lib/processes.ts.

const wallNow = () => performance.timeOrigin + performance.now();

let arrivalsById = new Map<string, number>();
let arrivalsByPath = new Map<string, Map<string, number>>();
let arrivals: number[] = [];
let byPath = new Map<string, number>();
let badSignatures = 0;
/** Responses of `hang` paths not answered yet, and the most held at once per path. */
const held = new Set<ServerResponse>();
let maxHeldByPath = new Map<string, number>();
let heldByPath = new Map<string, number>();
/** After `release`, hang paths answer at once (until the next reset), so nothing is held past the bench's end. */
let released = false;

function answerWith(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function hold(path: string, res: ServerResponse): void {
  held.add(res);
  const counts = heldByPath;
  const count = (counts.get(path) ?? 0) + 1;
  counts.set(path, count);
  maxHeldByPath.set(path, Math.max(maxHeldByPath.get(path) ?? 0, count));
  // The worker gives up (its request timeout) and closes the socket, or the driver releases it.
  res.once('close', () => {
    held.delete(res);
    counts.set(path, (counts.get(path) ?? 1) - 1);
  });
}

const server = createServer((req, res) => {
  const at = wallNow();
  const path = req.url ?? '/';
  const id = req.headers['webhook-id'];
  if (typeof id === 'string') {
    if (!arrivalsById.has(id)) arrivalsById.set(id, at);
    let ofPath = arrivalsByPath.get(path);
    if (!ofPath) arrivalsByPath.set(path, (ofPath = new Map()));
    if (!ofPath.has(id)) ofPath.set(id, at);
  }
  const signature = req.headers['webhook-signature'];
  if (typeof signature !== 'string' || !signature.startsWith('v1,')) badSignatures++;
  arrivals.push(at);
  byPath.set(path, (byPath.get(path) ?? 0) + 1);
  req.resume();
  req.on('end', () => {
    if (path.endsWith('/hang') && !released) return hold(path, res);
    const status = /\/status\/([1-5]\d\d)$/.exec(path)?.[1];
    if (status) return answerWith(res, Number(status), 'bench says no');
    answerWith(res, 200, 'ok');
  });
});
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

type Command =
  | { id: number; type: 'stats' }
  | { id: number; type: 'reset' }
  | { id: number; type: 'release' }
  | { id: number; type: 'arrivalsOf'; ids: string[]; path?: string }
  | { id: number; type: 'arrivalAt'; indexes: number[] };

function answer(command: Command): unknown {
  switch (command.type) {
    case 'stats':
      return {
        count: arrivals.length,
        first: arrivals[0] ?? null,
        last: arrivals[arrivals.length - 1] ?? null,
        byPath: Object.fromEntries(byPath),
        maxHeldByPath: Object.fromEntries(maxHeldByPath),
        held: held.size,
        badSignatures,
        cpu: process.cpuUsage(),
      };
    case 'reset':
      arrivalsById = new Map();
      arrivals = [];
      arrivalsByPath = new Map();
      byPath = new Map();
      maxHeldByPath = new Map();
      heldByPath = new Map();
      badSignatures = 0;
      released = false;
      return true;
    case 'release': {
      released = true;
      const count = held.size;
      for (const res of held) answerWith(res, 200, 'released');
      return count;
    }
    case 'arrivalsOf': {
      const ofPath = command.path === undefined ? arrivalsById : (arrivalsByPath.get(command.path) ?? new Map<string, number>());
      return command.ids.map((id) => ofPath.get(id) ?? null);
    }
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
