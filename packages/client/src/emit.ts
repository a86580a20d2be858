import { api, type EventInput, type ResponseOf } from '@dispatch/core/api';
import { DispatchApiError, DispatchConnectionError } from './errors.js';
import { callRoute, type ClientOptions } from './transport.js';

export interface EmitOptions {
  /**
   * Makes retries safe: the same key and body within 24 h is accepted once. When left out, one is
   * made for this call, so a retry after a lost answer never emits the event twice.
   */
  idempotencyKey?: string;
  /** Tries in all (default 4), on 429, 503 and when the API cannot be reached. */
  maxTries?: number;
  /** Longest wait between tries, whatever `retry-after` says (default 30 s). */
  maxDelayMs?: number;
}

const RETRIED_STATUSES = new Set([429, 503]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function retryDelay(error: unknown, tryNo: number, maxDelayMs: number): number | undefined {
  const backoff = Math.min(500 * 2 ** (tryNo - 1), maxDelayMs);
  if (error instanceof DispatchConnectionError) return backoff;
  if (!(error instanceof DispatchApiError) || !RETRIED_STATUSES.has(error.status)) return undefined;
  return error.retryAfterSeconds === undefined ? backoff : Math.min(error.retryAfterSeconds * 1000, maxDelayMs);
}

async function withRetries<T>(options: EmitOptions, attempt: () => Promise<T>): Promise<T> {
  const maxTries = options.maxTries ?? 4;
  for (let tryNo = 1; ; tryNo++) {
    try {
      return await attempt();
    } catch (error) {
      const delay = tryNo < maxTries ? retryDelay(error, tryNo, options.maxDelayMs ?? 30_000) : undefined;
      if (delay === undefined) throw error;
      await sleep(delay);
    }
  }
}

/** `POST /api/events`, retried on 429/503 (honouring `retry-after`) and on connection errors. */
export function emitEvent(client: ClientOptions, event: EventInput, options: EmitOptions = {}): Promise<ResponseOf<typeof api.events.emit>> {
  const headers = { 'idempotency-key': options.idempotencyKey ?? globalThis.crypto.randomUUID() };
  return withRetries(options, async () => (await callRoute(client, api.events.emit, { body: event, headers })).body as ResponseOf<typeof api.events.emit>);
}

/** `POST /api/events/batch` (up to 500 events, all or nothing), retried like `emitEvent`. */
export function emitEvents(client: ClientOptions, events: EventInput[], options: EmitOptions = {}): Promise<ResponseOf<typeof api.events.emitBatch>> {
  const headers = { 'idempotency-key': options.idempotencyKey ?? globalThis.crypto.randomUUID() };
  return withRetries(options, async () => (await callRoute(client, api.events.emitBatch, { body: { events }, headers })).body as ResponseOf<typeof api.events.emitBatch>);
}
