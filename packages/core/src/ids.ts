import { randomBytes } from 'node:crypto';

// Crockford base32: ids sort by creation time as plain strings (ULID layout: 48-bit ms time + 80 random bits).
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const ID_PREFIXES = {
  workspace: 'ws',
  apiKey: 'key',
  link: 'link',
  workspaceWebhook: 'wh',
  linkWebhook: 'lwh',
  outboundWebhook: 'obw',
  event: 'evt',
  delivery: 'dlv',
  attempt: 'att',
  replay: 'rpl',
  request: 'req',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function encodeRandom(): string {
  const bytes = randomBytes(16);
  let out = '';
  for (let i = 0; i < 16; i++) out += ALPHABET[bytes[i]! % 32];
  return out;
}

export function newId(kind: IdKind, now = Date.now()): string {
  return `${ID_PREFIXES[kind]}_${encodeTime(now)}${encodeRandom()}`;
}

export function hasPrefix(id: string, kind: IdKind): boolean {
  return id.startsWith(`${ID_PREFIXES[kind]}_`);
}
