import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';

// Receivers that misbehave at the TCP/HTTP level, written on raw sockets so they can do what a
// well-behaved HTTP server library would refuse to: send 100 MB, trickle, stall, speak garbage, reset.
// Each one reads the whole request first, then misbehaves. Bodies are streamed from one reused
// 64 KiB buffer with backpressure, so the test process never holds them.

export const CHUNK = 64 * 1024;
const FILL = Buffer.alloc(CHUNK, 'x');

export interface HostileStats {
  /** TCP connections accepted. */
  connections: number;
  /** Requests read in full (the head and content-length bytes of body). */
  requests: number;
  /** Response body bytes handed to the kernel (payload only, not chunk framing). */
  bodyBytesSent: number;
  /** Connections the client closed or reset before the server was done with them. */
  closedByClient: number;
}

export type Behaviour = (socket: Socket, stats: HostileStats) => void;

export class HostileServer {
  readonly stats: HostileStats = { connections: 0, requests: 0, bodyBytesSent: 0, closedByClient: 0 };
  private readonly sockets = new Set<Socket>();
  private server!: Server;
  url = '';
  port = 0;

  constructor(private readonly behaviour: Behaviour) {}

  async start(): Promise<this> {
    this.server = createServer((socket) => {
      this.stats.connections += 1;
      this.sockets.add(socket);
      // The client hanging up mid-body is the point of several tests; it must not crash the server.
      socket.on('error', () => {});
      socket.on('close', () => this.sockets.delete(socket));
      void readRequest(socket).then((ok) => {
        if (!ok) return;
        this.stats.requests += 1;
        this.behaviour(socket, this.stats);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}/hook`;
    return this;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Reads one request (head, then content-length bytes); false if the client went away first. */
function readRequest(socket: Socket): Promise<boolean> {
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    const onData = (data: Buffer) => {
      buffered = Buffer.concat([buffered, data]);
      const headEnd = buffered.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(buffered.subarray(0, headEnd).toString('latin1'))?.[1] ?? 0);
      if (buffered.length < headEnd + 4 + length) return;
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(true);
    };
    const onClose = () => resolve(false);
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}

function trackClientClose(socket: Socket, stats: HostileStats, done: () => boolean): void {
  socket.once('close', () => {
    if (!done()) stats.closedByClient += 1;
  });
}

/** 200 with a `bytes`-long body, declared by content-length or sent chunked without a length. */
export function hugeBody(bytes: number, framing: 'content-length' | 'chunked'): Behaviour {
  return (socket, stats) => {
    let sent = 0;
    trackClientClose(socket, stats, () => sent >= bytes);
    const lengthHeader = framing === 'chunked' ? 'transfer-encoding: chunked' : `content-length: ${bytes}`;
    socket.write(`HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n${lengthHeader}\r\n\r\n`);
    const pump = () => {
      while (sent < bytes && !socket.destroyed) {
        const n = Math.min(CHUNK, bytes - sent);
        const data = n === CHUNK ? FILL : FILL.subarray(0, n);
        if (framing === 'chunked') socket.write(`${n.toString(16)}\r\n`);
        let ok = socket.write(data);
        if (framing === 'chunked') ok = socket.write('\r\n');
        sent += n;
        stats.bodyBytesSent += n;
        if (!ok) return void socket.once('drain', pump);
      }
      if (sent >= bytes && !socket.destroyed) socket.end(framing === 'chunked' ? '0\r\n\r\n' : '');
    };
    pump();
  };
}

/**
 * 200 with `content-encoding: gzip`: a small body (about 1 KiB per MiB) that decodes to `decodedMiB`
 * MiB of zeros, sent as that many concatenated gzip members (which a gzip decoder reads as one stream).
 */
export function gzipBomb(decodedMiB: number): Behaviour {
  const member = gzipSync(Buffer.alloc(1024 * 1024), { level: 9 });
  return (socket, stats) => {
    let sent = 0;
    trackClientClose(socket, stats, () => sent >= decodedMiB);
    socket.write(`HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-encoding: gzip\r\ncontent-length: ${member.length * decodedMiB}\r\n\r\n`);
    const pump = () => {
      while (sent < decodedMiB && !socket.destroyed) {
        sent += 1;
        stats.bodyBytesSent += member.length;
        if (!socket.write(member)) return void socket.once('drain', pump);
      }
      if (sent >= decodedMiB && !socket.destroyed) socket.end();
    };
    pump();
  };
}

/** 200 and its headers at once, then one body byte every `intervalMs`, forever (chunked). */
export function trickle(intervalMs: number): Behaviour {
  return (socket, stats) => {
    trackClientClose(socket, stats, () => false);
    socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n');
    const timer = setInterval(() => {
      stats.bodyBytesSent += 1;
      socket.write('1\r\n.\r\n');
    }, intervalMs);
    socket.once('close', () => clearInterval(timer));
  };
}

/** Accepts the request and never says a word. */
export const silent: Behaviour = (socket, stats) => trackClientClose(socket, stats, () => false);

/** Answers with something that is not HTTP. */
export const garbage: Behaviour = (socket) => void socket.end('garbage\r\n\r\n');

/** Resets the connection (TCP RST) instead of answering. */
export const reset: Behaviour = (socket) => void socket.resetAndDestroy();

/** A status line, then more header bytes than any HTTP client accepts. */
export function headerFlood(bytes: number): Behaviour {
  return (socket) => {
    socket.write('HTTP/1.1 200 OK\r\n');
    socket.end(`x-flood: ${'a'.repeat(bytes)}\r\n\r\n`);
  };
}

/** Samples this process's memory every few ms while `run` runs; returns its result and the peak growth. */
export async function measurePeakMemory<T>(run: () => Promise<T>): Promise<{ result: T; peak: { rss: number; heapUsed: number; arrayBuffers: number } }> {
  const base = process.memoryUsage();
  const peak = { rss: 0, heapUsed: 0, arrayBuffers: 0 };
  const sample = () => {
    const now = process.memoryUsage();
    peak.rss = Math.max(peak.rss, now.rss - base.rss);
    peak.heapUsed = Math.max(peak.heapUsed, now.heapUsed - base.heapUsed);
    peak.arrayBuffers = Math.max(peak.arrayBuffers, now.arrayBuffers - base.arrayBuffers);
  };
  const timer = setInterval(sample, 5);
  try {
    const result = await run();
    sample();
    return { result, peak };
  } finally {
    clearInterval(timer);
  }
}
