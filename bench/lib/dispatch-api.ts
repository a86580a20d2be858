import { getEventDefinition, type EventType } from '@dispatch/core';
import { httpRequest, type HttpResult } from './http.js';
import type { System } from './system.js';

// Dispatch's HTTP API as the bench uses it: provisioning through the admin routes, webhooks and events.

/** ~350 bytes of data; with the envelope around it a receiver gets ~450 bytes. */
export const BENCH_EVENT_TYPE: EventType = 'payout.created';
/** Subscribed by nobody: events of this type are pure ingest. */
export const UNSUBSCRIBED_EVENT_TYPE: EventType = 'payout.paid';

export const eventBody = (type: EventType = BENCH_EVENT_TYPE) => ({ type, data: getEventDefinition(type).example });

export interface Tenant {
  workspaceId: string;
  key: string;
  headers: Record<string, string>;
}

async function call<T>(system: System, method: string, path: string, body: unknown, headers: Record<string, string>): Promise<T> {
  const result = await httpRequest(system.agent, `${system.apiUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (result.status >= 300) throw new Error(`${method} ${path} answered ${result.status}: ${result.body.slice(0, 300)}`);
  return JSON.parse(result.body) as T;
}

export async function createTenant(system: System, name: string): Promise<Tenant> {
  const admin = { authorization: `Bearer ${system.config.adminToken}` };
  const workspace = await call<{ id: string }>(system, 'POST', '/api/admin/workspaces', { name, features: ['integrations'] }, admin);
  const key = await call<{ key: string }>(system, 'POST', `/api/admin/workspaces/${workspace.id}/keys`, { name: 'bench' }, admin);
  return { workspaceId: workspace.id, key: key.key, headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' } };
}

export async function createWebhook(system: System, tenant: Tenant, url: string, triggers: EventType[] = [BENCH_EVENT_TYPE]): Promise<string> {
  const webhook = await call<{ id: string }>(system, 'POST', '/api/webhooks-manage', { name: 'bench', url, triggers }, tenant.headers);
  return webhook.id;
}

export function postEvent(system: System, tenant: Tenant, body: string): Promise<HttpResult> {
  return httpRequest(system.agent, `${system.apiUrl}/api/events`, { method: 'POST', headers: tenant.headers, body });
}

export function postBatch(system: System, tenant: Tenant, body: string): Promise<HttpResult> {
  return httpRequest(system.agent, `${system.apiUrl}/api/events/batch`, { method: 'POST', headers: tenant.headers, body });
}

export const batchBody = (size: number, type: EventType = BENCH_EVENT_TYPE) => JSON.stringify({ events: Array.from({ length: size }, () => eventBody(type)) });

/** Posts `total` events in batches of `batchSize`, `parallel` requests at a time; returns the event ids. */
export async function postEventsInBatches(system: System, tenant: Tenant, total: number, options: { batchSize?: number; parallel?: number } = {}): Promise<string[]> {
  const batchSize = options.batchSize ?? 500;
  const batches = Math.ceil(total / batchSize);
  const ids: string[] = [];
  let next = 0;
  const loop = async () => {
    while (next < batches) {
      const index = next++;
      const size = Math.min(batchSize, total - index * batchSize);
      const result = await postBatch(system, tenant, batchBody(size));
      if (result.status !== 202) throw new Error(`/api/events/batch answered ${result.status}: ${result.body.slice(0, 300)}`);
      for (const event of (JSON.parse(result.body) as { data: { id: string }[] }).data) ids.push(event.id);
    }
  };
  await Promise.all(Array.from({ length: options.parallel ?? 2 }, loop));
  return ids;
}
