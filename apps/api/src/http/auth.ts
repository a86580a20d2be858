import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { API_KEY_PREFIX, featureNotEnabled, forbidden, unauthorized, type Feature, type Scope } from '@dispatch/core';
import { findApiKeyByHash, type ApiKeyPrincipal } from '@dispatch/db';
import type { ApiDeps } from '../deps.js';
import { enforceRateLimit } from './rate-limit.js';

export type Principal = { kind: 'public' } | { kind: 'admin' } | ({ kind: 'key' } & ApiKeyPrincipal);
export type KeyPrincipal = Extract<Principal, { kind: 'key' }>;

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

// Keys are looked up on every request; a short cache saves a Postgres round trip on the hot
// ingest path. A changed key or feature set is seen within KEY_CACHE_MS.
const KEY_CACHE_MS = 5_000;
const keyCache = new Map<string, { principal: ApiKeyPrincipal; expiresAt: number }>();

async function lookupKey(deps: ApiDeps, keyHash: string): Promise<ApiKeyPrincipal | undefined> {
  const cached = keyCache.get(keyHash);
  if (cached && cached.expiresAt > Date.now()) return cached.principal;
  const principal = await findApiKeyByHash(deps.db, keyHash);
  if (principal) {
    if (keyCache.size > 10_000) keyCache.clear();
    keyCache.set(keyHash, { principal, expiresAt: Date.now() + KEY_CACHE_MS });
  }
  return principal;
}

export async function authenticateKey(deps: ApiDeps, req: Request, scope: Scope, feature?: Feature): Promise<KeyPrincipal> {
  const token = bearerToken(req);
  if (!token || !token.startsWith(API_KEY_PREFIX)) throw unauthorized();
  const principal = await lookupKey(deps, hashApiKey(token));
  if (!principal) throw unauthorized();
  enforceRateLimit(deps.rateLimiter, principal.keyId);
  if (!principal.scopes.includes(scope)) throw forbidden(`this API key lacks the "${scope}" scope`);
  if (feature && !principal.features.includes(feature)) throw featureNotEnabled(feature);
  return { kind: 'key', ...principal };
}

export async function authenticateAdmin(deps: ApiDeps, req: Request): Promise<Principal> {
  const expected = deps.config.DISPATCH_ADMIN_TOKEN;
  const token = bearerToken(req);
  // Without a configured token the admin routes are closed to everyone.
  if (!expected || !token) throw unauthorized('missing or invalid operator token');
  const a = Buffer.from(hashApiKey(token));
  const b = Buffer.from(hashApiKey(expected));
  if (!timingSafeEqual(a, b)) throw unauthorized('missing or invalid operator token');
  return { kind: 'admin' };
}

export function requireKey(principal: Principal): KeyPrincipal {
  if (principal.kind !== 'key') throw unauthorized();
  return principal;
}
