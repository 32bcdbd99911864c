// Small helpers every part of the provider uses.

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** JSON with object keys in order and undefined left out: two values are the same when these are. */
export function canonical(v: unknown): string {
  return JSON.stringify(canon(v));
}
function canon(v: any): any {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => [k, canon(v[k])]));
  return v;
}

export const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/** A number from the environment, or the default when it is unset or not a number. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** Only the given keys of an object, those that are set. */
export function pick<T extends object, K extends string>(o: T, keys: readonly K[]): Partial<Record<K, unknown>> {
  const out: Partial<Record<K, unknown>> = {};
  for (const k of keys) if ((o as any)?.[k] !== undefined) out[k] = (o as any)[k];
  return out;
}
