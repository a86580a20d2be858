import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHttpClient } from '../src/delivery/http-client.js';
import { sendWebhook } from '../src/delivery/send.js';
import { fakeResolver } from '../../../test-support/fake-resolver.js';

// https receivers through the worker's client. It hands http(s).request only the options got
// defined (http-client.ts), so these check that nothing TLS needs is lost on the way: the
// certificate is verified by default, got's TLS options still arrive, and a named host still goes
// through the SSRF lookup. The receiver's certificate (test-support/tls, self-signed, for
// receiver.test, localhost and 127.0.0.1) is trusted only where a test says so.

const tlsDir = new URL('../../../test-support/tls/', import.meta.url);
const certificate = readFileSync(new URL('receiver.crt', tlsDir));
const hosts: string[] = [];
const clients: ReturnType<typeof createHttpClient>[] = [];
let server: https.Server;
let port: number;

beforeAll(async () => {
  server = https.createServer({ cert: certificate, key: readFileSync(new URL('receiver.key', tlsDir)) }, (req, res) => {
    hosts.push(req.headers.host ?? '');
    req.resume();
    req.on('end', () => res.end('ok over tls'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  // The clients' keep-alive sockets go first, so nothing of this file outlives it.
  for (const client of clients) {
    const agent = client.defaults.options.agent.https;
    if (agent) agent.destroy();
  }
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const send = (client: ReturnType<typeof createHttpClient>, url: string, allowPrivateDestinations: boolean) => {
  clients.push(client);
  return sendWebhook(client, { url, body: '{"id":"evt_tls"}', headers: { 'content-type': 'application/json' }, allowPrivateDestinations });
};

describe('https receivers', () => {
  it('refuses a certificate nobody vouches for, before sending anything', async () => {
    const client = createHttpClient({ timeoutMs: 2000, allowPrivateDestinations: true });
    const before = hosts.length;
    const result = await send(client, `https://127.0.0.1:${port}/untrusted`, true);
    expect(result).toMatchObject({ error: 'tls_error', statusCode: null, responseBody: null });
    expect(hosts.length).toBe(before);
  });

  it("delivers when got's TLS options trust the receiver, with the name checked against the certificate", async () => {
    const dns = fakeResolver({ 'receiver.test': [['127.0.0.1']] });
    const client = createHttpClient({ timeoutMs: 2000, allowPrivateDestinations: true, lookup: dns.resolve }).extend({
      https: { certificateAuthority: certificate },
    });
    const result = await send(client, `https://receiver.test:${port}/trusted`, true);
    expect(result).toMatchObject({ statusCode: 200, error: null, responseBody: 'ok over tls' });
    expect(dns.asked).toEqual(['receiver.test']);
    expect(hosts.at(-1)).toBe(`receiver.test:${port}`);
  });

  it('still checks the name it resolves against private destinations', async () => {
    const dns = fakeResolver({ 'receiver.test': [['127.0.0.1']] });
    const client = createHttpClient({ timeoutMs: 2000, allowPrivateDestinations: false, lookup: dns.resolve }).extend({
      https: { certificateAuthority: certificate },
    });
    const before = hosts.length;
    const result = await send(client, `https://receiver.test:${port}/blocked`, false);
    expect(result).toMatchObject({ error: 'destination_blocked', statusCode: null });
    expect(hosts.length).toBe(before);
  });
});
