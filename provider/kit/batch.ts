// Writes batched where the vendor documents a batch (BitGo adds several usernames with one permission
// in one call; FinHub adds shareholders as an array). The engine runs up to `--parallel` operations at
// once (4 per core by default) and hands them over together: the creates that arrive for the same key
// until a short quiet window go out as one call, and each resource still gets its own result or its
// own error. The batch's `send` decides how the answer is shared out.
import { envNumber } from "./util";

export interface Entry<Item, R> {
  item: Item;
  resolve(result: R): void;
  reject(error: unknown): void;
}

export class Batcher<Item, R> {
  private readonly queues = new Map<string, { entries: Entry<Item, R>[]; timer: NodeJS.Timeout; first: number }>();
  /** How many calls carried how many items (for tests and the benchmark). */
  readonly stats = { calls: 0, items: 0 };

  constructor(
    private readonly send: (key: string, entries: Entry<Item, R>[]) => Promise<void>,
    private readonly max = 50,
    private readonly windowMs = envNumber("ORGSTACK_BATCH_MS", 40),
  ) {}

  add(key: string, item: Item): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let q = this.queues.get(key);
      if (!q) {
        q = { entries: [], timer: setTimeout(() => void this.flush(key), this.windowMs), first: Date.now() };
        this.queues.set(key, q);
      } else if (Date.now() - q.first < this.windowMs * 8) {
        // The engine sends its creates over a while: wait for a quiet window, up to eight windows in all.
        clearTimeout(q.timer);
        q.timer = setTimeout(() => void this.flush(key), this.windowMs);
      }
      q.entries.push({ item, resolve, reject });
      if (q.entries.length >= this.max) {
        clearTimeout(q.timer);
        void this.flush(key);
      }
    });
  }

  private async flush(key: string): Promise<void> {
    const q = this.queues.get(key);
    if (!q) return;
    this.queues.delete(key);
    this.stats.calls++;
    this.stats.items += q.entries.length;
    try {
      await this.send(key, q.entries);
    } catch (e) {
      for (const entry of q.entries) entry.reject(e); // a settled promise ignores a second settle
    }
  }
}
