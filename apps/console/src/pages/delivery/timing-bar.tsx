import type { Attempt } from '@dispatch/client';
import { ms } from '../../format';

type Timings = NonNullable<Attempt['timings']>;

// got's phases are durations, one after the other: DNS, connect, TLS, then waiting for the first
// byte; what is left of the total is sending the request and reading the answer.
const PHASES = [
  { key: 'dns', label: 'DNS' },
  { key: 'connect', label: 'connect' },
  { key: 'tls', label: 'TLS' },
  { key: 'firstByte', label: 'first byte' },
] as const;
const SETUP = ['dns', 'connect', 'tls'] as const;

/**
 * On a kept-alive connection got reports the DNS, connect and TLS phases of the request that opened
 * it, which may add up to more than this attempt took: then they are shown apart, not in the bar.
 */
function splitReused(timings: Timings) {
  const setup = SETUP.reduce((sum, key) => sum + (timings[key] ?? 0), 0);
  return setup + (timings.firstByte ?? 0) > timings.total;
}

export function TimingBar({ timings }: { timings: Timings }) {
  const reused = splitReused(timings);
  const shown = PHASES.filter((phase) => !reused || !(SETUP as readonly string[]).includes(phase.key));
  const parts = shown.map((phase) => ({ ...phase, value: timings[phase.key] ?? 0 }));
  const rest = Math.max(timings.total - parts.reduce((sum, part) => sum + part.value, 0), 0);
  const total = Math.max(timings.total, 1);
  const segments = [...parts, { key: 'rest', label: 'send and read', value: rest }].filter((part) => part.value > 0);
  return (
    <div class="timing">
      <div class="timing-bar" aria-hidden="true">
        {segments.map((part) => (
          <span key={part.key} class={`timing-${part.key}`} style={{ width: `${Math.min((part.value / total) * 100, 100)}%` }} title={`${part.label}: ${ms(part.value)}`} />
        ))}
      </div>
      <p class="small timing-legend">
        {shown.map((phase) => (
          <span key={phase.key}>
            <i class={`swatch timing-${phase.key}`} aria-hidden="true" />
            {phase.label} {ms(timings[phase.key])}
          </span>
        ))}
        <span>
          <i class="swatch timing-rest" aria-hidden="true" />
          send and read {ms(rest)}
        </span>
        <strong>total {ms(timings.total)}</strong>
        {reused ? (
          <span class="muted">
            kept-alive connection (opened earlier: DNS {ms(timings.dns)}, connect {ms(timings.connect)}, TLS {ms(timings.tls)})
          </span>
        ) : null}
      </p>
    </div>
  );
}
