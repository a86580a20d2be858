import type { Attempt } from '@dispatch/client';
import { bytes, maskHeader, ms, time } from '../../format';
import { CodeView } from '../../ui/code-view';
import { AnswerBadge } from '../../ui/status-badge';
import { TimingBar } from './timing-bar';

function Headers({ headers, label }: { headers: Record<string, string | string[]>; label: string }) {
  const entries = Object.entries(headers);
  if (entries.length === 0) return <p class="muted small">No {label.toLowerCase()}.</p>;
  return (
    <details>
      <summary>
        {label} ({entries.length})
      </summary>
      <table class="headers">
        <caption class="visually-hidden">{label}</caption>
        <tbody>
          {entries.map(([name, value]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>{(Array.isArray(value) ? value : [value]).map((v) => maskHeader(name, v)).join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** Every attempt, oldest first: trigger, answer, timing, the request's and the answer's headers, the answer's body. */
export function AttemptTimeline({ attempts }: { attempts: Attempt[] }) {
  if (attempts.length === 0) return <p class="empty">No attempt yet: the delivery is queued.</p>;
  return (
    <ol class="timeline">
      {attempts.map((attempt) => (
        <li key={attempt.id} class="attempt">
          <h3>
            Attempt {attempt.attemptNo} <span class="badge">{attempt.trigger}</span> <AnswerBadge statusCode={attempt.statusCode} error={attempt.error} />
            <span class="small muted">
              {' '}
              {time(attempt.attemptedAt)} · {ms(attempt.responseTimeMs)}
            </span>
          </h3>
          {attempt.timings ? <TimingBar timings={attempt.timings} /> : null}
          <Headers headers={attempt.requestHeaders} label="Request headers" />
          {attempt.responseHeaders ? <Headers headers={attempt.responseHeaders} label="Response headers" /> : null}
          {attempt.responseBody !== null ? (
            <CodeView
              text={attempt.responseBody}
              label="Response body"
              note={attempt.responseBodyTruncated ? `truncated, ${bytes(attempt.responseBodySize ?? 0)} in all` : undefined}
            />
          ) : attempt.error ? (
            <p class="small">No answer: {attempt.error.replace(/_/g, ' ')}.</p>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
