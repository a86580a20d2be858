import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KEY_BYTES, SINGLE_KEY_ID, singleKeyRing, type EncryptionKey } from './encryption-keys.js';

// Secrets at rest (webhook secrets, custom headers): AES-256-GCM under a key ring, base64url parts.
//
//   v2.<keyId>.<iv>.<tag>.<ciphertext>   sealed under the ring's key `keyId` ("v2.<keyId>" is
//                                        authenticated data, so the id cannot be swapped)
//   v1.<iv>.<tag>.<ciphertext>           before key ids: sealed with the single DISPATCH_ENCRYPTION_KEY,
//                                        so it opens with the ring's `default` key (encryption-keys.ts)
//
// The first key of the ring seals; every key opens. A value is "current" when the first key sealed
// it; re-sealing the others is what lets an old key leave the ring.
export class SecretBox {
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string;
  /** Every value sealed under the first key starts with this. */
  readonly currentPrefix: string;
  private readonly sealingKey: Buffer;

  /** A string is the single DISPATCH_ENCRYPTION_KEY (see singleKeyRing). */
  constructor(ring: readonly EncryptionKey[] | string) {
    const keys = typeof ring === 'string' ? singleKeyRing(ring) : ring;
    if (keys.length === 0) throw new Error('the key ring is empty');
    for (const { id, key } of keys) {
      if (key.length !== KEY_BYTES) throw new Error(`key "${id}" must be ${KEY_BYTES} bytes`);
      if (this.keys.has(id)) throw new Error(`key id "${id}" appears twice`);
      this.keys.set(id, key);
    }
    this.currentKeyId = keys[0]!.id;
    this.currentPrefix = `v2.${this.currentKeyId}.`;
    this.sealingKey = keys[0]!.key;
  }

  seal(plaintext: string): string {
    // A random 96-bit IV, GCM's recommended size.
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealingKey, iv);
    cipher.setAAD(Buffer.from(`v2.${this.currentKeyId}`));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${this.currentPrefix}${[iv, cipher.getAuthTag(), data].map((p) => p.toString('base64url')).join('.')}`;
  }

  open(sealed: string): string {
    const parts = sealed.split('.');
    if (parts[0] === 'v2' && parts.length === 5) {
      const [, keyId, iv, tag, data] = parts as [string, string, string, string, string];
      return this.decrypt(keyId, iv, tag, data, Buffer.from(`v2.${keyId}`));
    }
    if (parts[0] === 'v1' && parts.length === 4) {
      const [, iv, tag, data] = parts as [string, string, string, string];
      return this.decrypt(SINGLE_KEY_ID, iv, tag, data);
    }
    throw new Error('unrecognised sealed value');
  }

  /** Whether `sealed` is under the first key (a re-seal would change nothing but the IV). */
  isCurrent(sealed: string): boolean {
    return sealed.startsWith(this.currentPrefix);
  }

  private decrypt(keyId: string, iv: string, tag: string, data: string, aad?: Buffer): string {
    const key = this.keyFor(keyId);
    try {
      // A fixed tag length: without it Node accepts a tag cut down to 4 bytes.
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
      if (aad) decipher.setAAD(aad);
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(`key "${keyId}" does not open a value sealed under its id (other key material under that id, or an altered value)`);
    }
  }

  private keyFor(id: string): Buffer {
    const key = this.keys.get(id);
    if (key) return key;
    throw new Error(
      id === SINGLE_KEY_ID
        ? `a value sealed with the single DISPATCH_ENCRYPTION_KEY needs that key in the ring (as "${SINGLE_KEY_ID}")`
        : `a value is sealed under key "${id}", which is not in the key ring`,
    );
  }
}
