// The stack's configuration as the provider process received it in `configure`. Every resource reads
// its vendor's settings from here; the environment is the fallback (see each client).
import type { ConfigSource } from "./types";

let current: ConfigSource | undefined;

export function setConfig(config: ConfigSource | undefined): void {
  current = config;
}

export function getConfig(): ConfigSource | undefined {
  return current;
}

/** One setting: the stack's config key (`bitgo:apiUrl`) first, then the env variable; "" counts as unset. */
export function setting(config: ConfigSource | undefined, key: string, envName: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromConfig = config?.get(key);
  const value = fromConfig !== undefined && fromConfig !== "" ? fromConfig : env[envName];
  return value === undefined || value === "" ? undefined : String(value);
}

/** The HTTP overrides every client honours (ORGSTACK_HTTP_*); only those that are set. */
export function httpOverrides(env: NodeJS.ProcessEnv = process.env): { timeoutMs?: number; maxRetries?: number; backoffMs?: number } {
  const out: { timeoutMs?: number; maxRetries?: number; backoffMs?: number } = {};
  if (env.ORGSTACK_HTTP_TIMEOUT_MS) out.timeoutMs = Number(env.ORGSTACK_HTTP_TIMEOUT_MS);
  if (env.ORGSTACK_HTTP_MAX_RETRIES) out.maxRetries = Number(env.ORGSTACK_HTTP_MAX_RETRIES);
  if (env.ORGSTACK_HTTP_BACKOFF_MS) out.backoffMs = Number(env.ORGSTACK_HTTP_BACKOFF_MS);
  return out;
}
