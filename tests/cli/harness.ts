// Runs an example program against a fresh sandbox through the real engine (as `npm run example --
// <name> --keep` does, but in a folder of its own and with the sandbox left running), then runs the
// orgstack command line against that stack exactly as a user would: `node dist/cli/main.js review
// --stack dev` in the project's folder, with the Pulumi CLI on PATH and the backend in the environment.
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { PulumiFn, Stack } from "@pulumi/pulumi/automation";
import { offlineStack, programFile } from "../../demo/engine";
import { sandboxConfig } from "../../demo/example";
import { RunningSandbox, startSandbox } from "../../sandbox";
import { pulumiBinDir, repoRoot } from "../engine/harness";

export const PASSPHRASE = "orgstack-cli-tests";
const VENDOR_ENV = ["BITGO_ACCESS_TOKEN", "BITGO_API_URL", "BITGO_EMAIL", "BITGO_PASSWORD", "BITGO_OTP", "BITGO_TOTP_SECRET", "FINHUB_API_URL", "FINHUB_TOKEN", "FINHUB_TENANT_ID"];

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExampleRun {
  name: string;
  running: RunningSandbox;
  stack: Stack;
  /** The project's folder (Pulumi.yaml, Pulumi.dev.yaml): where a user runs the command line. */
  projectDir: string;
  /** A scratch folder for the command's output files. */
  outDir: string;
  /** The environment a user's shell would have: Pulumi CLI on PATH, backend, passphrase; no vendor settings. */
  env: NodeJS.ProcessEnv;
  cli(args: string[], extraEnv?: Record<string, string>): Promise<CliResult>;
  /** A call to the sandbox's control or vendor API. */
  sandbox(method: string, p: string, body?: unknown, token?: string): Promise<any>;
  cleanup(): Promise<void>;
}

export interface ExampleOptions {
  /** Stack config added to (or, with `credentialsFromEnv`, instead of) the sandbox's. */
  config?: Record<string, { value: string; secret?: boolean }>;
  /** Only bitgo:apiUrl and finhub:apiUrl in the stack's config; credentials come from `env` (as in CI). */
  credentialsFromEnv?: Record<string, string>;
  /** Run `pulumi up` (default true). */
  up?: boolean;
  /** An inline program instead of examples/<name> (compiled in dist/). */
  program?: PulumiFn;
}

/** Starts a sandbox, runs `pulumi up` of examples/<name> against it, and leaves both running. */
export async function runExample(name: string, opts: ExampleOptions = {}): Promise<ExampleRun> {
  const base = path.join(repoRoot, ".orgstack", "cli-tests", `${name}-${process.pid}-${Date.now()}`);
  const projectDir = path.join(base, "program");
  const outDir = path.join(base, "out");
  fs.mkdirSync(outDir, { recursive: true });
  const binDir = pulumiBinDir();
  const running = await startSandbox();
  const cleared = Object.fromEntries(VENDOR_ENV.map((k) => [k, ""]));
  const stack = await offlineStack({
    stackName: "dev",
    projectName: name,
    program: opts.program ?? programFile(path.join(repoRoot, "dist", "examples", name, "index.js")),
    workDir: projectDir,
    stateDir: base,
    passphrase: PASSPHRASE,
    binDir,
    projectSettings: { name, runtime: "nodejs" },
    envVars: { PATH: `${binDir}:${path.join(repoRoot, "node_modules", "@pulumi", "pulumi")}:${process.env.PATH}`, ORGSTACK_HTTP_BACKOFF_MS: "20", ...cleared, ...opts.credentialsFromEnv },
  });
  const full = sandboxConfig(running);
  const stackConfig = opts.credentialsFromEnv ? { "bitgo:apiUrl": full["bitgo:apiUrl"], "finhub:apiUrl": full["finhub:apiUrl"] } : full;
  await stack.setAllConfig({ ...stackConfig, ...opts.config });
  if (opts.up !== false) {
    const up = await stack.up();
    if (up.summary.result !== "succeeded") throw new Error(`example ${name}: up ${up.summary.result}`);
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...cleared,
    PATH: `${binDir}:${process.env.PATH}`,
    PULUMI_BACKEND_URL: `file://${path.join(base, "backend")}`,
    PULUMI_HOME: path.join(base, "home"),
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
  };
  return {
    name,
    running,
    stack,
    projectDir,
    outDir,
    env,
    cli: (args, extraEnv = {}) => runCli(args, projectDir, { ...env, ...extraEnv }),
    sandbox: (method, p, body, token) => call(running.url, method, p, body, token),
    cleanup: async () => {
      await running.stop();
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}

export function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(repoRoot, "dist", "cli", "main.js"), ...args], { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as any).code === "number" ? (error as any).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

async function call(base: string, method: string, p: string, body?: unknown, token?: string): Promise<any> {
  const res = await fetch(`${base}${p}`, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}
