import { DispatchClient } from '../index.js';
import { formatTable, type Column } from './format.js';

// What every command gets: the client (from flags or the environment) and the two ways to print:
// a table for people, or with --json exactly what the API answered. Progress and prompts go to
// stderr so stdout stays parseable.

export interface GlobalOptions {
  url?: string;
  key?: string;
  adminToken?: string;
  json: boolean;
}

export class CliContext {
  readonly client: DispatchClient;
  readonly json: boolean;

  constructor(options: GlobalOptions, env: NodeJS.ProcessEnv, readonly out: NodeJS.WritableStream = process.stdout, readonly err: NodeJS.WritableStream = process.stderr) {
    this.client = new DispatchClient({
      url: options.url ?? env.DISPATCH_URL ?? 'http://127.0.0.1:3000',
      apiKey: options.key ?? env.DISPATCH_API_KEY,
      adminToken: options.adminToken ?? env.DISPATCH_ADMIN_TOKEN,
    });
    this.json = options.json;
  }

  /** `--json`: the API's answer as it came; otherwise what `human` makes of it. */
  print(answer: unknown, human: () => string): void {
    this.out.write(this.json ? `${JSON.stringify(answer, null, 2)}\n` : `${human()}\n`);
  }

  table<T>(answer: unknown, rows: readonly T[], columns: Column<T>[], empty = 'nothing found'): void {
    this.print(answer, () => (rows.length === 0 ? empty : formatTable(rows, columns)));
  }

  /** A line for people that never pollutes stdout (progress, hints). */
  note(text: string): void {
    this.err.write(`${text}\n`);
  }
}
