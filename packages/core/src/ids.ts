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

// Random bytes are drawn from a pool refilled 4 KiB at a time: one call into the CSPRNG per ~250 ids
// instead of one per id (on the ingest path that call cost more than the rest of newId).
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let poolOffset = 0;

function randomDigits(): number[] {
  if (poolOffset + 16 > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    poolOffset = 0;
  }
  const digits = new Array<number>(16);
  for (let i = 0; i < 16; i++) digits[i] = pool[poolOffset + i]! % 32;
  poolOffset += 16;
  return digits;
}

/** Adds one to a base-32 digit string; on overflow (never in practice) starts from fresh randomness. */
function increment(digits: number[]): number[] {
  const next = [...digits];
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i]! < 31) {
      next[i]!++;
      return next;
    }
    next[i] = 0;
  }
  return randomDigits();
}

// Monotonic within a process: ids made in the same millisecond (a batch's events, one event's
// deliveries) still sort in creation order, so "newest first" lists are stable.
let lastTime = -1;
let lastRandom: number[] = [];

export function newId(kind: IdKind, now = Date.now()): string {
  lastRandom = now === lastTime ? increment(lastRandom) : randomDigits();
  lastTime = Math.max(lastTime, now);
  return `${ID_PREFIXES[kind]}_${encodeTime(now)}${lastRandom.map((d) => ALPHABET[d]).join('')}`;
}

/** When `newId` made this id (epoch ms), read back from its time part; undefined if it is not one of ours. */
export function idTime(id: string): number | undefined {
  const time = id.slice(id.indexOf('_') + 1, id.indexOf('_') + 11);
  if (time.length !== 10) return undefined;
  let ms = 0;
  for (const char of time) {
    const digit = ALPHABET.indexOf(char);
    if (digit < 0) return undefined;
    ms = ms * 32 + digit;
  }
  return ms;
}

/** The smallest and the largest id of `kind` that `newId` can make at millisecond `ms`. */
export function idBoundsAt(kind: IdKind, ms: number): { lowest: string; highest: string } {
  const stem = `${ID_PREFIXES[kind]}_${encodeTime(Math.max(0, Math.floor(ms)))}`;
  return { lowest: stem + '0'.repeat(16), highest: stem + 'Z'.repeat(16) };
}
