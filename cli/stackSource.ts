// Where a command reads the stack: `--stack <name>` asks the Pulumi CLI (`pulumi stack export` and the
// stack's config, as the Automation API does it), `--state <file>` reads a saved `pulumi stack export`
// and takes the vendor settings from the environment (BITGO_*, FINHUB_*), as the provider would.
import { execFile } from "child_process";
import * as fs from "fs";
import { addSecret } from "../provider/kit/secrets";
import type { ConfigSource } from "../provider/types";
import { UsageError } from "./args";

/** One resource of the state, as `pulumi stack export` writes it. */
export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

export interface StackSource {
  /** The stack's name (or the state file's), for the report. */
  name: string;
  resources: StateResource[];
  /** The stack's configuration; settings it lacks fall back to the environment. */
  config: ConfigSource;
}

const EMPTY_CONFIG: ConfigSource = { get: () => undefined };

export async function loadStack(opts: { stack?: string; cwd?: string; state?: string }): Promise<StackSource> {
  if (opts.stack && opts.state) throw new UsageError("give --stack or --state, not both");
  if (opts.state) return { name: opts.state, resources: resourcesOf(readJson(opts.state)), config: EMPTY_CONFIG };
  if (!opts.stack) throw new UsageError("say which stack: --stack <name> (read with the Pulumi CLI) or --state <file> (a saved `pulumi stack export`)");
  if (!/^[A-Za-z0-9_.\/-]{1,200}$/.test(opts.stack)) throw new UsageError(`--stack "${opts.stack}" is not a stack name (letters, digits, - _ . and org/project/stack slashes)`);
  const cwd = opts.cwd ?? process.cwd();
  if (!fs.existsSync(cwd)) throw new UsageError(`--cwd ${cwd} does not exist`);
  const exported = JSON.parse(await pulumi(["stack", "export", "--stack", opts.stack], cwd));
  const config = JSON.parse(await pulumi(["config", "--show-secrets", "--json", "--stack", opts.stack], cwd));
  return { name: opts.stack, resources: resourcesOf(exported), config: configSource(config) };
}

/** The resources of an export (`deployment.resources`) or of a backend's checkpoint file. */
export function resourcesOf(doc: any): StateResource[] {
  const list = doc?.deployment?.resources ?? doc?.checkpoint?.latest?.resources;
  if (!Array.isArray(list)) throw new UsageError("the state has no resources: give the output of `pulumi stack export` (deployment.resources)");
  return list
    .filter((r: any) => typeof r?.urn === "string" && typeof r?.type === "string" && !r.delete)
    .map((r: any) => ({ urn: r.urn, type: r.type, id: typeof r.id === "string" ? r.id : undefined, inputs: r.inputs ?? {}, outputs: r.outputs ?? {} }));
}

/** `pulumi config --json` as a ConfigSource; secret values are registered so no output shows them. */
export function configSource(json: Record<string, { value?: unknown; objectValue?: unknown; secret?: boolean }>): ConfigSource {
  const values = new Map<string, string>();
  for (const [key, entry] of Object.entries(json ?? {})) {
    const raw = entry?.value ?? entry?.objectValue;
    if (raw === undefined) continue;
    const value = typeof raw === "string" ? raw : JSON.stringify(raw);
    if (entry.secret) addSecret(value);
    values.set(key, value);
  }
  return { get: (key) => values.get(key) };
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`--state ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`--state ${file} is not JSON: give the output of \`pulumi stack export\``);
  }
}

/** Runs the Pulumi CLI (on PATH) and answers its standard output. */
function pulumi(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "pulumi",
      [...args, "--non-interactive"],
      { cwd, maxBuffer: 512 * 1024 * 1024, env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" } },
      (error, stdout, stderr) => {
        if ((error as NodeJS.ErrnoException | null)?.code === "ENOENT") {
          reject(new Error("the Pulumi CLI is not on PATH: install it (https://www.pulumi.com/docs/install/) or give --state <file> with a saved `pulumi stack export`"));
        } else if (error) {
          // Pulumi's own message (no secret: it never prints config values in errors).
          reject(new Error(`pulumi ${args.slice(0, 2).join(" ")} failed: ${String(stderr).trim().split("\n").slice(-3).join(" ") || error.message}`));
        } else resolve(stdout);
      },
    );
  });
}
