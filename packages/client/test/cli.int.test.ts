import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'svix';
import { serveApiWith, serveHarnessApi, type ApiServer } from '../../../test-support/api-server.js';
import { TEST_ENCRYPTION_KEY } from '../../../test-support/encryption-key.js';
import { ADMIN_TOKEN, eventually, startHarness, type Harness } from '../../../test-support/harness.js';
import { Receiver } from '../../../test-support/receiver.js';

// The CLI as people and scripts run it: a child process (`npm run dispatch -- …` runs exactly this
// entry through tsx) against a running API and worker over real HTTP. --json output is parsed,
// exit codes and stderr are checked, and the progress bar's last line is read.

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const ENTRY = 'packages/client/src/cli/main.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let h: Harness;
let server: ApiServer;
let receiver: Receiver;
let url = '';

function dispatch(args: string[], env: Record<string, string> = {}, options: { killAfterMs?: number; until?: (stdout: string) => boolean } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=dispatch-source', ENTRY, ...args], {
      cwd: ROOT,
      // Nothing of the developer's shell: the CLI reads only what is given here.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DISPATCH_URL: url, ...env },
    });
    let stdout = '';
    let stderr = '';
    const timer = options.killAfterMs ? setTimeout(() => child.kill('SIGINT'), options.killAfterMs) : undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (options.until?.(stdout)) child.kill('SIGINT');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const admin = { DISPATCH_ADMIN_TOKEN: ADMIN_TOKEN };
const json = <T>(run: Run): T => {
  expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(run.stdout) as T;
};
const lastLine = (text: string) => text.trim().split('\n').pop() ?? '';

let workspaceId = '';
let apiKey = '';
let endpointId = '';

beforeAll(async () => {
  // A retry schedule long enough that failing deliveries stay failing while the test looks at them.
  h = await startHarness({ env: { DISPATCH_RETRY_SCHEDULE: '1h' } });
  receiver = await new Receiver().start();
  server = await serveHarnessApi(h);
  url = server.url;
}, 60_000);

afterAll(async () => {
  await server?.close();
  await h?.close();
  await receiver?.close();
});

describe('operator commands (admin token)', () => {
  it('creates a workspace with its first key (shown once) and prints exactly the JSON the contract names', async () => {
    const created = json<{ workspace: { id: string; name: string; features: string[] }; apiKey: string }>(
      await dispatch(['workspaces', 'create', '--name', 'Acme', '--features', 'integrations', '--json'], admin),
    );
    expect(created.workspace).toMatchObject({ id: expect.stringMatching(/^ws_/), name: 'Acme', features: ['integrations'] });
    expect(created.apiKey).toMatch(/^dsp_/);
    workspaceId = created.workspace.id;
    apiKey = created.apiKey;
    const shown = await dispatch(['workspaces', 'show', workspaceId], admin);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('Acme');
    expect(shown.stdout).not.toContain(apiKey);
  });

  it('creates, lists, rotates and revokes keys; the list never shows a key', async () => {
    const key = json<{ id: string; key: string; scopes: string[]; expiresAt: string }>(
      await dispatch(['keys', 'create', '--workspace', workspaceId, '--scopes', 'links:read', '--expires-in', '90d', '--json'], admin),
    );
    expect(key).toMatchObject({ scopes: ['links:read'], expiresAt: expect.any(String) });
    const listed = json<{ data: { id: string; hint: string }[] }>(await dispatch(['keys', 'list', '--workspace', workspaceId, '--json'], admin));
    expect(listed.data.map((k) => k.id)).toContain(key.id);
    expect(JSON.stringify(listed)).not.toContain(key.key);
    const rotated = json<{ id: string; key: string; previousKeyExpiresAt: string }>(
      await dispatch(['keys', 'rotate', key.id, '--workspace', workspaceId, '--grace', '0', '--json'], admin),
    );
    expect(rotated.key).toMatch(/^dsp_/);
    expect(rotated.id).not.toBe(key.id);
    expect((await dispatch(['keys', 'revoke', rotated.id, '--workspace', workspaceId], admin)).code).toBe(0);
    await eventually(async () => (await fetch(`${url}/api/links`, { headers: { authorization: `Bearer ${rotated.key}` } })).status === 401);
    const table = await dispatch(['keys', 'list', '--workspace', workspaceId], admin);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+HINT\s+SCOPES/);
  });

});

describe('on-call commands (workspace key)', () => {
  const key = () => ({ DISPATCH_API_KEY: apiKey });

  it('sends catalog examples to a failing endpoint, then finds them failing, with the 500 body in the timeline', async () => {
    receiver.script('/cli', [{ status: 500, body: 'receiver down' }]);
    const hook = await fetch(`${url}/api/webhooks-manage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'crm', url: receiver.url('/cli'), triggers: ['lead.created'] }),
    });
    endpointId = ((await hook.json()) as { id: string }).id;
    for (let i = 0; i < 2; i++) {
      const sent = json<{ id: string; deliveries: number }>(await dispatch(['events', 'send', '--type', 'lead.created', '--example', '--json'], key()));
      expect(sent).toMatchObject({ id: expect.stringMatching(/^evt_/), deliveries: 1 });
    }
    const failing = await eventually(async () => {
      const page = json<{ data: { id: string; status: string }[] }>(await dispatch(['deliveries', 'list', '--status', 'failing', '--json'], key()));
      return page.data.length === 2 ? page.data : undefined;
    }, 30_000);
    const shown = await dispatch(['deliveries', 'show', failing[0]!.id], key());
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/#1 initial\s+\S+\s+500/);
    expect(shown.stdout).toContain('receiver down');
    expect(shown.stdout).toContain('"type": "lead.created"');
    const table = await dispatch(['endpoints', 'list'], key());
    expect(table.stdout).toContain(endpointId);
    const stats = json<{ attempts: number; successRate: number }>(await dispatch(['endpoints', 'stats', endpointId, '--json'], key()));
    expect(stats).toMatchObject({ attempts: 2, successRate: 0 });
  }, 60_000);

  it('replays what is failing once the receiver is fixed, with a progress bar to done, and everything is delivered', async () => {
    receiver.script('/cli', [{ status: 200, body: 'fixed' }]);
    const dry = json<{ count: number }>(await dispatch(['replay', '--since', '1h', '--status', 'failing', '--dry-run', '--json'], key()));
    expect(dry.count).toBe(2);
    const run = await dispatch(['replay', '--since', '1h', '--status', 'failing', '--json'], key());
    const done = json<{ status: string; count: number; succeeded: number }>(run);
    expect(done).toMatchObject({ status: 'completed', count: 2, succeeded: 2 });
    expect(lastLine(run.stderr)).toBe('replaying [##############################] 100% 2/2 (2 succeeded, 0 failed)');
    const delivered = json<{ data: unknown[] }>(await dispatch(['deliveries', 'list', '--status', 'succeeded', '--json'], key()));
    expect(delivered.data).toHaveLength(2);
  }, 60_000);

  it('redelivers one delivery by its id alone', async () => {
    const page = json<{ data: { id: string }[] }>(await dispatch(['deliveries', 'list', '--json'], key()));
    const answer = json<{ delivery: { id: string } }>(await dispatch(['redeliver', page.data[0]!.id, '--json'], key()));
    expect(answer.delivery.id).toBe(page.data[0]!.id);
    await eventually(async () => receiver.on('/cli').filter((r) => r.headers['webhook-id'] === receiver.on('/cli')[0]!.headers['webhook-id']).length >= 1);
  });

  it('tails the attempts as they happen', async () => {
    const run = await dispatch(['tail', '--last', '3', '--json'], key(), { killAfterMs: 15_000, until: (out) => out.trim().split('\n').length >= 3 });
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { deliveryId: string; statusCode: number | null });
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.every((line) => line.deliveryId.startsWith('dlv_'))).toBe(true);
  }, 30_000);

  it("exits 1 with the API's own message on stderr, and 2 on a usage error", async () => {
    const refused = await dispatch(['deliveries', 'list'], { DISPATCH_API_KEY: 'dsp_not-a-key' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^dispatch: missing, malformed or unknown API key \(401 unauthorized, request req_/);
    const missing = await dispatch(['deliveries', 'show', 'dlv_nope'], key());
    expect({ code: missing.code, stderr: missing.stderr }).toEqual({ code: 1, stderr: expect.stringContaining('delivery not found (404 not_found') });
    expect((await dispatch(['deliveries', 'list', '--status', 'sideways'], key())).code).toBe(2);
    expect((await dispatch(['no-such', 'command'], key())).code).toBe(2);
  });
});

describe('secrets', () => {
  it('re-seals every secret under a new first key of the ring, with a progress bar whose last line says done', async () => {
    // A second API process whose ring puts a new key first (the test key is the ring's `default`).
    const ring = `k2:${randomBytes(32).toString('base64')},default:${createHash('sha256').update(TEST_ENCRYPTION_KEY).digest('base64')}`;
    const second = await serveApiWith(h, { DISPATCH_ENCRYPTION_KEY: '', DISPATCH_ENCRYPTION_KEYS: ring });
    try {
      const env = { ...admin, DISPATCH_URL: second.url };
      const before = json<{ keyId: string; remaining: number }>(await dispatch(['secrets', 'status', '--json'], env));
      expect(before.keyId).toBe('k2');
      expect(before.remaining).toBeGreaterThan(0);
      const run = await dispatch(['secrets', 'reseal', '--batch', '1', '--json'], env);
      expect(json<{ remaining: number }>(run).remaining).toBe(0);
      expect(lastLine(run.stderr)).toBe(`resealing [##############################] 100% ${before.remaining}/${before.remaining} done`);
      expect(json<{ current: number; remaining: number }>(await dispatch(['secrets', 'status', '--json'], env))).toMatchObject({ current: before.remaining, remaining: 0 });
    } finally {
      await second.close();
    }
  });
});

describe('listen', () => {
  it('prints each request and whether its signature verifies with the given secret', async () => {
    const secret = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    const port = 40_000 + Math.floor(Math.random() * 20_000);
    const running = dispatch(['listen', '--port', String(port), '--secret', secret, '--json'], {}, { killAfterMs: 20_000, until: (out) => out.trim().split('\n').length >= 2 });
    const body = JSON.stringify({ id: 'evt_1', type: 'lead.created', timestamp: new Date().toISOString(), data: {} });
    const post = async (headers: Record<string, string>) => {
      for (;;) {
        try {
          return await fetch(`http://127.0.0.1:${port}/hook`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    };
    const at = new Date();
    const signature = new Webhook(secret).sign('msg_1', at, body);
    const id = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)) };
    expect((await post({ ...id, 'webhook-signature': signature })).status).toBe(200);
    await post({ ...id, 'webhook-signature': 'v1,bm90IGEgc2lnbmF0dXJl' });
    const lines = (await running).stdout.trim().split('\n').map((line) => JSON.parse(line) as { verified: boolean; path: string });
    expect(lines.map((line) => [line.path, line.verified])).toEqual([
      ['/hook', true],
      ['/hook', false],
    ]);
  }, 30_000);
});
