import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Reads V8 .cpuprofile files (node --cpu-prof) and says where the time went: self time per function
// and per package (got, bullmq, pg, express, zod, node internals, Dispatch's own files...).
// Usage: tsx bench/probes/summarize-profile.ts <file.cpuprofile | directory> [top]

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface Hotspot {
  name: string;
  selfPct: number;
  selfMs: number;
}

export interface ProfileSummary {
  file: string;
  durationMs: number;
  busyMs: number;
  /** Share of busy (non-idle) time, by package or area. */
  byPackage: Hotspot[];
  /**
   * The same, with native code and node internals charged to the package that called them (a
   * socket writev done for pg counts as pg): where the time goes, by library.
   */
  byCaller: Hotspot[];
  /** Share of busy time, by function (with its file and line). */
  byFunction: Hotspot[];
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

export function packageOf(url: string, functionName: string): string {
  if (!url) return SPECIAL.has(functionName) ? functionName : '(native)';
  if (url.startsWith('node:')) {
    const parts = url.slice(5).split('/');
    return `node:${parts[0] === 'internal' ? parts.slice(0, 2).join('/') : parts[0]}`;
  }
  const at = url.lastIndexOf('/node_modules/');
  if (at >= 0) {
    const rest = url.slice(at + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const local = /\/(apps|packages|bench|test-support)\/(.*)$/.exec(url);
  return local ? `dispatch:${local[1]}/${local[2]!.replace(/^([^/]+)\/src\//, '$1/')}` : url;
}

export function summarizeProfile(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const callerPackage = (id: number): string => {
    const own = byId.get(id)!.callFrame;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { url, functionName } = byId.get(at)!.callFrame;
      if (url && !url.startsWith('node:')) return packageOf(url, functionName);
    }
    return packageOf(own.url, own.functionName);
  };
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time since the previous sample; charge it to the sample that ends it.
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0));
  }
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const byCaller = new Map<string, number>();
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    busyUs += us;
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    const caller = callerPackage(id);
    byCaller.set(caller, (byCaller.get(caller) ?? 0) + us);
    const name = `${functionName || '(anonymous)'} ${pkg}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  }
  const list = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfPct: Math.round((us / Math.max(1, busyUs)) * 1000) / 10, selfMs: Math.round(us / 1000) }));
  return {
    file,
    durationMs: Math.round((profile.endTime - profile.startTime) / 1000),
    busyMs: Math.round(busyUs / 1000),
    byPackage: list(byPackage),
    byCaller: list(byCaller),
    byFunction: list(byFunction),
  };
}

export function profileFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => join(path, name))
    .sort();
}

export function formatSummary(summary: ProfileSummary, top = 20): string {
  const lines = [`${summary.file}: ${summary.busyMs} ms busy of ${summary.durationMs} ms`, '  by package (self time, % of busy):'];
  for (const h of summary.byPackage.slice(0, 15)) lines.push(`    ${h.selfPct.toFixed(1).padStart(5)} %  ${h.name}`);
  lines.push('  by package, native and node internals charged to the calling package:');
  for (const h of summary.byCaller.slice(0, 15)) lines.push(`    ${h.selfPct.toFixed(1).padStart(5)} %  ${h.name}`);
  lines.push('  by function:');
  for (const h of summary.byFunction.slice(0, top)) lines.push(`    ${h.selfPct.toFixed(1).padStart(5)} %  ${h.name}`);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [target, topArg] = process.argv.slice(2);
  if (!target) {
    console.error('usage: tsx bench/probes/summarize-profile.ts <file.cpuprofile | directory> [top]');
    process.exit(2);
  }
  const top = Number(topArg ?? 25);
  for (const file of profileFiles(target)) process.stdout.write(`${formatSummary(summarizeProfile(file, top), top)}\n\n`);
}
