import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eq, sql } from 'drizzle-orm';
import { getEventDefinition } from '@dispatch/core';
import { attempts, deliveries, endpoints } from '@dispatch/db';
import { Webhook } from 'standardwebhooks';
import { bearer, eventually, startHarness, type Harness, type TestWorkspace } from '../../../test-support/harness.js';
import { expectBadRequest } from '../../../test-support/api-helpers.js';
import { Receiver } from '../../../test-support/receiver.js';

// Custom headers of outbound webhooks are secrets (contract, "Secrets, all of them"): sealed at rest,
// shown masked on every read, sent in clear only to the receiver, stored masked with each attempt,
// never logged.

const TOKEN = 'Bearer live-token-0123456789abcdef';
const SHORT = 'k-123';
const SECRET_PART = /live-token|0123456789abcdef|k-123/;
const MASKED = { Authorization: '••••••••cdef', 'X-Short': '••••••••' };

let h: Harness;
let receiver: Receiver;
let ws: TestWorkspace;
const logLines: string[] = [];

beforeAll(async () => {
  h = await startHarness({ env: { LOG_LEVEL: 'trace' }, logDestination: { write: (line: string) => void logLines.push(line) } });
  receiver = await new Receiver().start();
  ws = await h.newWorkspace(['integrations']);
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});

const lead = () => structuredClone(getEventDefinition('lead.created').example);
const create = (path: string, headers: Record<string, string>) =>
  h.api.post('/api/integrations/outbound').set(ws.auth).send({ url: receiver.url(path), events: ['lead.created'], headers });
const row = async (id: string) => (await h.deps.db.select().from(endpoints).where(eq(endpoints.id, id)))[0]!;

describe('custom headers of outbound webhooks', () => {
  it('are shown masked on every read, to every key, create included', async () => {
    const created = await create('/masked-reads', { Authorization: TOKEN, 'X-Short': SHORT });
    expect(created.status).toBe(201);
    expect(created.body.headers).toEqual(MASKED);
    const readOnly = bearer(await ws.keyWith(['webhooks:read']));
    const answers = [
      created.body,
      (await h.api.get(`/api/integrations/outbound/${created.body.id}`).set(readOnly)).body,
      (await h.api.get('/api/integrations/outbound').set(readOnly)).body,
      (await h.api.patch(`/api/integrations/outbound/${created.body.id}`).set(ws.auth).send({ description: 'renamed' })).body,
    ];
    expect(answers[1].headers).toEqual(MASKED);
    expect(answers[2].data.find((w: { id: string }) => w.id === created.body.id).headers).toEqual(MASKED);
    expect(answers[3].headers).toEqual(MASKED);
    expect(JSON.stringify(answers)).not.toMatch(SECRET_PART);
  });

  it('are stored sealed under the first key, with no plaintext anywhere in the row', async () => {
    const created = await create('/sealed-row', { Authorization: TOKEN, 'X-Short': SHORT });
    const stored = await row(created.body.id);
    expect(stored.plaintextHeaders).toBeNull();
    expect(stored.headersMasked).toEqual(MASKED);
    expect(stored.headersSealed).toMatch(/^v2\.default\./);
    expect(JSON.parse(h.deps.secretBox.open(stored.headersSealed!))).toEqual({ Authorization: TOKEN, 'X-Short': SHORT });
    expect(JSON.stringify(stored)).not.toMatch(SECRET_PART);
    // Without custom headers nothing is sealed (the worker skips the opening too).
    const plain = await h.api.post('/api/integrations/outbound').set(ws.auth).send({ url: receiver.url('/no-headers'), events: ['lead.created'] });
    expect(plain.body.headers).toEqual({});
    expect((await row(plain.body.id)).headersSealed).toBeNull();
  });

  it('refuse a masked value sent back in a PATCH, and keep the stored ones', async () => {
    const created = await create('/patch-masked', { Authorization: TOKEN, 'X-Short': SHORT });
    const before = await row(created.body.id);
    const read = await h.api.get(`/api/integrations/outbound/${created.body.id}`).set(ws.auth);
    const sentBack = await h.api.patch(`/api/integrations/outbound/${created.body.id}`).set(ws.auth).send({ headers: read.body.headers });
    expectBadRequest(sentBack, 'headers.Authorization');
    expect(sentBack.body.error.message).toContain('send the real value');
    const oneMasked = await h.api.patch(`/api/integrations/outbound/${created.body.id}`).set(ws.auth).send({ headers: { Authorization: TOKEN, 'X-Short': '••••••••' } });
    expectBadRequest(oneMasked, 'headers.X-Short');
    expect(await row(created.body.id)).toEqual(before);
  });

  it('are replaced whole by a PATCH with real values, sealed anew', async () => {
    const created = await create('/patch-real', { Authorization: TOKEN });
    const patched = await h.api.patch(`/api/integrations/outbound/${created.body.id}`).set(ws.auth).send({ headers: { 'X-Other': 'another-secret-value-9876' } });
    expect(patched.status).toBe(200);
    expect(patched.body.headers).toEqual({ 'X-Other': '••••••••9876' });
    const stored = await row(created.body.id);
    expect(JSON.parse(h.deps.secretBox.open(stored.headersSealed!))).toEqual({ 'X-Other': 'another-secret-value-9876' });
    const cleared = await h.api.patch(`/api/integrations/outbound/${created.body.id}`).set(ws.auth).send({ headers: {} });
    expect(cleared.body.headers).toEqual({});
    expect((await row(created.body.id)).headersSealed).toBeNull();
  });

  it('reach the receiver in clear; stored attempts keep the names with masked values', async () => {
    receiver.script('/attempts', [{ status: 500 }, { status: 200 }]);
    const created = await create('/attempts', { Authorization: TOKEN, 'X-Short': SHORT });
    const emitted = await h.api.post('/api/events').set(ws.auth).send({ type: 'lead.created', data: lead() });
    expect(emitted.status).toBe(202);
    await receiver.waitFor(() => receiver.on('/attempts').length === 2);
    for (const request of receiver.on('/attempts')) {
      expect(request.headers.authorization).toBe(TOKEN);
      expect(request.headers['x-short']).toBe(SHORT);
      expect(() => new Webhook(created.body.secret).verify(request.body, request.headers as Record<string, string>)).not.toThrow();
    }
    const [delivery] = await h.deps.db.select({ id: deliveries.id }).from(deliveries).where(eq(deliveries.endpointId, created.body.id));
    const detail = await eventually(async () => {
      const res = await h.api.get(`/api/integrations/outbound/${created.body.id}/deliveries/${delivery!.id}`).set(ws.auth);
      return res.body.status === 'succeeded' ? res.body : undefined;
    });
    expect(detail.attempts).toHaveLength(2);
    const sent = receiver.on('/attempts');
    detail.attempts.forEach((attempt: { requestHeaders: Record<string, string> }, i: number) => {
      const { Authorization, 'X-Short': short, ...own } = attempt.requestHeaders;
      expect({ Authorization, 'X-Short': short }).toEqual(MASKED);
      // Dispatch's own headers are stored as they were sent.
      expect(own).toEqual({
        'content-type': 'application/json',
        'user-agent': sent[i]!.headers['user-agent'],
        'webhook-id': sent[i]!.headers['webhook-id'],
        'webhook-timestamp': sent[i]!.headers['webhook-timestamp'],
        'webhook-signature': sent[i]!.headers['webhook-signature'],
        'svix-id': sent[i]!.headers['svix-id'],
        'svix-timestamp': sent[i]!.headers['svix-timestamp'],
        'svix-signature': sent[i]!.headers['svix-signature'],
      });
    });
    const stored = await h.deps.db.select({ requestHeaders: attempts.requestHeaders }).from(attempts).where(eq(attempts.deliveryId, delivery!.id));
    expect(JSON.stringify(stored)).not.toMatch(SECRET_PART);
  });

  it('reach no log line, even at trace level', async () => {
    // The tests above created, read, patched (also with refused values) and delivered, with a failure.
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('')).not.toMatch(SECRET_PART);
    const [{ n }] = (await h.deps.db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM endpoints WHERE headers IS NOT NULL`)).rows as [{ n: number }];
    expect(n).toBe(0);
  });
});
