import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { durationField, parseConfig, sharedConfigFields } from './config.js';

const schema = z.object(sharedConfigFields);

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to throw');
}

describe('parseConfig with sharedConfigFields', () => {
  it("applies the contract's defaults to an empty environment", () => {
    const config = parseConfig(schema, {});
    expect(config).toEqual({
      NODE_ENV: 'development',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/dispatch',
      DATABASE_POOL_SIZE: 20,
      REDIS_URL: 'redis://127.0.0.1:6379',
      DISPATCH_QUEUE_BACKEND: 'redis',
      DISPATCH_QUEUE_POOL_SIZE: 10,
      DISPATCH_QUEUE_SHARDS: 1,
      DISPATCH_QUEUE_PREFIX: 'dispatch',
      DISPATCH_RETRY_SCHEDULE: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
      DISPATCH_REQUEST_TIMEOUT: 15_000,
      DISPATCH_DISABLE_AFTER: 5 * 24 * 3_600_000,
      DISPATCH_DISABLE_AFTER_FAILURES: 10,
      DISPATCH_ALLOW_PRIVATE_DESTINATIONS: false,
      LOG_LEVEL: 'info',
    });
    expect(config.DISPATCH_RETRY_SCHEDULE).toHaveLength(7);
  });

  it('reads and converts given values', () => {
    const config = parseConfig(schema, {
      NODE_ENV: 'test',
      DATABASE_URL: 'postgres://u:p@db:5432/other',
      DATABASE_POOL_SIZE: '5',
      REDIS_URL: 'redis://cache:6380/2',
      DISPATCH_QUEUE_PREFIX: 'test-run_1.a',
      DISPATCH_RETRY_SCHEDULE: '1s, 2s',
      DISPATCH_REQUEST_TIMEOUT: '500ms',
      DISPATCH_DISABLE_AFTER: '1h',
      DISPATCH_DISABLE_AFTER_FAILURES: '3',
      DISPATCH_ALLOW_PRIVATE_DESTINATIONS: 'true',
      LOG_LEVEL: 'silent',
    });
    expect(config).toMatchObject({
      NODE_ENV: 'test',
      DATABASE_URL: 'postgres://u:p@db:5432/other',
      DATABASE_POOL_SIZE: 5,
      REDIS_URL: 'redis://cache:6380/2',
      DISPATCH_QUEUE_PREFIX: 'test-run_1.a',
      DISPATCH_RETRY_SCHEDULE: [1_000, 2_000],
      DISPATCH_REQUEST_TIMEOUT: 500,
      DISPATCH_DISABLE_AFTER: 3_600_000,
      DISPATCH_DISABLE_AFTER_FAILURES: 3,
      DISPATCH_ALLOW_PRIVATE_DESTINATIONS: true,
      LOG_LEVEL: 'silent',
    });
  });

  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
    ['', false],
  ])('reads DISPATCH_ALLOW_PRIVATE_DESTINATIONS=%j as %s', (value, expected) => {
    expect(parseConfig(schema, { DISPATCH_ALLOW_PRIVATE_DESTINATIONS: value }).DISPATCH_ALLOW_PRIVATE_DESTINATIONS).toBe(expected);
  });

  it.each([
    ['DISPATCH_REQUEST_TIMEOUT', 'soon'],
    ['DISPATCH_DISABLE_AFTER', '5 days'],
    ['DISPATCH_RETRY_SCHEDULE', '5s,later'],
    ['DISPATCH_RETRY_SCHEDULE', ','],
    ['DISPATCH_DISABLE_AFTER_FAILURES', 'ten'],
    ['DISPATCH_DISABLE_AFTER_FAILURES', '0'],
    ['DISPATCH_DISABLE_AFTER_FAILURES', '2.5'],
    ['DISPATCH_ALLOW_PRIVATE_DESTINATIONS', 'maybe'],
    ['DISPATCH_QUEUE_PREFIX', 'has space'],
    ['DISPATCH_QUEUE_PREFIX', 'a:b'],
    ['DATABASE_URL', 'not a url'],
    ['REDIS_URL', 'localhost'],
    ['NODE_ENV', 'staging'],
    ['LOG_LEVEL', 'verbose'],
  ])('rejects %s=%j with an Error naming the variable', (name, value) => {
    const error = errorOf(() => parseConfig(schema, { [name]: value }));
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(/^Invalid configuration:\n/);
    expect(error.message).toContain(`  ${name}: `);
  });

  it('says what is wrong with a duration', () => {
    const error = errorOf(() => parseConfig(schema, { DISPATCH_REQUEST_TIMEOUT: 'soon' }));
    expect(error.message).toContain('DISPATCH_REQUEST_TIMEOUT: "soon" is not a duration');
  });

  it('lists every problem, one per line', () => {
    const error = errorOf(() => parseConfig(schema, { DISPATCH_REQUEST_TIMEOUT: 'soon', NODE_ENV: 'staging' }));
    const lines = error.message.split('\n').slice(1);
    expect(lines).toHaveLength(2);
    expect(error.message).toContain('  DISPATCH_REQUEST_TIMEOUT: ');
    expect(error.message).toContain('  NODE_ENV: ');
  });

  it('ignores variables the schema does not name', () => {
    expect(() => parseConfig(schema, { PATH: '/usr/bin', HOME: '/root' })).not.toThrow();
  });
});

describe('durationField', () => {
  it('defaults, converts and rejects like the shared duration fields', () => {
    const app = z.object({ INTERVAL: durationField('30s') });
    expect(parseConfig(app, {}).INTERVAL).toBe(30_000);
    expect(parseConfig(app, { INTERVAL: '2m' }).INTERVAL).toBe(120_000);
    expect(() => parseConfig(app, { INTERVAL: 'often' })).toThrow('INTERVAL: "often" is not a duration');
  });
});
