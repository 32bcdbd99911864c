// The serialized provider (`__provider` in every resource's state) loads and runs in a fresh Node
// process exactly as Pulumi's provider process loads it: require-from-string, no file name, the
// program's folder as working directory. It must stay small and hold no secret.
import * as path from "path";
import { execFileSync } from "child_process";
import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";

const repoRoot = path.resolve(__dirname, "../..");
// The compiled shim, as a user's program loads it from the installed package.
const { dynamicProvider } = require(path.join(repoRoot, "dist/sdk/shim.js"));

async function serialize(kind: string): Promise<string> {
  const provider = dynamicProvider(kind);
  const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  return sf.text;
}

// What pulumi-resource-pulumi-nodejs does with the text, in a child process.
const loader = `
const requireFromString = require("require-from-string");
let text = ""; process.stdin.on("data", (d) => (text += d)); process.stdin.on("end", async () => {
  const provider = requireFromString(text).handler();
  await provider.configure({ config: { get: (k) => (k === "bitgo:apiUrl" ? "http://127.0.0.1:9" : undefined) } });
  const good = await provider.check({}, { __provider: "x", enterpriseId: "62c5ae8174ac860007aff138a2d74df7", username: "Ops@Acme.Example", permissions: ["auditor", "admin"] });
  const bad = await provider.check({}, { enterpriseId: "nope", username: "not-an-email", permissions: ["owner"] });
  const diff = await provider.diff("id", { enterpriseId: "62c5ae8174ac860007aff138a2d74df7", username: "ops@acme.example", permissions: ["admin"] },
                                         { enterpriseId: "62c5ae8174ac860007aff138a2d74df7", username: "ops@acme.example", permissions: ["auditor"] });
  console.log(JSON.stringify({ good, bad, diff }));
});`;

describe("serialized shim", () => {
  it("loads in a fresh process from the program's folder and runs check and diff", async () => {
    const text = await serialize("bitgo:EnterpriseUser");
    const cwd = path.join(repoRoot, "demo"); // a program folder inside the repo, as the root stack's
    const out = execFileSync(process.execPath, ["-e", loader], { cwd, input: text, encoding: "utf8" });
    const { good, bad, diff } = JSON.parse(out.trim().split("\n").pop()!);
    expect(good.failures ?? []).toEqual([]);
    expect(good.inputs.username).toBe("ops@acme.example");
    expect(good.inputs.permissions).toEqual(["admin", "auditor"]);
    const props = bad.failures.map((f: any) => f.property).sort();
    expect(props).toEqual(["enterpriseId", "permissions.0", "username"]);
    expect(bad.failures.map((f: any) => f.reason).join("\n")).toMatch(/enterpriseId: must be a 32-character lowercase hex id/);
    expect(diff).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });

  it("is small, the same for every release, and captures nothing but the kind", async () => {
    const text = await serialize("bitgo:EnterpriseUser");
    expect(text.length).toBeLessThan(4096);
    expect(text).toContain('"bitgo:EnterpriseUser"');
    expect(text).not.toMatch(/axios|zod|accessToken|password/i);
    // Serializing again gives the same text: no diff on every resource after an upgrade.
    expect(await serialize("bitgo:EnterpriseUser")).toBe(text);
    console.log(`__provider for bitgo:EnterpriseUser weighs ${text.length} bytes`);
  });

  it("weighs the same few kilobytes for every resource kind", async () => {
    const { kinds } = require(path.join(repoRoot, "dist/provider/index.js"));
    const sizes: Record<string, number> = {};
    const rest = new Set<string>();
    for (const kind of kinds() as string[]) {
      const text = await serialize(kind);
      expect(text).toContain(JSON.stringify(kind));
      expect(text).not.toMatch(/axios|zod|accessToken|password|token/i);
      sizes[kind] = text.length;
      // What is left once the kind is taken out must be the same text for every kind.
      rest.add(text.split(JSON.stringify(kind)).join('"<kind>"'));
    }
    console.log(`__provider bytes per kind: ${JSON.stringify(sizes)}`);
    expect(rest.size).toBe(1);
    expect(Math.max(...Object.values(sizes))).toBeLessThan(4096);
  });
});
