// Pulumi programs that use the orgstack provider plugin, run through the real CLI against the sandbox:
// Pulumi YAML projects (pulumi-language-yaml, built once from the Go module proxy and cached under
// ~/.cache/orgstack) and Go Automation API programs. Each stack gets its own folder under .orgstack/,
// a file backend, a PULUMI_HOME and passphrase secrets; the plugin is found through Pulumi.yaml's
// plugins.providers path (plugin/bin), so nothing is installed.
import * as fs from "fs";
import * as path from "path";
import { execFile, execFileSync } from "child_process";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { stringify } from "yaml";
import type { LoggedRequest, RunningSandbox } from "../../sandbox";
import { SEED, FINHUB_SEED } from "../../sandbox";

export const repoRoot = path.resolve(__dirname, "../..");
export const pluginDir = path.join(repoRoot, "plugin", "bin");

let tools: { pulumi: string; yaml: string } | undefined;

/** The folders holding `pulumi` and `pulumi-language-yaml` (each built once and cached when missing). */
export function toolDirs(): { pulumi: string; yaml: string } {
  tools ??= {
    pulumi: execFileSync("bash", [path.join(repoRoot, "scripts/ensure-pulumi.sh")], { encoding: "utf8" }).trim(),
    yaml: execFileSync("bash", [path.join(repoRoot, "scripts/ensure-pulumi-yaml.sh")], { encoding: "utf8", timeout: 600_000 }).trim(),
  };
  return tools;
}

/** Vendor settings from the environment would reach the plugin (it falls back to them): cleared. */
const VENDOR_ENV = ["BITGO_ACCESS_TOKEN", "BITGO_API_URL", "BITGO_EMAIL", "BITGO_PASSWORD", "BITGO_OTP", "BITGO_TOTP_SECRET", "BITGO_EXPRESS", "FINHUB_API_URL", "FINHUB_TOKEN", "FINHUB_TENANT_ID"];

export const PASSPHRASE = "orgstack-plugin-tests";

/** The environment every pulumi command of a test stack runs with. */
export function stackEnv(base: string, extra: Record<string, string> = {}): Record<string, string> {
  const { pulumi, yaml } = toolDirs();
  const env: Record<string, string> = {
    PATH: `${pulumi}:${yaml}:${process.env.PATH}`,
    PULUMI_HOME: path.join(base, "home"),
    PULUMI_BACKEND_URL: `file://${path.join(base, "backend")}`,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    ORGSTACK_RATE_LIMITS: "off",
    ORGSTACK_HTTP_BACKOFF_MS: "20",
    ORGSTACK_SETTLE_MS: "2000",
    ORGSTACK_BATCH_MS: "300",
    ORGSTACK_FINHUB_POLL_MS: "50",
    ...extra,
  };
  for (const k of VENDOR_ENV) if (!(k in env)) env[k] = "";
  return env;
}

/** The stack config that points the plugin at a running sandbox (both vendors, the operator's login). */
export function sandboxConfig(sandbox: RunningSandbox): Record<string, { value: string; secret?: boolean }> {
  const tenant = FINHUB_SEED.tenants.acme;
  return {
    "orgstack:bitgoApiUrl": { value: sandbox.url },
    "orgstack:bitgoEmail": { value: SEED.operator.email },
    "orgstack:bitgoPassword": { value: SEED.operator.password, secret: true },
    "orgstack:bitgoTotpSecret": { value: SEED.operator.totpSecret, secret: true },
    "orgstack:finhubApiUrl": { value: sandbox.finhubUrl },
    "orgstack:finhubTenantId": { value: tenant.id },
    "orgstack:finhubToken": { value: tenant.token, secret: true },
  };
}

export interface Program {
  resources?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface YamlStack {
  stack: Stack;
  dir: string;
  /** Writes the program (Pulumi.yaml) anew. */
  write(program: Program): void;
  /** Runs the pulumi CLI in the project; resolves with its output (rejects with it on failure). */
  cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Every state file's text, to look for secrets. */
  stateText(): string;
  cleanup(): Promise<void>;
}

/** A Pulumi YAML project that uses the plugin, with a fresh stack "dev". */
export async function yamlStack(opts: { name: string; program: Program; config?: Record<string, { value: string; secret?: boolean }>; env?: Record<string, string> }): Promise<YamlStack> {
  const base = path.join(repoRoot, ".orgstack", "plugin-tests", `${opts.name}-${process.pid}-${Date.now()}`);
  const dir = path.join(base, "project");
  for (const d of [dir, path.join(base, "home"), path.join(base, "backend")]) fs.mkdirSync(d, { recursive: true });
  const env = stackEnv(base, opts.env);
  const write = (program: Program) => fs.writeFileSync(path.join(dir, "Pulumi.yaml"), stringify(projectFile(opts.name, program), { aliasDuplicateObjects: false }));
  write(opts.program);
  const ws = await LocalWorkspace.create({
    workDir: dir,
    pulumiHome: env.PULUMI_HOME,
    envVars: env,
    pulumiCommand: await PulumiCommand.get({ root: path.dirname(toolDirs().pulumi), skipVersionCheck: true }),
  });
  const stack = await Stack.create("dev", ws);
  for (const [key, v] of Object.entries(opts.config ?? {})) await stack.setConfig(key, v);
  const cli = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
      execFile("pulumi", [...args, "--stack", "dev", "--non-interactive"], { cwd: dir, env: { ...process.env, ...env }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
        const out = { code: err ? Number((err as any).code ?? 1) : 0, stdout, stderr };
        if (err) reject(Object.assign(new Error(`pulumi ${args.join(" ")} failed (${out.code}):\n${stdout}\n${stderr}`), out));
        else resolve(out);
      });
    });
  return {
    stack,
    dir,
    write,
    cli,
    stateText: () => readAll(path.join(base, "backend")),
    cleanup: async () => {
      await stack.workspace.removeStack("dev", { force: true }).catch(() => undefined);
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}

/** Pulumi.yaml for a program: the YAML runtime, the plugin from this checkout. */
export function projectFile(name: string, program: Program): Program {
  return { name, runtime: "yaml", plugins: { providers: [{ name: "orgstack", path: pluginDir }] }, ...program };
}

export function readAll(dir: string): string {
  let out = "";
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out += readAll(p);
    else if (entry.name.endsWith(".json") || entry.name.endsWith(".bak")) out += fs.readFileSync(p, "utf8");
  }
  return out;
}

/** Calls that change nothing at the vendor though they are not GETs: BitGo's login and sharing-key lookup. */
const READING_POSTS = [/^\/api\/v2\/user\/login$/, /^\/api\/v2\/user\/sharingkey$/];

/** The vendor writes the sandbox logged after `fromSeq` (every call but reads and logins). */
export function vendorWrites(sandbox: RunningSandbox, fromSeq: number): LoggedRequest[] {
  return sandbox.sandbox.requests.filter((r) => r.seq > fromSeq && r.method !== "GET" && !r.path.startsWith("/__sandbox") && !READING_POSTS.some((p) => p.test(r.path)));
}

export const lastSeq = (sandbox: RunningSandbox) => sandbox.sandbox.requests.at(-1)?.seq ?? 0;

/** Calls a sandbox control route (out-of-band changes, seeding). */
export async function control(sandbox: RunningSandbox, method: string, p: string, body?: unknown): Promise<any> {
  const res = await fetch(`${sandbox.url}/__sandbox${p}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`sandbox ${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Captures what the engine prints. */
export function collector() {
  const lines: string[] = [];
  return { onOutput: (s: string) => lines.push(s), text: () => lines.join("") };
}

/** examples/go-admins, built once and cached by scripts/plugin-go-admins.sh; its path. */
export function goAdminsBinary(): string {
  return execFileSync("bash", [path.join(repoRoot, "scripts/plugin-go-admins.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 900_000 }).trim();
}
