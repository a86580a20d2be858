// Reads Prometheus' text exposition format (what /metrics answers), so a test can compare two
// scrapes: the value of one series, or the sum of every series of a name whose labels match.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export class Scrape {
  readonly samples: Sample[];

  constructor(readonly text: string) {
    this.samples = text.split('\n').flatMap((line) => {
      if (line.startsWith('#') || line.trim() === '') return [];
      const match = LINE.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(LABEL)].map(([, k, v]) => [k!, v!.replace(/\\(.)/g, '$1')]));
      return [{ name: match[1]!, labels, value: Number(match[3]) }];
    });
  }

  /** The sum over every series of `name` whose labels include `labels` (0 when there is none). */
  sum(name: string, labels: Record<string, string> = {}): number {
    return this.matching(name, labels).reduce((total, s) => total + s.value, 0);
  }

  matching(name: string, labels: Record<string, string> = {}): Sample[] {
    return this.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  }

  has(name: string): boolean {
    return this.samples.some((s) => s.name === name);
  }

  /** The names of every family declared in `# TYPE` lines. */
  families(): string[] {
    return [...this.text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!);
  }
}

/** How much each series of `name` (matching `labels`) grew between two scrapes. */
export const grew = (before: Scrape, after: Scrape, name: string, labels: Record<string, string> = {}) => after.sum(name, labels) - before.sum(name, labels);

export async function scrapeUrl(url: string, headers: Record<string, string> = {}): Promise<Scrape> {
  const response = await fetch(url, { headers });
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  return new Scrape(await response.text());
}
