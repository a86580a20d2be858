/**
 * Collects what concurrent callers hand it during one turn of the event loop and handles it in one
 * call (at most `maxBatch` items each): many deliveries share one round trip and one commit. Every
 * caller still awaits its own item, so nothing is acknowledged before the call that carries it is done.
 *
 * `retrySingly(error)`: when a batch of several fails with an error it accepts, each of its items is
 * tried again alone, so one bad item (say, a delivery deleted meanwhile) fails only its own caller.
 * Only for calls that are all or nothing, where a failed batch left nothing behind.
 */
export class TurnBatcher<I, O> {
  private pending: { item: I; resolve: (value: O) => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly options: { maxBatch: number; retrySingly?: (error: unknown) => boolean },
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the current turn's I/O callbacks and microtasks: the jobs they woke have joined by then.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.pending.length > 0) void this.send(this.pending.splice(0, this.options.maxBatch));
  }

  private async send(batch: typeof this.pending): Promise<void> {
    try {
      const results = await this.run(batch.map((entry) => entry.item));
      batch.forEach((entry, i) => entry.resolve(results[i]!));
    } catch (error) {
      if (batch.length === 1 || !this.options.retrySingly?.(error)) {
        for (const entry of batch) entry.reject(error);
        return;
      }
      await Promise.all(batch.map((entry) => this.send([entry])));
    }
  }
}
