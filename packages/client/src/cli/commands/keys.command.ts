import { SCOPES } from '@dispatch/core/api';
import { list, positional, required, type Command } from '../command.js';
import { parseSeconds } from '../durations.js';
import { ago } from '../format.js';

// API keys of a workspace (operator token).

const shownOnce = (key: { id: string; key: string; scopes: string[]; expiresAt: string | null }) =>
  `key ${key.id} with scopes ${key.scopes.join(',')}${key.expiresAt ? `, expires ${key.expiresAt}` : ''}\nAPI key (shown once): ${key.key}`;

export const keyCommands: Command[] = [
  {
    name: 'keys create',
    usage: '--workspace ws_… [--scopes a,b] [--name NAME] [--expires-in 90d]',
    summary: 'Create an API key (shown once)',
    options: { workspace: { type: 'string' }, scopes: { type: 'string' }, name: { type: 'string' }, 'expires-in': { type: 'string' } },
    async run(ctx, { values }) {
      const key = await ctx.client.admin.createKey({
        params: { workspaceId: required(values, 'workspace') },
        body: { name: (values.name as string | undefined) ?? 'api key', scopes: list(values.scopes, SCOPES, 'scope') ?? [...SCOPES], expiresIn: values['expires-in'] as string | undefined },
      });
      ctx.print(key, () => shownOnce(key));
    },
  },
  {
    name: 'keys list',
    usage: '--workspace ws_…',
    summary: "A workspace's keys (never the keys themselves)",
    options: { workspace: { type: 'string' } },
    async run(ctx, { values }) {
      const keys = await ctx.client.admin.listKeys({ params: { workspaceId: required(values, 'workspace') } });
      ctx.table(keys, keys.data, [
        { header: 'id', value: (k) => k.id },
        { header: 'name', value: (k) => k.name, max: 30 },
        { header: 'hint', value: (k) => k.hint },
        { header: 'scopes', value: (k) => k.scopes.join(',') },
        { header: 'last used', value: (k) => ago(k.lastUsedAt) },
        { header: 'expires', value: (k) => ago(k.expiresAt) },
        { header: 'revoked', value: (k) => ago(k.revokedAt) },
      ]);
    },
  },
  {
    name: 'keys revoke',
    usage: '<keyId> --workspace ws_…',
    summary: 'Revoke a key: every API process refuses it within a second',
    options: { workspace: { type: 'string' } },
    async run(ctx, { values, positionals }) {
      const keyId = positional(positionals, 0, 'key id (key_…)');
      await ctx.client.admin.revokeKey({ params: { workspaceId: required(values, 'workspace'), keyId } });
      ctx.print({ id: keyId, revoked: true }, () => `key ${keyId} revoked`);
    },
  },
  {
    name: 'keys rotate',
    usage: '<keyId> --workspace ws_… [--grace 24h]',
    summary: 'A new key with the same scopes; the old one works until the grace ends (default 24h)',
    options: { workspace: { type: 'string' }, grace: { type: 'string' } },
    async run(ctx, { values, positionals }) {
      const keyId = positional(positionals, 0, 'key id (key_…)');
      const key = await ctx.client.admin.rotateKey({ params: { workspaceId: required(values, 'workspace'), keyId }, body: { graceSeconds: parseSeconds(values.grace, 'grace') } });
      ctx.print(key, () => `${shownOnce(key)}\nthe old key ${keyId} keeps working for the grace period`);
    },
  },
];
