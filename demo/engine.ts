// How orgstack drives the real Pulumi engine with no network: a stack for an inline program (no Node
// language host needed), a local file backend, passphrase secrets, no update checks or plugin
// downloads. Used by the demo, the example runner and the engine tests.
import * as fs from "fs";
import * as path from "path";
import { LocalWorkspace, PulumiCommand, PulumiFn, Stack } from "@pulumi/pulumi/automation";
import type { ProjectSettings } from "@pulumi/pulumi/automation";

export interface OfflineStackOptions {
  stackName: string;
  projectName: string;
  program: PulumiFn;
  /**
   * The program's folder: the provider process runs there and must find orgstack in a node_modules
   * above it, so it lies inside the repository (or the user's project).
   */
  workDir: string;
  /** Holds the file backend (`backend/`) and Pulumi's home (`home/`). */
  stateDir: string;
  passphrase: string;
  /** The folder holding `pulumi`; undefined finds it on PATH. */
  binDir?: string;
  /** Written as the workDir's Pulumi.yaml; omitted, the workDir's own Pulumi.yaml is used. */
  projectSettings?: ProjectSettings;
  envVars?: Record<string, string>;
}

export function backendDirOf(stateDir: string): string {
  return path.join(stateDir, "backend");
}

export async function offlineStack(opts: OfflineStackOptions): Promise<Stack> {
  const backendDir = backendDirOf(opts.stateDir);
  const home = path.join(opts.stateDir, "home");
  for (const d of [backendDir, home, opts.workDir]) fs.mkdirSync(d, { recursive: true });
  return LocalWorkspace.createOrSelectStack(
    { stackName: opts.stackName, projectName: opts.projectName, program: opts.program },
    {
      workDir: opts.workDir,
      pulumiHome: home,
      pulumiCommand: await PulumiCommand.get({ root: opts.binDir ? path.dirname(opts.binDir) : undefined, skipVersionCheck: true }),
      projectSettings: opts.projectSettings,
      envVars: {
        PULUMI_BACKEND_URL: `file://${backendDir}`,
        PULUMI_CONFIG_PASSPHRASE: opts.passphrase,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
        ...opts.envVars,
      },
    },
  );
}

/** An inline program that runs a compiled Pulumi program file afresh on every engine operation. */
export function programFile(file: string): PulumiFn {
  return async () => {
    delete require.cache[file];
    return require(file);
  };
}
