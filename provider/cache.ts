// The per-run read cache every vendor client keeps: many resources of one run read the same object
// (an enterprise, a wallet, a personnel list), and vendors rate-limit reads. A write forgets what it
// changed; a failed read is never kept.
export class RunCache {
  private readonly entries = new Map<string, { at: number; value: Promise<unknown> }>();

  /** How long a read is reused; 0 turns the cache off. */
  constructor(public ttlMs: number) {}

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.value as Promise<T>;
    const value = load();
    this.entries.set(key, { at: Date.now(), value });
    value.catch(() => this.entries.delete(key));
    return value;
  }

  /** Forgets one key. */
  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every key that starts with prefix. */
  invalidate(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}
