// `orgstack review` in this process against a sandbox, from a saved state with the vendor settings in
// the environment (the CI way: a TOTP secret, not a code): usage errors exit 2 naming the option; the
// authoritative resources' shapes are reviewed (keep, waiting approvals, stale approvals dated by
// BitGo); 300 members are read with a handful of calls; no secret reaches an output.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../cli/review";
import { resetBitGoClients } from "../../provider/bitgo/client";
import { RunningSandbox, SEED, WALLET_SEED, startSandbox } from "../../sandbox";
import { stackExport } from "./fixtures";

const treasury = SEED.enterprises.treasury.id;
const guarded = WALLET_SEED.wallets.guarded.id;
let running: RunningSandbox;
let dir: string;

/** Runs the command with these environment variables, capturing what it prints. */
async function review(args: string[], env: Record<string, string | undefined>) {
  const saved = { ...process.env };
  const out: string[] = [];
  const err: string[] = [];
  const write = process.stdout.write;
  const error = console.error;
  const log = console.log;
  Object.assign(process.env, env);
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
  console.error = (...parts: unknown[]) => err.push(parts.join(" "));
  console.log = (...parts: unknown[]) => out.push(`${parts.join(" ")}\n`);
  try {
    const code = await run(args);
    return { code, stdout: out.join(""), stderr: err.join("\n") };
  } finally {
    process.stdout.write = write;
    console.error = error;
    console.log = log;
    process.env = saved;
  }
}

const CLEAR = { BITGO_ACCESS_TOKEN: undefined, BITGO_EMAIL: undefined, BITGO_PASSWORD: undefined, BITGO_OTP: undefined, BITGO_TOTP_SECRET: undefined, BITGO_API_URL: undefined, FINHUB_TOKEN: undefined, FINHUB_TENANT_ID: undefined };
const ciEnv = () => ({ ...CLEAR, BITGO_API_URL: running.url, BITGO_EMAIL: SEED.operator.email, BITGO_PASSWORD: SEED.operator.password, BITGO_TOTP_SECRET: SEED.operator.totpSecret });

async function control(method: string, p: string, body?: unknown, token?: string) {
  const res = await fetch(`${running.url}${p}`, { method, headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

function writeState(name: string, resources: Parameters<typeof stackExport>[0]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(stackExport(resources)));
  return file;
}

beforeAll(async () => {
  running = await startSandbox();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "orgstack-review-"));
});
afterAll(async () => {
  await running?.stop();
  resetBitGoClients(running?.url);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("usage", () => {
  it.each([
    [["--nope"], "no option --nope"],
    [["--stak", "dev"], "no option --stak (did you mean --stack?)"],
    [[], "say which stack"],
    [["--stack", "dev", "--state", "x.json"], "give --stack or --state, not both"],
    [["--state", "/no/such/file.json"], "no such file"],
    [["--state", "x.json", "--ignore", "everything"], "--ignore everything: no such rule"],
    [["--state", "x.json", "--approval-max-age-days", "soon"], "--approval-max-age-days must be a whole number"],
    [["--stack", "dev;rm -rf /"], "is not a stack name"],
    [["--markdown"], "--markdown needs a value"],
    [["dev"], 'unexpected argument "dev"'],
  ])("%j exits 2: %s", async (args, message) => {
    const r = await review(args, CLEAR);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it("a state that is not an export exits 2; --help exits 0", async () => {
    const bad = path.join(dir, "bad.json");
    fs.writeFileSync(bad, "{ not json");
    expect((await review(["--state", bad], CLEAR)).stderr).toContain("is not JSON");
    fs.writeFileSync(bad, "{}");
    expect((await review(["--state", bad], CLEAR)).stderr).toContain("the state has no resources");
    const help = await review(["--help"], CLEAR);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--approval-max-age-days");
  });

  it("no credentials anywhere exits 2 before any call, saying what to set", async () => {
    const file = writeState("plain.json", [{ kind: "bitgo:EnterpriseUser", name: "ops", inputs: { enterpriseId: treasury, username: "ops@acme.example", permissions: ["admin"] } }]);
    await control("DELETE", "/__sandbox/requests");
    const r = await review(["--state", file], { ...CLEAR, BITGO_API_URL: running.url });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("bitgo:accessToken");
    expect((await control("GET", "/__sandbox/requests")).body.requests).toEqual([]);
  });

  it("an http API URL off this machine is refused before any call", async () => {
    const file = writeState("plain2.json", [{ kind: "bitgo:EnterpriseUser", name: "ops", inputs: { enterpriseId: treasury, username: "ops@acme.example", permissions: ["admin"] } }]);
    const r = await review(["--state", file], { ...ciEnv(), BITGO_API_URL: "http://bitgo.example.com" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("is not https");
  });
});

describe("an authoritative enterprise and wallet, 300 members, a stale approval", () => {
  let result: { code: number; stdout: string; stderr: string; json: any; md: string };
  let requests: { method: string; path: string }[];
  let approvalId: string;

  beforeAll(async () => {
    // 300 plain members out of band (seeded), and a pending approval to add ops@ as admin (two
    // approvals needed) that BitGo dates 30 days back.
    await control("POST", "/__sandbox/bitgo/bulk", { count: 300, prefix: "staff", enterpriseId: treasury });
    const token = (await control("POST", "/__sandbox/bitgo/tokens", { userId: SEED.operator.id, scope: ["user_manage"] })).body.token;
    const added = await control("POST", `/api/v2/enterprise/${treasury}/user`, { username: "ops@acme.example", permission: "admin" }, token);
    expect(added.status).toBe(202);
    approvalId = added.body.id;
    const approval = (running.sandbox.state.bitgo.approvals as { id: string; createDate: string }[]).find((a) => a.id === approvalId)!;
    approval.createDate = new Date(Date.now() - 30 * 86_400_000).toISOString();

    const file = writeState("access.json", [
      {
        kind: "bitgo:EnterpriseAccess",
        name: "treasury-admins",
        inputs: {
          enterpriseId: treasury,
          members: [
            { username: SEED.secondAdmin.email, permissions: ["admin"] },
            { username: "ops@acme.example", permissions: ["admin"], videoApprover: true },
          ],
          unmanaged: "report",
          keep: ["staff-7@acme.example"],
        },
      },
      { kind: "bitgo:WalletAccess", name: "guarded", inputs: { coin: "tbtc", walletId: guarded, users: [{ user: SEED.secondAdmin.id, permissions: ["admin", "spend", "view"] }], keep: [] } },
    ]);
    await control("DELETE", "/__sandbox/requests");
    const md = path.join(dir, "review.md");
    const json = path.join(dir, "review.json");
    const r = await review(["--state", file, "--markdown", md, "--json", json], ciEnv());
    result = { ...r, json: JSON.parse(fs.readFileSync(json, "utf8")), md: fs.readFileSync(md, "utf8") };
    requests = (await control("GET", "/__sandbox/requests")).body.requests;
  }, 120_000);

  it("logs in with the TOTP secret and reads 300 members with a handful of calls (no user read per member)", () => {
    expect(result.stderr).not.toContain("orgstack review: BitGo");
    const calls = requests.filter((r) => r.path.startsWith("/api/"));
    expect(calls.filter((r) => r.path === "/api/v2/user/login")).toHaveLength(1);
    expect(calls.filter((r) => /^\/api\/v2\/user\/[0-9a-f]{32}$/.test(r.path))).toEqual([]);
    expect(calls.length).toBeLessThanOrEqual(12);
    expect(calls.every((r) => r.method === "GET" || r.path === "/api/v2/user/login")).toBe(true);
    const unit = result.json.units.find((u: any) => u.id === treasury);
    expect(unit.rows.filter((r: any) => r.user.startsWith("staff-"))).toHaveLength(300);
    expect(unit.rows.find((r: any) => r.user === "staff-1@acme.example")).toMatchObject({ permissions: [], exact: true, standing: "not declared" });
  });

  it("keep, the operator, a declared admin waiting for approval, and the stale approval", () => {
    const unit = result.json.units.find((u: any) => u.id === treasury);
    const row = (user: string) => unit.rows.find((r: any) => r.user === user);
    expect(row("staff-7@acme.example").standing).toBe("kept");
    expect(row(SEED.operator.email).standing).toBe("operator");
    expect(row(SEED.secondAdmin.email)).toMatchObject({ standing: "declared", permissions: ["admin"], resources: ["treasury-admins"] });
    expect(row("ops@acme.example")).toMatchObject({ standing: "declared", status: `waiting for approval ${approvalId}`, declared: ["admin"] });
    expect(unit.approvals).toEqual([expect.objectContaining({ id: approvalId, what: "add ops@acme.example as admin", ageDays: 30 })]);
    expect(unit.facts).toContain("authoritative: treasury-admins (unmanaged: report; keep: staff-7@acme.example)");
    expect(result.json.findings.map((f: any) => f.rule).sort()).toEqual(["no-video-approver", "stale-approval"]);
    expect(result.code).toBe(1);
  });

  it("the wallet's users are named and declared by id; the Markdown says it all; no secret anywhere", () => {
    const wallet = result.json.units.find((u: any) => u.id === guarded);
    expect(wallet.rows.map((r: any) => [r.user, r.standing])).toEqual([
      [SEED.operator.email, "operator"],
      [SEED.secondAdmin.email, "declared"],
    ]);
    expect(wallet.findings).toEqual([]);
    expect(result.md).toContain("| ops@acme.example | — | admin (treasury-admins) | declared | waiting for approval");
    expect(result.md).toContain("**2 finding(s)**");
    const sessions = (running.sandbox.state.bitgo.sessions as { token: string }[]).map((s) => s.token);
    for (const s of [SEED.operator.password, SEED.operator.totpSecret, ...sessions]) expect(result.md + JSON.stringify(result.json) + result.stderr).not.toContain(s);
  });

  it("--ignore leaves a rule out and the exit code follows", async () => {
    const file = path.join(dir, "access.json");
    const r = await review(["--state", file, "--markdown", path.join(dir, "r2.md"), "--ignore", "no-video-approver", "--ignore", "stale-approval"], ciEnv());
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, "r2.md"), "utf8")).toContain("Rules ignored: no-video-approver, stale-approval.");
  });
});
