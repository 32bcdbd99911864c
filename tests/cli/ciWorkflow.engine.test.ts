// The example CI workflow (examples/ci/.github/workflows/orgstack.yml): it parses, its structure is
// Pulumi's (pulumi/actions: preview --diff with a comment on pull requests, up on merge to main, the
// access review on a schedule failing the job on a finding), credentials are the CI system's secrets
// (the TOTP secret, never a code) and never written in the file, and every orgstack or Pulumi command
// it runs works against the sandbox.
//
// How the commands are run here: the pulumi/actions steps drive Pulumi through the Automation API
// (the action's README says so), and the Pulumi CLI here has no Node language host (it cannot be built
// offline: plugin/README-toolchain.md), so their preview and up run through the Automation API on the
// example program as an inline program, with the inputs the step gives (diff). The review step's
// shell line runs as written, in bash, with the job's environment (secrets replaced by the sandbox's).
// GitHub's own actions (checkout, setup-node, upload-artifact) and `npm ci` are not run.
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bitgoSettings } from "../../provider/bitgo/client";
import { finhubSettings } from "../../provider/finhub/client";
import { FINHUB_SEED, SEED } from "../../sandbox";
import { repoRoot } from "../engine/harness";
import { ExampleRun, runExample } from "./harness";

const FILE = path.join(repoRoot, "examples", "ci", ".github", "workflows", "orgstack.yml");
const text = fs.readFileSync(FILE, "utf8");
const doc = YAML.parseDocument(text);
const wf = doc.toJS() as any;

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  "working-directory"?: string;
  "continue-on-error"?: unknown;
}

const jobs = Object.entries(wf.jobs ?? {}) as [string, any][];
const pulumiStep = (command: string) => {
  for (const [name, job] of jobs) for (const s of job.steps as Step[]) if (s.uses?.startsWith("pulumi/actions@") && s.with?.command === command) return { name, job, step: s };
  throw new Error(`no pulumi/actions step with command ${command}`);
};
const reviewJob = () => jobs.find(([, job]) => (job.steps as Step[]).some((s) => s.run?.includes("orgstack review")))!;

/** Every key/value under `env` and `with` in the workflow, with where it is. */
function settings(): { where: string; key: string; value: string }[] {
  const out: { where: string; key: string; value: string }[] = [];
  const add = (where: string, map: Record<string, unknown> | undefined) => Object.entries(map ?? {}).forEach(([key, value]) => out.push({ where, key, value: String(value) }));
  add("workflow env", wf.env);
  for (const [name, job] of jobs) {
    add(`${name} env`, job.env);
    for (const s of job.steps as Step[]) {
      add(`${name} step env`, s.env);
      add(`${name} step with`, s.with);
    }
  }
  return out;
}

describe("the workflow file", () => {
  it("parses as YAML with no error or warning", () => {
    expect(doc.errors).toEqual([]);
    expect(doc.warnings).toEqual([]);
    expect(wf.name).toBe("orgstack");
  });

  it("is triggered by pull requests and pushes to main, a schedule (a valid cron) and by hand", () => {
    expect(wf.on.pull_request.branches).toContain("main");
    expect(wf.on.push.branches).toEqual(["main"]);
    expect(wf.on.schedule).toHaveLength(1);
    expect(wf.on.schedule[0].cron.split(/\s+/)).toHaveLength(5);
    expect(wf.on).toHaveProperty("workflow_dispatch");
    expect(wf.permissions).toEqual({ contents: "read" });
  });

  it("previews with --diff on pull requests and posts the plan as a comment", () => {
    const { job, step } = pulumiStep("preview");
    expect(job.if).toBe("github.event_name == 'pull_request'");
    expect(job.permissions["pull-requests"]).toBe("write");
    expect(step.with).toMatchObject({ diff: true, "comment-on-pr": true, "github-token": "${{ secrets.GITHUB_TOKEN }}", "stack-name": "${{ env.STACK }}", "work-dir": "${{ env.WORK_DIR }}" });
    expect(step.uses).toMatch(/^pulumi\/actions@v\d+$/);
  });

  it("runs up on a merge to main, never cut short", () => {
    const { job, step } = pulumiStep("up");
    expect(job.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    expect(job.concurrency["cancel-in-progress"]).toBe(false);
    expect(step.with).toMatchObject({ "stack-name": "${{ env.STACK }}", "work-dir": "${{ env.WORK_DIR }}" });
  });

  it("reviews access on the schedule: the review's exit code fails the job, and the report is kept whatever happens", () => {
    const [, job] = reviewJob();
    expect(job.if).toContain("github.event_name == 'schedule'");
    const steps = job.steps as Step[];
    const i = steps.findIndex((s) => s.run?.includes("orgstack review"));
    const review = steps[i];
    expect(review.run).toMatch(/^npx orgstack review --stack "\$STACK" /);
    expect(review["continue-on-error"]).toBeUndefined();
    expect(review.run).not.toMatch(/\|\|\s*true|;\s*exit 0/);
    // The Pulumi CLI is installed before it (pulumi/actions with no command).
    expect(steps.slice(0, i).some((s) => s.uses?.startsWith("pulumi/actions@") && !s.with?.command)).toBe(true);
    for (const s of steps.slice(i + 1)) expect(s.if).toBe("always()");
    expect(steps.some((s) => s.uses?.startsWith("actions/upload-artifact@"))).toBe(true);
  });

  it("takes every credential from the CI system's secrets, the TOTP secret and never a one-time code", () => {
    const credentials = settings().filter((s) => /token|password|secret|passphrase|otp/i.test(s.key));
    expect(credentials.length).toBeGreaterThan(0);
    for (const c of credentials) expect(c.value, `${c.where} ${c.key}`).toMatch(/^\$\{\{ secrets\.[A-Z_]+ \}\}$/);
    expect(settings().some((s) => s.key === "BITGO_OTP")).toBe(false);
    expect(text).not.toMatch(/BITGO_OTP|bitgo:otp/);
    // The names are the ones the provider reads: each job's environment gives it a login and FinHub's token.
    for (const [name, job] of jobs) {
      const env = Object.fromEntries(Object.entries(job.env as Record<string, string>).map(([k, v]) => [k, v.replace(/\$\{\{[^}]+\}\}/, "x")]));
      const bitgo = bitgoSettings(undefined, env);
      expect([bitgo.email, bitgo.password, bitgo.totpSecret, bitgo.otp], name).toEqual(["x", "x", "x", undefined]);
      expect(finhubSettings(undefined, env).token, name).toBe("x");
    }
  });
});

describe("the workflow's commands against the sandbox", () => {
  let ex: ExampleRun;
  const secrets: Record<string, string> = {
    PULUMI_ACCESS_TOKEN: "", // the tests use a local backend instead of Pulumi Cloud
    BITGO_EMAIL: SEED.operator.email,
    BITGO_PASSWORD: SEED.operator.password,
    BITGO_TOTP_SECRET: SEED.operator.totpSecret,
    FINHUB_TOKEN: FINHUB_SEED.tenants.acme.token,
    GITHUB_TOKEN: "not-used-here",
  };
  const vars: Record<string, string> = { FINHUB_TENANT_ID: FINHUB_SEED.tenants.acme.id };
  let workflowEnv: Record<string, string>;

  /** A value with its `${{ secrets.X }}`, `${{ vars.X }}` and `${{ env.X }}` replaced; any other expression is an error. */
  const expand = (value: string) =>
    value.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
      const m = /^(secrets|vars|env)\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(expr);
      const scope = m && { secrets, vars, env: workflowEnv }[m[1] as "secrets" | "vars" | "env"];
      if (!scope || scope[m![2]] === undefined) throw new Error(`the workflow uses \${{ ${expr} }}, which this test cannot give`);
      return scope[m![2]];
    });
  const jobEnv = (job: any) => Object.fromEntries(Object.entries(job.env as Record<string, string>).map(([k, v]) => [k, expand(v)]));

  beforeAll(async () => {
    const { job } = pulumiStep("preview");
    workflowEnv = { ...wf.env, STACK: "dev" };
    // The stack's config holds the API URLs only (Pulumi.<stack>.yaml); the credentials come from the job's environment.
    ex = await runExample("wallet-team", { credentialsFromEnv: jobEnv(job), up: false });
    workflowEnv.WORK_DIR = ex.projectDir;
  }, 300_000);
  afterAll(async () => ex?.cleanup());

  it("the pull request's preview --diff shows the plan the action posts", async () => {
    const { step } = pulumiStep("preview");
    const lines: string[] = [];
    const preview = await ex.stack.preview({ diff: step.with!.diff === true, onOutput: (s) => lines.push(s) });
    expect(preview.changeSummary.create).toBe(6);
    const plan = lines.join("");
    expect(plan).toContain("+ pulumi-nodejs:dynamic/bitgo:WalletShare: (create)");
    expect(plan).toMatch(/user\s+: "ops@acme.example"/); // --diff: every property of the plan
  });

  it("the merge's up applies it, logging in with the TOTP secret", async () => {
    const { step } = pulumiStep("up");
    const up = await ex.stack.up({ diff: step.with!.diff === true });
    expect(up.summary.result).toBe("succeeded");
    const logins = (await ex.sandbox("GET", "/__sandbox/stats")) as { events?: Record<string, number> };
    expect(logins.events?.logins ?? 0).toBeGreaterThan(0);
  });

  /** Runs the review job's shell steps as written, from the review step on. */
  async function reviewJobSteps(summary: string) {
    const [, job] = reviewJob();
    const steps = (job.steps as Step[]).filter((s) => s.run);
    const env = { ...ex.env, ...workflowEnv, ...jobEnv(job), GITHUB_STEP_SUMMARY: summary, npm_config_offline: "true", npm_config_update_notifier: "false" };
    const results: { run: string; code: number; stderr: string }[] = [];
    for (const s of steps.filter((x) => !x.run!.startsWith("npm ci"))) {
      if (results.some((r) => r.code !== 0) && s.if !== "always()") continue; // GitHub skips it after a failure
      const cwd = expand(s["working-directory"] ?? ".");
      results.push({ run: s.run!, ...(await bash(s.run!, cwd, env)) });
    }
    return results;
  }

  it("the scheduled review passes on a clean stack and fails the job on an out-of-band admin", async () => {
    const summary = path.join(ex.outDir, "summary.md");
    const clean = await reviewJobSteps(summary);
    expect(clean.map((r) => r.code), clean.map((r) => r.stderr).join("\n")).toEqual([0, 0]);
    expect(JSON.parse(fs.readFileSync(path.join(ex.projectDir, "access-review.json"), "utf8")).findings).toEqual([]);
    expect(fs.readFileSync(summary, "utf8")).toContain("**No findings.**");

    const wallet = (await ex.stack.getConfig("wallet-team:walletId").catch(() => undefined))?.value ?? "a1b2c3d4e5f60718293a4b5c6d7e8f01";
    await ex.sandbox("POST", "/__sandbox/bitgo/bulk", { count: 1, prefix: "mallory", walletId: wallet, walletPermissions: ["admin", "spend", "view"] });
    fs.rmSync(summary);
    const planted = await reviewJobSteps(summary);
    expect(planted.map((r) => r.code)).toEqual([1, 0]); // the review fails the job; the summary step still runs
    const report = fs.readFileSync(summary, "utf8");
    expect(report).toContain("**2 finding(s)**");
    expect(report).toContain("mallory-1@acme.example holds admin and is not declared");
    for (const s of [SEED.operator.password, SEED.operator.totpSecret, FINHUB_SEED.tenants.acme.token]) expect(report + planted.map((r) => r.stderr).join("")).not.toContain(s);
  });
});

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile("bash", ["-eo", "pipefail", "-c", script], { cwd, env, timeout: 120_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? (typeof (error as any).code === "number" ? (error as any).code : 1) : 0, stderr: String(stderr) });
    });
  });
}
