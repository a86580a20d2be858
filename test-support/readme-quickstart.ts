// The README's quick start as commands, for the test that runs it as written. A command is a line of a
// ```sh block in the "## Quick start" section (a line ending in \ continues on the next); a ` # ` starts
// a comment. What the README cannot know is filled in by `fillIn`: the ports the test uses instead of
// 3000 and 4000, and each `<prefix>_…` placeholder with the last such value the commands printed.

export function quickStartCommands(readme: string): string[] {
  const start = readme.indexOf('\n## Quick start');
  if (start < 0) throw new Error('README.md has no "## Quick start" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const commands: string[] = [];
  for (const block of section.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const text = block[1]!.replace(/\\\n\s*/g, ' ');
    for (const line of text.split('\n')) {
      const command = line.replace(/\s+#\s.*$/, '').trim();
      if (command) commands.push(command);
    }
  }
  return commands;
}

export interface FillIn {
  apiPort: number;
  receiverPort: number;
  /** Everything the commands printed so far. */
  printed: string;
}

export function fillIn(command: string, { apiPort, receiverPort, printed }: FillIn): string {
  return command
    .replaceAll('127.0.0.1:3000', `127.0.0.1:${apiPort}`)
    .replaceAll('127.0.0.1:4000', `127.0.0.1:${receiverPort}`)
    .replaceAll('--port 4000', `--port ${receiverPort}`)
    .replace(/\b([a-z]+)_…/g, (_placeholder, prefix: string) => {
      const values = [...printed.matchAll(new RegExp(`\\b${prefix}_[A-Za-z0-9_+/=-]+`, 'g'))];
      if (values.length === 0) throw new Error(`the README's ${prefix}_… stands for a value no earlier command printed`);
      return values.at(-1)![0];
    });
}
