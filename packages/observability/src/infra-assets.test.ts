import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { load } from 'js-yaml';
import type { Registry } from 'prom-client';
import { ApiMetrics } from './api-metrics.js';
import { BacklogReader } from './backlog-gauges.js';
import { ATTEMPT_OUTCOMES, ENDPOINT_KIND_LABELS, ENDPOINT_STATES, FINISHED_STATUSES, QUEUE_STATES } from './metric-names.js';
import { WorkerMetrics } from './worker-metrics.js';

// The dashboard and the alert rules in infra/observability may only name what Dispatch exports:
// a renamed metric or label, or a typo in a rule, would otherwise leave a panel empty or an alert
// that can never fire, silently.

const INFRA = new URL('../../../infra/observability/', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, INFRA), 'utf8');

interface Exported {
  labels: Set<string>;
}

/** Every series name the API and the worker serve, with the labels each carries. */
function exportedSeries(): Map<string, Exported> {
  // Nothing is scraped here, so the reader's source is never used.
  const reader = new BacklogReader({} as ConstructorParameters<typeof BacklogReader>[0]);
  const series = new Map<string, Exported>();
  const add = (registry: Registry) => {
    for (const metric of registry.getMetricsAsArray() as unknown as { name: string; labelNames?: string[]; type?: string; constructor: { name: string } }[]) {
      const labels = new Set(metric.labelNames ?? []);
      const histogram = metric.constructor.name === 'Histogram';
      const names = histogram ? [`${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`] : [metric.name];
      for (const name of names) series.set(name, { labels: name.endsWith('_bucket') ? new Set([...labels, 'le']) : labels });
    }
  };
  add(new ApiMetrics(reader).registry);
  add(new WorkerMetrics(reader).registry);
  return series;
}

// Labels Prometheus adds to every series of a target.
const TARGET_LABELS = new Set(['job', 'instance']);
// The values a fixed label may take, so `state="disable"` is caught as well as a wrong name.
const LABEL_VALUES: Record<string, readonly string[]> = {
  outcome: ATTEMPT_OUTCOMES,
  kind: ENDPOINT_KIND_LABELS,
  queue: ['deliveries', 'fanout', 'maintenance'],
};
const VALUES_BY_METRIC: Record<string, Record<string, readonly string[]>> = {
  dispatch_deliveries_finished_total: { status: FINISHED_STATUSES },
  dispatch_queue_jobs: { state: QUEUE_STATES },
  dispatch_endpoints: { state: ENDPOINT_STATES },
};

const SELECTOR = /\b((?:dispatch|process|nodejs)_[a-z0-9_]+)(?:\{([^}]*)\})?/g;
const MATCHER = /([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"([^"]*)"/g;

/** Problems with one PromQL expression: unknown metric names, labels, or label values. */
function problems(expr: string, series: Map<string, Exported>): string[] {
  const found: string[] = [];
  for (const [, name, matchers] of expr.matchAll(SELECTOR)) {
    const exported = series.get(name!);
    if (!exported) {
      found.push(`${name} is not exported`);
      continue;
    }
    for (const [, label, op, value] of (matchers ?? '').matchAll(MATCHER)) {
      if (TARGET_LABELS.has(label!)) continue;
      if (!exported.labels.has(label!)) found.push(`${name} has no label ${label}`);
      const allowed = VALUES_BY_METRIC[name!]?.[label!] ?? LABEL_VALUES[label!];
      // Plain values and simple alternations (`waiting|prioritized`) must each be possible.
      const literals = op === '=' || op === '!=' ? [value!] : /^[a-z_|-]+$/.test(value!) ? value!.split('|') : [];
      if (allowed) for (const literal of literals) if (!allowed.includes(literal)) found.push(`${name}{${label}} is never "${literal}"`);
    }
  }
  return found;
}

/** The series an expression reads: Dispatch's, or `up` (which Prometheus itself records per target). */
function metricNames(expr: string): string[] {
  return [...[...expr.matchAll(SELECTOR)].map((m) => m[1]!), ...[...expr.matchAll(/\bup\{/g)].map(() => 'up')];
}

interface RuleFile {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string; labels?: Record<string, string> }[] }[];
}

const rules = (load(read('alerts.yml')) as RuleFile).groups.flatMap((g) => g.rules);
const dashboard = JSON.parse(read('grafana/dispatch-dashboard.json')) as { panels: { title: string; type: string; targets?: { expr: string }[] }[] };
const panels = dashboard.panels.filter((p) => p.type !== 'row');
const scrape = load(read('prometheus.yml')) as { rule_files: string[]; scrape_configs: { job_name: string }[] };

describe('infra/observability names only what Dispatch exports', () => {
  const series = exportedSeries();

  it('exports the contract names (the check below would be vacuous without them)', () => {
    for (const name of ['dispatch_events_accepted_total', 'dispatch_attempts_total', 'dispatch_delivery_latency_seconds_bucket', 'process_cpu_seconds_total', 'nodejs_eventloop_lag_p99_seconds']) {
      expect(series.has(name)).toBe(true);
    }
  });

  it.each(rules.map((r) => [r.alert ?? r.record ?? '?', r.expr] as const))('alert %s', (_name, expr) => {
    expect(metricNames(expr).length).toBeGreaterThan(0);
    expect(problems(expr, series)).toEqual([]);
  });

  it.each(panels.map((p) => [p.title, (p.targets ?? []).map((t) => t.expr)] as const))('panel "%s"', (_title, exprs) => {
    expect(exprs.length).toBeGreaterThan(0);
    for (const expr of exprs) expect(problems(expr, series)).toEqual([]);
  });

  it('covers delivery lag, failing endpoints, queue backlog and a worker down', () => {
    const named = (metric: string) => rules.some((r) => r.alert && r.expr.includes(metric));
    expect(named('dispatch_oldest_due_delivery_age_seconds')).toBe(true);
    expect(named('dispatch_attempts_total')).toBe(true);
    expect(named('dispatch_endpoints')).toBe(true);
    expect(named('dispatch_queue_jobs')).toBe(true);
    expect(rules.some((r) => r.alert && /up\{job="dispatch-worker"\}/.test(r.expr))).toBe(true);
    for (const rule of rules.filter((r) => r.alert)) expect(['page', 'warning', 'info']).toContain(rule.labels?.severity);
  });

  it('scrapes the jobs the rules and panels name, and loads the rule file', () => {
    const jobs = new Set(scrape.scrape_configs.map((c) => c.job_name));
    const everything = [...rules.map((r) => r.expr), ...panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr))].join('\n');
    for (const [, job] of everything.matchAll(/job="([^"]+)"/g)) expect(jobs).toContain(job);
    expect(scrape.rule_files).toEqual(['alerts.yml']);
  });

  it('catches a name or label that is not exported (the checker itself)', () => {
    expect(problems('rate(dispatch_attempt_total[5m])', series)).toEqual(['dispatch_attempt_total is not exported']);
    expect(problems('dispatch_attempts_total{endpoint="x"}', series)).toEqual(['dispatch_attempts_total has no label endpoint']);
    expect(problems('dispatch_endpoints{state="disable"}', series)).toEqual(['dispatch_endpoints{state} is never "disable"']);
    expect(problems('dispatch_queue_jobs{state=~"waiting|ready"}', series)).toEqual(['dispatch_queue_jobs{state} is never "ready"']);
  });
});
