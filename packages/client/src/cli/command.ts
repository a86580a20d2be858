import type { ParseArgsConfig } from 'node:util';
import type { CliContext } from './context.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** One CLI command: its words (`keys create`), its options, and what it does. */
export interface Command {
  name: string;
  /** The arguments after the words, e.g. `<keyId> --workspace ws_…`. */
  usage: string;
  summary: string;
  options?: Options;
  run(ctx: CliContext, args: { values: Record<string, string | boolean | undefined>; positionals: string[] }): Promise<void>;
}

export class UsageError extends Error {}

/** A required option, or a usage error that names it. */
export function required(values: Record<string, string | boolean | undefined>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function positional(positionals: string[], index: number, what: string): string {
  const value = positionals[index];
  if (!value) throw new UsageError(`give the ${what}`);
  return value;
}

/** `a,b,c` → ['a','b','c'], checked against what is allowed. */
export function list<T extends string>(text: string | boolean | undefined, allowed: readonly T[], what: string): T[] | undefined {
  if (typeof text !== 'string') return undefined;
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = items.filter((item) => !allowed.includes(item as T));
  if (unknown.length) throw new UsageError(`unknown ${what}: ${unknown.join(', ')} (one of ${allowed.join(', ')})`);
  return items as T[];
}

/** One value of a list of allowed ones (for options such as --status). */
export function oneOf<T extends string>(text: string | boolean | undefined, allowed: readonly T[], what: string): T | undefined {
  return list(text, allowed, what)?.[0];
}
