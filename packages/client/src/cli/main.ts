#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { DispatchApiError } from '../errors.js';
import { UsageError, type Command } from './command.js';
import { deliveryCommands } from './commands/deliveries.command.js';
import { endpointCommands } from './commands/endpoints.command.js';
import { eventCommands } from './commands/events.command.js';
import { keyCommands } from './commands/keys.command.js';
import { listenCommand } from './commands/listen.command.js';
import { replayCommand } from './commands/replay.command.js';
import { secretCommands } from './commands/secrets.command.js';
import { tailCommand } from './commands/tail.command.js';
import { workspaceCommands } from './commands/workspaces.command.js';
import { CliContext } from './context.js';

// `dispatch <command>`: a client of the HTTP API like any other (through @dispatch/client).
// Exit codes: 0 done, 1 the API refused or could not be reached (its message on stderr), 2 usage.

const COMMANDS: Command[] = [
  ...workspaceCommands,
  ...keyCommands,
  ...endpointCommands,
  ...deliveryCommands,
  replayCommand,
  ...eventCommands,
  tailCommand,
  listenCommand,
  ...secretCommands,
];

const GLOBAL_OPTIONS = {
  url: { type: 'string' },
  key: { type: 'string' },
  'admin-token': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: dispatch <command> [options]   (npm run dispatch -- <command> in a checkout)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'global options: --url URL (DISPATCH_URL, default http://127.0.0.1:3000), --key dsp_… (DISPATCH_API_KEY),',
    '  --admin-token T (DISPATCH_ADMIN_TOKEN), --json (print exactly what the API answered)',
    'dispatch <command> --help shows a command’s options.',
  ].join('\n');
}

/** The command whose words start the arguments (the longest match: `keys create` before `keys`). */
function findCommand(args: string[]): { command: Command; rest: string[] } | undefined {
  const words = args.filter((a) => !a.startsWith('-'));
  for (const command of [...COMMANDS].sort((a, b) => b.name.length - a.name.length)) {
    const parts = command.name.split(' ');
    if (parts.every((part, i) => words[i] === part)) {
      const rest = [...args];
      for (const part of parts) rest.splice(rest.indexOf(part), 1);
      return { command, rest };
    }
  }
  return undefined;
}

async function main(argv: string[]): Promise<number> {
  const found = findCommand(argv);
  if (!found) {
    const asked = argv.filter((a) => !a.startsWith('-')).join(' ');
    process.stderr.write(`${asked && !argv.includes('--help') && !argv.includes('-h') ? `dispatch: unknown command "${asked}"\n\n` : ''}${usage()}\n`);
    return asked ? 2 : 0;
  }
  const { command, rest } = found;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (error) {
    process.stderr.write(`dispatch ${command.name}: ${(error as Error).message}\nusage: dispatch ${command.name} ${command.usage}\n`);
    return 2;
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) {
    process.stdout.write(`dispatch ${command.name} ${command.usage}\n  ${command.summary}\n`);
    return 0;
  }
  const ctx = new CliContext({ url: values.url as string | undefined, key: values.key as string | undefined, adminToken: values['admin-token'] as string | undefined, json: values.json === true }, process.env);
  try {
    await command.run(ctx, { values, positionals: parsed.positionals });
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`dispatch ${command.name}: ${error.message}\nusage: dispatch ${command.name} ${command.usage}\n`);
      return 2;
    }
    if (error instanceof DispatchApiError) {
      process.stderr.write(`dispatch: ${error.message} (${error.status} ${error.code}${error.requestId ? `, request ${error.requestId}` : ''})\n`);
      if (ctx.json) process.stdout.write(`${JSON.stringify({ error: { code: error.code, message: error.message, details: error.details, requestId: error.requestId } }, null, 2)}\n`);
      return 1;
    }
    // Cannot reach the API, or a command gave up (its message says why): no stack for people.
    process.stderr.write(`dispatch: ${(error as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
