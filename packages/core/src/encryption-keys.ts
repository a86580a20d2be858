import { createHash } from 'node:crypto';
import { z } from 'zod';

// The encryption keys every sealing or opening process needs, from one of two variables:
//
//   DISPATCH_ENCRYPTION_KEYS="k2:<base64>,k1:<base64>"  a key ring: the first key seals, every key opens.
//                                                      Each key is 32 random bytes (openssl rand -base64 32).
//   DISPATCH_ENCRYPTION_KEY="<any string, 16+ chars>"  one key, which IS the one-key ring
//                                                      `default:<base64 of SHA-256 of the string>`
//                                                      (the derivation v1 values were sealed with).
//
// So moving from the single key to a ring is writing that same key into the ring under the id
// `default` beside a new one; values sealed before key ids existed (`v1.`) open with `default`.
// Setting both variables is refused: which one seals would be a guess. Nothing is built in.

export interface EncryptionKey {
  readonly id: string;
  /** 32 bytes: an AES-256 key. */
  readonly key: Buffer;
}

export const SINGLE_KEY_ID = 'default';
export const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+={0,2})$/;
const MIN_SINGLE_KEY_LENGTH = 16;
const GENERATE = 'generate one with: openssl rand -base64 32';

export class EncryptionKeyError extends Error {
  constructor(
    readonly variable: 'DISPATCH_ENCRYPTION_KEY' | 'DISPATCH_ENCRYPTION_KEYS',
    message: string,
  ) {
    super(message);
    this.name = 'EncryptionKeyError';
  }
}

/** The ring that DISPATCH_ENCRYPTION_KEY=`passphrase` stands for. */
export function singleKeyRing(passphrase: string): EncryptionKey[] {
  if (passphrase.length < MIN_SINGLE_KEY_LENGTH) {
    throw new EncryptionKeyError('DISPATCH_ENCRYPTION_KEY', `must be at least ${MIN_SINGLE_KEY_LENGTH} characters (${GENERATE})`);
  }
  return [{ id: SINGLE_KEY_ID, key: createHash('sha256').update(passphrase).digest() }];
}

/** Parses `id:base64,id:base64,…`; each problem is named with the entry it is in, never with key material. */
export function parseKeyRing(text: string): EncryptionKey[] {
  const fail = (message: string) => new EncryptionKeyError('DISPATCH_ENCRYPTION_KEYS', message);
  const entries = text.split(',').map((entry) => entry.trim());
  if (entries.every((entry) => entry === '')) throw fail(`is empty: give id:base64 entries (${GENERATE})`);
  const ring: EncryptionKey[] = [];
  entries.forEach((entry, index) => {
    const at = entry.indexOf(':');
    if (at < 0) throw fail(`entry ${index + 1} is not id:base64`);
    const id = entry.slice(0, at).trim();
    const material = entry.slice(at + 1).trim();
    if (!KEY_ID.test(id)) throw fail(`entry ${index + 1}: key id must be 1-32 letters, digits, _ or -`);
    if (ring.some((k) => k.id === id)) throw fail(`key id "${id}" appears twice`);
    if (!BASE64.test(material)) throw fail(`key "${id}" is not valid base64`);
    const key = Buffer.from(material, material.includes('-') || material.includes('_') ? 'base64url' : 'base64');
    if (key.length < KEY_BYTES) throw fail(`key "${id}" is too short: ${key.length} bytes, needs ${KEY_BYTES} (${GENERATE})`);
    if (key.length > KEY_BYTES) throw fail(`key "${id}" is too long: ${key.length} bytes, needs exactly ${KEY_BYTES} (${GENERATE})`);
    const same = ring.find((k) => k.key.equals(key));
    if (same) throw fail(`keys "${same.id}" and "${id}" are the same key`);
    ring.push({ id, key });
  });
  return ring;
}

export interface EncryptionEnv {
  DISPATCH_ENCRYPTION_KEY?: string | undefined;
  DISPATCH_ENCRYPTION_KEYS?: string | undefined;
}

/** The key ring of an environment. An empty variable counts as unset (compose passes unset ones as ''). */
export function resolveEncryptionKeys(env: EncryptionEnv): EncryptionKey[] {
  const single = env.DISPATCH_ENCRYPTION_KEY || undefined;
  const ring = env.DISPATCH_ENCRYPTION_KEYS || undefined;
  if (single !== undefined && ring !== undefined) {
    throw new EncryptionKeyError(
      'DISPATCH_ENCRYPTION_KEYS',
      `set DISPATCH_ENCRYPTION_KEY or DISPATCH_ENCRYPTION_KEYS, not both (the single key is the ring entry ${SINGLE_KEY_ID}:<base64 of its SHA-256>)`,
    );
  }
  if (ring !== undefined) return parseKeyRing(ring);
  if (single !== undefined) return singleKeyRing(single);
  throw new EncryptionKeyError(
    'DISPATCH_ENCRYPTION_KEY',
    `no encryption key: set DISPATCH_ENCRYPTION_KEY (one key; ${GENERATE}) or DISPATCH_ENCRYPTION_KEYS (a key ring "id:base64,…"); Dispatch has no built-in key`,
  );
}

/** The two variables as config fields; `withEncryptionKeys` turns them into the ring. */
export const encryptionKeyFields = {
  DISPATCH_ENCRYPTION_KEY: z.string().optional(),
  DISPATCH_ENCRYPTION_KEYS: z.string().optional(),
};

interface IssueSink {
  addIssue(issue: { code: 'custom'; path: string[]; message: string }): void;
}

/**
 * The config transform of every process that seals or opens: replaces the two raw variables with
 * `encryptionKeys`, or reports what is wrong under the variable's name (and the process exits).
 */
export function withEncryptionKeys<T extends EncryptionEnv>(env: T, ctx: IssueSink): Omit<T, keyof EncryptionEnv> & { encryptionKeys: EncryptionKey[] } {
  const { DISPATCH_ENCRYPTION_KEY, DISPATCH_ENCRYPTION_KEYS, ...rest } = env;
  try {
    return { ...rest, encryptionKeys: resolveEncryptionKeys({ DISPATCH_ENCRYPTION_KEY, DISPATCH_ENCRYPTION_KEYS }) };
  } catch (error) {
    if (!(error instanceof EncryptionKeyError)) throw error;
    ctx.addIssue({ code: 'custom', path: [error.variable], message: error.message });
    return z.NEVER;
  }
}
