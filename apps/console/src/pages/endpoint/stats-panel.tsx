import type { EndpointStats } from '@dispatch/client';
import { ago, ms, percent } from '../../format';

export function StatsPanel({ stats: s }: { stats: EndpointStats }) {
  const items: [string, string][] = [
    [`Success (${s.window})`, `${percent(s.successRate)} of ${s.attempts}`],
    ['Latency p50 / p95 / p99', `${ms(s.latencyMs.p50)} / ${ms(s.latencyMs.p95)} / ${ms(s.latencyMs.p99)}`],
    ['Failing deliveries', String(s.failingDeliveries)],
    ['Pending deliveries', String(s.pendingDeliveries)],
    ['Consecutive failures', String(s.consecutiveFailures)],
    ['Breaker', s.breaker === 'open' && s.pausedUntil ? `open, paused ${ago(s.pausedUntil)}` : s.breaker],
    ['Last success', s.lastSuccessAt ? ago(s.lastSuccessAt) : 'never'],
    ['Last failure', s.lastFailureAt ? ago(s.lastFailureAt) : 'never'],
  ];
  return (
    <dl class="stats">
      {items.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
