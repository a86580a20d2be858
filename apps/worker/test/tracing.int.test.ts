import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { deliverJobSchema } from '@dispatch/queue';
import { eventually, startHarness, type Harness } from '../../../test-support/harness.js';
import { Receiver } from '../../../test-support/receiver.js';
import { example } from '../../../test-support/api-helpers.js';

// W3C trace context from POST /api/events to the worker's attempts, exported over OTLP/HTTP to a
// collector on loopback (which keeps what it is sent). The caller's traceparent is the parent of
// the API's span, which is the parent of each attempt's queue wait and attempt spans.

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
  status?: { code?: number };
}
interface Export {
  service: string;
  spans: OtlpSpan[];
}

class Collector {
  readonly exports: Export[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/traces') {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            resourceSpans: { resource: { attributes: { key: string; value: { stringValue: string } }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
          };
          for (const rs of body.resourceSpans) {
            const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
            this.exports.push({ service, spans: rs.scopeSpans.flatMap((s) => s.spans) });
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  spans(service: string): OtlpSpan[] {
    return this.exports.filter((e) => e.service === service).flatMap((e) => e.spans);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const attribute = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue));
};
const nanos = (value: string) => BigInt(value);

let collector: Collector;
let receiver: Receiver;
let h: Harness;

beforeAll(async () => {
  collector = await new Collector().start();
  receiver = await new Receiver().start();
  h = await startHarness({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url } });
});
afterAll(async () => {
  await h?.close();
  await receiver?.close();
  await collector?.close();
});

describe('traces: ingest → queue wait → attempt', () => {
  it('puts the API request, the queue wait and every attempt of a delivery in the caller’s trace', async () => {
    const ws = await h.newWorkspace();
    await h.api.post('/api/webhooks-manage').set(ws.auth).send({ name: 't', url: receiver.url('/traced'), triggers: ['lead.created'] }).expect(201);
    receiver.script('/traced', [{ status: 500 }, { status: 200 }]);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpanId = '00f067aa0ba902b7';
    const emitted = await h.api
      .post('/api/events')
      .set(ws.auth)
      .set('traceparent', `00-${traceId}-${callerSpanId}-01`)
      .send({ type: 'lead.created', data: example('lead.created') });
    expect(emitted.status).toBe(202);
    await receiver.waitFor(() => receiver.on('/traced').length === 2);
    await eventually(async () => {
      await Promise.all([h.deps.observability.tracing!.flush(), h.worker!.deps.observability.tracing!.flush()]);
      return collector.spans('dispatch-worker').filter((s) => s.name === 'dispatch attempt' && s.traceId === traceId).length === 2;
    });

    const ingest = collector.spans('dispatch-api').find((s) => s.traceId === traceId && s.name === 'POST /api/events');
    expect(ingest).toBeDefined();
    expect(ingest!.parentSpanId).toBe(callerSpanId);
    expect(attribute(ingest!, 'http.route')).toBe('/api/events');
    expect(attribute(ingest!, 'http.response.status_code')).toBe(202);

    const worker = collector.spans('dispatch-worker').filter((s) => s.traceId === traceId);
    const waits = worker.filter((s) => s.name === 'dispatch queue wait');
    const attempts = worker.filter((s) => s.name === 'dispatch attempt').sort((a, b) => Number(nanos(a.startTimeUnixNano) - nanos(b.startTimeUnixNano)));
    // One queue wait (the first run of the job; a retry's wait is the retry schedule) and two attempts.
    expect(waits).toHaveLength(1);
    expect(attempts).toHaveLength(2);
    for (const span of [...waits, ...attempts]) {
      expect(span.parentSpanId).toBe(ingest!.spanId);
      expect(attribute(span, 'dispatch.endpoint_kind')).toBe('workspace_webhook');
    }
    expect(nanos(waits[0]!.endTimeUnixNano)).toBeLessThanOrEqual(nanos(attempts[0]!.startTimeUnixNano));
    expect(attempts.map((s) => [attribute(s, 'dispatch.attempt_no'), attribute(s, 'dispatch.outcome'), attribute(s, 'http.response.status_code')])).toEqual([
      [1, 'http_error', 500],
      [2, 'success', 200],
    ]);
    expect(attempts.map((s) => s.status?.code ?? 0)).toEqual([2, 0]);
    // Nothing secret: no URL, no header, no payload in any span.
    const text = JSON.stringify(collector.exports);
    expect(text).not.toContain(receiver.url('/traced'));
    expect(text).not.toContain('whsec_');
  });

  it('starts a new trace when the caller sent none', async () => {
    const ws = await h.newWorkspace();
    await h.api.post('/api/webhooks-manage').set(ws.auth).send({ name: 'u', url: receiver.url('/untraced'), triggers: ['lead.created'] }).expect(201);
    const emitted = await h.api.post('/api/events').set(ws.auth).send({ type: 'lead.created', data: example('lead.created') });
    expect(emitted.status).toBe(202);
    await receiver.waitFor(() => receiver.on('/untraced').length === 1);
    const attempt = await eventually(async () => {
      await Promise.all([h.deps.observability.tracing!.flush(), h.worker!.deps.observability.tracing!.flush()]);
      return collector.spans('dispatch-worker').find((s) => s.name === 'dispatch attempt' && attribute(s, 'http.response.status_code') === 200 && s.parentSpanId && collector.spans('dispatch-api').some((a) => a.spanId === s.parentSpanId && a.name === 'POST /api/events' && !a.parentSpanId));
    });
    expect(attempt.traceId).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('a collector that does not answer', () => {
  it('fails no request and delivery, and holds no shutdown past the export timeout', async () => {
    // Accepts connections and never answers (a hung collector): each export waits for its timeout.
    const sockets = new Set<Socket>();
    const silent = createNetServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const down = await startHarness({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(silent.address() as AddressInfo).port}` } });
    try {
      const ws = await down.newWorkspace();
      await down.api.post('/api/webhooks-manage').set(ws.auth).send({ name: 'd', url: receiver.url('/collector-down'), triggers: ['lead.created'] }).expect(201);
      await down.api.post('/api/events').set(ws.auth).send({ type: 'lead.created', data: example('lead.created') }).expect(202);
      await receiver.waitFor(() => receiver.on('/collector-down').length === 1);
      await down.api.post('/api/events').set(ws.auth).send({ type: 'lead.created', data: example('lead.created') }).expect(202);
      await receiver.waitFor(() => receiver.on('/collector-down').length === 2);
    } finally {
      const startedAt = Date.now();
      await down.close();
      // The API and the worker each wait at most one export timeout (3 s) for their last spans.
      expect(Date.now() - startedAt).toBeLessThan(10_000);
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 60_000);
});

describe('tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  let off: Harness;
  beforeAll(async () => {
    off = await startHarness({ worker: false });
  });
  afterAll(async () => {
    await off?.close();
  });

  it('has no tracer and queues jobs without a traceparent, whatever the caller sent', async () => {
    expect(off.deps.observability.tracing).toBeUndefined();
    const ws = await off.newWorkspace();
    await off.api.post('/api/webhooks-manage').set(ws.auth).send({ name: 'o', url: 'http://127.0.0.1:9/never', triggers: ['lead.created'] }).expect(201);
    await off.api
      .post('/api/events')
      .set(ws.auth)
      .set('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')
      .send({ type: 'lead.created', data: example('lead.created') })
      .expect(202);
    const [job] = await off.deps.queues.deliveries.getWaiting();
    expect(job).toBeDefined();
    expect(Object.keys(job!.data).sort()).toEqual(['deliveryId', 'endpointId', 'workspaceId']);
    // Jobs queued before tracing existed, and jobs with it, both parse.
    expect(deliverJobSchema.parse(job!.data)).toEqual(job!.data);
    expect(deliverJobSchema.parse({ ...job!.data, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }).traceparent).toBeDefined();
  });
});
