import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// CPU and memory of processes, from /proc: how the machine's two cores were shared out during a
// scenario (driver, receiver, API, worker, Postgres, Redis), and the worker's resident memory.

const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU time of a process in ms, or 0 when it is gone. */
export function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return 0;
  }
}

export function memoryKbOf(pid: number): { rssKb: number; hwmKb: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
  } catch {
    return { rssKb: 0, hwmKb: 0 };
  }
}

export type ProcessGroups = Record<string, () => number[] | Promise<number[]>>;

/** Busy CPU ms of the whole machine (all cores), from /proc/stat. */
function machineBusyMs(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return ((user + nice + system + irq + softirq + steal) * 1000) / ticksPerSecond;
}

async function perPid(groups: ProcessGroups): Promise<Record<string, Map<number, number>>> {
  const out: Record<string, Map<number, number>> = {};
  for (const [name, list] of Object.entries(groups)) out[name] = new Map((await list()).map((pid) => [pid, cpuMsOf(pid)]));
  return out;
}

/**
 * CPU per group of processes between start and stop(), per pid (a process that appears meanwhile
 * counts from zero). `other` is what the rest of the machine used: other people's builds and tests
 * make a run noisy, and this says how much.
 */
export async function cpuMeter(groups: ProcessGroups) {
  const driverStart = process.cpuUsage();
  const machineStart = machineBusyMs();
  const before = await perPid(groups);
  const startedAt = performance.now();
  return {
    /** Each group's share of one core over the interval (1.0 = one full core). */
    async stop(): Promise<Record<string, number>> {
      const after = await perPid(groups);
      const elapsed = performance.now() - startedAt;
      const driver = process.cpuUsage(driverStart);
      const driverMs = (driver.user + driver.system) / 1000;
      const shares: Record<string, number> = { driver: driverMs / elapsed };
      let ours = driverMs;
      for (const [name, pids] of Object.entries(after)) {
        let ms = 0;
        for (const [pid, cpu] of pids) ms += Math.max(0, cpu - (before[name]?.get(pid) ?? 0));
        shares[name] = ms / elapsed;
        ours += ms;
      }
      shares.other = Math.max(0, machineBusyMs() - machineStart - ours) / elapsed;
      for (const key of Object.keys(shares)) shares[key] = Math.round(shares[key]! * 100) / 100;
      return shares;
    },
  };
}

/** Samples a process's resident memory every `intervalMs`; stop() gives the peak sample and VmHWM. */
export function rssSampler(pids: () => number[], intervalMs = 200) {
  let peakKb = 0;
  const sample = () => {
    for (const pid of pids()) peakKb = Math.max(peakKb, memoryKbOf(pid).rssKb);
  };
  sample();
  const startKb = peakKb;
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const hwmKb = Math.max(0, ...pids().map((pid) => memoryKbOf(pid).hwmKb));
      const mb = (kb: number) => Math.round(kb / 102.4) / 10;
      return { startRssMb: mb(startKb), peakRssMb: mb(peakKb), vmHwmMb: mb(hwmKb) };
    },
  };
}

/** Cores the whole machine kept busy over the next `ms` (before the bench starts anything, that is other people's work). */
export async function machineBusyCores(ms = 2_000): Promise<number> {
  const start = machineBusyMs();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return Math.round(((machineBusyMs() - start) / ms) * 100) / 100;
}
