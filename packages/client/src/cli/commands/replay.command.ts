import { ENDPOINT_KINDS, EVENT_TYPES, REPLAY_SELECTIONS, type Replay } from '@dispatch/core/api';
import { oneOf, required, type Command } from '../command.js';
import type { CliContext } from '../context.js';
import { parseTime } from '../durations.js';
import { actionsOf, paramsOf, resolveEndpoint } from '../endpoint-ref.js';
import { ProgressBar } from '../progress.js';

const POLL_MS = 500;

/** Polls the replay until it completes, with a progress bar on stderr. */
async function follow(ctx: CliContext, read: () => Promise<Replay>): Promise<Replay> {
  const bar = new ProgressBar(ctx.err, 'replaying');
  for (;;) {
    const replay = await read();
    const suffix = `(${replay.succeeded} succeeded, ${replay.failed} failed)`;
    if (replay.status === 'completed') {
      bar.finish(replay.done, replay.count, suffix);
      return replay;
    }
    bar.update(replay.done, replay.count, suffix);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export const replayCommand: Command = {
  name: 'replay',
  usage: '--since 2h [--until T] [--status failed|failing|all] [--endpoint ID | --kind K --event-type T --status-code 5xx] [--dry-run]',
  summary: 'Re-send what failed (or is still failing) since a time, one new attempt each, with progress until done',
  options: {
    endpoint: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    status: { type: 'string' },
    kind: { type: 'string' },
    'event-type': { type: 'string' },
    'status-code': { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
  async run(ctx, { values }) {
    const since = parseTime(required(values, 'since'), 'since')!;
    const until = parseTime(values.until, 'until');
    const status = oneOf(values.status, REPLAY_SELECTIONS, 'status') ?? 'failed';
    const dryRun = values['dry-run'] === true;
    if (typeof values.endpoint === 'string') {
      const ref = await resolveEndpoint(ctx.client, values.endpoint);
      const actions = actionsOf(ctx.client, ref);
      const started = await actions.replay({ params: paramsOf(ref), body: { since, until, status, dryRun } });
      if (dryRun || started.replayId === null) return ctx.print(started, () => `${started.count} deliveries would be re-sent`);
      const replayId = started.replayId;
      ctx.note(`replay ${replayId}: ${started.count} deliveries`);
      const done = await follow(ctx, () => actions.replayStatus({ params: { ...paramsOf(ref), replayId } }));
      return ctx.print(done, () => `replay ${done.id} done: ${done.succeeded} succeeded, ${done.failed} failed`);
    }
    const body = {
      since,
      until,
      status,
      dryRun,
      targetKind: oneOf(values.kind, ENDPOINT_KINDS, 'kind'),
      eventType: oneOf(values['event-type'], EVENT_TYPES, 'event type'),
      statusCode: values['status-code'] as string | undefined,
    };
    const started = await ctx.client.deliveries.replay({ body });
    if (!('id' in started)) return ctx.print(started, () => `${started.count} deliveries would be re-sent`);
    ctx.note(`replay ${started.id}: ${started.count} deliveries`);
    const done = await follow(ctx, () => ctx.client.deliveries.replayStatus({ params: { replayId: started.id } }));
    ctx.print(done, () => `replay ${done.id} done: ${done.succeeded} succeeded, ${done.failed} failed`);
  },
};
