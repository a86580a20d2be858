// API key scopes (the contract's "Scopes and gates" table) and workspace features.
export const SCOPES = ['links:read', 'links:write', 'webhooks:read', 'webhooks:manage', 'events:write'] as const;
export type Scope = (typeof SCOPES)[number];

export const FEATURES = ['integrations'] as const;
export type Feature = (typeof FEATURES)[number];

export const API_KEY_PREFIX = 'dsp_';
