import { connect } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { attemptAbandonedAfterMs } from '@dispatch/core';
import { createWebhook, example, type WebhookBody } from '../../../test-support/api-helpers.js';
import { faultFixture, spawnFaultWorker } from '../../../test-support/fixtures.js';
import { miscounted, receipts } from '../../../test-support/ledger.js';
import { freePort } from '../../../test-support/private-redis.js';
import { spawnApp, waitForHttp, waitForWorkers, type ChildApp } from '../../../test-support/processes.js';

// Graceful shutdown: SIGTERM to a worker process in the middle of slow attempts lets them finish and
// records each exactly once before the process exits 0; a new worker then does the rest without
// sending anything twice. SIGTERM to an API process lets its in-flight requests complete, then it
// exits 0.

const REQUEST_TIMEOUT_MS = 3_000;
// The worker's own shutdown deadline (main.ts).
const WORKER_DEADLINE_MS = attemptAbandonedAfterMs(REQUEST_TIMEOUT_MS);
const API_DEADLINE_MS = 10_000;

const fx = faultFixture();

function spawnWorker(): ChildApp {
  return spawnFaultWorker(fx.h, {
    DISPATCH_REQUEST_TIMEOUT: `${REQUEST_TIMEOUT_MS}ms`,
    DISPATCH_RECONCILE_GRACE: '2s',
    DISPATCH_WORKER_CONCURRENCY: '10',
  });
}

async function stopWithSigterm(app: ChildApp, deadlineMs: number) {
  const startedAt = Date.now();
  app.signal('SIGTERM');
  const exit = await Promise.race([app.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), deadlineMs + 5_000))]);
  if (exit === 'hung') throw new Error(`${app.name} did not exit after SIGTERM:\n${app.output()}`);
  return { exit, elapsedMs: Date.now() - startedAt };
}

/** Whether a new TCP connection to the port is accepted ('connected') or why not (e.g. 'ECONNREFUSED'). */
function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve('connected')));
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe('graceful shutdown', () => {
  it('SIGTERM to a worker: in-flight attempts finish and are recorded once, exit 0, a new worker does the rest', async () => {
    const { h, ws, receiver, ledger } = fx;
    const PATH = '/slow';
    const EVENTS = 60;
    receiver.script(PATH, [{ status: 200, delayMs: 800 }]);
    await createWebhook(h, ws, { url: receiver.url(PATH) });
    const first = spawnWorker();
    await waitForWorkers(h.env, 1, first);
    const res = await h.api
      .post('/api/events/batch')
      .set(ws.auth)
      .send({ events: Array.from({ length: EVENTS }, () => ({ type: 'lead.created', data: example('lead.created') })) });
    expect(res.status).toBe(202);
    const eventIds: string[] = res.body.data.map((e: { id: string }) => e.id);

    // A second wave of 10 is on the wire when the signal comes.
    await receiver.waitFor(() => receiver.on(PATH).length >= 15, 15_000);
    const inFlightAtSignal = await ledger.inFlightCount(ws.id);
    expect(inFlightAtSignal).toBeGreaterThan(0);
    const { exit, elapsedMs } = await stopWithSigterm(first, WORKER_DEADLINE_MS);
    expect({ exit, output: exit.code === 0 ? '' : first.output() }).toEqual({ exit: { code: 0, signal: null }, output: '' });
    expect(elapsedMs).toBeLessThan(WORKER_DEADLINE_MS);

    // Every request the receiver saw before the exit is recorded, once; none is left half-done.
    const seenBeforeExit = [...new Set(receiver.on(PATH).map((r) => r.headers['webhook-id'] as string))];
    const attempts = await ledger.attempts(ws.id);
    expect(attempts.length).toBe(receiver.on(PATH).length);
    expect(attempts.map((a) => a.eventId).sort()).toEqual(seenBeforeExit.sort());
    expect(await ledger.inFlightCount(ws.id)).toBe(0);
    expect(miscounted(await ledger.deliveries(ws.id))).toEqual([]);
    const doneAtExit = receiver.on(PATH).length;
    expect(doneAtExit).toBeLessThan(EVENTS);

    const second = spawnWorker();
    expect(await ledger.settle(ws.id, 30_000)).toBe(0);
    const rows = await ledger.deliveries(ws.id);
    expect(rows.filter((r) => r.status !== 'succeeded' || r.attemptCount !== 1)).toEqual([]);
    expect(miscounted(rows)).toEqual([]);
    const report = receipts(receiver, eventIds, [PATH]);
    expect(report).toEqual({ missing: [], duplicates: 0, mismatchedIds: 0 });
    const secondExit = await stopWithSigterm(second, WORKER_DEADLINE_MS);
    expect(secondExit.exit).toEqual({ code: 0, signal: null });
    process.stderr.write(
      `[faults] worker SIGTERM: ${inFlightAtSignal} attempt(s) in flight at the signal, exit 0 after ${elapsedMs} ms, ` +
        `${doneAtExit}/${EVENTS} recorded before exit, 0 duplicates; idle worker exit 0 after ${secondExit.elapsedMs} ms\n`,
    );
  }, 60_000);

  it('SIGTERM to an API process: in-flight requests complete, new ones are refused, exit 0', async () => {
    const { h, ws, receiver } = fx;
    const SLOW = 3;
    const webhooks: WebhookBody[] = [];
    for (let i = 0; i < SLOW; i += 1) {
      receiver.script(`/api-slow-${i}`, [{ status: 200, delayMs: 1_500 }]);
      webhooks.push(await createWebhook(h, ws, { url: receiver.url(`/api-slow-${i}`), triggers: ['link.clicked'] }));
    }
    const worker = spawnWorker();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const api = spawnApp('api', { ...h.childEnv(), PORT: String(port) });
    await Promise.all([waitForHttp(`${base}/healthz`, api), waitForWorkers(h.env, 1, worker)]);

    const headers = { authorization: `Bearer ${ws.key}`, 'content-type': 'application/json' };
    // Answered before the signal: their keep-alive connections are open and idle when it comes.
    const events = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${base}/api/events`, { method: 'POST', headers, body: JSON.stringify({ type: 'lead.created', data: example('lead.created') }) }),
      ),
    );
    expect(events.map((r) => r.status)).toEqual(events.map(() => 202));
    // The test route holds each request open until its (slow) attempt is recorded.
    const slow = webhooks.map((webhook) => fetch(`${base}/api/webhooks-manage/${webhook.id}/test`, { method: 'POST', headers, body: '{}' }));
    await receiver.waitFor(() => webhooks.every((_, i) => receiver.on(`/api-slow-${i}`).length === 1), 10_000);
    const exiting = stopWithSigterm(api, API_DEADLINE_MS);

    for (const res of await Promise.all(slow)) {
      expect(res.status).toBe(200);
      expect((await res.json()).delivery).toMatchObject({ test: true, status: 'succeeded', attemptCount: 1 });
    }
    // Once closing, the API takes no new connections.
    expect(await connectOutcome(port)).toBe('ECONNREFUSED');
    const { exit, elapsedMs } = await exiting;
    expect({ exit, output: exit.code === 0 ? '' : api.output() }).toEqual({ exit: { code: 0, signal: null }, output: '' });
    expect(elapsedMs).toBeLessThan(API_DEADLINE_MS);
    process.stderr.write(`[faults] API SIGTERM: ${SLOW} requests in flight (1.5 s each) all answered 200, 20 idle keep-alive connections, exit 0 after ${elapsedMs} ms\n`);
  }, 60_000);
});
