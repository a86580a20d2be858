import type { AttemptFeedItem } from '@dispatch/core/api';
import type { Command } from '../command.js';
import { parseSeconds } from '../durations.js';
import { millis, outcomeOf } from '../format.js';

const line = (a: AttemptFeedItem) =>
  [
    a.attemptedAt,
    a.deliveryStatus.padEnd(9),
    outcomeOf(a).padEnd(18),
    millis(a.responseTimeMs).padStart(8),
    `${a.trigger.padEnd(9)} #${a.attemptNo}`,
    a.eventType,
    `${a.deliveryId} -> ${a.target.id}`,
    a.nextAttemptAt ? `next ${a.nextAttemptAt}` : '',
  ]
    .join('  ')
    .trimEnd();

export const tailCommand: Command = {
  name: 'tail',
  usage: '[--interval 1s] [--last 10]',
  summary: 'Print attempts as they happen (Ctrl-C to stop); --json prints one JSON object per line',
  options: { interval: { type: 'string' }, last: { type: 'string' } },
  async run(ctx, { values }) {
    const intervalMs = (parseSeconds(values.interval ?? '1', 'interval') ?? 1) * 1000;
    const show = (a: AttemptFeedItem) => ctx.out.write(ctx.json ? `${JSON.stringify(a)}\n` : `${line(a)}\n`);
    // The most recent attempts first, then only what comes after them.
    const first = await ctx.client.deliveries.attempts({ query: { limit: values.last ? Number(values.last) : 10 } });
    first.data.forEach(show);
    let after = first.last ?? undefined;
    ctx.note('following new attempts (Ctrl-C to stop)…');
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(intervalMs, 200)));
      const page = await ctx.client.deliveries.attempts({ query: { after, limit: 100 } });
      page.data.forEach(show);
      after = page.last ?? after;
    }
  },
};
