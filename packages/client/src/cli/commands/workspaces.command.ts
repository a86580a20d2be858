import { FEATURES, SCOPES } from '@dispatch/core/api';
import { list, positional, required, type Command } from '../command.js';
import { ago } from '../format.js';

// Operator commands (DISPATCH_ADMIN_TOKEN or --admin-token).

export const workspaceCommands: Command[] = [
  {
    name: 'workspaces create',
    usage: '--name NAME [--features integrations]',
    summary: 'Create a workspace and its first API key (every scope); the key is shown once',
    options: { name: { type: 'string' }, features: { type: 'string' } },
    async run(ctx, { values }) {
      const workspace = await ctx.client.admin.createWorkspace({ body: { name: required(values, 'name'), features: list(values.features, FEATURES, 'feature') ?? [] } });
      const key = await ctx.client.admin.createKey({ params: { workspaceId: workspace.id }, body: { name: 'default', scopes: [...SCOPES] } });
      ctx.print({ workspace, apiKey: key.key }, () => `workspace ${workspace.id} (${workspace.name}) created\nAPI key (shown once, every scope): ${key.key}`);
    },
  },
  {
    name: 'workspaces list',
    usage: '[--limit N] [--cursor C]',
    summary: 'List workspaces, newest first',
    options: { limit: { type: 'string' }, cursor: { type: 'string' } },
    async run(ctx, { values }) {
      const page = await ctx.client.admin.listWorkspaces({ query: { limit: values.limit ? Number(values.limit) : undefined, cursor: values.cursor as string | undefined } });
      ctx.table(page, page.data, [
        { header: 'id', value: (w) => w.id },
        { header: 'name', value: (w) => w.name, max: 40 },
        { header: 'features', value: (w) => w.features.join(',') },
        { header: 'created', value: (w) => ago(w.createdAt) },
      ]);
      if (!ctx.json && page.nextCursor) ctx.note(`more: --cursor ${page.nextCursor}`);
    },
  },
  {
    name: 'workspaces show',
    usage: '<workspaceId>',
    summary: 'A workspace and its API keys',
    async run(ctx, { positionals }) {
      const workspaceId = positional(positionals, 0, 'workspace id (ws_…)');
      const [workspace, keys] = await Promise.all([ctx.client.admin.getWorkspace({ params: { workspaceId } }), ctx.client.admin.listKeys({ params: { workspaceId } })]);
      ctx.print({ ...workspace, keys: keys.data }, () =>
        [
          `${workspace.id}  ${workspace.name}  features: ${workspace.features.join(',') || '-'}  created ${ago(workspace.createdAt)}`,
          `keys: ${keys.data.length === 0 ? 'none' : keys.data.map((k) => `${k.id} (${k.name}${k.revokedAt ? ', revoked' : ''})`).join(', ')}`,
        ].join('\n'),
      );
    },
  },
];
