import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// `npm start` judges the settings before it installs or builds anything: first a dependency-free
// script (infra/scripts/check-settings.mjs), then, once installed, the apps' own config schemas
// (infra/scripts/check-config.ts). Both print every problem and exit 1.

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const KEY = { DISPATCH_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') };

function run(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}
const plainCheck = (env: Record<string, string>) => run(['infra/scripts/check-settings.mjs'], env);
const schemaCheck = (env: Record<string, string>) => run(['--import', 'tsx', '--conditions=dispatch-source', 'infra/scripts/check-config.ts'], env);

describe('check-settings.mjs (before the install)', () => {
  it('passes an empty environment and good settings', () => {
    expect(plainCheck({}).status).toBe(0);
    expect(plainCheck({ DATABASE_URL: 'postgres://u:p@db:5432/x', REDIS_URL: 'rediss://cache:6380', PORT: '8080', DISPATCH_ADMIN_TOKEN: 'a'.repeat(16) }).status).toBe(0);
  });

  it('leaves a Redis Cluster or Sentinel seed list to the schema, and the start script uses it as it is', () => {
    for (const url of ['redis+cluster://h1:7000,h2:7001', 'redis+sentinel://s1:26379,s2/mymaster']) {
      expect(plainCheck({ REDIS_URL: url })).toEqual({ status: 0, stderr: '' });
      const started = spawnSync('bash', ['-c', 'source infra/scripts/lib.sh && ensure_redis "$0"', url], { cwd: ROOT, encoding: 'utf8' });
      expect(started.stderr).toContain('REDIS_URL names a Redis Cluster or Sentinel');
      expect(started.status).toBe(0);
    }
  });

  it.each([
    [{ DISPATCH_ADMIN_TOKEN: 'short' }, 'DISPATCH_ADMIN_TOKEN: must be at least 16 characters'],
    [{ DATABASE_URL: 'localhost:5432' }, 'DATABASE_URL: must start with postgres: or postgresql:'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL: not a URL'],
    [{ REDIS_URL: 'http://127.0.0.1:6379' }, 'REDIS_URL: must start with redis: or rediss:'],
    [{ PORT: '3000x' }, 'PORT: must be a port number'],
    [{ DISPATCH_QUEUE_BACKEND: 'kafka' }, 'DISPATCH_QUEUE_BACKEND: must be redis or postgres'],
    [{ DISPATCH_ALLOW_PRIVATE_DESTINATIONS: 'yes please' }, 'DISPATCH_ALLOW_PRIVATE_DESTINATIONS: must be one of'],
  ])('refuses %j', (env, message) => {
    const { status, stderr } = plainCheck(env);
    expect(status).toBe(1);
    expect(stderr).toContain(message);
  });
});

describe('check-config.ts (the apps’ schemas, before the build)', () => {
  it('passes what the apps accept', () => {
    expect(schemaCheck(KEY)).toEqual({ status: 0, stderr: '' });
  });

  it('names every problem once, from either app', () => {
    const { status, stderr } = schemaCheck({ ...KEY, DISPATCH_RETRY_SCHEDULE: '5s,soon', DISPATCH_WORKER_CONCURRENCY: '0', DISPATCH_TRUST_PROXY: 'true' });
    expect(status).toBe(1);
    expect(stderr).toMatch(/DISPATCH_RETRY_SCHEDULE: /);
    expect(stderr).toMatch(/DISPATCH_WORKER_CONCURRENCY: /);
    expect(stderr).toMatch(/DISPATCH_TRUST_PROXY: /);
    expect(stderr.match(/DISPATCH_RETRY_SCHEDULE/g)).toHaveLength(1);
  });
});
