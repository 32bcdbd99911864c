// `orgstack migrate`: moves a stack from the dynamic resources to the provider plugin with no vendor
// call at all. In the project's folder, with the pulumi CLI on PATH and the stack's secrets at hand
// (PULUMI_CONFIG_PASSPHRASE, or the stack's cloud secrets provider):
//   1. `pulumi stack export`, kept as a backup file (secrets stay ciphertext);
//   2. the config the dynamic resources read (`bitgo:*`, `finhub:*`) copied to the plugin's keys
//      (`orgstack:bitgo*`, `orgstack:finhub*`), secrets piped from `pulumi config get` to
//      `pulumi config set --secret` (never on disk, never printed);
//   3. the state rewritten (plugin/migration.ts) and `pulumi stack import`ed, the moved resources
//      protected until the new program's first `up` (the old program, run by mistake, is refused);
//   4. optionally, a Pulumi YAML program declaring the moved resources (--program).
// The next preview of a program on the plugin (YAML, or Go/Python/.NET with the same resource names)
// plans no change. The old TypeScript program must not run against the stack again.
import * as fs from "fs";
import * as path from "path";
import { execFileSync } from "child_process";
import { UsageError, parseArgs, usageText } from "./args";

const OPTIONS = {
  stack: { value: true, about: "the stack to migrate (default: the selected stack)" },
  cwd: { value: true, about: "the project's folder (default: the current folder)" },
  "provider-version": {
    value: true,
    about: "the package version the program's SDK asks for: the generated Go, Python and .NET SDKs ask for theirs (0.1.0); leave it out for Pulumi YAML",
  },
  program: { value: true, about: "also write a Pulumi YAML program declaring the moved resources to this file" },
  "plugin-path": { value: true, about: "with --program: the folder holding pulumi-resource-orgstack, written as plugins.providers[].path" },
  "no-protect": {
    about: "do not mark the moved resources protected (by default they are, so that the old program, run by mistake, is refused instead of deleting them; the new program's first up lifts it)",
  },
  "dry-run": { about: "print what would move; change nothing" },
  help: { about: "this text" },
};

const ABOUT =
  "Moves the stack's orgstack dynamic resources to the orgstack provider plugin by rewriting its state: no vendor call, no replacement. Keeps a backup of the state (<stack>.before-orgstack-migrate.json).";

export async function run(args: string[]): Promise<number> {
  let opts;
  try {
    opts = parseArgs(args, OPTIONS);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`orgstack migrate: ${e.message}\n\n${usageText("migrate", ABOUT, OPTIONS)}`);
    return 2;
  }
  if (opts.help) {
    console.log(usageText("migrate", ABOUT, OPTIONS));
    return 0;
  }
  // Loaded here: the registry pulls in every resource, which --help does not need.
  const { resources } = await import("../provider");
  const { migrateDeployment, yamlProgram } = await import("../plugin/migration");
  const cwd = path.resolve(String(opts.cwd ?? "."));
  const stackArgs = opts.stack ? ["--stack", String(opts.stack)] : [];
  // `pulumi <command…> --stack S --non-interactive [-- values…]`: a value is never read as a flag.
  const pulumi: Pulumi = (command, values = [], input) =>
    execFileSync("pulumi", [...command, ...stackArgs, "--non-interactive", ...(values.length ? ["--", ...values] : [])], { cwd, input, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], maxBuffer: 512 << 20 });

  const exported = JSON.parse(pulumi(["stack", "export"]));
  const config = JSON.parse(pulumi(["config", "--json"])) as Record<string, { value?: string; secret?: boolean }>;
  const version = opts["provider-version"] ? String(opts["provider-version"]) : undefined;
  const migration = migrateDeployment(exported.deployment, { resources, providerVersion: version, protect: !opts["no-protect"], config });
  if (migration.moved.size === 0) {
    console.log("orgstack migrate: no orgstack dynamic resource in this stack; nothing to do");
    return 0;
  }
  const stackName = String(opts.stack ?? pulumi(["stack", "--show-name"]).trim());
  console.log(`orgstack migrate: ${migration.moved.size} resource(s) of stack ${stackName} move to the plugin (provider ${migration.providerUrn}):`);
  for (const [from, to] of migration.moved) console.log(`  ${from.split("::").slice(2).join("::")}  →  ${to.split("::")[2]}`);
  if (opts["dry-run"]) {
    console.log("--dry-run: nothing changed");
    return 0;
  }

  const backup = path.join(cwd, `${stackName.replace(/[^A-Za-z0-9_.-]/g, "_")}.before-orgstack-migrate.json`);
  fs.writeFileSync(backup, JSON.stringify(exported, null, 2));
  console.log(`orgstack migrate: the state as it was is in ${backup} (pulumi stack import --file ${path.basename(backup)} puts it back)`);

  for (const line of copyConfig(config, pulumi)) console.log(`orgstack migrate: ${line}`);
  pulumi(["stack", "import"], [], JSON.stringify({ ...exported, deployment: migration.deployment }));
  console.log(`orgstack migrate: state imported; no vendor was called`);

  if (opts.program) {
    const project = String(exported.deployment.resources?.[0]?.urn ?? "").split("::")[1];
    const pluginPath = opts["plugin-path"] ? path.resolve(String(opts["plugin-path"])) : undefined;
    const { text, notes } = yamlProgram(project, migration.deployment, { resources, pluginPath, protectedByProgram: migration.protectedByProgram });
    fs.writeFileSync(path.resolve(cwd, String(opts.program)), text);
    console.log(`orgstack migrate: wrote ${opts.program}, a Pulumi YAML program declaring the moved resources`);
    for (const s of notes.secrets) console.log(`  set its secret ${s.key} (${s.resource}.${s.field}): pulumi config set --secret ${project}:${s.key} <value>`);
  }
  console.log(
    "Next: replace the TypeScript program with one on the plugin (the YAML above, or Go/Python/.NET with the same resource names; `pulumi convert --from yaml` translates it) and run `pulumi preview`: it plans no change. Never run the old program against this stack again: it would make the dynamic resources anew and delete the moved ones.",
  );
  return 0;
}

/** Copies the dynamic resources' settings to the plugin's keys where those are not set yet. */
type Pulumi = (command: string[], values?: string[], input?: string) => string;

function copyConfig(config: Record<string, { value?: string; secret?: boolean }>, pulumi: Pulumi): string[] {
  const { SETTINGS } = require("../plugin/config") as typeof import("../plugin/config"); // with the registry, after --help
  const lines: string[] = [];
  for (const s of SETTINGS) {
    const from = config[s.vendorKey];
    const to = `orgstack:${s.name}`;
    if (!from || config[to]) continue;
    if (from.secret) {
      const value = JSON.parse(pulumi(["config", "get", "--json"], [s.vendorKey])).value as string;
      pulumi(["config", "set", "--secret"], [to], value);
    } else {
      pulumi(["config", "set"], [to, from.value ?? ""]);
    }
    lines.push(`config ${s.vendorKey} copied to ${to}${from.secret ? " (secret)" : ""}`);
  }
  return lines;
}
