import { describe, expect, it } from '@jest/globals';
import type { Request } from 'express';
import { parseConfig } from '@dispatch/core';
import { apiConfigSchema } from '../config.js';
import { clientAddressKey } from './client-address.js';
import { TokenBuckets } from './token-buckets.js';
import { testEncryptionEnv } from '../../../../test-support/encryption-key.js';

const keyOf = (ip: string) => clientAddressKey({ ip, socket: {} } as unknown as Request);

describe('clientAddressKey', () => {
  it('counts IPv4 (also IPv4-mapped IPv6) by address', () => {
    expect(keyOf('203.0.113.7')).toBe('203.0.113.7');
    expect(keyOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(keyOf('203.0.113.8')).not.toBe(keyOf('203.0.113.7'));
  });

  it('counts IPv6 by its /64, however the address is written', () => {
    expect(keyOf('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(keyOf('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe(keyOf('2001:db8:1:2::1'));
    expect(keyOf('2001:0db8:0001:0002::9')).toBe(keyOf('2001:db8:1:2::1'));
    expect(keyOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(keyOf('2001:db8:0:1::1')).not.toBe(keyOf('2001:db8::1'));
    expect(keyOf('::1')).toBe('0:0:0:0::/64');
    expect(keyOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});

describe('TokenBuckets', () => {
  it('grants a burst, then refuses with the wait until the next token, and refills', () => {
    let now = 0;
    const buckets = new TokenBuckets({ burst: 3, perSecond: 0.5 }, () => now);
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a')]).toEqual([0, 0, 0]);
    expect(buckets.take('a')).toBe(2);
    expect(buckets.take('b')).toBe(0);
    now = 1_000;
    expect(buckets.waitFor('a')).toBe(1);
    now = 2_000;
    expect(buckets.take('a')).toBe(0);
    buckets.giveBack('a');
    expect(buckets.take('a')).toBe(0);
    expect(buckets.take('a')).toBeGreaterThan(0);
  });

  it('keeps at most maxKeys buckets, forgetting the least recently touched (which comes back full)', () => {
    const buckets = new TokenBuckets({ burst: 1, perSecond: 0.001, maxKeys: 2 }, () => 0);
    buckets.take('a');
    buckets.take('b');
    buckets.take('a');
    buckets.take('c');
    expect(buckets.take('a')).toBeGreaterThan(0);
    expect(buckets.take('b')).toBe(0);
  });
});

describe('DISPATCH_TRUST_PROXY', () => {
  const parse = (value: string) => parseConfig(apiConfigSchema, { ...testEncryptionEnv(), DISPATCH_TRUST_PROXY: value }).DISPATCH_TRUST_PROXY;
  it('is off by default, a hop count, or the proxies’ addresses and subnets', () => {
    expect(parseConfig(apiConfigSchema, testEncryptionEnv()).DISPATCH_TRUST_PROXY).toBe(false);
    expect(parse('false')).toBe(false);
    expect(parse('1')).toBe(1);
    expect(parse('loopback, 10.0.0.0/8,2001:db8::/32')).toBe('loopback,10.0.0.0/8,2001:db8::/32');
  });

  it('refuses "true" (any client could choose its address) and anything that is not an address', () => {
    for (const value of ['true', 'nginx', '10.0.0.0/33', '10.0.0.1/8/8', 'loopback,']) expect(() => parse(value)).toThrow(/DISPATCH_TRUST_PROXY/);
  });
});
