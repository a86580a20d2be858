import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

// Webhook secrets at rest: AES-256-GCM, `v1.<iv>.<tag>.<ciphertext>` in base64url. The key is derived
// from DISPATCH_ENCRYPTION_KEY with SHA-256 so operators can use any long random string.
export class SecretBox {
  private readonly key: Buffer;

  constructor(encryptionKey: string) {
    if (encryptionKey.length < 16) throw new Error('the encryption key must be at least 16 characters');
    this.key = createHash('sha256').update(encryptionKey).digest();
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), data].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, data] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('unrecognised sealed secret');
    // A fixed tag length: without it Node accepts a tag cut down to 4 bytes.
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }
}
