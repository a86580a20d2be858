import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnApp, stopAllChildren } from '../../../test-support/processes.js';

// No encryption key is built in: every process that seals or opens refuses to start without one, in
// every NODE_ENV, and says which variables to set. Run as operators run them (child processes).

afterAll(async () => {
  await stopAllChildren();
});

async function exitOf(kind: Parameters<typeof spawnApp>[0], env: Record<string, string>) {
  const app = spawnApp(kind, { REDIS_URL: 'redis://127.0.0.1:1', PORT: '0', DISPATCH_WORKER_PORT: '0', ...env });
  const timeout = new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 20_000).unref());
  const outcome = await Promise.race([app.exited, timeout]);
  if (outcome === 'still running') app.signal('SIGKILL');
  return { outcome, output: app.output() };
}

describe('a process without an encryption key', () => {
  it.each([
    ['api', 'production'],
    ['api', 'development'],
    ['worker', 'test'],
    ['worker', 'development'],
    ['migrate', 'development'],
  ] as const)('%s (NODE_ENV=%s) exits at once, naming both variables', async (kind, nodeEnv) => {
    const { outcome, output } = await exitOf(kind, { NODE_ENV: nodeEnv, DISPATCH_ENCRYPTION_KEY: '', DISPATCH_ENCRYPTION_KEYS: '' });
    expect(outcome).toEqual({ code: 1, signal: null });
    expect(output).toContain('Invalid configuration:');
    expect(output).toContain('DISPATCH_ENCRYPTION_KEY: no encryption key: set DISPATCH_ENCRYPTION_KEY');
    expect(output).toContain('DISPATCH_ENCRYPTION_KEYS');
  });

  it.each(['api', 'worker', 'migrate'] as const)('%s refuses a bad key ring, saying what is wrong with it', async (kind) => {
    const { outcome, output } = await exitOf(kind, { DISPATCH_ENCRYPTION_KEY: '', DISPATCH_ENCRYPTION_KEYS: `k1:${Buffer.alloc(16, 1).toString('base64')}` });
    expect(outcome).toEqual({ code: 1, signal: null });
    expect(output).toContain('DISPATCH_ENCRYPTION_KEYS: key "k1" is too short: 16 bytes, needs 32');
  });
});
