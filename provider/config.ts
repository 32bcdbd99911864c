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
