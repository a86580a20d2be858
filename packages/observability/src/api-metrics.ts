import { Counter, Histogram, Registry } from 'prom-client';
import { registerBacklogGauges, type BacklogReader } from './backlog-gauges.js';
import { HTTP_DURATION_BUCKETS, METRICS } from './metric-names.js';
import { exposedRegistry } from './registry.js';

type HttpLabels = 'method' | 'route' | 'status';

/** The API's metrics. Updates are in-memory counter bumps; nothing here touches Postgres or Redis on a request. */
export class ApiMetrics {
  readonly registry: Registry;
  private readonly accepted: Counter<'type'>;
  private readonly requests: Counter<HttpLabels>;
  private readonly duration: Histogram<'method' | 'route'>;
  // The label sets seen so far (a few per declared route), so a request costs a map lookup rather
  // than prom-client validating and hashing its labels again.
  private readonly children = new Map<string, { count: { inc(): void }; time: { observe(v: number): void } }>();

  constructor(backlog: BacklogReader) {
    const own = new Registry();
    this.accepted = new Counter({
      name: METRICS.eventsAccepted,
      help: 'Events accepted (written to Postgres and answered 202), by event type; idempotent replays are not counted.',
      labelNames: ['type'],
      registers: [own],
    });
    this.requests = new Counter({
      name: METRICS.httpRequests,
      help: 'HTTP requests answered by the API, by method, declared route (never the raw URL) and status code.',
      labelNames: ['method', 'route', 'status'],
      registers: [own],
    });
    this.duration = new Histogram({
      name: METRICS.httpRequestDuration,
      help: 'Time from a request arriving to its answer being sent, by method and declared route.',
      labelNames: ['method', 'route'],
      buckets: HTTP_DURATION_BUCKETS,
      registers: [own],
    });
    registerBacklogGauges(own, backlog);
    this.registry = exposedRegistry(own);
  }

  eventsAccepted(types: readonly string[]): void {
    if (types.length === 1) {
      this.accepted.inc({ type: types[0]! });
      return;
    }
    const counts = new Map<string, number>();
    for (const type of types) counts.set(type, (counts.get(type) ?? 0) + 1);
    for (const [type, count] of counts) this.accepted.inc({ type }, count);
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    let child = this.children.get(key);
    if (!child) {
      child = { count: this.requests.labels({ method, route, status: String(status) }), time: this.duration.labels({ method, route }) };
      this.children.set(key, child);
    }
    child.count.inc();
    child.time.observe(seconds);
  }
}
