import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHttpClient } from '../src/delivery/http-client.js';
import { sendWebhook } from '../src/delivery/send.js';
import { createSafeLookup } from '../src/delivery/destination-guard.js';
import { example, expectBadRequest } from '../../../test-support/api-helpers.js';
import { fakeResolver } from '../../../test-support/fake-resolver.js';
import { eventually, startHarness, type Harness } from '../../../test-support/harness.js';
import { Receiver } from '../../../test-support/receiver.js';

// SSRF: a destination on loopback, a private network, link-local/metadata, CGNAT or multicast is
// refused when the URL names it literally (at create time, and again before sending), and whenever a
// name resolves to one (at connect time, on the address the socket then uses). Redirects are not
// followed, so a public receiver cannot bounce a delivery inward either.

let receiver: Receiver;
let port: number;

beforeAll(async () => {
  receiver = await new Receiver().start();
  port = Number(new URL(receiver.baseUrl).port);
});
afterAll(async () => {
  await receiver.close();
});

const send = (client: ReturnType<typeof createHttpClient>, url: string, allowPrivateDestinations = false) =>
  sendWebhook(client, { url, body: '{"id":"evt_ssrf"}', headers: { 'content-type': 'application/json' }, allowPrivateDestinations });

describe('create time (DISPATCH_ALLOW_PRIVATE_DESTINATIONS=false)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { DISPATCH_ALLOW_PRIVATE_DESTINATIONS: 'false' }, worker: false });
  });
  afterAll(async () => {
    await h.close();
  });

  it.each([
    'http://127.0.0.1/',
    'http://localhost/',
    'http://10.0.0.1/',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://100.64.0.1/',
    'http://224.0.0.1/',
    'http://2130706433/',
    'http://0x7f.1/',
    'http://017700000001/',
    'http://[fd00:ec2::254]/',
    'http://[64:ff9b:1::a00:1]/',
    'http://[64:ff9b:1:a00:0:100::]/',
  ])('refuses %s with 400 on url', async (url) => {
    const ws = await h.newWorkspace();
    const res = await h.api.post('/api/webhooks-manage').set(ws.auth).send({ name: 'ssrf', url, triggers: ['lead.created'] });
    expectBadRequest(res, 'url');
  });

  it('names the setting that allows private destinations in its refusal', async () => {
    const ws = await h.newWorkspace();
    const res = await h.api.post('/api/webhooks-manage').set(ws.auth).send({ name: 'local', url: 'http://127.0.0.1:4000/hooks', triggers: ['lead.created'] });
    expectBadRequest(res, 'url');
    expect(res.body.error.message).toContain('DISPATCH_ALLOW_PRIVATE_DESTINATIONS=true');
    expect(res.body.error.details[0].message).toContain('DISPATCH_ALLOW_PRIVATE_DESTINATIONS=true');
  });

  it('accepts a public hostname without resolving it, and refuses an update to a private address', async () => {
    const ws = await h.newWorkspace();
    const res = await h.api.post('/api/webhooks-manage').set(ws.auth).send({ name: 'ok', url: 'https://example.com/hook', triggers: ['lead.created'] });
    expect(res.status).toBe(201);
    const patched = await h.api.patch(`/api/webhooks-manage/${res.body.id}`).set(ws.auth).send({ url: 'http://192.168.1.1/' });
    expectBadRequest(patched, 'url');
    expect((await h.api.get(`/api/webhooks-manage/${res.body.id}`).set(ws.auth)).body.url).toBe('https://example.com/hook');
  });
});

describe('connect time (sendWebhook with an injected resolver)', () => {
  it.each([
    [['127.0.0.1'], 'loopback'],
    [['10.1.2.3'], 'private'],
    [['169.254.169.254'], 'cloud metadata'],
    [['::ffff:127.0.0.1'], 'IPv4-mapped loopback'],
    [['fd00::1'], 'IPv6 unique local'],
    [['64:ff9b:1:7f00:0:100::'], 'local-use NAT64 (of 127.0.0.1, in the /48 layout)'],
    [['64:ff9b:1::a00:1'], 'local-use NAT64 (of 10.0.0.1, in the /96 layout a local translator may also use)'],
    [['93.184.215.14', '127.0.0.1'], 'a public and a private address together'],
  ])('refuses a name that resolves to %j (%s) before connecting', async (addresses) => {
    const dns = fakeResolver({ 'rebind.test': [addresses] });
    const client = createHttpClient({ timeoutMs: 2000, allowPrivateDestinations: false, lookup: dns.resolve });
    const before = receiver.requests.length;
    const result = await send(client, `http://rebind.test:${port}/rebind`);
    expect(result).toMatchObject({ error: 'destination_blocked', statusCode: null, responseBody: null });
    expect(dns.asked).toEqual(['rebind.test']);
    expect(receiver.requests.length).toBe(before);
  });

  it('names the setting that allows private destinations when it refuses at connect time', async () => {
    const lookup = createSafeLookup(fakeResolver({ 'rebind.test': [['127.0.0.1']] }).resolve);
    const refusal = await new Promise<Error | null>((resolve) => lookup('rebind.test', {}, (err) => resolve(err)));
    expect(refusal?.message).toContain('resolves to 127.0.0.1');
    expect(refusal?.message).toContain('DISPATCH_ALLOW_PRIVATE_DESTINATIONS=true');
  });

  it('reaches the same name when private destinations are allowed', async () => {
    const dns = fakeResolver({ 'rebind.test': [['127.0.0.1']] });
    const client = createHttpClient({ timeoutMs: 2000, allowPrivateDestinations: true, lookup: dns.resolve });
    const result = await send(client, `http://rebind.test:${port}/allowed`, true);
    expect(result).toMatchObject({ statusCode: 200, error: null, responseBody: 'ok' });
    expect(receiver.on('/allowed')).toHaveLength(1);
    expect(receiver.on('/allowed')[0]!.headers.host).toBe(`rebind.test:${port}`);
  });

  it('pins the connection to the checked address: a resolver that turns private after the check is never asked again', async () => {
    // Public (TEST-NET, unroutable) on the first question, loopback on any later one. A client that
    // checked one resolution and connected with another would reach the receiver.
    const dns = fakeResolver({ 'rebind.test': [['192.0.2.1'], ['127.0.0.1']] });
    const client = createHttpClient({ timeoutMs: 500, allowPrivateDestinations: false, lookup: dns.resolve });
    const result = await send(client, `http://rebind.test:${port}/pinned`);
    // 192.0.2.1 passes the check; whether connecting to it is refused, unreachable or times out depends on the host's network.
    expect(result.statusCode).toBeNull();
    expect(['timeout', 'connection_refused', 'network_error']).toContain(result.error);
    expect(dns.asked).toEqual(['rebind.test']);
    expect(receiver.on('/pinned')).toHaveLength(0);
  });

  it('checks what the system resolver answers too (got hands the lookup to the socket)', async () => {
    // allowPrivateDestinations on the call skips the literal-host check, so only the client's lookup
    // stands between the request and `localhost`, which getaddrinfo answers with a loopback address.
    const client = createHttpClient({ timeoutMs: 2000, allowPrivateDestinations: false });
    const result = await send(client, `http://localhost:${port}/system-dns`, true);
    expect(result.error).toBe('destination_blocked');
    expect(receiver.on('/system-dns')).toHaveLength(0);
  });

  it.each(['http://[64:ff9b:1::7f00:1]', 'http://[::ffff:127.0.0.1]', 'http://2130706433', 'http://0x7f.1', 'http://017700000001', 'http://127.1', 'http://localhost'])(
    'refuses the literal host %s without a lookup (net would connect to it directly)',
    async (origin) => {
      const dns = fakeResolver({});
      const client = createHttpClient({ timeoutMs: 2000, allowPrivateDestinations: false, lookup: dns.resolve });
      const before = receiver.requests.length;
      expect((await send(client, `${origin}:${port}/literal`)).error).toBe('destination_blocked');
      expect(dns.asked).toEqual([]);
      expect(receiver.requests.length).toBe(before);
    },
  );

  it('returns a 3xx as the outcome without following it', async () => {
    const target = await new Receiver().start();
    try {
      receiver.script('/redirect-direct', [{ status: 302, headers: { location: target.url('/inside') } }]);
      const client = createHttpClient({ timeoutMs: 2000, allowPrivateDestinations: true });
      const result = await send(client, receiver.url('/redirect-direct'), true);
      expect(result).toMatchObject({ statusCode: 302, error: null });
      expect(result.responseHeaders?.location).toBe(target.url('/inside'));
      expect(target.requests).toHaveLength(0);
    } finally {
      await target.close();
    }
  });
});

describe('through the worker', () => {
  const settled = async (h: Harness, auth: { Authorization: string }, webhookId: string) =>
    eventually(async () => {
      const list = await h.api.get(`/api/webhooks-manage/${webhookId}/deliveries`).set(auth);
      const delivery = list.body.data[0];
      if (!delivery || delivery.status === 'pending' || delivery.status === 'failing') return undefined;
      return (await h.api.get(`/api/webhooks-manage/${webhookId}/deliveries/${delivery.id}`).set(auth)).body;
    });

  it('records destination_blocked and fails the delivery at once when the worker refuses the address', async () => {
    // The API allows private destinations (so the row exists), the worker does not: the connect-time
    // check alone must stop it.
    const h = await startHarness({ env: { DISPATCH_ALLOW_PRIVATE_DESTINATIONS: 'false' }, apiEnv: { DISPATCH_ALLOW_PRIVATE_DESTINATIONS: 'true' } });
    try {
      const ws = await h.newWorkspace();
      const urls = [receiver.url('/blocked-e2e'), `http://localhost:${port}/blocked-e2e`];
      const hooks = [];
      for (const url of urls) {
        const res = await h.api.post('/api/webhooks-manage').set(ws.auth).send({ name: 'blocked', url, triggers: ['lead.created'] });
        expect(res.status).toBe(201);
        hooks.push(res.body.id as string);
      }
      expect((await h.api.post('/api/events').set(ws.auth).send({ type: 'lead.created', data: example('lead.created') })).status).toBe(202);
      for (const id of hooks) {
        const delivery = await settled(h, ws.auth, id);
        expect(delivery).toMatchObject({ status: 'failed', attemptCount: 1, nextAttemptAt: null, lastAttempt: { statusCode: null, error: 'destination_blocked' } });
        expect(delivery.attempts).toHaveLength(1);
        expect(delivery.attempts[0]).toMatchObject({ error: 'destination_blocked', statusCode: null, responseBody: null });
      }
      expect(receiver.on('/blocked-e2e')).toHaveLength(0);
    } finally {
      await h.close();
    }
  });

  it('refuses a public-looking name that resolves to loopback when the worker connects (DNS rebinding)', async () => {
    // Created through the API with private destinations refused: the name is not an address, so it
    // passes; the worker's resolver then answers 127.0.0.1, where a real receiver listens.
    const dns = fakeResolver({ 'rebind.test': [['127.0.0.1']] });
    const h = await startHarness({ env: { DISPATCH_ALLOW_PRIVATE_DESTINATIONS: 'false' }, resolver: dns.resolve });
    try {
      const ws = await h.newWorkspace();
      const res = await h.api.post('/api/webhooks-manage').set(ws.auth).send({ name: 'rebind', url: `http://rebind.test:${port}/rebind-e2e`, triggers: ['lead.created'] });
      expect(res.status).toBe(201);
      await h.api.post('/api/events').set(ws.auth).send({ type: 'lead.created', data: example('lead.created') });
      const delivery = await settled(h, ws.auth, res.body.id);
      expect(delivery).toMatchObject({ status: 'failed', attemptCount: 1, lastAttempt: { error: 'destination_blocked' } });
      expect(dns.asked).toContain('rebind.test');
      expect(receiver.on('/rebind-e2e')).toHaveLength(0);
    } finally {
      await h.close();
    }
  });

  it('records a redirect as a failed attempt with its status, retries it, and never requests the target', async () => {
    const h = await startHarness({ env: { DISPATCH_RETRY_SCHEDULE: '100ms' } });
    const target = await new Receiver().start();
    try {
      const ws = await h.newWorkspace();
      receiver.script('/redirect-e2e', [{ status: 302, headers: { location: target.url('/metadata') } }]);
      const res = await h.api.post('/api/webhooks-manage').set(ws.auth).send({ name: 'r', url: receiver.url('/redirect-e2e'), triggers: ['lead.created'] });
      await h.api.post('/api/events').set(ws.auth).send({ type: 'lead.created', data: example('lead.created') });
      const delivery = await settled(h, ws.auth, res.body.id);
      expect(delivery).toMatchObject({ status: 'failed', attemptCount: 2, lastAttempt: { statusCode: 302, error: null, trigger: 'retry' } });
      expect(delivery.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([302, 302]);
      expect(receiver.on('/redirect-e2e')).toHaveLength(2);
      expect(target.requests).toHaveLength(0);
    } finally {
      await target.close();
      await h.close();
    }
  });
});
