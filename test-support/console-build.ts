import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

// The browser tests drive the built console (apps/console/dist), as the API serves it. Building it
// takes a few seconds, so the test setup builds it only when what goes into the bundle changed:
// a hash of those files is kept beside the build.

const ROOT = new URL('..', import.meta.url).pathname;
const CONSOLE = join(ROOT, 'apps/console');
const STAMP = join(CONSOLE, 'dist/.source-hash');
/** Everything the bundle is built from: the app, the client and core (the contract and its catalog), the lockfile. */
const INPUTS = ['apps/console/src', 'apps/console/index.html', 'apps/console/vite.config.ts', 'apps/console/package.json', 'packages/client/src', 'packages/core/src', 'pnpm-lock.yaml'];

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap((input) => filesUnder(join(ROOT, input)))) {
    if (file.endsWith('.test.ts')) continue;
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** Builds the console unless dist/ was built from exactly these sources. Returns whether it built. */
export function ensureConsoleBuilt(): boolean {
  const hash = sourceHash();
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash && existsSync(join(CONSOLE, 'dist/index.html'))) return false;
  const vite = join(CONSOLE, 'node_modules/vite/bin/vite.js');
  execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: CONSOLE, stdio: 'inherit' });
  writeFileSync(STAMP, hash);
  return true;
}
