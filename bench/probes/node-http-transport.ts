import { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import got from 'got';

// BENCH_TRANSPORT=node-http: loaded with `--import` into the worker children, it makes `got.extend`
// return a client whose `stream()` is plain node:http with the same agents, timeout and lookup, and
// the events the worker's send.ts listens to. Only for measuring what the transport costs end to
// end; nothing in apps/ changes.

interface ExtendOptions {
  timeout?: { request?: number };
  agent?: { http?: http.Agent; https?: https.Agent };
  dnsLookup?: http.RequestOptions['lookup'];
}

interface StreamOptions {
  method?: string;
  body?: string;
  headers?: Record<string, string>;
}

class NodeHttpStream extends EventEmitter {
  readonly timings: { phases: { firstByte?: number } } = { phases: {} };
  private readonly req: http.ClientRequest;
  private res: http.IncomingMessage | undefined;

  constructor(url: string, options: StreamOptions, defaults: ExtendOptions) {
    super();
    const startedAt = performance.now();
    const secure = url.startsWith('https:');
    const body = options.body ?? '';
    this.req = (secure ? https : http).request(
      url,
      {
        method: options.method ?? 'POST',
        headers: { ...options.headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: secure ? defaults.agent?.https : defaults.agent?.http,
        lookup: defaults.dnsLookup,
      },
      (res) => {
        this.timings.phases.firstByte = performance.now() - startedAt;
        this.res = res;
        this.emit('response', res);
        res.on('data', (chunk: Buffer) => this.emit('data', chunk));
        res.on('end', () => this.emit('end'));
        res.on('error', (err) => this.emit('error', err));
      },
    );
    const timeoutMs = defaults.timeout?.request;
    if (timeoutMs) {
      const timer = setTimeout(() => this.req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT', name: 'TimeoutError' })), timeoutMs);
      this.req.once('close', () => clearTimeout(timer));
    }
    this.req.on('error', (err) => this.emit('error', err));
    this.req.end(body);
  }

  resume(): this {
    return this;
  }

  /** Like got's: after the body's end the socket is already back in the pool; before it, it is closed. */
  destroy(): this {
    if (!this.res?.complete) this.req.destroy();
    return this;
  }
}

(got as unknown as { extend: (options: ExtendOptions) => unknown }).extend = (options: ExtendOptions) => ({
  stream: (url: string, streamOptions: StreamOptions) => new NodeHttpStream(url, streamOptions, options),
});
