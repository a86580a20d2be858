import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { generateSecret, SECRET_PREFIX, signedHeaders, signPayload, type SignedHeaders } from './signing.js';

const body = JSON.stringify({ id: 'evt_1', type: 'lead.created', timestamp: '2024-05-01T12:00:00.000Z', data: { a: 1 } });
const msgId = 'evt_01HZX0000000000000000000000';

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

type StandardHeaders = Pick<SignedHeaders, 'webhook-id' | 'webhook-timestamp' | 'webhook-signature'>;

/** Both official verifiers; each throws on a bad signature. */
function verifyWithBoth(secret: string, payload: string, headers: StandardHeaders | SignedHeaders): void {
  new SvixWebhook(secret).verify(payload, { ...headers });
  new StandardWebhook(secret).verify(payload, { ...headers });
}

describe('generateSecret', () => {
  it('is whsec_ followed by the base64 of 32 random bytes', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(keyOf(secret)).toHaveLength(32);
    expect(keyOf(secret).toString('base64')).toBe(secret.slice(SECRET_PREFIX.length));
  });

  it('honours another key size within the contract (24 to 64 bytes)', () => {
    expect(keyOf(generateSecret(24))).toHaveLength(24);
    expect(keyOf(generateSecret(64))).toHaveLength(64);
  });

  it('never returns the same secret twice', () => {
    expect(generateSecret()).not.toBe(generateSecret());
  });
});

describe('signedHeaders', () => {
  it('sets webhook-* headers and their svix-* twins to the same values', () => {
    const at = new Date('2024-05-01T12:00:00.750Z');
    const headers = signedHeaders([generateSecret()], msgId, at, body);
    expect(Object.keys(headers).sort()).toEqual(
      ['svix-id', 'svix-signature', 'svix-timestamp', 'webhook-id', 'webhook-signature', 'webhook-timestamp'].sort(),
    );
    expect(headers['svix-id']).toBe(headers['webhook-id']);
    expect(headers['svix-timestamp']).toBe(headers['webhook-timestamp']);
    expect(headers['svix-signature']).toBe(headers['webhook-signature']);
    expect(headers['webhook-id']).toBe(msgId);
  });

  it('uses whole unix seconds for the timestamp', () => {
    const at = new Date('2024-05-01T12:00:00.750Z');
    const headers = signedHeaders([generateSecret()], msgId, at, body);
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(at.getTime() / 1000)));
    expect(headers['webhook-timestamp']).toBe('1714564800');
  });

  it('is accepted by the official svix and standardwebhooks verifiers', () => {
    const secret = generateSecret();
    const headers = signedHeaders([secret], msgId, new Date(), body);
    expect(() => verifyWithBoth(secret, body, headers)).not.toThrow();
  });

  it('is accepted by both verifiers given only the webhook-* headers', () => {
    const secret = generateSecret();
    const all = signedHeaders([secret], msgId, new Date(), body);
    const standardOnly = {
      'webhook-id': all['webhook-id'],
      'webhook-timestamp': all['webhook-timestamp'],
      'webhook-signature': all['webhook-signature'],
    };
    expect(() => verifyWithBoth(secret, body, standardOnly)).not.toThrow();
  });

  it('is rejected by both verifiers when the body was tampered with', () => {
    const secret = generateSecret();
    const headers = signedHeaders([secret], msgId, new Date(), body);
    const tampered = body.replace('"a":1', '"a":2');
    expect(tampered).not.toBe(body);
    expect(() => new SvixWebhook(secret).verify(tampered, headers)).toThrow();
    expect(() => new StandardWebhook(secret).verify(tampered, headers)).toThrow();
  });

  it('is rejected by both verifiers under another secret', () => {
    const headers = signedHeaders([generateSecret()], msgId, new Date(), body);
    const other = generateSecret();
    expect(() => new SvixWebhook(other).verify(body, headers)).toThrow();
    expect(() => new StandardWebhook(other).verify(body, headers)).toThrow();
  });

  it('carries one space-separated signature per secret during a rotation, each verifying alone', () => {
    const newer = generateSecret();
    const older = generateSecret();
    const headers = signedHeaders([newer, older], msgId, new Date(), body);
    const signatures = headers['webhook-signature'].split(' ');
    expect(signatures).toHaveLength(2);
    for (const signature of signatures) expect(signature).toMatch(/^v1,[A-Za-z0-9+/]+={0,2}$/);
    expect(signatures[0]).not.toBe(signatures[1]);
    expect(() => verifyWithBoth(newer, body, headers)).not.toThrow();
    expect(() => verifyWithBoth(older, body, headers)).not.toThrow();
    expect(() => verifyWithBoth(generateSecret(), body, headers)).toThrow();
  });
});

describe('signPayload', () => {
  it('matches a known answer: v1, + base64 HMAC-SHA256(key, id.timestamp.body) with the decoded key', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const at = new Date(1_714_564_800_000);
    const expected = createHmac('sha256', keyOf(secret)).update(`${msgId}.1714564800.${body}`).digest('base64');
    expect(signPayload([secret], msgId, at, body)).toBe(`v1,${expected}`);
  });

  it('signs newest first, in the order the secrets are given', () => {
    const a = generateSecret();
    const b = generateSecret();
    const at = new Date();
    expect(signPayload([a, b], msgId, at, body)).toBe(`${signPayload([a], msgId, at, body)} ${signPayload([b], msgId, at, body)}`);
  });

  it('signs the exact bytes: the same JSON with other whitespace gets another signature', () => {
    const secret = generateSecret();
    const at = new Date();
    const reformatted = JSON.stringify(JSON.parse(body), null, 2);
    expect(signPayload([secret], msgId, at, reformatted)).not.toBe(signPayload([secret], msgId, at, body));
  });
});

describe('signing memory', () => {
  it('keeps no signer (nor its secret) once a signature is made: a rotated-out secret leaves memory', () => {
    // In a plain Node process: v8.queryObjects (which collects garbage, then counts the live objects
    // a constructor built) does not see into jest's module sandbox.
    const script = `
      import { queryObjects } from 'node:v8';
      import { Webhook } from 'svix';
      import { generateSecret, signPayload } from ${JSON.stringify(new URL('./signing.ts', import.meta.url).href)};
      for (let i = 0; i < 200; i++) signPayload([generateSecret()], 'msg_1', new Date(), '{}');
      process.stdout.write(String(queryObjects(Webhook, { format: 'count' })));`;
    const live = execFileSync(process.execPath, ['--no-warnings', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
    });
    expect(Number(live)).toBe(0);
  });
});
