import { maskHeaders, parseHeadersPlaintext, type HeaderMap, type SecretBox } from '@dispatch/core';

// Opening a sealed value is an AES-GCM decryption on every attempt; a worker sends for the same
// endpoints all day. The cache is keyed by the sealed text itself, so a rotation or a change of
// headers (a new sealed value) is seen on the very next claim. Every entry expires SECRET_TTL_MS
// after it was opened, and expired entries are swept at least every SECRET_TTL_MS whether or not
// anything misses: a rotated-out secret leaves the worker's memory within two TTLs.
const SECRET_TTL_MS = 60_000;
const MAX_CACHED_SECRETS = 10_000;

/** An endpoint's custom headers: the values to send, and the masked ones an attempt stores. */
export interface OpenedHeaders {
  sent: HeaderMap;
  stored: HeaderMap;
}

/** The worker's opened webhook secrets and custom headers; one per worker, built in startWorker. */
export class SecretCache {
  private readonly opened = new Map<string, { value: unknown; expiresAt: number }>();
  private sweptAt: number;

  constructor(private readonly box: SecretBox, private readonly now: () => number = Date.now) {
    this.sweptAt = now();
  }

  /** A webhook secret. */
  open(sealed: string): string {
    return this.get(sealed, (plaintext) => plaintext);
  }

  /** Custom headers, sealed as one JSON map. */
  headers(sealed: string): OpenedHeaders {
    return this.get(sealed, (plaintext) => {
      const sent = parseHeadersPlaintext(plaintext);
      return { sent, stored: maskHeaders(sent) };
    });
  }

  /** How many opened values are held (expired ones included until the next sweep). */
  get size(): number {
    return this.opened.size;
  }

  private get<T>(sealed: string, build: (plaintext: string) => T): T {
    const now = this.now();
    if (now - this.sweptAt >= SECRET_TTL_MS) this.sweep(now);
    const hit = this.opened.get(sealed);
    if (hit && hit.expiresAt > now) return hit.value as T;
    const value = build(this.box.open(sealed));
    if (this.opened.size >= MAX_CACHED_SECRETS) this.sweep(now);
    if (this.opened.size >= MAX_CACHED_SECRETS) this.opened.clear();
    this.opened.set(sealed, { value, expiresAt: now + SECRET_TTL_MS });
    return value;
  }

  private sweep(now: number): void {
    this.sweptAt = now;
    for (const [key, entry] of this.opened) if (entry.expiresAt <= now) this.opened.delete(key);
  }
}
