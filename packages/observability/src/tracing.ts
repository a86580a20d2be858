import { createRequire } from 'node:module';
import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapPropagator,
  type Tracer,
} from '@opentelemetry/api';

// W3C trace context from `POST /api/events` to the worker's attempts: the API's request span is the
// parent of each delivery's queue wait and attempt, so one trace shows ingest → queue wait → attempt.
// The job carries only the `traceparent` string (ids and a flag, nothing secret).
//
// Without OTEL_EXPORTER_OTLP_ENDPOINT there is no Tracing at all: the SDK and the exporter are not
// even loaded, and callers skip every tracing call. Nothing is registered globally, so two APIs or
// workers in one (test) process each keep their own provider.

const EXPORT_TIMEOUT_MS = 3_000;

type Sdk = typeof import('@opentelemetry/sdk-trace-base');
type Exporter = typeof import('@opentelemetry/exporter-trace-otlp-http');
type Resources = typeof import('@opentelemetry/resources');
type Core = typeof import('@opentelemetry/core');

export interface RequestSpan {
  /** The span's own context, to carry to the work this request queues. */
  readonly traceparent: string;
  end(route: string, status: number): void;
}

export interface AttemptSpan {
  end(attributes: Attributes, ok: boolean): void;
  fail(error: unknown): void;
}

export class Tracing {
  private readonly tracer: Tracer;
  private readonly propagator: TextMapPropagator;

  private constructor(private readonly provider: InstanceType<Sdk['BasicTracerProvider']>, core: Core) {
    this.tracer = provider.getTracer('dispatch');
    this.propagator = new core.W3CTraceContextPropagator();
  }

  /** Undefined (tracing off) unless an OTLP endpoint is configured. */
  static start(serviceName: string, endpoint: string | undefined, options: { flushEveryMs?: number } = {}): Tracing | undefined {
    if (!endpoint) return undefined;
    // The SDK's CommonJS builds, loaded only here, when tracing is on.
    const require = createRequire(import.meta.url);
    const sdk = require('@opentelemetry/sdk-trace-base') as Sdk;
    const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as Exporter;
    const { resourceFromAttributes } = require('@opentelemetry/resources') as Resources;
    const core = require('@opentelemetry/core') as Core;
    // A collector that does not answer costs at most EXPORT_TIMEOUT_MS per export (spans are then
    // dropped, never retried into memory), so it can neither grow the process nor hold its shutdown
    // past the deadline.
    const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces`, timeoutMillis: EXPORT_TIMEOUT_MS });
    const provider = new sdk.BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': serviceName }),
      spanProcessors: [
        new sdk.BatchSpanProcessor(exporter, { scheduledDelayMillis: options.flushEveryMs ?? 5_000, exportTimeoutMillis: EXPORT_TIMEOUT_MS }),
      ],
    });
    return new Tracing(provider, core);
  }

  private parent(traceparent: string | undefined): Context {
    return traceparent ? this.propagator.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter) : ROOT_CONTEXT;
  }

  private traceparentOf(span: Span): string {
    const carrier: Record<string, string> = {};
    this.propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
    return carrier.traceparent ?? '';
  }

  /** A server span for one API request, in the caller's trace when it sent a valid `traceparent`. */
  startRequest(method: string, incomingTraceparent: string | undefined): RequestSpan {
    const span = this.tracer.startSpan(method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method } }, this.parent(incomingTraceparent));
    return {
      traceparent: this.traceparentOf(span),
      end(route, status) {
        span.updateName(`${method} ${route}`);
        span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      },
    };
  }

  /**
   * One attempt of a delivery queued by a traced request: a `queue wait` span from `queuedAt` (when
   * the job became due; omitted for a retry, whose wait is the retry schedule) to now, then the
   * attempt's span, both children of the request's span.
   */
  startAttempt(traceparent: string, queuedAt: number | undefined, attributes: Attributes): AttemptSpan {
    const parent = this.parent(traceparent);
    const now = Date.now();
    if (queuedAt !== undefined && queuedAt < now) {
      this.tracer.startSpan('dispatch queue wait', { kind: SpanKind.CONSUMER, startTime: queuedAt, attributes }, parent).end(now);
    }
    const span = this.tracer.startSpan('dispatch attempt', { kind: SpanKind.CLIENT, startTime: now, attributes }, parent);
    return {
      end(result, ok) {
        span.setAttributes(result);
        if (!ok) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      },
      fail(error) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      },
    };
  }

  /** Exports what is buffered now (tests; shutdown does it too). */
  flush(): Promise<void> {
    return this.provider.forceFlush();
  }

  /** Sends what is buffered and stops; a collector that cannot take it loses those spans, nothing more. */
  async shutdown(): Promise<void> {
    await this.provider.shutdown().catch(() => {});
  }
}
