// The read cache every vendor client keeps for the life of one provider process (one `pulumi up`,
// `preview` or `refresh`). Many resources read the same vendor object (an enterprise's member list, a
// wallet, an organization's directors): it is read once and shared. A write keeps the cache true, by
// forgetting what it changed or by applying its known effect; a read that must see the vendor as it
// is now (looking for a lost write's effect, polling an approval) asks for a read that started after
// a given moment, and concurrent such reads share one call. A failed read is never kept.
//
// Such a fresh read also waits, for a moment, while other writes to the same object are still on
// their way: the engine sends a wave of creates at once, and each needs the list read again after its
// write (BitGo and FinHub answer an addition without the record's id); one read after the wave
// serves them all, instead of one read per write.

//
// Under a vendor's rate limit a read may wait a long while in the pacer before it leaves. Until it
// leaves, it will see everything done before it leaves: so a caller needing a fresh read joins it
// rather than queueing a second one. The transport says when a request is queued and when it leaves
// (`loadEvents`), and a read's start is the moment its first request left.
import { AsyncLocalStorage } from "async_hooks";
import { envNumber } from "../kit/util";

/** The longest a fresh read waits for the writes in flight to the same object. */
const QUIET_MAX_MS = 2_000;

/**
 * How long a fresh read waits before it leaves, so the callers who need one meanwhile share it: the
 * engine hands creates over one by one, and every addition whose answer lacks the record's id needs
 * the list again. A quarter of a second costs each create little and saves most of those reads.
 */
const freshReadGatherMs = () => envNumber("ORGSTACK_GATHER_MS", 250);

interface Entry {
  /** When the read started: its first request's departure (before that, when it was asked for). */
  startedAt: number;
  /** Its request is waiting in the transport (pacer) and has not left yet. */
  queued: boolean;
  departed: boolean;
  value: Promise<unknown>;
}

const loading = new AsyncLocalStorage<Entry>();

/** What the transport reports about the request it is making, when it makes it for a cached read. */
export const loadEvents = {
  queued(): void {
    const e = loading.getStore();
    if (e && !e.departed) e.queued = true;
  },
  departing(): void {
    const e = loading.getStore();
    if (e && !e.departed) Object.assign(e, { departed: true, queued: false, startedAt: Date.now() });
  },
};

export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  /** Reads made and reads served from the cache (for the benchmark and tests). */
  readonly stats = { loads: 0, hits: 0 };
  private readonly writesInFlight = new Map<string, number>();
  private readonly waitingForQuiet = new Map<string, (() => void)[]>();

  /**
   * The cached value of `key`, or `load()`'s. With `notBefore`, only a read that started at or after
   * that moment will do (default: any); such a fresh read starts a moment later (`gatherMs`, default
   * ORGSTACK_GATHER_MS or 250 ms), so the callers who need one meanwhile share it.
   */
  get<T>(key: string, load: () => Promise<T>, opts: { notBefore?: number; gatherMs?: number } = {}): Promise<T> {
    if (opts.notBefore !== undefined && this.writesInFlight.has(key)) return this.quiet(key).then(() => this.getNow(key, load, opts));
    return this.getNow(key, load, opts);
  }

  private getNow<T>(key: string, load: () => Promise<T>, opts: { notBefore?: number; gatherMs?: number }): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && (opts.notBefore === undefined || hit.startedAt >= opts.notBefore || hit.queued)) {
      this.stats.hits++;
      return hit.value as Promise<T>;
    }
    this.stats.loads++;
    const wait = opts.gatherMs ?? (opts.notBefore === undefined ? 0 : freshReadGatherMs());
    const entry: Entry = { startedAt: Date.now() + wait, queued: false, departed: false, value: Promise.resolve() };
    const run = () => loading.run(entry, load);
    entry.value = wait > 0 ? new Promise<void>((r) => setTimeout(r, wait)).then(run) : run();
    this.entries.set(key, entry);
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry.value as Promise<T>;
  }

  /**
   * Applies a write's known effect to a cached value, if one is cached; the next reader sees the
   * change without another call.
   */
  update<T>(key: string, change: (current: T) => T): void {
    const hit = this.entries.get(key);
    if (!hit) return;
    // A change may land on a read still on its way, which may already show the write: changes must be
    // safe to apply to either (filters, maps, an append that replaces the same id).
    hit.value = hit.value.then((v) => change(v as T));
    hit.value.catch(() => undefined);
  }

  /** A write that changes `keys` has started; the returned function says it has ended (call it once). */
  writing(keys: string[]): () => void {
    for (const k of keys) this.writesInFlight.set(k, (this.writesInFlight.get(k) ?? 0) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      for (const k of keys) {
        const left = (this.writesInFlight.get(k) ?? 1) - 1;
        if (left > 0) {
          this.writesInFlight.set(k, left);
          continue;
        }
        this.writesInFlight.delete(k);
        for (const wake of this.waitingForQuiet.get(k) ?? []) wake();
        this.waitingForQuiet.delete(k);
      }
    };
  }

  /** Resolves when no write to `key` is in flight, or after QUIET_MAX_MS (writes may keep coming). */
  private quiet(key: string): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, QUIET_MAX_MS);
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waitingForQuiet.set(key, [...(this.waitingForQuiet.get(key) ?? []), wake]);
    });
  }

  /**
   * Forgets every key that starts with prefix, except a read that has not left yet (gathering, or
   * waiting in the pacer): it will see the write anyway, and the callers queued on it stay together.
   */
  forget(prefix: string): void {
    const now = Date.now();
    for (const [key, e] of [...this.entries]) if (key.startsWith(prefix) && !e.queued && e.startedAt <= now) this.entries.delete(key);
  }
}
