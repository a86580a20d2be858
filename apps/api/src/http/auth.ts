import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import {
  API_KEY_PREFIX,
  featureNotEnabled,
  forbidden,
  grantsScope,
  hashApiKey,
  kindsReadableWith,
  kindsWritableWith,
  rateLimited,
  unauthorized,
  type AppError,
  type Feature,
  type Scope,
} from '@dispatch/core';
import type { ApiKeyPrincipal } from '@dispatch/db';
import type { ApiDeps } from '../deps.js';
import type { WorkspaceCaller } from '../services/deliveries.service.js';
import { clientAddressKey } from './client-address.js';
import { enforceRateLimit } from './rate-limit.js';

export type Principal = { kind: 'admin' } | ({ kind: 'key' } & ApiKeyPrincipal);
export type KeyPrincipal = Extract<Principal, { kind: 'key' }>;

function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/**
 * A failed authentication costs its client address a token (deps.authFailures): past the burst it
 * is answered 429 instead of 401, so guessing keys or hammering with a revoked one is cheap for us.
 */
function refuse(deps: ApiDeps, req: Request, error: AppError = unauthorized()): AppError {
  const wait = deps.authFailures.take(clientAddressKey(req));
  return wait > 0 ? rateLimited(wait) : error;
}

/**
 * Known keys (the cache says yes) never touch the throttle, so a good client keeps working behind an
 * address that another client is being throttled on. Keys this process has never seen cost a Postgres
 * lookup: one that the address pays a token for up front (and gets back when the key is good), so a
 * throttled address gets 429 without a query. A known key gone stale is looked up whatever the
 * address's budget: it was good a moment ago.
 */
async function resolveKey(deps: ApiDeps, req: Request, keyHash: string): Promise<ApiKeyPrincipal> {
  const known = deps.apiKeys.peek(keyHash);
  if (typeof known === 'object') return known;
  if (known === 'refused') throw refuse(deps, req);
  if (known === 'stale') {
    const principal = await deps.apiKeys.load(keyHash);
    if (!principal) throw refuse(deps, req);
    return principal;
  }
  const address = clientAddressKey(req);
  const wait = deps.authFailures.take(address);
  if (wait > 0) throw rateLimited(wait);
  let principal: ApiKeyPrincipal | undefined;
  try {
    principal = await deps.apiKeys.load(keyHash);
  } catch (error) {
    // Postgres failed, not the caller.
    deps.authFailures.giveBack(address);
    throw error;
  }
  if (!principal) throw unauthorized();
  deps.authFailures.giveBack(address);
  return principal;
}

/** A key that grants `scope` (any one of them, when several are given: a cross-kind read). */
export async function authenticateKey(deps: ApiDeps, req: Request, scope: Scope | readonly Scope[], feature?: Feature): Promise<KeyPrincipal> {
  const token = bearerToken(req);
  if (!token || !token.startsWith(API_KEY_PREFIX)) throw refuse(deps, req);
  const principal = await resolveKey(deps, req, hashApiKey(token));
  deps.keyUsage.record(principal.keyId, Date.now());
  enforceRateLimit(deps.rateLimiter, principal.keyId);
  const scopes: readonly Scope[] = typeof scope === 'string' ? [scope] : scope;
  if (!scopes.some((one) => grantsScope(principal.scopes, one))) throw forbidden(`this API key lacks the ${scopes.map((one) => `"${one}"`).join(' or ')} scope`);
  if (feature && !principal.features.includes(feature)) throw featureNotEnabled(feature);
  return { kind: 'key', ...principal };
}

/** The operator token; requests with it share one budget per process (deps.adminRequests). */
export async function authenticateAdmin(deps: ApiDeps, req: Request): Promise<Principal> {
  const expected = deps.config.DISPATCH_ADMIN_TOKEN;
  const token = bearerToken(req);
  const invalid = () => refuse(deps, req, unauthorized('missing or invalid operator token'));
  // Without a configured token the admin routes are closed to everyone.
  if (!expected || !token) throw invalid();
  const a = Buffer.from(hashApiKey(token));
  const b = Buffer.from(hashApiKey(expected));
  if (!timingSafeEqual(a, b)) throw invalid();
  const wait = deps.adminRequests.take('operator');
  if (wait > 0) throw rateLimited(wait);
  return { kind: 'admin' };
}

export function requireKey(principal: Principal): KeyPrincipal {
  if (principal.kind !== 'key') throw unauthorized();
  return principal;
}

/** A key's reach across the workspace: the endpoint kinds its scopes read and act on. */
export function workspaceCaller(principal: Principal): WorkspaceCaller {
  const key = requireKey(principal);
  return { workspaceId: key.workspaceId, readableKinds: kindsReadableWith(key.scopes), writableKinds: kindsWritableWith(key.scopes, key.features) };
}
