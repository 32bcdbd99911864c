// `npm run example -- <name> [--keep]`: runs examples/<name> against the sandbox through the real
// Pulumi engine: up, a preview that must show no changes, then destroy (unless --keep).
import * as fs from "fs";
import * as path from "path";
import { offlineStack, programFile } from "./engine";
import * as sandboxPackage from "../sandbox";

const repoRoot = path.resolve(__dirname, "../..");

/** The stack config that points an example at a running sandbox (both vendors). */
export function sandboxConfig(running: sandboxPackage.RunningSandbox): Record<string, { value: string; secret?: boolean }> {
  const { SEED } = sandboxPackage;
  const config: Record<string, { value: string; secret?: boolean }> = {
    "bitgo:apiUrl": { value: running.url },
    "bitgo:email": { value: SEED.operator.email },
    "bitgo:password": { value: SEED.operator.password, secret: true },
    "bitgo:otp": { value: SEED.operator.otp },
  };
  const tenant = sandboxPackage.FINHUB_SEED.tenants.acme;
  config["finhub:apiUrl"] = { value: running.finhubUrl };
  config["finhub:tenantId"] = { value: tenant.id };
  config["finhub:token"] = { value: tenant.token, secret: true };
  return config;
}

async function main() {
  const name = process.argv[2];
  const names = fs.readdirSync(path.join(repoRoot, "examples")).filter((n) => fs.existsSync(path.join(repoRoot, "examples", n, "index.ts")));
  if (!name || !names.includes(name)) {
    console.error(`usage: npm run example -- <name> [--keep]; examples: ${names.join(", ")}`);
    process.exit(2);
  }
  const keep = process.argv.includes("--keep");
  const work = path.join(repoRoot, ".orgstack", "examples", name);
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const running = await sandboxPackage.startSandbox({ stateFile: path.join(work, "sandbox-state.json") });
  try {
    const stack = await offlineStack({
      stackName: "dev",
      projectName: name,
      program: programFile(path.join(repoRoot, "dist", "examples", name, "index.js")),
      // A scratch folder inside the repository (so the provider process finds orgstack in its
      // node_modules), not the example's own folder, whose Pulumi.yaml stays as committed.
      workDir: path.join(work, "program"),
      stateDir: work,
      passphrase: "orgstack-example",
      binDir: process.env.ORGSTACK_PULUMI_BIN,
      projectSettings: { name, runtime: "nodejs" },
    });
    await stack.setAllConfig(sandboxConfig(running));
    console.log(`example ${name}: pulumi up against the sandbox at ${running.url}`);
    const up = await stack.up({ onOutput: (s) => process.stdout.write(s) });
    const preview = await stack.preview();
    console.log(`\nexample ${name}: up ${up.summary.result}; a second preview plans ${JSON.stringify(preview.changeSummary)}`);
    if (keep) {
      console.log(`--keep: stack and sandbox state left in ${work}`);
      return;
    }
    const down = await stack.destroy({ onOutput: (s) => process.stdout.write(s) });
    console.log(`\nexample ${name}: destroy ${down.summary.result}`);
    await stack.workspace.removeStack("dev");
  } finally {
    await running.stop();
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`example failed: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  });
}
