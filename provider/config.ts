// The stack's configuration as the provider process received it in `configure`, and the settings
// readers every vendor client uses: the stack's config key first (`bitgo:apiUrl`), then the
// environment variable. Each vendor client is built once per process from these (see its client.ts).
import { AsyncLocalStorage } from "async_hooks";
import type { ConfigSource } from "./types";

let current: ConfigSource | undefined;
const scoped = new AsyncLocalStorage<ConfigSource>();

/** The configuration of the process (the dynamic provider process serves one stack). */
export function setConfig(config: ConfigSource | undefined): void {
  current = config;
}

/**
 * Runs `fn` with its own configuration: one process serving several configured providers (the plugin's
 * explicit providers, several sandboxes in a test) keeps each call on its own settings.
 */
export function withConfig<T>(config: ConfigSource, fn: () => T): T {
  return scoped.run(config, fn);
}

export function getConfig(): ConfigSource | undefined {
  return scoped.getStore() ?? current;
}

/** One setting: the stack's config key first, then the env variable; "" counts as unset. */
export function setting(config: ConfigSource | undefined, key: string, envName: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromConfig = config?.get(key);
  const value = fromConfig !== undefined && fromConfig !== "" ? fromConfig : env[envName];
  return value === undefined || value === "" ? undefined : String(value);
}

/** A yes/no setting: "true"/"1"/"yes" or "false"/"0"/"no"; anything else is an error naming the key. */
export function flag(value: string | undefined, key: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new Error(`${key}: "${value}" is not true or false`);
}

export interface HttpSettings {
  timeoutMs?: number;
  maxRetries?: number;
  backoffMs?: number;
  /** Pacing under the vendor's documented rate limits (ORGSTACK_RATE_LIMITS=off turns it off, for a sandbox without limits). */
  paced: boolean;
}

/** The HTTP overrides every client honours (ORGSTACK_HTTP_*); only those that are set. */
export function httpSettings(env: NodeJS.ProcessEnv = process.env): HttpSettings {
  const out: HttpSettings = { paced: !/^(off|false|0|no)$/i.test(env.ORGSTACK_RATE_LIMITS ?? "") };
  const num = (name: string) => {
    const v = env[name];
    if (v === undefined || v === "") return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name}: "${v}" is not a number`);
    return n;
  };
  const t = num("ORGSTACK_HTTP_TIMEOUT_MS");
  const r = num("ORGSTACK_HTTP_MAX_RETRIES");
  const b = num("ORGSTACK_HTTP_BACKOFF_MS");
  if (t !== undefined) out.timeoutMs = t;
  if (r !== undefined) out.maxRetries = r;
  if (b !== undefined) out.backoffMs = b;
  return out;
}
