import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { getEventDefinition, maskHeaders, SecretBox } from '@dispatch/core';
import { Webhook } from 'standardwebhooks';
import { ADMIN_TOKEN, bearer, startHarness, type Harness } from '../../../test-support/harness.js';
import { migrationsUpTo } from '../../../test-support/migrations-up-to.js';
import { spawnApp, stopAllChildren } from '../../../test-support/processes.js';
import { Receiver } from '../../../test-support/receiver.js';
import { createApiKey } from '../src/services/workspaces.service.js';

// An install from before custom headers were sealed and values named their key: a database at
// migration 0003 whose webhook secrets are v1 values under the single DISPATCH_ENCRYPTION_KEY, with
// plaintext custom headers that its attempts stored in clear. Upgraded as operators do (migrate.js),
// then moved to a key ring, re-sealed and left with the new key only, and still delivering.

const OLD_KEY = 'the-single-key-this-install-always-had';
const NEW_KEY = randomBytes(32).toString('base64');
const OLD_IN_RING = `default:${createHash('sha256').update(OLD_KEY).digest('base64')}`;
const TOKEN = 'Bearer upgrade-token-0123456789abcdef';
// Values around the mask's reveal length and with non-ASCII (Latin-1) characters: migration 0004
// masks in SQL what core's maskHeaders masks in TypeScript, and the two must agree.
const HEADERS = { Authorization: TOKEN, 'X-Short': 'k-1', 'X-Nineteen': 'a'.repeat(15) + 'wxyz', 'X-Twenty': 'b'.repeat(16) + 'wxyz', 'X-Latin': 'clé-très-secrète-ñandú' };
const MASKED = maskHeaders(HEADERS);
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const PREVIOUS = `whsec_${randomBytes(32).toString('base64')}`;
const ADMIN = bearer(ADMIN_TOKEN);

/** A value as Dispatch sealed it before key ids: AES-256-GCM, key = SHA-256 of the single key. */
function sealV1(plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', createHash('sha256').update(OLD_KEY).digest(), iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), data].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

const admin = () => new pg.Client({ connectionString: withDatabase('postgres') });
const name = `${process.env.DISPATCH_TEST_DATABASE ?? 'dispatch_test'}_u${randomBytes(3).toString('hex')}`;
const url = withDatabase(name);
let client: pg.Client;
let receiver: Receiver;
const harnesses: Harness[] = [];

function withDatabase(database: string): string {
  const u = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  u.pathname = `/${database}`;
  return u.toString();
}

async function runMigrate(keys: Record<string, string>) {
  const app = spawnApp('migrate', { DATABASE_URL: url, DISPATCH_ENCRYPTION_KEY: '', DISPATCH_ENCRYPTION_KEYS: '', ...keys });
  return { exit: await app.exited, output: app.output() };
}

async function harnessWith(keys: Record<string, string>, worker = false): Promise<Harness> {
  const h = await startHarness({ env: { DATABASE_URL: url, DISPATCH_ENCRYPTION_KEY: '', DISPATCH_ENCRYPTION_KEYS: '', ...keys }, worker });
  harnesses.push(h);
  return h;
}

const query = async <T>(text: string, values: unknown[] = []) => (await client.query(text, values)).rows as T[];

beforeAll(async () => {
  const c = admin();
  await c.connect();
  await c.query(`CREATE DATABASE "${name}"`);
  await c.end();
  client = new pg.Client({ connectionString: url });
  await client.connect();
  const old = migrationsUpTo('0003_deliveries_drop_event_fk');
  await migrate(drizzle(client), { migrationsFolder: old });
  rmSync(old, { recursive: true });
  receiver = await new Receiver().start();
  await client.query(`INSERT INTO workspaces (id, name, features) VALUES ('ws_old', 'old', '{integrations}')`);
  await client.query(
    `INSERT INTO endpoints (id, workspace_id, kind, url, url_normalized, event_types, headers, secret_sealed, secret_hint)
     VALUES ('obw_old', 'ws_old', 'outbound_webhook', $1, $1, '{lead.created}', $2, $3, $4)`,
    [receiver.url('/obw'), JSON.stringify(HEADERS), sealV1(SECRET), SECRET.slice(-4)],
  );
  await client.query(
    `INSERT INTO endpoints (id, workspace_id, kind, name, url, url_normalized, event_types, secret_sealed, secret_hint, previous_secret_sealed, previous_secret_expires_at)
     VALUES ('wh_old', 'ws_old', 'workspace_webhook', 'wh', $1, $1, '{lead.created}', $2, $3, $4, now() + interval '1 day')`,
    [receiver.url('/wh'), sealV1(SECRET), SECRET.slice(-4), sealV1(PREVIOUS)],
  );
  await client.query(`INSERT INTO events (id, workspace_id, type, payload) VALUES ('evt_old', 'ws_old', 'lead.created', '{}')`);
  await client.query(
    `INSERT INTO deliveries (id, workspace_id, event_id, endpoint_id, endpoint_kind, event_type, status, attempt_count, max_attempts)
     VALUES ('dlv_old', 'ws_old', 'evt_old', 'obw_old', 'outbound_webhook', 'lead.created', 'succeeded', 1, 8)`,
  );
  await client.query(
    `INSERT INTO attempts (id, delivery_id, attempt_no, trigger, request_headers, status_code, response_time_ms, attempted_at)
     VALUES ('att_old', 'dlv_old', 1, 'initial', $1, 200, 5, now())`,
    [JSON.stringify({ ...HEADERS, 'content-type': 'application/json', 'user-agent': 'Dispatch-Webhooks/0.1.0', 'webhook-id': 'evt_old', 'webhook-signature': 'v1,abc', 'svix-id': 'evt_old' })],
  );
});

afterAll(async () => {
  for (const h of harnesses) await h.close();
  await stopAllChildren();
  await receiver?.close();
  await client?.end();
  const c = admin();
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await c.end();
});

describe('upgrading an install whose custom headers were plaintext', () => {
  it('migrate.js seals the custom headers, drops the plaintext and masks the stored attempts', async () => {
    const { exit, output } = await runMigrate({ DISPATCH_ENCRYPTION_KEY: OLD_KEY });
    expect({ exit, output }).toEqual({ exit: { code: 0, signal: null }, output: expect.stringContaining('sealed the plaintext custom headers of 1 endpoint(s)') });
    const [obw] = await query<{ headers: unknown; headers_sealed: string; headers_masked: unknown }>(`SELECT headers, headers_sealed, headers_masked FROM endpoints WHERE id = 'obw_old'`);
    expect(obw!.headers).toBeNull();
    expect(obw!.headers_masked).toEqual(MASKED);
    expect(MASKED).toMatchObject({ Authorization: '••••••••cdef', 'X-Short': '••••••••', 'X-Nineteen': '••••••••', 'X-Twenty': '••••••••wxyz', 'X-Latin': '••••••••andú' });
    expect(JSON.parse(new SecretBox(OLD_KEY).open(obw!.headers_sealed))).toEqual(HEADERS);
    const [wh] = await query<{ headers: unknown; headers_sealed: unknown }>(`SELECT headers, headers_sealed FROM endpoints WHERE id = 'wh_old'`);
    expect(wh).toEqual({ headers: null, headers_sealed: null });
    const [attempt] = await query<{ request_headers: Record<string, string> }>(`SELECT request_headers FROM attempts WHERE id = 'att_old'`);
    expect(attempt!.request_headers).toEqual({
      ...MASKED,
      'content-type': 'application/json',
      'user-agent': 'Dispatch-Webhooks/0.1.0',
      'webhook-id': 'evt_old',
      'webhook-signature': 'v1,abc',
      'svix-id': 'evt_old',
    });
    const dump = await query(`SELECT e.*, a.request_headers FROM endpoints e, attempts a`);
    expect(JSON.stringify(dump)).not.toContain('upgrade-token');
  });

  it('migrate.js run again changes nothing', async () => {
    const before = await query(`SELECT * FROM endpoints ORDER BY id`);
    const { exit, output } = await runMigrate({ DISPATCH_ENCRYPTION_KEY: OLD_KEY });
    expect(exit).toEqual({ code: 0, signal: null });
    expect(output).toContain('migrations applied');
    expect(output).not.toContain('sealed');
    expect(await query(`SELECT * FROM endpoints ORDER BY id`)).toEqual(before);
  });

  it('moves to a key ring: reseal under the single key, add a new key, reseal, drop the old key, and still delivers', async () => {
    const single = await harnessWith({ DISPATCH_ENCRYPTION_KEY: OLD_KEY });
    // Three v1 values (two secrets and a previous secret) and the headers migrate.js sealed.
    expect((await single.api.get('/api/admin/secrets').set(ADMIN)).body).toEqual({ keyId: 'default', total: 4, current: 1, remaining: 3 });
    expect((await single.api.post('/api/admin/secrets/reseal').set(ADMIN).send({})).body).toEqual({ keyId: 'default', resealed: 3, remaining: 0, total: 4 });

    // Without the old key the ring cannot open what it sealed: reseal says which endpoint and key.
    const newOnly = await harnessWith({ DISPATCH_ENCRYPTION_KEYS: `k2:${NEW_KEY}` });
    const refused = await newOnly.api.post('/api/admin/secrets/reseal').set(ADMIN).send({});
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/^endpoint (obw|wh)_old: a value sealed with the single DISPATCH_ENCRYPTION_KEY needs that key in the ring/);

    const ring = await harnessWith({ DISPATCH_ENCRYPTION_KEYS: `k2:${NEW_KEY},${OLD_IN_RING}` });
    expect((await ring.api.get('/api/admin/secrets').set(ADMIN)).body).toEqual({ keyId: 'k2', total: 4, current: 0, remaining: 4 });
    const progress: number[] = [];
    for (let remaining = 4; remaining > 0; ) {
      const res = await ring.api.post('/api/admin/secrets/reseal').set(ADMIN).send({ limit: 3 });
      expect(res.status).toBe(200);
      remaining = res.body.remaining;
      progress.push(res.body.resealed, remaining);
    }
    expect(progress).toEqual([3, 1, 1, 0]);
    const sealed = await query<{ v: string }>(
      `SELECT unnest(ARRAY[secret_sealed, previous_secret_sealed, headers_sealed]) AS v FROM endpoints`,
    );
    expect(sealed.map((r) => r.v).filter(Boolean).every((v) => v.startsWith('v2.k2.'))).toBe(true);

    // The old key is gone; everything still opens and the receivers get what they always got.
    const after = await harnessWith({ DISPATCH_ENCRYPTION_KEYS: `k2:${NEW_KEY}` }, true);
    expect((await after.api.get('/api/admin/secrets').set(ADMIN)).body).toEqual({ keyId: 'k2', total: 4, current: 4, remaining: 0 });
    const key = await createApiKey(after.deps.db, { workspaceId: 'ws_old', name: 'test', scopes: ['events:write', 'webhooks:read'] });
    const read = await after.api.get('/api/integrations/outbound/obw_old').set(bearer(key.key));
    expect(read.body.headers).toEqual(MASKED);
    const event = await after.api.post('/api/events').set(bearer(key.key)).send({ type: 'lead.created', data: structuredClone(getEventDefinition('lead.created').example) });
    expect(event.body.deliveries).toBe(2);
    await receiver.waitFor(() => receiver.on('/obw').length === 1 && receiver.on('/wh').length === 1);
    const [obw, wh] = [receiver.on('/obw')[0]!, receiver.on('/wh')[0]!];
    expect(obw.headers.authorization).toBe(TOKEN);
    // Node's server reads header bytes as Latin-1; the worker sent the value's UTF-8 bytes.
    expect(Buffer.from(obw.headers['x-latin'] as string, 'latin1').toString('utf8')).toBe(HEADERS['X-Latin']);
    expect(() => new Webhook(SECRET).verify(obw.body, obw.headers as Record<string, string>)).not.toThrow();
    expect(() => new Webhook(PREVIOUS).verify(wh.body, wh.headers as Record<string, string>)).not.toThrow();
  });
});
