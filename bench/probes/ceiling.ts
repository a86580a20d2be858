import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { deliverJobId, newId, signedHeaders } from '@dispatch/core';
import { createQueueBackend, Queues, QUEUES, redisConnection, type DeliveryToEnqueue } from '@dispatch/queue';
import { benchConfig as config } from '../lib/config.js';
import { deleteRedisKeys } from '../lib/infra.js';
import { ReceiverClient, stopChild } from '../lib/processes.js';
import { cpuMsOf } from '../lib/procstats.js';
import { baselinePayloads, dispatchGot, sendWithGot, signAndSendLoop } from '../lib/senders.js';
import { percentile, perSecond, round } from '../lib/stats.js';

// What the design card's pieces allow on their own, with no Postgres at all: the same signed POSTs to
// the same receiver, 50 at a time, as
// - the got loop (the end-to-end ratio's baseline);
// - a BullMQ worker (concurrency 50, jobs as Dispatch queues them) whose jobs do nothing;
// - the same worker whose jobs sign and POST with got, as the deliver job does.
// The last one is the ceiling of "one BullMQ job per delivery, sent with got" on the machine it runs on,
// before a single row is read or written: how far it is below the got loop is what the end-to-end
// figure cannot recover by tuning Dispatch's own code.
// Usage: pnpm exec tsx --conditions=dispatch-source bench/probes/ceiling.ts   (BENCH_CEILING_JOBS, BENCH_ROUNDS)

const JOBS = Number(process.env.BENCH_CEILING_JOBS ?? 30_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const IN_FLIGHT = 50;

interface Sample {
  variant: string;
  perSecond: number;
  processCpuUs: number;
  redisCpuUs: number;
  receiverCpuUs: number;
}

const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

async function main(): Promise<void> {
  const receiver = await ReceiverClient.start(config.root);
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  // These probes measure Redis itself (its CPU per job): always the Redis backend.
  const queues = new Queues(
    createQueueBackend({ kind: 'redis', prefix: config.queuePrefix, redisUrl: config.redisUrl, databaseUrl: '', poolSize: 1, applicationName: 'dispatch-bench' }),
  );
  const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
  const send = sendWithGot(dispatchGot());
  const { payloads, secret } = baselinePayloads();
  const url = receiver.url('/ceiling');
  try {
    const gotLoop = async (): Promise<Omit<Sample, 'variant'>> => {
      const receiverBefore = cpuMsOf(receiver.child.pid);
      const redisBefore = cpuMsOf(redisPid);
      const warmupMs = 500;
      const durationMs = config.baselineMs;
      const result = await signAndSendLoop(send, url, { inFlight: IN_FLIGHT, warmupMs, durationMs });
      const share = durationMs / (durationMs + warmupMs);
      const per = (ms: number) => round((ms * 1000) / Math.max(1, result.requests), 1)!;
      return {
        perSecond: perSecond(result.requests, result.elapsedMs),
        processCpuUs: per(result.senderCpuMs),
        redisCpuUs: per((cpuMsOf(redisPid) - redisBefore) * share),
        receiverCpuUs: per((cpuMsOf(receiver.child.pid) - receiverBefore) * share),
      };
    };

    /** Fills the queue with JOBS jobs shaped as Dispatch's, then drains it; measured from the 10th to the 90th percent done. */
    const drain = async (work: (index: number) => Promise<unknown>): Promise<Omit<Sample, 'variant'>> => {
      await queues.deliveries.obliterate({ force: true });
      const jobs: DeliveryToEnqueue[] = Array.from({ length: JOBS }, () => {
        const deliveryId = newId('delivery');
        return { deliveryId, endpointId: 'wh_ceiling', workspaceId: 'ws_ceiling', jobId: deliverJobId(deliveryId, 1, 'initial'), attemptsLeft: 6 };
      });
      for (let i = 0; i < jobs.length; i += 1_000) await queues.enqueueDeliveries(jobs.slice(i, i + 1_000));
      const from = Math.floor(JOBS * 0.1);
      const to = Math.floor(JOBS * 0.9);
      let done = 0;
      let mark: { at: number; process: NodeJS.CpuUsage; redis: number; receiver: number } | undefined;
      let result: Omit<Sample, 'variant'> | undefined;
      let resolveFinished: () => void = () => undefined;
      const finished = new Promise<void>((resolve) => (resolveFinished = resolve));
      const worker = new Worker(
        QUEUES.deliveries,
        async () => {
          const index = done;
          await work(index);
          done++;
          if (done === from) mark = { at: performance.now(), process: process.cpuUsage(), redis: cpuMsOf(redisPid), receiver: cpuMsOf(receiver.child.pid) };
          if (done === to && mark) {
            const count = to - from;
            const per = (ms: number) => round((ms * 1000) / count, 1)!;
            result = {
              perSecond: perSecond(count, performance.now() - mark.at),
              processCpuUs: per(cpuMs(process.cpuUsage(mark.process))),
              redisCpuUs: per(cpuMsOf(redisPid) - mark.redis),
              receiverCpuUs: per(cpuMsOf(receiver.child.pid) - mark.receiver),
            };
            resolveFinished();
          }
          return 'ok';
        },
        { connection: redisConnection(config.redisUrl), prefix: config.queuePrefix, concurrency: IN_FLIGHT, stalledInterval: 10_000 },
      );
      await finished;
      await worker.close();
      return result!;
    };

    const signAndSend: (index: number) => Promise<number> = (index) => {
      const payload = payloads[index % payloads.length]!;
      const headers = { 'content-type': 'application/json', 'user-agent': 'Dispatch-Webhooks/bench', ...signedHeaders([secret], payload.id, new Date(), payload.body) };
      return send(url, payload.body, headers);
    };
    const variants: Record<string, () => Promise<Omit<Sample, 'variant'>>> = {
      'got loop': gotLoop,
      'bullmq, job does nothing': () => drain(async () => undefined),
      'bullmq, job signs + POSTs with got': () => drain(signAndSend),
    };

    const samples: Sample[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      for (const [variant, run] of Object.entries(variants)) {
        const sample = { variant, ...(await run()) };
        samples.push(sample);
        process.stderr.write(`${JSON.stringify(sample)}\n`);
      }
    }
    const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50)!;
    const gotPerSecond = median(samples.filter((s) => s.variant === 'got loop').map((s) => s.perSecond));
    process.stdout.write(`\n${IN_FLIGHT} in flight, ${JOBS.toLocaleString('en-US')} jobs per drain, median of ${ROUNDS} alternating rounds:\n`);
    for (const variant of Object.keys(variants)) {
      const mine = samples.filter((s) => s.variant === variant);
      const m = (pick: (s: Sample) => number) => median(mine.map(pick));
      process.stdout.write(
        `  ${variant.padEnd(36)} ${m((s) => s.perSecond).toLocaleString('en-US')}/s (${Math.round((100 * m((s) => s.perSecond)) / gotPerSecond)} % of the got loop); ` +
          `CPU µs each: this process ${m((s) => s.processCpuUs)}, redis ${m((s) => s.redisCpuUs)}, receiver ${m((s) => s.receiverCpuUs)}\n`,
      );
    }
  } finally {
    await queues.close();
    await queues.backend.close();
    redis.disconnect();
    await stopChild(receiver.child);
    await deleteRedisKeys(config);
  }
}

await main();
