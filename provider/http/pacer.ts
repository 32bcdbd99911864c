// Pacing under a vendor's documented rate limits, per vendor user. Each limit is a sliding window
// ("360 requests per 60 s"); a call names the windows it counts against and waits until every one of
// them has room, so a run of a thousand resources never meets a 429. The window is kept a little
// longer than documented: the vendor counts arrivals, we count departures, and a slow answer must not
// let two calls land in one window. A 429 that still comes pauses the window it names until the
// vendor's Retry-After has passed: it is waited out, not retried into.
import { sleep } from "../kit/util";

export interface Limit {
  limit: number;
  windowMs: number;
}

/** Extra time on each window: covers the trip between departure and arrival. */
const SLACK_MS = 1_000;

export class Pacer {
  private readonly sent = new Map<string, number[]>();
  private readonly pausedUntil = new Map<string, number>();
  /** Calls that waited, and for how long in all (for logs and the benchmark). */
  readonly stats = { waits: 0, waitedMs: 0 };

  constructor(
    readonly limits: Record<string, Limit>,
    readonly enabled = true,
  ) {}

  /** Waits until every named window has room, then counts the call in each. */
  async acquire(buckets: readonly string[]): Promise<void> {
    if (!this.enabled) return;
    const started = Date.now();
    for (;;) {
      const wait = this.waitFor(buckets, Date.now());
      if (wait <= 0) break;
      await sleep(wait);
    }
    const now = Date.now();
    for (const b of buckets) if (this.limits[b]) this.window(b, now).push(now);
    if (now - started > 5) {
      this.stats.waits++;
      this.stats.waitedMs += now - started;
    }
  }

  /** How long a call counting against these windows must wait now (0: it may go). */
  waitFor(buckets: readonly string[], now: number): number {
    let wait = 0;
    for (const b of buckets) {
      const limit = this.limits[b];
      if (!limit) continue;
      wait = Math.max(wait, (this.pausedUntil.get(b) ?? 0) - now);
      const hits = this.window(b, now);
      if (hits.length >= limit.limit) wait = Math.max(wait, hits[hits.length - limit.limit] + limit.windowMs + SLACK_MS - now);
    }
    return wait;
  }

  /** After a 429: nothing counting against these windows goes before `ms` has passed. */
  pause(buckets: readonly string[], ms: number): void {
    const until = Date.now() + ms;
    for (const b of buckets) if (this.limits[b]) this.pausedUntil.set(b, Math.max(until, this.pausedUntil.get(b) ?? 0));
  }

  /** The longest documented window among these buckets: how long a Retry-After may sensibly ask for. */
  longestWindow(buckets: readonly string[]): number {
    return Math.max(60_000, ...buckets.map((b) => this.limits[b]?.windowMs ?? 0));
  }

  private window(bucket: string, now: number): number[] {
    const limit = this.limits[bucket];
    const hits = (this.sent.get(bucket) ?? []).filter((t) => now - t < limit.windowMs + SLACK_MS);
    this.sent.set(bucket, hits);
    return hits;
  }
}
