// A progress bar on stderr: redrawn in place on a terminal, a line per change otherwise, and always
// a final line, so logs and tests see where it ended.

const WIDTH = 30;

export class ProgressBar {
  private lastLine = '';

  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly label: string,
  ) {}

  private render(done: number, total: number, suffix: string): string {
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(ratio * WIDTH);
    return `${this.label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${Math.round(ratio * 100)}% ${done}/${total}${suffix ? ` ${suffix}` : ''}`;
  }

  update(done: number, total: number, suffix = ''): void {
    const line = this.render(done, total, suffix);
    if (line === this.lastLine) return;
    this.lastLine = line;
    if (this.stream.isTTY) this.stream.write(`\r${line}\u001b[K`);
    else this.stream.write(`${line}\n`);
  }

  finish(done: number, total: number, suffix = ''): void {
    const line = this.render(done, total, suffix);
    this.stream.write(this.stream.isTTY ? `\r${line}\u001b[K\n` : line === this.lastLine ? '' : `${line}\n`);
    this.lastLine = line;
  }
}
