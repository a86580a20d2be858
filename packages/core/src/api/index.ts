import type { AnyRouteContract } from './route-contract.js';
import { adminApi } from './routes/admin.contract.js';
import { deliveriesApi, endpointsApi } from './routes/deliveries.contract.js';
import { eventsApi } from './routes/events.contract.js';
import { linksApi } from './routes/links.contract.js';
import { outboundApi } from './routes/outbound.contract.js';
import { linkWebhooksApi, webhooksApi } from './routes/webhooks.contract.js';

// The HTTP API, route by route, grouped as the typed client presents it (`client.webhooks.create`).
// Kept free of Node-only modules: the console's bundle imports it (`@dispatch/core/api`).

export const api = {
  events: eventsApi,
  deliveries: deliveriesApi,
  endpoints: endpointsApi,
  admin: adminApi,
  links: linksApi,
  linkWebhooks: linkWebhooksApi,
  webhooks: webhooksApi,
  outbound: outboundApi,
};
export type Api = typeof api;

/**
 * Every route, in the order they are matched: events first (nearly all of the traffic), and the
 * catalog before `/integrations/outbound/:id` so `events` is not read as an id.
 */
export const API_ROUTES: readonly AnyRouteContract[] = Object.values(api).flatMap((group) => Object.values(group) as AnyRouteContract[]);

export * from './route-contract.js';
export * from './enums.js';
export * from './inputs.js';
export * from './openapi.js';
export * from './resources/common.schema.js';
export * from './resources/endpoints.schema.js';
export * from './resources/deliveries.schema.js';
export * from './resources/events.schema.js';
export * from './resources/admin.schema.js';
export * from './resources/stats.schema.js';
export * from './routes/deliveries.contract.js';
export { KEY_LIFETIME_MS } from './routes/admin.contract.js';
export * from './routes/endpoint-actions.contract.js';
export * from './routes/events.contract.js';
export * from './routes/outbound.contract.js';
export { webhookCreateBody } from './routes/webhooks.contract.js';
export { EVENT_CATEGORIES, EVENT_TYPES, eventTypeSchema, type EventCategory, type EventType } from '../events/catalog.js';
export { FEATURES, SCOPES, type Feature, type Scope } from '../scopes.js';
export { ATTEMPT_ERRORS, type AttemptError } from '../outcome.js';
