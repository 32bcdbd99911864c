// Pacing under a vendor's documented rate limits, per vendor user. Each limit is a sliding window
// ("360 requests per 60 s"); a call names the windows it counts against and waits until every one of
// them has room, so a run of a thousand resources never meets a 429. The window is kept a little
// longer than documented: the vendor counts arrivals, we count departures, and a slow answer must not
// let two calls land in one window. A 429 that still comes pauses the window it names until the
// vendor's Retry-After has passed: it is waited out, not retried into.
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
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

  /** Where this vendor user's departures are kept for the next process (undefined: nowhere). */
  private readonly memory?: string;

  /**
   * `remember` names the vendor user (such as the API URL and login): the calls of the processes
   * before this one (a refresh, then an up) still count in the vendor's window, so their departures
   * are kept in a small file under the system's temp folder and read back here. Best effort: a
   * folder that cannot be written only means this process starts with an empty window.
   */
  constructor(
    readonly limits: Record<string, Limit>,
    readonly enabled = true,
    remember?: string,
  ) {
    if (!enabled || remember === undefined) return;
    const name = crypto.createHash("sha256").update(remember).digest("hex").slice(0, 24);
    const folder = path.join(os.tmpdir(), "orgstack-pacing");
    this.memory = path.join(folder, `${name}.log`);
    try {
      fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    } catch {
      /* best effort: the appends below fail quietly too */
    }
    this.recall();
  }

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
    this.remember(buckets, now);
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

  /** Reads the departures earlier processes left that still count, and keeps only those in the file. */
  private recall(): void {
    const now = Date.now();
    const live: string[] = [];
    try {
      for (const line of fs.readFileSync(this.memory!, "utf8").split("\n")) {
        const [bucket, at] = line.split(" ");
        const t = Number(at);
        const limit = this.limits[bucket];
        if (!limit || !(t <= now) || now - t >= limit.windowMs + SLACK_MS) continue;
        this.window(bucket, now).push(t);
        live.push(line);
      }
      for (const hits of this.sent.values()) hits.sort((a, b) => a - b);
      fs.writeFileSync(this.memory!, live.map((l) => `${l}\n`).join(""), { mode: 0o600 });
    } catch {
      /* nothing remembered yet, or nowhere to remember it */
    }
  }

  private remember(buckets: readonly string[], now: number): void {
    if (!this.memory) return;
    const lines = buckets.filter((b) => this.limits[b]).map((b) => `${b} ${now}\n`).join("");
    if (!lines) return;
    try {
      fs.appendFileSync(this.memory, lines, { mode: 0o600 });
    } catch {
      /* best effort (see the constructor) */
    }
  }

  private window(bucket: string, now: number): number[] {
    const limit = this.limits[bucket];
    const hits = (this.sent.get(bucket) ?? []).filter((t) => now - t < limit.windowMs + SLACK_MS);
    this.sent.set(bucket, hits);
    return hits;
  }
}
