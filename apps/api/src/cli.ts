#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { FEATURES, parseConfig, SCOPES, sharedConfigFields, type Feature, type Scope } from '@dispatch/core';
import { createDb } from '@dispatch/db';
import { z } from 'zod';
import { ALL_SCOPES, createApiKey, createWorkspace } from './services/workspaces.service.js';

// Operator CLI: the same provisioning as the admin routes, straight against Postgres.
const USAGE = `usage:
  dispatch workspaces create --name NAME [--features integrations] [--json]
  dispatch keys create --workspace ws_... [--scopes ${SCOPES.join(',')}] [--name NAME] [--json]`;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function list<T extends string>(text: string | undefined, allowed: readonly T[], what: string): T[] {
  if (!text) return [];
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = items.filter((item) => !allowed.includes(item as T));
  if (unknown.length) fail(`unknown ${what}: ${unknown.join(', ')}`);
  return items as T[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    features: { type: 'string' },
    workspace: { type: 'string' },
    scopes: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

function loadDatabaseUrl(): string {
  try {
    return parseConfig(z.object({ DATABASE_URL: sharedConfigFields.DATABASE_URL }), process.env).DATABASE_URL;
  } catch (error) {
    fail((error as Error).message);
  }
}

const command = positionals.join(' ');
const handle = createDb(loadDatabaseUrl(), { max: 1, applicationName: 'dispatch-cli' });
const print = (result: unknown, human: string) => process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${human}\n`);

try {
  if (command === 'workspaces create') {
    if (!values.name) fail('--name is required');
    const workspace = await createWorkspace(handle.db, { name: values.name, features: list<Feature>(values.features, FEATURES, 'feature') });
    const key = await createApiKey(handle.db, { workspaceId: workspace.id, name: 'default', scopes: ALL_SCOPES });
    print({ workspace, apiKey: key.key }, `workspace ${workspace.id} created\nAPI key (shown once): ${key.key}`);
  } else if (command === 'keys create') {
    if (!values.workspace) fail('--workspace is required');
    const scopes = values.scopes ? list<Scope>(values.scopes, SCOPES, 'scope') : ALL_SCOPES;
    const key = await createApiKey(handle.db, { workspaceId: values.workspace, name: values.name ?? 'api key', scopes });
    print(key, `key ${key.id} created with scopes ${key.scopes.join(',')}\nAPI key (shown once): ${key.key}`);
  } else {
    fail(command ? `unknown command: ${command}` : 'no command given');
  }
} catch (error) {
  console.error(`dispatch: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await handle.close();
}
