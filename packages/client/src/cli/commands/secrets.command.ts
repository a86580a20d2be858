import type { Command } from '../command.js';
import { ProgressBar } from '../progress.js';

// The encryption key ring (operator token): re-seal everything under the first key, so an old key
// can be dropped from DISPATCH_ENCRYPTION_KEYS.

const IDLE_WAIT_MS = 200;
const MAX_IDLE_STEPS = 150;

export const secretCommands: Command[] = [
  {
    name: 'secrets status',
    usage: '',
    summary: 'How many sealed values are under the current encryption key',
    async run(ctx) {
      const status = await ctx.client.admin.secretsStatus();
      ctx.print(status, () => `key ${status.keyId}: ${status.current} of ${status.total} sealed values under it, ${status.remaining} to re-seal`);
    },
  },
  {
    name: 'secrets reseal',
    usage: '[--batch 500]',
    summary: 'Re-seal every secret under the first key of the ring (resumable: run it again after an interruption)',
    options: { batch: { type: 'string' } },
    async run(ctx, { values }) {
      const limit = values.batch ? Number(values.batch) : undefined;
      const start = await ctx.client.admin.secretsStatus();
      const bar = new ProgressBar(ctx.err, 'resealing');
      let resealed = 0;
      let remaining = start.remaining;
      const todo = start.remaining;
      bar.update(0, todo);
      let idle = 0;
      while (remaining > 0) {
        const step = await ctx.client.admin.resealSecrets({ body: { limit } });
        resealed += step.resealed;
        remaining = step.remaining;
        bar.update(Math.min(resealed, todo), todo);
        if (step.resealed > 0) idle = 0;
        // Another reseal running at the same time holds the rest (locked rows are skipped): wait for it.
        else if (remaining > 0) {
          if (++idle > MAX_IDLE_STEPS) throw new Error(`no progress for ${(MAX_IDLE_STEPS * IDLE_WAIT_MS) / 1000} s with ${remaining} left: is another reseal stuck?`);
          await new Promise((resolve) => setTimeout(resolve, IDLE_WAIT_MS));
        }
      }
      bar.finish(todo, todo, 'done');
      ctx.print({ keyId: start.keyId, resealed, remaining }, () => `re-sealed ${resealed} value(s) under key ${start.keyId}; none left under older keys`);
    },
  },
];
