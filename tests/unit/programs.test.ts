// Programs compile the way Pulumi's Node runtime compiles them before it runs them
// (scripts/pulumi-ts-check.js: the folder's tsconfig through Pulumi's own tsutils and ts-node): the
// root stack and every example, as their READMEs tell a user to run them, and a user's new project
// with either of the tsconfigs `pulumi new typescript` writes (moduleResolution "node", which reads
// no package `exports`, and "nodenext"). No language host is needed: the program is compiled, not run.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { afterAll, describe, expect, it } from "vitest";

const repoRoot = path.resolve(__dirname, "../..");
const check = path.join(repoRoot, "scripts/pulumi-ts-check.js");

function compiles(dir: string, main?: string): { ok: boolean; out: string } {
  const r = spawnSync(process.execPath, [check, dir, ...(main ? [main] : [])], { encoding: "utf8", timeout: 120_000 });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

describe("the root stack and the examples compile as `pulumi up` in their folder compiles them", () => {
  // Node.js programs only: examples/yaml-admins is a Pulumi YAML program (the provider plugin's).
  const folders = [".", ...fs.readdirSync(path.join(repoRoot, "examples")).map((e) => path.join("examples", e))].filter(
    (d) => fs.existsSync(path.join(repoRoot, d, "Pulumi.yaml")) && !/^runtime:\s*yaml\s*$/m.test(fs.readFileSync(path.join(repoRoot, d, "Pulumi.yaml"), "utf8")),
  );
  it.each(folders)("%s", (folder) => {
    const r = compiles(path.join(repoRoot, folder));
    expect(r.out).toMatch(/^ok: /m);
    expect(r.ok).toBe(true);
  });
});

describe("a new user project imports orgstack/bitgo and orgstack/finhub", () => {
  const program = `import * as pulumi from "@pulumi/pulumi";
import * as bitgo from "orgstack/bitgo";
import * as finhub from "orgstack/finhub";

const admin = new bitgo.EnterpriseUser("ops", { enterpriseId: "62c5ae8174ac860007aff138a2d74df7", username: "ops@acme.example", permissions: ["admin"], videoApprover: true });
const org = new finhub.Organization("acme", { legalName: "Acme Ltd", registrationNumber: "1", email: "ops@acme.example" });
export const userId: pulumi.Output<string> = admin.userId;
export const organizationId: pulumi.Output<string> = org.organizationId;
`;
  const base = { strict: true, outDir: "bin", sourceMap: true, experimentalDecorators: true, pretty: true, noFallthroughCasesInSwitch: true, noImplicitReturns: true, forceConsistentCasingInFileNames: true };
  const tsconfigs: Record<string, object> = {
    // What `pulumi new typescript` wrote before 2026, and what most existing Pulumi projects have.
    node: { ...base, target: "ES2022", module: "commonjs", moduleResolution: "node" },
    nodenext: { ...base, target: "ES2022", module: "nodenext", moduleResolution: "nodenext" },
  };
  const made: string[] = [];
  afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it.each(Object.keys(tsconfigs))("with moduleResolution %s", (kind) => {
    // A project outside the repository, with orgstack installed as a dependency (a link to this checkout).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `orgstack-user-${kind}-`));
    made.push(dir);
    fs.mkdirSync(path.join(dir, "node_modules", "@types"), { recursive: true });
    fs.symlinkSync(repoRoot, path.join(dir, "node_modules", "orgstack"), "dir");
    fs.symlinkSync(path.join(repoRoot, "node_modules", "@pulumi"), path.join(dir, "node_modules", "@pulumi"), "dir");
    fs.symlinkSync(path.join(repoRoot, "node_modules", "@types", "node"), path.join(dir, "node_modules", "@types", "node"), "dir");
    fs.symlinkSync(path.join(repoRoot, "node_modules", "typescript"), path.join(dir, "node_modules", "typescript"), "dir");
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: `user-${kind}`, main: "index.ts", dependencies: { "@pulumi/pulumi": "^3", orgstack: "^0.1.0" } }));
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: tsconfigs[kind], files: ["index.ts"] }, null, 2));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: user\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n");
    fs.writeFileSync(path.join(dir, "index.ts"), program);
    const r = compiles(dir);
    expect(r.out).toMatch(/^ok: /m);
    expect(r.ok).toBe(true);
  });
});
