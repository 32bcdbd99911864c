// The provider side of orgstack: what the provider process loads (through the shim in sdk/shim.ts)
// to run a resource's check, diff, create, read, update and delete.
import { setConfig } from "./config";
import type { ConfigSource, ResourceProvider } from "./types";
import { enterpriseUser } from "./bitgo/enterpriseUser";

const providers: Record<string, ResourceProvider> = {
  "bitgo:EnterpriseUser": enterpriseUser,
};

export function configure(config: ConfigSource | undefined): void {
  setConfig(config);
}

export function provider(kind: string): ResourceProvider {
  const p = providers[kind];
  if (!p) {
    throw new Error(
      `orgstack: no provider for ${kind} in the installed orgstack package; ` +
        `the stack's state was written by another version: install that version, or a newer one that knows ${kind}`,
    );
  }
  return p;
}

export { setConfig };
export * from "./types";
