import {
  attemptStatsByEndpoint,
  findDelivery,
  findDeliveryPayload,
  findEvent,
  findWorkspaceDelivery,
  listAttemptFeed,
  listAttempts,
  listEndpointDeliveries,
  listEventDeliveries,
  listEvents,
  listWorkspaceDeliveries,
  waitingDeliveriesByEndpoint,
  type Database,
} from '@dispatch/db';
import { distribution, type Distribution } from '../lib/stats.js';
import { endpointId, type HistoryShape } from './generate.js';

// Every read the API makes of the history, as the API makes it (the query functions it calls),
// each timed `samples` times at random places in the history: p50/p99 in milliseconds.

const DAY_MS = 24 * 60 * 60 * 1000;
const PAGE = { limit: 50 };
const KINDS = ['workspace_webhook'] as const;

/** A delivery of the history, drawn at random (TABLESAMPLE) before the reads. */
export interface Sample {
  id: string;
  workspaceId: string;
  endpointId: string;
  eventId: string;
}

type Read = (s: Sample) => Promise<unknown>;

async function timed(samples: number, drawn: readonly Sample[], read: Read): Promise<Distribution> {
  const ms: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const sample = drawn[Math.floor(Math.random() * drawn.length)]!;
    const started = performance.now();
    await read(sample);
    ms.push(performance.now() - started);
  }
  return distribution(ms);
}

/** A day-long window somewhere in the history (the on-call "what happened yesterday" question). */
function dayWindow(shape: HistoryShape): { since: Date; until: Date } {
  const since = shape.start + Math.floor(Math.random() * (shape.end - shape.start - DAY_MS));
  return { since: new Date(since), until: new Date(since + DAY_MS) };
}

export async function measureReads(db: Database, shape: HistoryShape, samples: number, drawn: readonly Sample[]): Promise<Record<string, Distribution>> {
  const wsOf = (s: Sample) => ({ workspaceId: s.workspaceId });
  const reads: Record<string, Read> = {
    'endpoint list': (s) => listEndpointDeliveries(db, { ...wsOf(s), endpointId: s.endpointId, filters: {}, page: PAGE }),
    'endpoint list, status=succeeded': (s) => listEndpointDeliveries(db, { ...wsOf(s), endpointId: s.endpointId, filters: { status: 'succeeded' }, page: PAGE }),
    'endpoint list, status=failing': (s) => listEndpointDeliveries(db, { ...wsOf(s), endpointId: s.endpointId, filters: { status: 'failing' }, page: PAGE }),
    'endpoint list, a day (since/until)': (s) => listEndpointDeliveries(db, { ...wsOf(s), endpointId: s.endpointId, filters: dayWindow(shape), page: PAGE }),
    'endpoint list, page after a cursor': (s) => listEndpointDeliveries(db, { ...wsOf(s), endpointId: s.endpointId, filters: {}, page: { ...PAGE, cursor: s.id } }),
    'workspace list': (s) => listWorkspaceDeliveries(db, { ...wsOf(s), filters: { targetKinds: KINDS }, page: PAGE }),
    'workspace list, status=failing': (s) => listWorkspaceDeliveries(db, { ...wsOf(s), filters: { targetKinds: KINDS, status: 'failing' }, page: PAGE }),
    'workspace list, statusCode=5xx': (s) => listWorkspaceDeliveries(db, { ...wsOf(s), filters: { targetKinds: KINDS, statusCode: '5xx' }, page: PAGE }),
    'workspace list, a day (since/until)': (s) => listWorkspaceDeliveries(db, { ...wsOf(s), filters: { targetKinds: KINDS, ...dayWindow(shape) }, page: PAGE }),
    'workspace list, one target': (s) => listWorkspaceDeliveries(db, { ...wsOf(s), filters: { targetKinds: KINDS, targetId: s.endpointId }, page: PAGE }),
    'delivery detail (row, attempts, payload)': async (s) => {
      const row = await findDelivery(db, { ...wsOf(s), deliveryId: s.id, endpointId: s.endpointId });
      await Promise.all([listAttempts(db, row!.id), findDeliveryPayload(db, row!.id)]);
    },
    'workspace delivery by id': (s) => findWorkspaceDelivery(db, { ...wsOf(s), deliveryId: s.id, kinds: KINDS }),
    'events list': (s) => listEvents(db, { ...wsOf(s), filters: {}, page: PAGE }),
    'events list, a day (since/until)': (s) => listEvents(db, { ...wsOf(s), filters: dayWindow(shape), page: PAGE }),
    'event detail (event, its deliveries)': async (s) => {
      await Promise.all([findEvent(db, s.workspaceId, s.eventId), listEventDeliveries(db, { ...wsOf(s), eventId: s.eventId })]);
    },
    'attempt feed (last hour)': (s) => listAttemptFeed(db, { ...wsOf(s), kinds: KINDS, limit: 100, recentMs: 60 * 60 * 1000 }),
    'endpoint health (5 webhooks)': async (s) => {
      const own = Number(s.endpointId.slice(-2));
      const ids = [0, 10, 20, 30, 40].map((k) => endpointId(own + k));
      await Promise.all([
        attemptStatsByEndpoint(db, ids, { windowMs: DAY_MS, lookbackMs: 3 * DAY_MS }),
        waitingDeliveriesByEndpoint(db, ids),
      ]);
    },
  };
  const results: Record<string, Distribution> = {};
  for (const [name, read] of Object.entries(reads)) {
    await timed(Math.min(20, samples), drawn, read); // warm the plan cache and the buffers
    results[name] = await timed(samples, drawn, read);
  }
  return results;
}
