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

export function TimingBar({ timings }: { timings: Timings }) {
  const parts = PHASES.map((phase) => ({ ...phase, value: timings[phase.key] ?? 0 }));
  const known = parts.reduce((sum, part) => sum + part.value, 0);
  const rest = Math.max(timings.total - known, 0);
  const total = Math.max(timings.total, known, 1);
  const segments = [...parts, { key: 'rest', label: 'send and read', value: rest }].filter((part) => part.value > 0);
  return (
    <div class="timing">
      <div class="timing-bar" aria-hidden="true">
        {segments.map((part) => (
          <span key={part.key} class={`timing-${part.key}`} style={{ width: `${(part.value / total) * 100}%` }} title={`${part.label}: ${ms(part.value)}`} />
        ))}
      </div>
      <p class="small timing-legend">
        {PHASES.map((phase) => (
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
      </p>
    </div>
  );
}
