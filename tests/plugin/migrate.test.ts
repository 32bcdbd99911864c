// `orgstack migrate` on each example stack (wallet-team, baas-organization, finhub-onboarding): up with
// the TypeScript dynamic resources, migrate, then the Pulumi YAML program migrate wrote previews with no
// change and its first up changes nothing; the sandbox's request log shows no vendor write from the
// migration to that up. The old program, run again by mistake, is refused at preview (the moved
// resources are protected until the new program's first up). The plugin then manages the stack: destroy.
import * as fs from "fs";
import * as path from "path";
import { execFile } from "child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { startSandbox, RunningSandbox } from "../../sandbox";
import { ensureOrganizationSeed } from "../../sandbox/bitgoOrganizations";
import { offlineStack, programFile } from "../../demo/engine";
import { sandboxConfig as dynamicConfig } from "../../demo/example";
import { PASSPHRASE, lastSeq, pluginDir, repoRoot, stackEnv, toolDirs, vendorWrites } from "./harness";

let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimits: false });
  ensureOrganizationSeed(sandbox.sandbox.state);
  await fetch(`${sandbox.url}/__sandbox/finhub/settings`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ kybDelayMs: 50, activationDelayMs: 150 }) });
});
afterAll(async () => {
  await sandbox?.stop();
});

/** Runs `orgstack migrate` (the compiled command line) in the project's folder. */
function migrate(cwd: string, env: Record<string, string>, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [path.join(repoRoot, "dist/cli/main.js"), "migrate", "--stack", "dev", ...args], { cwd, env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      err ? reject(new Error(`migrate failed:\n${stdout}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

const examples: { name: string; config?: Record<string, string> }[] = [
  { name: "wallet-team" },
  { name: "baas-organization" },
  { name: "finhub-onboarding", config: { "finhub-onboarding:emailDomain": "migrate.example", "finhub-onboarding:pollIntervalMs": "50" } },
];

describe.each(examples)("migrating examples/$name from dynamic resources to the plugin", ({ name, config }) => {
  const base = path.join(repoRoot, ".orgstack", "plugin-tests", `migrate-${name}-${process.pid}-${Date.now()}`);
  const workDir = path.join(base, "program");
  let env: Record<string, string>;
  let dynamic: Stack;
  let resourceCount = 0;
  let from = 0;

  beforeAll(async () => {
    env = stackEnv(base);
    // The dynamic provider's plugin (pulumi-resource-pulumi-nodejs) ships in @pulumi/pulumi; the orgstack
    // plugin is on PATH too, as it is for a user who installed it before migrating.
    env.PATH = `${env.PATH}:${path.join(repoRoot, "node_modules", "@pulumi", "pulumi")}:${pluginDir}`;
    dynamic = await offlineStack({
      stackName: "dev",
      projectName: name,
      program: programFile(path.join(repoRoot, "dist", "examples", name, "index.js")),
      workDir,
      stateDir: base,
      passphrase: PASSPHRASE,
      binDir: toolDirs().pulumi,
      envVars: env,
      projectSettings: { name, runtime: "nodejs" },
    });
    await dynamic.setAllConfig({ ...dynamicConfig(sandbox), ...Object.fromEntries(Object.entries(config ?? {}).map(([k, value]) => [k, { value }])) });
  });
  afterAll(() => {
    fs.rmSync(base, { recursive: true, force: true });
  });

  it("runs up with the dynamic resources", async () => {
    const up = await dynamic.up();
    expect(up.summary.result).toBe("succeeded");
    resourceCount = (await dynamic.exportStack()).deployment.resources.filter((r: any) => r.type.startsWith("pulumi-nodejs:dynamic/")).length;
    expect(resourceCount).toBeGreaterThan(2);
  });

  it("moves every resource to the plugin and writes its program, with no vendor call", async () => {
    from = lastSeq(sandbox);
    const out = await migrate(workDir, env, "--program", "plugin-program.yaml", "--plugin-path", pluginDir);
    expect(out).toMatch(new RegExp(`${resourceCount} resource\\(s\\) of stack dev move to the plugin`));
    expect(sandbox.sandbox.requests.filter((r) => r.seq > from)).toEqual([]);
    const state = (await dynamic.exportStack()).deployment;
    const types = state.resources.map((r: any) => r.type);
    expect(types.filter((t: string) => t.startsWith("orgstack:"))).toHaveLength(resourceCount);
    expect(types.filter((t: string) => t.startsWith("pulumi-nodejs:"))).toEqual([]);
    expect(JSON.stringify(state)).not.toContain("__provider");
    // The vendors' settings now also sit under the plugin's keys, secrets still secret.
    const copied = await dynamic.getAllConfig();
    expect(copied["orgstack:bitgoPassword"]).toMatchObject({ secret: true });
    expect(copied["orgstack:bitgoApiUrl"].value).toBe(sandbox.url);
  });

  if (name === "wallet-team") {
    it("refuses the old program, run again by mistake, at preview: the moved resources are protected", async () => {
      await expect(dynamic.preview()).rejects.toThrow(/protect/);
      expect(vendorWrites(sandbox, from)).toEqual([]);
    });
  }

  it("previews the written program with no change, and its first up changes nothing at the vendor", async () => {
    const program = fs.readFileSync(path.join(workDir, "plugin-program.yaml"), "utf8");
    expect(parse(program).resources).toBeDefined();
    fs.writeFileSync(path.join(workDir, "Pulumi.yaml"), program);
    const ws = await LocalWorkspace.create({ workDir, pulumiHome: env.PULUMI_HOME, envVars: env, pulumiCommand: await PulumiCommand.get({ root: path.dirname(toolDirs().pulumi), skipVersionCheck: true }) });
    const stack = await Stack.select("dev", ws);
    const preview = await stack.preview();
    expect(preview.changeSummary).toEqual({ same: resourceCount + 1 });
    const up = await stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: resourceCount + 1 });
    expect(vendorWrites(sandbox, from)).toEqual([]);
    const state = (await stack.exportStack()).deployment;
    expect(state.resources.filter((r: any) => r.protect)).toEqual([]); // the first up lifted the guard
    // The plugin manages the stack from here on.
    const down = await stack.destroy();
    expect(down.summary.result).toBe("succeeded");
  });
});
