// The sandbox: a local stand-in for BitGo and FinHub that speaks their documented APIs, for the tests,
// the demo and the examples. `npm run sandbox` starts it; tests call startSandbox() themselves.
import { Sandbox, SandboxModule, SandboxOptions } from "./server";
import { bitgoModule, SEED } from "./bitgo";
import { bitgoWalletsModule, WALLET_SEED } from "./bitgoWallets";
import { finhubModule, FINHUB_SEED } from "./finhub";
import { bitgoOrganizationsModule, ORG_SEED } from "./bitgoOrganizations";

/** Every module the sandbox serves. BitGo answers under /api/..., FinHub under /finhub/api/... */
export const MODULES: SandboxModule[] = [bitgoModule, bitgoWalletsModule, finhubModule, bitgoOrganizationsModule];

export interface RunningSandbox {
  /** BitGo's base URL (bitgo:apiUrl). */
  url: string;
  /** FinHub's base URL (finhub:apiUrl). */
  finhubUrl: string;
  sandbox: Sandbox;
  stop(): Promise<void>;
}

/**
 * Starts the sandbox on loopback. Options (see SandboxOptions): `port`, `stateFile`, `rateLimits`
 * (default true), `latencyMs` (every vendor answer waits this long first, default 0), `requestLog`
 * (default true; false for big benchmarks, GET /__sandbox/stats still counts), `requestLogLimit`
 * (default 5000 entries), `verbose`.
 */
export async function startSandbox(opts: SandboxOptions = {}): Promise<RunningSandbox> {
  const sandbox = new Sandbox(opts.modules ?? MODULES, opts);
  const url = await sandbox.start();
  return { url, finhubUrl: `${url}/finhub`, sandbox, stop: () => sandbox.stop() };
}

export { SEED, Sandbox };
export { WALLET_SEED };
export * from "./server";
export { FINHUB_SEED };
export { ORG_SEED };
