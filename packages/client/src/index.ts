import type { EventInput } from '@dispatch/core/api';
import { routeCalls, type RouteCalls } from './client.js';
import { emitEvent, emitEvents, type EmitOptions } from './emit.js';
import type { ClientOptions } from './transport.js';

/**
 * The typed client of the Dispatch HTTP API: a function per route (`client.webhooks.create(...)`,
 * typed from the contract's zod schemas) plus `emit` / `emitBatch` for a product backend.
 */
// The route groups are assigned in the constructor; this interface gives them their types.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface DispatchClient extends RouteCalls {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class DispatchClient {
  constructor(readonly options: ClientOptions) {
    Object.assign(this, routeCalls(options));
  }

  /** Emits one event; retried safely (Idempotency-Key) on 429/503 and connection errors. */
  emit(event: EventInput, options?: EmitOptions) {
    return emitEvent(this.options, event, options);
  }

  /** Emits up to 500 events in one request, all or nothing. */
  emitBatch(events: EventInput[], options?: EmitOptions) {
    return emitEvents(this.options, events, options);
  }
}

export { DispatchApiError, DispatchConnectionError } from './errors.js';
export { callRoute, type ClientOptions } from './transport.js';
export type { EmitOptions } from './emit.js';
export type { RouteCalls } from './client.js';
export * from '@dispatch/core/api';
