// Writes batched where the vendor documents a batch (BitGo adds several usernames with one permission
// in one call; FinHub adds shareholders as an array). The engine runs up to `--parallel` operations at
// once (4 per core by default), but hands over creates one by one, as fast as it checks them (tens
// of milliseconds each): the creates that arrive for the same key until a quiet window (150 ms) go
// out as one call, and each resource still gets its own result or its own error. The batch's `send`
// decides how the answer is shared out.
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

  private readonly max: number;
  private readonly windowMs: number;
  private readonly readyIn: (entries: Entry<Item, R>[]) => number;

  /**
   * `readyIn`: how long the batch's call would wait before it could leave (the vendor's pacer). A
   * batch stays open until then: under a rate limit, the creates that arrive while it waits ride in
   * the same call instead of queueing calls of their own.
   */
  constructor(
    private readonly send: (key: string, entries: Entry<Item, R>[]) => Promise<void>,
    opts: { max?: number; windowMs?: number; readyIn?: (entries: Entry<Item, R>[]) => number } = {},
  ) {
    this.max = opts.max ?? 50;
    this.windowMs = opts.windowMs ?? envNumber("ORGSTACK_BATCH_MS", 150);
    this.readyIn = opts.readyIn ?? (() => 0);
  }

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
        void this.flush(key, true);
      }
    });
  }

  private async flush(key: string, full = false): Promise<void> {
    const q = this.queues.get(key);
    if (!q) return;
    const wait = full ? 0 : this.readyIn(q.entries);
    if (wait > 0) {
      clearTimeout(q.timer);
      q.timer = setTimeout(() => void this.flush(key), Math.min(wait, 1_000));
      return;
    }
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
