import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { parseConfig } from './config.js';
import { encryptionKeyFields, parseKeyRing, resolveEncryptionKeys, withEncryptionKeys } from './encryption-keys.js';

const b64 = (bytes = 32) => randomBytes(bytes).toString('base64');
const schema = z.object({ OTHER: z.string().default('x'), ...encryptionKeyFields }).transform(withEncryptionKeys);

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the call to throw');
}

describe('resolveEncryptionKeys', () => {
  it('refuses an environment without a key, in every NODE_ENV, naming both variables', () => {
    for (const env of [{}, { DISPATCH_ENCRYPTION_KEY: '', DISPATCH_ENCRYPTION_KEYS: '' }]) {
      const message = messageOf(() => resolveEncryptionKeys(env));
      expect(message).toContain('DISPATCH_ENCRYPTION_KEY ');
      expect(message).toContain('DISPATCH_ENCRYPTION_KEYS ');
      expect(message).toContain('no built-in key');
    }
  });

  it('maps the single key to the ring `default` = SHA-256 of the string', () => {
    const ring = resolveEncryptionKeys({ DISPATCH_ENCRYPTION_KEY: 'a-long-random-test-encryption-key' });
    expect(ring).toEqual([{ id: 'default', key: createHash('sha256').update('a-long-random-test-encryption-key').digest() }]);
  });

  it('refuses a single key shorter than 16 characters', () => {
    expect(messageOf(() => resolveEncryptionKeys({ DISPATCH_ENCRYPTION_KEY: 'x'.repeat(15) }))).toContain('at least 16 characters');
    expect(resolveEncryptionKeys({ DISPATCH_ENCRYPTION_KEY: 'x'.repeat(16) })).toHaveLength(1);
  });

  it('reads a ring in order: the first key seals', () => {
    const [a, b] = [b64(), b64()];
    const ring = resolveEncryptionKeys({ DISPATCH_ENCRYPTION_KEYS: ` k2:${a} , k1:${b}` });
    expect(ring.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(ring[0]!.key).toEqual(Buffer.from(a, 'base64'));
  });

  it('takes the old single key into a ring as `default` (how an operator moves to a ring)', () => {
    const old = 'the-key-this-install-used-to-have';
    const mapped = createHash('sha256').update(old).digest('base64');
    const ring = resolveEncryptionKeys({ DISPATCH_ENCRYPTION_KEYS: `k2:${b64()},default:${mapped}` });
    expect(ring[1]).toEqual(resolveEncryptionKeys({ DISPATCH_ENCRYPTION_KEY: old })[0]);
  });

  it('refuses both variables at once', () => {
    const message = messageOf(() => resolveEncryptionKeys({ DISPATCH_ENCRYPTION_KEY: 'x'.repeat(32), DISPATCH_ENCRYPTION_KEYS: `k1:${b64()}` }));
    expect(message).toContain('not both');
  });
});

describe('parseKeyRing', () => {
  const key = b64();
  it.each([
    [',', 'is empty'],
    [`k1${key}`, 'entry 1 is not id:base64'],
    [`k1:${b64()},nocolon`, 'entry 2 is not id:base64'],
    [`:${key}`, 'entry 1: key id must be'],
    [`k.1:${key}`, 'entry 1: key id must be'],
    [`${'k'.repeat(33)}:${key}`, 'entry 1: key id must be'],
    [`k1:${b64()},k1:${b64()}`, 'key id "k1" appears twice'],
    ['k1:not base64!', 'key "k1" is not valid base64'],
    ['k1:', 'key "k1" is not valid base64'],
    [`k1:${b64(16)}`, 'key "k1" is too short: 16 bytes, needs 32'],
    [`k1:${b64(48)}`, 'key "k1" is too long: 48 bytes'],
    [`k1:${key},k2:${key}`, 'keys "k1" and "k2" are the same key'],
  ])('refuses %j: %s', (text, message) => {
    expect(messageOf(() => parseKeyRing(text))).toContain(message);
  });

  it('never repeats key material in an error', () => {
    const short = b64(16);
    expect(messageOf(() => parseKeyRing(`k1:${short}`))).not.toContain(short);
  });

  it('accepts base64url keys', () => {
    const raw = randomBytes(32);
    expect(parseKeyRing(`k1:${raw.toString('base64url')}`)[0]!.key).toEqual(raw);
  });
});

describe('withEncryptionKeys in a config schema', () => {
  it('replaces the raw variables with the ring', () => {
    const config = parseConfig(schema, { DISPATCH_ENCRYPTION_KEYS: `k1:${b64()}` });
    expect(Object.keys(config).sort()).toEqual(['OTHER', 'encryptionKeys']);
    expect(config.encryptionKeys.map((k) => k.id)).toEqual(['k1']);
  });

  it('reports a missing key as a config error under the variable name', () => {
    const message = messageOf(() => parseConfig(schema, { NODE_ENV: 'development' }));
    expect(message).toMatch(/^Invalid configuration:\n {2}DISPATCH_ENCRYPTION_KEY: no encryption key: set DISPATCH_ENCRYPTION_KEY .* or DISPATCH_ENCRYPTION_KEYS /);
  });

  it('reports a bad ring under DISPATCH_ENCRYPTION_KEYS', () => {
    expect(messageOf(() => parseConfig(schema, { DISPATCH_ENCRYPTION_KEYS: 'k1:abc' }))).toContain('  DISPATCH_ENCRYPTION_KEYS: key "k1" is too short');
  });
});
