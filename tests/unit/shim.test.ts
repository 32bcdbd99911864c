// The `__provider` text in every resource's state loads and runs in a fresh Node process exactly as
// Pulumi's dynamic provider process loads it (require-from-string, no file name, the program's folder
// as working directory, then `handler()` and `configure`). It must stay small, hold nothing but the
// kind, and be the same text for every release.
import * as path from "path";
import { execFileSync } from "child_process";
import { describe, expect, it } from "vitest";

const repoRoot = path.resolve(__dirname, "../..");
// The compiled SDK, as a user's program loads it from the installed package.
const { providerText } = require(path.join(repoRoot, "dist/sdk/shim.js"));
const { kinds } = require(path.join(repoRoot, "dist/provider/index.js"));

// What pulumi-resource-pulumi-nodejs does with the text (cmd/dynamic-provider/index.js getProvider).
const loader = `
const requireFromString = require("require-from-string");
let text = ""; process.stdin.on("data", (d) => (text += d)); process.stdin.on("end", async () => {
  const provider = requireFromString(text).handler();
  await provider.configure({ config: { get: (k) => ({ "bitgo:apiUrl": "http://127.0.0.1:9", "bitgo:accessToken": "t-123456789" })[k] } });
  const good = await provider.check({}, { __provider: text, enterpriseId: "62c5ae8174ac860007aff138a2d74df7", username: "Ops@Acme.Example", permissions: ["auditor"] });
  const bad = await provider.check({}, { enterpriseId: "nope", username: "not-an-email", permissions: ["owner"] });
  const diff = await provider.diff("id", { enterpriseId: "62c5ae8174ac860007aff138a2d74df7", username: "ops@acme.example", permissions: ["admin"] },
                                         { enterpriseId: "62c5ae8174ac860007aff138a2d74df7", username: "ops@acme.example", permissions: ["auditor"] });
  console.log(JSON.stringify({ good, bad, diff }));
});`;

describe("the __provider text", () => {
  it("loads in a fresh process from the program's folder and runs configure, check and diff", () => {
    const text = providerText("bitgo:EnterpriseUser");
    const cwd = path.join(repoRoot, "demo"); // a program folder inside the repo, as the root stack's
    const out = execFileSync(process.execPath, ["-e", loader], { cwd, input: text, encoding: "utf8" });
    const { good, bad, diff } = JSON.parse(out.trim().split("\n").pop()!);
    expect(good.failures ?? []).toEqual([]);
    expect(good.inputs.username).toBe("ops@acme.example");
    expect(bad.failures.map((f: any) => f.property).sort()).toEqual(["enterpriseId", "permissions.0", "username"]);
    expect(bad.failures.map((f: any) => f.reason).join("\n")).toMatch(/enterpriseId: must be the enterprise's id: 32 lowercase hex characters/);
    expect(diff).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });

  it("is under a kilobyte for every kind, the same text but for the kind, and holds no secret", () => {
    const rest = new Set<string>();
    for (const kind of kinds() as string[]) {
      const text: string = providerText(kind);
      expect(text.length).toBeLessThan(1024);
      expect(text).toContain(JSON.stringify(kind));
      expect(text).not.toMatch(/axios|zod|token|password|secret/i);
      rest.add(text.split(JSON.stringify(kind)).join('"<kind>"'));
    }
    expect(rest.size).toBe(1);
    console.log(`__provider bytes: ${providerText("bitgo:EnterpriseUser").length}`);
  });
});
