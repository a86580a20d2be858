import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { parseConfig, sharedConfigFields } from '@dispatch/core';
import { apiConfigSchema } from '../src/config.js';
import { workerConfigSchema } from '@dispatch/worker/testing';

// docker-compose.yml, read as Compose reads it: every setting the apps read reaches them, the secrets
// it needs are required, and nothing is published beyond this host. (No Docker here: the YAML is
// parsed and its ${...} interpolated by the rules Compose documents.)

const root = fileURLToPath(new URL('../../..', import.meta.url));
type Service = { environment?: Record<string, string | number | boolean | null>; ports?: string[]; command?: string[]; healthcheck?: { test: string[] } };
const read = (file: string) => load(readFileSync(join(root, file), 'utf8')) as { services: Record<string, Service> };
const compose = read('docker-compose.yml');
const localServices = read('infra/compose.local-services.yml');

// Required by the compose file itself. The encryption key is required by the processes (one of two
// variables, which compose cannot express): see "refuses to start without an encryption key".
const ENCRYPTION = { DISPATCH_ENCRYPTION_KEY: 'compose-test-encryption-key-0123456789' };
const REQUIRED = {
  DISPATCH_ADMIN_TOKEN: 'compose-test-admin-token-0123456789',
  DISPATCH_POSTGRES_PASSWORD: 'pg0123456789abcdef',
  DISPATCH_REDIS_PASSWORD: 'redis0123456789abcdef',
};
const SECRETS = { ...ENCRYPTION, ...REQUIRED };

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $$. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g, (match, name: string | undefined, colon: string, op: string, arg: string) => {
    if (match === '$$') return '$';
    const value = env[name!];
    const missing = value === undefined || (colon === ':' && value === '');
    if (op === '?' && missing) throw new Error(`required variable ${name} is missing: ${arg}`);
    if (op === '-' && missing) return arg;
    return value ?? '';
  });
}

/** What a service's process sees: keys with no value come from `env` or are left out. */
function containerEnv(service: Service, env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(service.environment ?? {})) {
    if (value === null) {
      if (env[key] !== undefined) out[key] = env[key];
    } else out[key] = interpolate(String(value), env);
  }
  return out;
}

/** The configuration table's variables (README), e.g. `DISPATCH_RECONCILE_INTERVAL` / `DISPATCH_RECONCILE_GRACE`. */
function readmeVariables(): string[] {
  const lines = readFileSync(join(root, 'README.md'), 'utf8').split('\n');
  const rows: string[] = [];
  for (let i = lines.indexOf('| variable | default | meaning |') + 2; i > 1 && lines[i]?.startsWith('|'); i++) rows.push(lines[i]!);
  return rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!));
}

const apiKeys = Object.keys(apiConfigSchema.in.shape);
const workerKeys = Object.keys(workerConfigSchema.in.shape);
// The contract's table (API.md, "Configuration") names these too, before every app reads them.
const CONTRACT_ONLY = ['DISPATCH_ENCRYPTION_KEYS', 'DISPATCH_QUEUE_BACKEND', 'DISPATCH_WORKER_PORT', 'DISPATCH_METRICS_TOKEN'];

describe('docker-compose.yml', () => {
  it('hands every variable of the configs, the README table and the contract table to the api and the worker', () => {
    const table = readmeVariables();
    expect(table).toEqual(expect.arrayContaining(['DATABASE_URL', 'DISPATCH_ENCRYPTION_KEY', 'DISPATCH_RECONCILE_GRACE', 'LOG_LEVEL']));
    const everywhere = [...Object.keys(sharedConfigFields), ...table, ...CONTRACT_ONLY];
    const missing = (service: string, keys: string[]) => keys.filter((key) => !(key in (compose.services[service]!.environment ?? {})));
    expect(missing('api', [...everywhere, ...apiKeys])).toEqual([]);
    expect(missing('worker', [...everywhere, ...workerKeys])).toEqual([]);
  });

  it('passes a tunable through as set, and leaves it out when unset so the app default applies', () => {
    const env = { ...SECRETS, DISPATCH_RATE_LIMIT: '77', DISPATCH_RETENTION: '7d', LOG_LEVEL: 'debug' };
    expect(containerEnv(compose.services.api!, env)).toMatchObject({ DISPATCH_RATE_LIMIT: '77', LOG_LEVEL: 'debug' });
    expect(containerEnv(compose.services.worker!, env)).toMatchObject({ DISPATCH_RETENTION: '7d', LOG_LEVEL: 'debug' });
    const bare = containerEnv(compose.services.api!, SECRETS);
    expect(bare).not.toHaveProperty('DISPATCH_RATE_LIMIT');
    expect(parseConfig(apiConfigSchema, bare).DISPATCH_RATE_LIMIT).toBe(1000);
  });

  it('gives the apps a configuration they accept, in production, with the passwords in their URLs', () => {
    const api = parseConfig(apiConfigSchema, containerEnv(compose.services.api!, SECRETS));
    const worker = parseConfig(workerConfigSchema, containerEnv(compose.services.worker!, SECRETS));
    for (const config of [api, worker]) {
      expect(config.NODE_ENV).toBe('production');
      expect(config.encryptionKeys.map((key) => key.id)).toEqual(['default']);
      expect(new URL(config.DATABASE_URL)).toMatchObject({ hostname: 'postgres', password: SECRETS.DISPATCH_POSTGRES_PASSWORD });
      expect(new URL(config.REDIS_URL)).toMatchObject({ hostname: 'redis', password: SECRETS.DISPATCH_REDIS_PASSWORD });
    }
  });

  it('refuses to start without an encryption key: the apps exit, as compose cannot require one of two variables', () => {
    for (const service of ['api', 'worker'] as const) {
      const schema = service === 'api' ? apiConfigSchema : workerConfigSchema;
      expect(() => parseConfig(schema, containerEnv(compose.services[service]!, REQUIRED))).toThrow(/DISPATCH_ENCRYPTION_KEYS/);
      const ring = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
      expect(parseConfig(schema, containerEnv(compose.services[service]!, { ...REQUIRED, DISPATCH_ENCRYPTION_KEYS: ring })).encryptionKeys.map((key) => key.id)).toEqual(['k1']);
    }
  });

  it.each(Object.keys(REQUIRED))('refuses to start without %s', (name) => {
    const env: Record<string, string> = { ...SECRETS };
    delete env[name];
    const everything = () => Object.values(compose.services).forEach((service) => (containerEnv(service, env), (service.command ?? []).map((part) => interpolate(part, env))));
    expect(everything).toThrow(`required variable ${name} is missing`);
  });

  it('has Postgres require its password and Redis its own (no trust, no open Redis)', () => {
    const postgres = containerEnv(compose.services.postgres!, SECRETS);
    expect(postgres.POSTGRES_PASSWORD).toBe(SECRETS.DISPATCH_POSTGRES_PASSWORD);
    expect(postgres).not.toHaveProperty('POSTGRES_HOST_AUTH_METHOD');
    const redisCommand = compose.services.redis!.command!.map((part) => interpolate(part, SECRETS));
    expect(redisCommand.slice(0, 3)).toEqual(['redis-server', '--requirepass', SECRETS.DISPATCH_REDIS_PASSWORD]);
  });

  it("checks the worker by its /readyz on its health port", () => {
    const worker = compose.services.worker!;
    expect(worker.healthcheck?.test.join(' ')).toContain("/readyz");
    expect(worker.healthcheck?.test.join(' ')).toContain('process.env.DISPATCH_WORKER_PORT || 3001');
  });

  const published = (file: { services: Record<string, Service> }, env: Record<string, string>) =>
    Object.entries(file.services).flatMap(([name, service]) => (service.ports ?? []).map((port) => ({ name, port: interpolate(port, env) })));
  // "[host_ip:]host_port:container_port": without a host address Docker binds every interface.
  const hostAddress = (port: string) => {
    const parts = port.replace(/\/(tcp|udp)$/, '').split(':');
    return parts.length >= 3 ? parts.slice(0, -2).join(':').replace(/^\[|\]$/g, '') : '0.0.0.0';
  };

  it('publishes nothing beyond 127.0.0.1: the API on loopback, Postgres and Redis not at all', () => {
    const ports = published(compose, SECRETS);
    expect(ports.map((p) => p.name)).toEqual(['api']);
    expect(ports.map((p) => hostAddress(p.port))).toEqual(['127.0.0.1']);
    expect(ports[0]!.port).toBe('127.0.0.1:3000:3000');
    expect(published(compose, { ...SECRETS, PORT: '8080' })[0]!.port).toBe('127.0.0.1:8080:8080');
    expect(containerEnv(compose.services.api!, { ...SECRETS, PORT: '8080' }).PORT).toBe('8080');
  });

  it("publishes lib.sh's local Postgres and Redis on 127.0.0.1 only", () => {
    const ports = published(localServices, SECRETS);
    expect(ports).toEqual([
      { name: 'postgres', port: '127.0.0.1:5432:5432' },
      { name: 'redis', port: '127.0.0.1:6379:6379' },
    ]);
    expect(Object.keys(localServices.services).every((name) => name in compose.services)).toBe(true);
  });
});
