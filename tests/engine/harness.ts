// Runs whole Pulumi programs through the real engine (the Automation API driving the pulumi CLI),
// with a local file backend, passphrase secrets and no network but the sandbox.
import * as fs from "fs";
import * as path from "path";
import { execFileSync } from "child_process";
import { Stack, PulumiFn } from "@pulumi/pulumi/automation";
import { backendDirOf, offlineStack } from "../../demo/engine";

export const repoRoot = path.resolve(__dirname, "../..");

let cliRoot: string | undefined;

/** The folder holding the pulumi CLI (built once by scripts/ensure-pulumi.sh when not on PATH). */
export function pulumiBinDir(): string {
  if (!cliRoot) {
    cliRoot = execFileSync("bash", [path.join(repoRoot, "scripts/ensure-pulumi.sh")], { encoding: "utf8" }).trim();
  }
  return cliRoot;
}

export interface EngineStack {
  stack: Stack;
  /** The file backend's folder: the state file lives under it. */
  backendDir: string;
  /** Every state file's text, to look for secrets. */
  stateText(): string;
  cleanup(): Promise<void>;
}

/**
 * A fresh stack for an inline program. The working directory sits inside the repository so that the
 * provider process (whose cwd it is) resolves `orgstack/provider` through the repo's node_modules,
 * as it would in a user's project.
 */
export async function engineStack(opts: {
  name: string;
  program: PulumiFn;
  config?: Record<string, { value: string; secret?: boolean }>;
  env?: Record<string, string>;
}): Promise<EngineStack> {
  const base = path.join(repoRoot, ".orgstack", "engine", `${opts.name}-${process.pid}-${Date.now()}`);
  const backendDir = backendDirOf(base);
  const binDir = pulumiBinDir();
  const pluginDir = path.join(repoRoot, "node_modules", "@pulumi", "pulumi");
  const envVars: Record<string, string> = {
    PATH: `${binDir}:${pluginDir}:${process.env.PATH}`,
    // Keep retries quick in tests; production defaults are longer.
    ORGSTACK_HTTP_BACKOFF_MS: "20",
    ...opts.env,
  };
  // The provider process inherits the CLI's environment; clear the caller's BitGo settings.
  for (const k of ["BITGO_ACCESS_TOKEN", "BITGO_API_URL", "BITGO_EMAIL", "BITGO_PASSWORD", "BITGO_OTP", "BITGO_TOTP_SECRET"]) {
    if (!(k in envVars)) envVars[k] = "";
  }
  const stack = await offlineStack({
    stackName: "test",
    projectName: `orgstack-${opts.name}`,
    program: opts.program,
    workDir: path.join(base, "work"),
    stateDir: base,
    passphrase: "orgstack-engine-tests",
    binDir,
    envVars,
    projectSettings: { name: `orgstack-${opts.name}`, runtime: "nodejs", backend: { url: `file://${backendDir}` } },
  });
  for (const [key, v] of Object.entries(opts.config ?? {})) await stack.setConfig(key, v);

  return {
    stack,
    backendDir,
    stateText: () => readAll(backendDir),
    cleanup: async () => {
      await stack.workspace.removeStack("test", { force: true }).catch(() => undefined);
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}

function readAll(dir: string): string {
  let out = "";
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out += readAll(p);
    else if (entry.name.endsWith(".json") || entry.name.endsWith(".bak")) out += fs.readFileSync(p, "utf8");
  }
  return out;
}

/** Captures what the engine prints, for assertions on the preview text. */
export function collector() {
  const lines: string[] = [];
  return { onOutput: (s: string) => lines.push(s), text: () => lines.join("") };
}
