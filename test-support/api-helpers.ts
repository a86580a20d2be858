import { expect } from '@jest/globals';
import { eq } from 'drizzle-orm';
import { getEventDefinition, type EventType } from '@dispatch/core';
import { endpoints } from '@dispatch/db';
import type { Response } from 'supertest';
import type { Harness, TestWorkspace } from './harness.js';

// Assertions shared by the API integration tests: the contract's error shape, and that no error
// body leaks internals.

export interface WebhookBody {
  id: string;
  name: string;
  url: string;
  triggers: string[];
  secret: string;
  disabledAt: string | null;
  disabledReason: string | null;
  consecutiveFailures: number;
  createdAt: string;
  updatedAt: string;
}

/** A fresh, mutable copy of a catalog example (the catalog's own are deeply frozen). */
export const example = (type: EventType): Record<string, unknown> => structuredClone(getEventDefinition(type).example) as Record<string, unknown>;

export const maskOf = (secret: string) => `whsec_••••••••${secret.slice(-4)}`;

// A stack frame ("at fn (/path/file.ts:1:2)", "at /path:1:2", "at node:internal…"), SQL or a
// dependency path. Plain words such as "at least" in a validation message are fine.
const LEAKS = [/\bat \S+ \(/, /\bat (\/|file:|node:)/, /\n\s+at /, /\bselect\b[\s\S]*\bfrom\b/i, /insert into/i, /node_modules/, /\.ts:\d+/];

export function expectNoLeak(res: Response): void {
  const text = JSON.stringify(res.body) + (res.text ?? '');
  for (const pattern of LEAKS) expect(text).not.toMatch(pattern);
}

/** The contract's error shape, with the request id of the `x-request-id` header and no internals. */
export function expectError(res: Response, status: number, code: string): { path: string; message: string }[] {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(res.headers['content-type']).toMatch(/application\/json/);
  const requestId = res.headers['x-request-id'];
  expect(requestId).toMatch(/^req_/);
  expect(res.body).toEqual({ error: { code, message: expect.any(String), details: expect.any(Array), requestId } });
  expect(res.body.error.message.length).toBeGreaterThan(0);
  for (const detail of res.body.error.details) expect(detail).toEqual({ path: expect.any(String), message: expect.any(String) });
  expectNoLeak(res);
  return res.body.error.details;
}

/** A 400 whose details name `path` (exactly, or a sub-path of it). */
export function expectBadRequest(res: Response, path?: string): void {
  const details = expectError(res, 400, 'bad_request');
  if (path === undefined) return;
  expect(details.some((d) => d.path === path || d.path.startsWith(`${path}.`))).toBe(true);
}

export async function createWebhook(
  h: Harness,
  ws: TestWorkspace,
  input: { name?: string; url: string; triggers?: EventType[] },
): Promise<WebhookBody> {
  const res = await h.api
    .post('/api/webhooks-manage')
    .set(ws.auth)
    .send({ name: input.name ?? 'hook', url: input.url, triggers: input.triggers ?? ['lead.created'] });
  expect(res.status).toBe(201);
  return res.body as WebhookBody;
}

export async function listDeliveries(h: Harness, ws: TestWorkspace, webhookId: string, query = '') {
  const res = await h.api.get(`/api/webhooks-manage/${webhookId}/deliveries${query}`).set(ws.auth);
  expect(res.status).toBe(200);
  return res.body as { data: { id: string; eventId: string; eventType: string; status: string; createdAt: string }[]; nextCursor: string | null };
}

/** Marks a webhook disabled the way the worker's auto-disable rule does, straight in Postgres. */
export async function disableInDb(h: Harness, id: string, consecutiveFailures: number): Promise<void> {
  await h.deps.db.update(endpoints).set({ disabledAt: new Date(), disabledReason: 'failing', consecutiveFailures }).where(eq(endpoints.id, id));
}

/** A raw request body sent as JSON (for malformed JSON). */
export const rawJson = { 'content-type': 'application/json' };
