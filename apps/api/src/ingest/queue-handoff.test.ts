import { describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { QueueHandoff } from './queue-handoff.js';

const logger = pino({ level: 'silent' });

/** Work that finishes only when told to (a Redis that does not answer). */
function stalled() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  let started = 0;
  return { work: () => (started++, done), finish, started: () => started };
}

describe('QueueHandoff', () => {
  it('answers after at most answerWaitMs while the work goes on, and waits no longer for work that is quick', async () => {
    const handoff = new QueueHandoff(() => true, logger, { answerWaitMs: 50, maxOutstandingJobs: 100 });
    const redis = stalled();
    const startedAt = Date.now();
    await handoff.handOff(3, redis.work);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(45);
    expect(Date.now() - startedAt).toBeLessThan(500);
    expect(handoff.outstandingJobs).toBe(3);
    redis.finish();
    await handoff.settled(1_000);
    expect(handoff.outstandingJobs).toBe(0);

    const quickFrom = Date.now();
    await handoff.handOff(1, async () => {});
    expect(Date.now() - quickFrom).toBeLessThan(45);
  });

  it('sends nothing past its bound, or while Redis is known to be away, and never throws', async () => {
    let ready = true;
    const handoff = new QueueHandoff(() => ready, logger, { answerWaitMs: 1, maxOutstandingJobs: 5 });
    const redis = stalled();
    await handoff.handOff(4, redis.work);
    await handoff.handOff(2, redis.work);
    expect(redis.started()).toBe(1);
    // A batch larger than the bound still goes when nothing else is waiting.
    const large = new QueueHandoff(() => true, logger, { answerWaitMs: 1, maxOutstandingJobs: 5 });
    const alone = stalled();
    await large.handOff(50, alone.work);
    expect(alone.started()).toBe(1);
    alone.finish();

    redis.finish();
    await handoff.settled(1_000);
    ready = false;
    await handoff.handOff(1, redis.work);
    expect(redis.started()).toBe(1);
    ready = true;
    await expect(handoff.handOff(1, () => Promise.reject(new Error('NOSCRIPT')))).resolves.toBeUndefined();
    await handoff.settled(1_000);
    expect(handoff.outstandingJobs).toBe(0);
  });

  it('lets a shutdown wait for work handed off, up to a deadline', async () => {
    const handoff = new QueueHandoff(() => true, logger, { answerWaitMs: 1, maxOutstandingJobs: 100 });
    const redis = stalled();
    await handoff.handOff(1, redis.work);
    const startedAt = Date.now();
    await handoff.settled(100);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(95);
    setTimeout(redis.finish, 20);
    await handoff.settled(5_000);
    expect(handoff.outstandingJobs).toBe(0);
  });
});
