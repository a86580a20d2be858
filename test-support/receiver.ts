import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// A real HTTP receiver on loopback. Each path answers from a script of responses (the last one
// repeats), and every request is kept with its exact body bytes.

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
}

export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly scripts = new Map<string, ScriptedResponse[]>();
  private waiters: { predicate: () => boolean; resolve: () => void }[] = [];
  private server!: Server;
  private readonly delayed = new Set<NodeJS.Timeout>();
  baseUrl = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.requests.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now() });
        const script = this.scripts.get(path) ?? [];
        const response = (script.length > 1 ? script.shift() : script[0]) ?? { status: 200, body: 'ok' };
        const send = () => {
          res.writeHead(response.status, { 'content-type': 'text/plain', ...response.headers });
          res.end(response.body ?? '');
        };
        if (response.delayMs) {
          const timer = setTimeout(() => {
            this.delayed.delete(timer);
            send();
          }, response.delayMs);
          this.delayed.add(timer);
        } else send();
        this.notify();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  /** Responses for `path`, in order; the last one repeats. */
  script(path: string, responses: ScriptedResponse[]): void {
    this.scripts.set(path, [...responses]);
  }

  on(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  waitFor(predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('receiver: timed out waiting')), timeoutMs);
      this.waiters.push({ predicate, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  private notify(): void {
    this.waiters = this.waiters.filter((w) => (w.predicate() ? (w.resolve(), false) : true));
  }

  async close(): Promise<void> {
    for (const timer of this.delayed) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
