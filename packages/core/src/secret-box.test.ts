import { describe, expect, it } from '@jest/globals';
import { SecretBox } from './secret-box.js';

const KEY = 'a-long-random-test-encryption-key';
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw3fQ9';

/** Replaces the first character of one `.`-separated part with another base64url character. */
function flipFirstChar(sealed: string, part: number): string {
  const parts = sealed.split('.');
  const text = parts[part]!;
  parts[part] = (text[0] === 'A' ? 'B' : 'A') + text.slice(1);
  return parts.join('.');
}

describe('SecretBox', () => {
  it('opens what it sealed', () => {
    const box = new SecretBox(KEY);
    expect(box.open(box.seal(secret))).toBe(secret);
  });

  it('round-trips empty and non-ASCII plaintexts', () => {
    const box = new SecretBox(KEY);
    expect(box.open(box.seal(''))).toBe('');
    expect(box.open(box.seal('clé • 秘密'))).toBe('clé • 秘密');
  });

  it('opens with a fresh box built from the same key', () => {
    expect(new SecretBox(KEY).open(new SecretBox(KEY).seal(secret))).toBe(secret);
  });

  it('seals as v1.<iv>.<tag>.<ciphertext> in base64url, without the plaintext', () => {
    const sealed = new SecretBox(KEY).seal(secret);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(secret.slice('whsec_'.length));
  });

  it('uses a random IV: two seals of the same plaintext differ', () => {
    const box = new SecretBox(KEY);
    const a = box.seal(secret);
    const b = box.seal(secret);
    expect(a).not.toBe(b);
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
  });

  it.each([
    ['iv', 1],
    ['tag', 2],
    ['ciphertext', 3],
  ])('refuses a sealed value whose %s was tampered with', (_part, index) => {
    const box = new SecretBox(KEY);
    const tampered = flipFirstChar(box.seal(secret), index);
    expect(() => box.open(tampered)).toThrow();
  });

  it('refuses a sealed value whose tag was truncated', () => {
    // GCM lets a decipher accept a tag as short as 4 bytes unless the expected length is pinned;
    // a truncated tag must not authenticate.
    const box = new SecretBox(KEY);
    const [version, iv, tag, data] = box.seal(secret).split('.');
    const shortTag = Buffer.from(tag!, 'base64url').subarray(0, 4).toString('base64url');
    expect(() => box.open([version, iv, shortTag, data].join('.'))).toThrow();
  });

  it('refuses to open under another key', () => {
    const sealed = new SecretBox(KEY).seal(secret);
    expect(() => new SecretBox('another-long-random-test-key').open(sealed)).toThrow();
  });

  it.each(['', 'v1', 'v1.a.b', 'v2.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.AA', 'not sealed at all'])(
    'refuses the malformed value %j',
    (sealed) => {
      expect(() => new SecretBox(KEY).open(sealed)).toThrow();
    },
  );

  it('rejects a key shorter than 16 characters', () => {
    expect(() => new SecretBox('short')).toThrow('the encryption key must be at least 16 characters');
    expect(() => new SecretBox('x'.repeat(15))).toThrow();
    expect(() => new SecretBox('x'.repeat(16))).not.toThrow();
  });
});
