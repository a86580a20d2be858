// API key scopes (the contract's "Scopes and gates" table) and workspace features.
export const SCOPES = ['links:read', 'links:write', 'webhooks:read', 'webhooks:manage', 'events:write', 'events:read'] as const;
export type Scope = (typeof SCOPES)[number];

/** Scopes that also grant another: a key with events:write may read the events it can emit (the contract). */
const GRANTED_ALSO_BY: Partial<Record<Scope, readonly Scope[]>> = { 'events:read': ['events:write'] };

/** Every scope that lets a key do what `needed` allows (itself first). */
export function scopesGranting(needed: Scope): Scope[] {
  return [needed, ...(GRANTED_ALSO_BY[needed] ?? [])];
}

/** True when a key holding `granted` may do what `needed` allows. */
export function grantsScope(granted: readonly string[], needed: Scope): boolean {
  if (granted.includes(needed)) return true;
  const also = GRANTED_ALSO_BY[needed];
  return also !== undefined && also.some((scope) => granted.includes(scope));
}

export const FEATURES = ['integrations'] as const;
export type Feature = (typeof FEATURES)[number];

export const API_KEY_PREFIX = 'dsp_';

type Kind = 'workspace_webhook' | 'link_webhook' | 'outbound_webhook';

/** The endpoint kinds a key may read: links:read the workspace and link webhooks, webhooks:read the outbound. */
export function kindsReadableWith(scopes: readonly string[]): Kind[] {
  return [
    ...(grantsScope(scopes, 'links:read') ? (['workspace_webhook', 'link_webhook'] as const) : []),
    ...(grantsScope(scopes, 'webhooks:read') ? (['outbound_webhook'] as const) : []),
  ];
}

/** The endpoint kinds a key may act on (redeliver, replay): outbound ones also need the `integrations` feature. */
export function kindsWritableWith(scopes: readonly string[], features: readonly string[]): Kind[] {
  return [
    ...(grantsScope(scopes, 'links:write') ? (['workspace_webhook', 'link_webhook'] as const) : []),
    ...(grantsScope(scopes, 'webhooks:manage') && features.includes('integrations') ? (['outbound_webhook'] as const) : []),
  ];
}
