import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { EncryptionKey } from './encryption-keys.js';
import { SecretBox } from './secret-box.js';

const KEY = 'a-long-random-test-encryption-key';
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw3fQ9';
const ringKey = (id: string): EncryptionKey => ({ id, key: randomBytes(32) });

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

  it('seals as v2.<keyId>.<iv>.<tag>.<ciphertext> in base64url, without the plaintext', () => {
    const sealed = new SecretBox(KEY).seal(secret);
    expect(sealed).toMatch(/^v2\.default\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(secret.slice('whsec_'.length));
  });

  it('uses a random IV: two seals of the same plaintext differ', () => {
    const box = new SecretBox(KEY);
    const a = box.seal(secret);
    const b = box.seal(secret);
    expect(a).not.toBe(b);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
  });

  it.each([
    ['iv', 2],
    ['tag', 3],
    ['ciphertext', 4],
  ])('refuses a sealed value whose %s was tampered with', (_part, index) => {
    const box = new SecretBox(KEY);
    const tampered = flipFirstChar(box.seal(secret), index);
    expect(() => box.open(tampered)).toThrow();
  });

  it('refuses a sealed value whose tag was truncated', () => {
    // GCM lets a decipher accept a tag as short as 4 bytes unless the expected length is pinned;
    // a truncated tag must not authenticate.
    const box = new SecretBox(KEY);
    const [version, keyId, iv, tag, data] = box.seal(secret).split('.');
    const shortTag = Buffer.from(tag!, 'base64url').subarray(0, 4).toString('base64url');
    expect(() => box.open([version, keyId, iv, shortTag, data].join('.'))).toThrow();
  });

  it('refuses to open under another key', () => {
    const sealed = new SecretBox(KEY).seal(secret);
    expect(() => new SecretBox('another-long-random-test-key').open(sealed)).toThrow();
  });

  it.each(['', 'v1', 'v1.a.b', 'v2.default.a.b', 'v3.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.AA', 'v2.default.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.AA.AA', 'not sealed at all'])(
    'refuses the malformed value %j',
    (sealed) => {
      expect(() => new SecretBox(KEY).open(sealed)).toThrow();
    },
  );

  it('rejects a key shorter than 16 characters', () => {
    expect(() => new SecretBox('short')).toThrow('must be at least 16 characters');
    expect(() => new SecretBox('x'.repeat(15))).toThrow();
    expect(() => new SecretBox('x'.repeat(16))).not.toThrow();
  });
});

// Values sealed by Dispatch before key ids existed (AES-256-GCM, key = SHA-256 of DISPATCH_ENCRYPTION_KEY),
// made with that version's SecretBox and KEY.
const V1_SECRET = 'v1.asTbDvWoWPmoI65q.9URzn6yx6r_xtSWWAOPK0Q.7try979-rgwBTvg4Xqxix6c8QCNCQVwYgFhH_b3Qo-RA1Dd6PnTfyPxE';
const V1_HEADERS = 'v1.pBOTwwnG12dZAWzq.tt5UwrCBbCRSPfLq6Q94TQ.g4jffhbF4XOaf4_mVnw4fqZ9SpuG_7xG9FW_TVoy-dJfkLO3ya9Ap-y9_48ypkvhd2o';
const defaultOf = (passphrase: string): EncryptionKey => ({ id: 'default', key: createHash('sha256').update(passphrase).digest() });

describe('SecretBox with a key ring', () => {
  it('seals under the first key and names it', () => {
    const [k2, k1] = [ringKey('k2'), ringKey('k1')];
    const box = new SecretBox([k2, k1]);
    expect(box.currentKeyId).toBe('k2');
    expect(box.seal(secret)).toMatch(/^v2\.k2\./);
    expect(new SecretBox([k2]).open(box.seal(secret))).toBe(secret);
    expect(() => new SecretBox([k1]).open(box.seal(secret))).toThrow('sealed under key "k2", which is not in the key ring');
  });

  it('opens values sealed under any key of the ring', () => {
    const [k2, k1] = [ringKey('k2'), ringKey('k1')];
    const old = new SecretBox([k1]).seal(secret);
    expect(new SecretBox([k2, k1]).open(old)).toBe(secret);
    expect(new SecretBox([k1, k2]).open(old)).toBe(secret);
  });

  it('tells values under the first key from the others', () => {
    const [k2, k1] = [ringKey('k2'), ringKey('k1')];
    const box = new SecretBox([k2, k1]);
    expect(box.isCurrent(box.seal(secret))).toBe(true);
    expect(box.isCurrent(new SecretBox([k1]).seal(secret))).toBe(false);
    expect(box.isCurrent(V1_SECRET)).toBe(false);
    expect(box.currentPrefix).toBe('v2.k2.');
  });

  it('refuses a value whose key id was changed, even to an id of the same key material', () => {
    // Only the authenticated key id (the AAD) stops the swap here.
    const k1 = ringKey('k1');
    const box = new SecretBox([k1, { id: 'k2', key: k1.key }]);
    const parts = box.seal(secret).split('.');
    parts[1] = 'k2';
    expect(() => box.open(parts.join('.'))).toThrow();
  });

  it('is the ring `default` = SHA-256 of the key when built from the single DISPATCH_ENCRYPTION_KEY', () => {
    const fromString = new SecretBox(KEY);
    const fromRing = new SecretBox([defaultOf(KEY)]);
    expect(fromString.currentKeyId).toBe('default');
    expect(fromRing.open(fromString.seal(secret))).toBe(secret);
    expect(fromString.open(fromRing.seal(secret))).toBe(secret);
  });

  it('opens v1 values with the single key, and with a ring that holds it as `default`', () => {
    expect(new SecretBox(KEY).open(V1_SECRET)).toBe(secret);
    const ring = new SecretBox([ringKey('k2'), defaultOf(KEY)]);
    expect(ring.open(V1_SECRET)).toBe(secret);
    expect(JSON.parse(ring.open(V1_HEADERS))).toEqual({ Authorization: 'Bearer legacy-token-0123456789' });
  });

  it('refuses v1 values without the single key, saying which key is missing', () => {
    expect(() => new SecretBox([ringKey('k2')]).open(V1_SECRET)).toThrow('needs that key in the ring (as "default")');
    expect(() => new SecretBox('another-long-random-test-key').open(V1_SECRET)).toThrow();
  });

  it('refuses an empty ring, a doubled id and a key that is not 32 bytes', () => {
    expect(() => new SecretBox([])).toThrow('empty');
    expect(() => new SecretBox([ringKey('a'), ringKey('a')])).toThrow('appears twice');
    expect(() => new SecretBox([{ id: 'a', key: randomBytes(16) }])).toThrow('32 bytes');
  });
});
