// examples/yaml-admins as its README runs it, against the sandbox: up, a second preview with no
// change, destroy (BitGo users and a wallet share, a FinHub organization and its employees).
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { startSandbox, SEED, RunningSandbox } from "../../sandbox";
import { YamlStack, repoRoot, sandboxConfig, yamlStack } from "./harness";

let sandbox: RunningSandbox;
let stack: YamlStack;

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimits: false });
  const { name, runtime, plugins, description, ...program } = parse(fs.readFileSync(path.join(repoRoot, "examples", "yaml-admins", "Pulumi.yaml"), "utf8"));
  expect([name, runtime, plugins.providers[0].path]).toEqual(["yaml-admins", "yaml", "../../plugin/bin"]);
  stack = await yamlStack({ name: "yaml-admins", program, config: sandboxConfig(sandbox) });
});
afterAll(async () => {
  await stack?.cleanup();
  await sandbox?.stop();
});

describe("examples/yaml-admins", () => {
  it("runs up, previews no change, and destroys", async () => {
    const up = await stack.stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 7 });
    expect(up.outputs.opsUserId.value).toBe(SEED.users.ops.id);
    expect(up.outputs.initialAdminPassword.secret).toBe(true);
    expect((await stack.stack.preview()).changeSummary).toEqual({ same: 7 });
    const down = await stack.stack.destroy();
    expect(down.summary.resourceChanges).toEqual({ delete: 7 });
  });
});
