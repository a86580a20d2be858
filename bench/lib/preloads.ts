import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import ts from 'typescript';
import { benchFile } from './processes.js';

// The bench's preloads (children/*.ts, probes/node-http-transport.ts) are TypeScript. Loading them
// through `--import tsx` would put tsx's loader into the API and worker for good: its module hooks run
// on a thread of their own with its own V8 heap, memory the product does not have. So for the
// compiled build they are transpiled here to plain ES modules (placed inside bench/, so their imports
// resolve to the same packages) and the children run as operators run them, plus these few lines.

const outDir = benchFile('results/.preloads');

/** The preload as a plain .mjs file, transpiled afresh (one file, no imports of other bench files). */
export function compiledPreload(relative: string): string {
  const source = benchFile(relative);
  const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), {
    fileName: source,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
  });
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, basename(source).replace(/\.ts$/, '.mjs'));
  writeFileSync(out, outputText);
  return out;
}
