// The README's main job, `npm run demo`, as CI sees it: the driver runs the root stack through the
// engine against the sandbox and narrates each step. (Setup is the test command's own; this runs the
// compiled driver directly.)
import * as path from "path";
import { execFile } from "child_process";
import { promisify } from "util";
import { describe, expect, it } from "vitest";
import { pulumiBinDir, repoRoot } from "./harness";

describe("npm run demo", () => {
  it("brings the demo stack up, shows an in-place update in the diff, and destroys it", async () => {
    const bin = pulumiBinDir();
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(repoRoot, "dist/demo/run.js")], {
      cwd: repoRoot,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ORGSTACK_PULUMI_BIN: bin, PULUMI_SKIP_UPDATE_CHECK: "true" },
      maxBuffer: 10 * 1024 * 1024,
    });
    expect(stdout).toContain("Created 2 EnterpriseUser resources");
    expect(stdout).toContain('Changes planned: {"same":3}');
    expect(stdout).toMatch(/~ permissions\s*: \[\s*~ \[0\]: "auditor" => "wallet.create"/);
    expect(stdout).toContain("1 update in place, 0 replacement");
    expect(stdout).toContain("auditor@acme.example (wallet.create)");
    expect(stdout).toContain("Deleted 2 EnterpriseUser resources");
    expect(stdout).toContain("=== Done");
  });
});
