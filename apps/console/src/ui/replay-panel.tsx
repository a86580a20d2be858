import type { Replay, ReplaySelection } from '@dispatch/client';
import { useEffect, useState } from 'preact/hooks';
import { fromLocalInput, toLocalInput } from '../format';
import { ConfirmAction } from './confirm-action';
import { ErrorBox } from './error-box';

// Replay after a fix: count first (a dry run), then re-send with a confirmation that names what
// is re-sent, then follow the replay's progress until it is done. Shared by an endpoint's page
// and the workspace's deliveries page; only the calls differ.

export interface ReplayRequest {
  since: string;
  until?: string;
  status: ReplaySelection;
  dryRun: boolean;
}
export type ReplayProgress = Pick<Replay, 'status' | 'count' | 'done' | 'succeeded' | 'failed'>;

interface Props {
  /** What is replayed, for the confirmation ("to webhook orders (https://…)"). */
  target: string;
  start: (request: ReplayRequest) => Promise<{ id: string | null; count: number }>;
  progress: (id: string) => Promise<ReplayProgress>;
  onFinished: () => void;
  /** Which deliveries it offers to replay first (default: the failed ones). */
  selection?: ReplaySelection;
}

const POLL_MS = 500;
const SELECTIONS: { value: ReplaySelection; label: string }[] = [
  { value: 'failed', label: 'failed (no retries left)' },
  { value: 'failing', label: 'failing (still retrying)' },
  { value: 'all', label: 'all deliveries' },
];

export function ReplayPanel({ target, start, progress, onFinished, selection = 'failed' }: Props) {
  const [since, setSince] = useState(() => toLocalInput(new Date(Date.now() - 86_400_000)));
  const [until, setUntil] = useState('');
  const [status, setStatus] = useState<ReplaySelection>(selection);
  const [counted, setCounted] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [replayId, setReplayId] = useState<string | null>(null);
  const request = (dryRun: boolean): ReplayRequest => ({ since: fromLocalInput(since) ?? '', until: fromLocalInput(until), status, dryRun });
  const changed = <T,>(set: (value: T) => void) => (value: T) => {
    set(value);
    setCounted(null);
  };
  const count = async () => {
    setError(null);
    try {
      setCounted((await start(request(true))).count);
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <section class="panel" aria-labelledby="replay-title">
      <h2 id="replay-title">Replay</h2>
      <div class="fields">
        <label>
          Since
          <input type="datetime-local" required value={since} onInput={(e) => changed(setSince)(e.currentTarget.value)} />
        </label>
        <label>
          Until (empty: now)
          <input type="datetime-local" value={until} onInput={(e) => changed(setUntil)(e.currentTarget.value)} />
        </label>
        <label>
          Which
          <select value={status} onChange={(e) => changed(setStatus)(e.currentTarget.value as ReplaySelection)}>
            {SELECTIONS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div class="row">
        <button type="button" onClick={count}>
          Count (dry run)
        </button>
        {counted !== null ? (
          <span role="status" class="replay-count">
            {counted === 1 ? '1 delivery matches' : `${counted} deliveries match`}
          </span>
        ) : null}
        <ConfirmAction
          label={counted ? `Replay ${counted}` : 'Replay'}
          title={`Replay ${counted ?? 'the matching'} ${counted === 1 ? 'delivery' : 'deliveries'} ${target}?`}
          confirmLabel="Replay now"
          disabled={!counted}
          run={() => start(request(false))}
          onDone={(started) => setReplayId(started.id)}
        >
          <p>
            {status === 'all' ? 'Every' : `Each ${status}`} delivery since {since.replace('T', ' ')}
            {until ? ` until ${until.replace('T', ' ')}` : ''} gets one new attempt, in the background, with the same webhook-id and a fresh signature.
          </p>
        </ConfirmAction>
      </div>
      {error ? <ErrorBox error={error} what="count the deliveries to replay" /> : null}
      {replayId ? (
        <ReplayProgressView
          key={replayId}
          id={replayId}
          progress={progress}
          onFinished={() => {
            // What matched has changed: the next replay starts from a new count.
            setCounted(null);
            onFinished();
          }}
        />
      ) : null}
    </section>
  );
}

function ReplayProgressView({ id, progress, onFinished }: { id: string; progress: Props['progress']; onFinished: () => void }) {
  const [state, setState] = useState<ReplayProgress | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      try {
        const next = await progress(id);
        if (stopped) return;
        setState(next);
        setError(null);
        if (next.status === 'completed') return onFinished();
      } catch (caught) {
        if (stopped) return;
        setError(caught);
      }
      timer = setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [id]);
  return (
    <div class="replay-progress">
      {state ? (
        <>
          <progress max={Math.max(state.count, 1)} value={state.count ? state.done : 1} aria-label="Replay progress" />
          <p role="status" aria-live="polite">
            Replay <code>{id}</code>: <strong class="replay-status">{state.status === 'completed' ? 'done' : state.status}</strong> · {state.done} of {state.count} re-sent ·{' '}
            {state.succeeded} succeeded · {state.failed} failed
          </p>
        </>
      ) : (
        <p class="muted" role="status">
          Replay <code>{id}</code> started…
        </p>
      )}
      {error ? <ErrorBox error={error} what="read the replay's progress" /> : null}
    </div>
  );
}
