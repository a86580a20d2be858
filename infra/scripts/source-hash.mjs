// Prints one hash of everything `pnpm -r build` reads: the workspace manifests, the lockfile, the
// tsconfigs and every source file of apps/ and packages/ (tests included: cheaper to rebuild once too
// often than to miss a file a build reads). up.sh compares it with the last build's to skip a rebuild.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SKIP = new Set(['node_modules', 'dist', '.turbo', 'coverage']);

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (SKIP.has(entry.name) || entry.name.endsWith('.tsbuildinfo')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

const hash = createHash('sha256');
const roots = ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', 'tsconfig.base.json'].map((f) => join(root, f));
for (const group of ['apps', 'packages']) roots.push(...files(join(root, group)));
for (const path of roots) {
  hash.update(relative(root, path)).update('\0');
  try {
    hash.update(readFileSync(path));
  } catch {
    hash.update('(missing)');
  }
  hash.update('\0');
}
process.stdout.write(hash.digest('hex'));
