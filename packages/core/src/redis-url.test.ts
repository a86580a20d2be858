import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { parseConfig, sharedConfigFields } from './config.js';
import { parseRedisUrl } from './redis-url.js';

describe('parseRedisUrl', () => {
  it('reads one server, with its credentials, database and TLS', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379')).toEqual({ mode: 'standalone', host: '127.0.0.1', port: 6379, db: undefined, tls: false });
    expect(parseRedisUrl('rediss://us%40r:p%3Ass@cache.internal/2')).toEqual({
      mode: 'standalone',
      host: 'cache.internal',
      port: 6379,
      db: 2,
      username: 'us@r',
      password: 'p:ss',
      tls: true,
    });
    // compose's form: a password without a user name
    expect(parseRedisUrl('redis://:secret@redis:6379')).toMatchObject({ host: 'redis', password: 'secret' });
    expect(parseRedisUrl('redis://:secret@redis:6379')).not.toHaveProperty('username');
  });

  it('reads a cluster seed list, ports defaulting to 6379, IPv6 in brackets', () => {
    expect(parseRedisUrl('redis+cluster://h1:7000,h2:7001,[::1]:7002,h4')).toEqual({
      mode: 'cluster',
      nodes: [
        { host: 'h1', port: 7000 },
        { host: 'h2', port: 7001 },
        { host: '::1', port: 7002 },
        { host: 'h4', port: 6379 },
      ],
      tls: false,
    });
    expect(parseRedisUrl('rediss+cluster://app:pw@h1:7000/')).toEqual({ mode: 'cluster', nodes: [{ host: 'h1', port: 7000 }], username: 'app', password: 'pw', tls: true });
  });

  it('reads a sentinel list, the master name, a database and the sentinels\' own password', () => {
    expect(parseRedisUrl('redis+sentinel://s1:26379,s2/mymaster')).toEqual({
      mode: 'sentinel',
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      masterName: 'mymaster',
      db: undefined,
      sentinelPassword: undefined,
      tls: false,
    });
    expect(parseRedisUrl('rediss+sentinel://:pw@s1:5000/primary-1/3?sentinelPassword=s%26p')).toMatchObject({
      masterName: 'primary-1',
      db: 3,
      password: 'pw',
      sentinelPassword: 's&p',
      tls: true,
    });
  });

  it.each([
    ['localhost', /expected redis:\/\/host:port/],
    ['http://h:6379', /expected redis:\/\/host:port/],
    ['redis+mesh://h:1', /expected redis:\/\/host:port/],
    ['redis://', /no host/],
    ['redis://h1:1,h2:2', /several hosts need redis\+cluster/],
    ['redis://h:99999', /not a host\[:port\]/],
    ['redis://h:6379/x', /database "x"/],
    ['redis+cluster://h1:7000,bad host:7001', /"bad host:7001" is not a host/],
    ['redis+cluster://h1:7000/2', /has no path/],
    ['redis+sentinel://s1:26379', /names its master/],
    ['redis+sentinel://s1:26379/m/1/x', /\/master\[\/db\]/],
    ['redis://:%zz@h:1', /password in REDIS_URL is not valid percent-encoding/],
  ])('refuses %j, saying why', (url, message) => {
    expect(() => parseRedisUrl(url)).toThrow(message);
  });
});

describe('REDIS_URL and DISPATCH_QUEUE_SHARDS in the config', () => {
  const schema = z.object(sharedConfigFields);

  it('accepts every form and keeps the URL as given', () => {
    for (const url of ['redis://h:1/0', 'rediss+cluster://h1:7000,h2:7001', 'redis+sentinel://s1:26379,s2:26379/mymaster']) {
      expect(parseConfig(schema, { REDIS_URL: url }).REDIS_URL).toBe(url);
    }
  });

  it('names the variable and the reason for a bad URL, without echoing its password', () => {
    expect(() => parseConfig(schema, { REDIS_URL: 'redis+cluster://:hunter2@h1:7000/4' })).toThrow(/REDIS_URL: a redis\+cluster:\/\/ URL has no path/);
    expect(() => parseConfig(schema, { REDIS_URL: 'redis+cluster://:hunter2@h1:7000/4' })).not.toThrow(/hunter2/);
  });

  it('reads the shard count, 1 by default, refusing 0 and fractions', () => {
    expect(parseConfig(schema, {}).DISPATCH_QUEUE_SHARDS).toBe(1);
    expect(parseConfig(schema, { DISPATCH_QUEUE_SHARDS: '3' }).DISPATCH_QUEUE_SHARDS).toBe(3);
    for (const bad of ['0', '1.5', 'many', '65']) expect(() => parseConfig(schema, { DISPATCH_QUEUE_SHARDS: bad })).toThrow(/DISPATCH_QUEUE_SHARDS: /);
  });
});
