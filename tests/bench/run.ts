// `npm run bench`: stacks of 100, 300 and 1,000 mixed resources (enterprise users, organization users,
// child enterprises, wallet shares, FinHub people) through the real Pulumi engine (Automation API)
// against the sandbox, with a vendor latency (default 50 ms) and the vendors' documented rate limits
// on; and, in the same run, a plain script that makes the minimal calls (one per resource, one login)
// at the same concurrency. Per phase (up, preview, refresh, destroy) it prints: seconds, calls per
// resource, answers of 429, logins, the ratio to the plain script and to the rate-limit floor, the
// provider process's peak memory; then how time and calls grow from the smallest size to the largest.
// Figures are from one run on this machine: quote the ratios.
//
//   npm run bench -- [--sizes 100,300,1000] [--latency 50] [--routes] [--limits off] [--skip-checkpoints]
import * as fs from "fs";
import * as path from "path";
import { RunningSandbox, SEED, WALLET_SEED, FINHUB_SEED, startSandbox } from "../../sandbox";
import { offlineStack } from "../../demo/engine";
import { sandboxConfig } from "../../demo/example";
import { BITGO_LIMITS, hashPassword, pacingUser } from "../../provider/bitgo/client";
import { Pacer } from "../../provider/http/pacer";
import * as bitgo from "../../sdk/bitgo";
import * as finhub from "../../sdk/finhub";

const repoRoot = path.resolve(__dirname, "../../..");
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const sizes = arg("sizes", "100,300,1000").split(",").map(Number);
const latencyMs = Number(arg("latency", "50"));
/** `--limits off`: no rate limits at the sandbox or in the provider, to see what the engine itself costs. */
const limitsOn = arg("limits", "on") !== "off";
/**
 * `--skip-checkpoints`: the engine writes no state file between steps (PULUMI_SKIP_CHECKPOINTS), to
 * see what the local backend's per-step checkpoints of a 1,000-resource state cost the engine.
 */
const skipCheckpoints = process.argv.includes("--skip-checkpoints");
/** Pulumi's default: 4 operations per core at once (PULUMI_PARALLEL changes it, for the engine and the plain script alike). */
const PARALLEL = Number(process.env.PULUMI_PARALLEL || 4 * require("os").cpus().length);

// ---- the stack: a mix of every kind ----

interface Mix {
  enterpriseUsers: number;
  orgUsers: number;
  children: number;
  shares: number;
  employees: number;
  directors: number;
  shareholders: number;
}
function mix(n: number): Mix {
  const share = (f: number) => Math.round(n * f);
  const m = { enterpriseUsers: share(0.4), orgUsers: share(0.1), children: share(0.1), shares: share(0.2), employees: share(0.1), directors: share(0.05), shareholders: share(0.05) };
  m.enterpriseUsers += n - Object.values(m).reduce((a, b) => a + b, 0); // the rounding goes to enterprise users
  return m;
}

const custody = SEED.enterprises.custody.id;
const org = SEED.organization.id;
const team = WALLET_SEED.wallets.team.id;
const email = (kind: string, i: number) => `${kind}-${i}@bench.example`;

/** Users the stack refers to that must exist first: organization members-to-be, share recipients. */
async function seed(sb: RunningSandbox, m: Mix) {
  const post = (p: string, body: unknown) => fetch(`${sb.url}${p}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);
  // Share recipients are members of the wallet's enterprise (found in its member list, no per-user lookup).
  const recipients = m.shares ? (await post("/__sandbox/bitgo/bulk", { count: m.shares, prefix: "recipient", enterpriseId: custody, permissions: ["auditor"] })).users : [];
  // Organization users-to-be exist in BitGo but hold no organization role yet.
  const orgUsers = m.orgUsers ? (await post("/__sandbox/bitgo/bulk", { count: m.orgUsers, prefix: "orgmember" })).users : [];
  await post("/__sandbox/finhub/settings", { kybDelayMs: 50, activationDelayMs: 50 });
  return { recipients: recipients as { id: string; email: string }[], orgUsers: orgUsers as { id: string; email: string }[] };
}

function program(m: Mix, seeded: Awaited<ReturnType<typeof seed>>) {
  return async () => {
    for (let i = 0; i < m.enterpriseUsers; i++) new bitgo.EnterpriseUser(`eu-${i}`, { enterpriseId: custody, username: email("member", i), permissions: [i % 2 ? "auditor" : "wallet.create"] });
    seeded.orgUsers.forEach((u, i) => new bitgo.OrganizationUser(`ou-${i}`, { organizationId: org, username: u.email, role: "member" }));
    for (let i = 0; i < m.children; i++) new bitgo.ChildEnterprise(`ce-${i}`, { organizationId: org, email: email("customer", i) });
    seeded.recipients.forEach((u, i) => new bitgo.WalletShare(`ws-${i}`, { coin: "tbtc", walletId: team, user: u.email, permissions: ["view"], disableEmail: true }));
    if (m.employees + m.directors + m.shareholders > 0) {
      const o = new finhub.Organization("org", { legalName: "Bench Ltd", registrationNumber: "B1", email: "bench@bench.example" });
      const person = (kind: string, i: number) => ({ firstName: kind, lastName: String(i), email: email(kind, i), dateOfBirth: "1980-01-01", nationality: "GB" });
      const admin = new finhub.Employee("admin", { organizationId: o.id, person: person("admin", 0), role: "ADMIN_USER" });
      for (let i = 1; i < m.employees; i++) new finhub.Employee(`em-${i}`, { organizationId: o.id, person: person("employee", i), role: "EMPLOYEE" }, { dependsOn: [admin] });
      for (let i = 0; i < m.directors; i++) new finhub.Director(`di-${i}`, { organizationId: o.id, person: person("director", i), role: "BOARD_MEMBER" });
      const each = Math.floor((100 / Math.max(1, m.shareholders)) * 1000) / 1000;
      for (let i = 0; i < m.shareholders; i++) {
        const pct = i === m.shareholders - 1 ? Math.round((100 - each * (m.shareholders - 1)) * 1000) / 1000 : each;
        new finhub.Shareholder(`sh-${i}`, { organizationId: o.id, person: person("holder", i), ownershipPercentage: pct });
      }
    }
  };
}

// ---- measuring ----

interface Phase {
  seconds: number;
  routes?: Record<string, number>;
  bitgoCalls: number;
  finhubCalls: number;
  rateLimited: number;
  logins: number;
  peakMb?: number;
}

async function stats(sb: RunningSandbox) {
  const s = await fetch(`${sb.url}/__sandbox/stats`).then((r) => r.json() as Promise<any>);
  const byRoute: Record<string, number> = s.requests ?? {};
  let bitgoCalls = 0;
  let finhubCalls = 0;
  for (const [route, n] of Object.entries(byRoute)) {
    if (route.includes("/finhub/")) finhubCalls += n;
    else bitgoCalls += n;
  }
  const rateLimited = Number((s.statuses ?? {})["429"] ?? 0);
  const logins = Number(s.events?.logins ?? byRoute["POST /api/v2/user/login"] ?? 0);
  return { bitgoCalls, finhubCalls, rateLimited, logins, routes: byRoute };
}
const resetStats = (sb: RunningSandbox) => fetch(`${sb.url}/__sandbox/stats`, { method: "DELETE" });

/** The resident memory of Pulumi's dynamic provider processes, sampled while a phase runs. */
function memorySampler() {
  let peak = 0;
  const sample = () => {
    for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      try {
        const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
        if (!cmd.includes("dynamic-provider") && !cmd.includes("pulumi-resource-pulumi-nodejs")) continue;
        const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
        if (rss) peak = Math.max(peak, Number(rss[1]) / 1024);
      } catch {
        /* the process ended meanwhile */
      }
    }
  };
  const timer = setInterval(sample, 200);
  return () => {
    clearInterval(timer);
    return Math.round(peak);
  };
}

async function phase(sb: RunningSandbox, run: () => Promise<unknown>, provider = true): Promise<Phase> {
  await resetStats(sb);
  const stop = provider ? memorySampler() : undefined;
  const started = Date.now();
  await run();
  const seconds = (Date.now() - started) / 1000;
  return { seconds, ...(await stats(sb)), peakMb: stop?.() };
}

// ---- the plain script: one call per resource, one login, paced as the documents say ----

async function plain(sb: RunningSandbox, m: Mix, seeded: Awaited<ReturnType<typeof seed>>) {
  // Paced as the provider is, with its memory across phases (the up's calls still count in refresh's window).
  const pacer = new Pacer(BITGO_LIMITS, limitsOn, pacingUser({ apiUrl: sb.url, email: SEED.operator.email }));
  // The same concurrency as the engine: Pulumi runs 4 operations per core at once unless told otherwise.
  let inFlight = 0;
  const queue: (() => void)[] = [];
  const slot = async () => {
    if (inFlight >= PARALLEL) await new Promise<void>((r) => queue.push(r));
    else inFlight++;
  };
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else inFlight--;
  };
  const t = FINHUB_SEED.tenants.acme;
  const call = async (method: string, p: string, body?: unknown, token?: string, buckets = ["all"]) => {
    await slot();
    try {
      await pacer.acquire(buckets);
      const res = await fetch(`${sb.url}${p}`, {
        method,
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (await (res.status === 204 ? {} : res.json())) as any;
    } finally {
      release();
    }
  };
  const fh = async (method: string, p: string, body?: unknown) => {
    await slot();
    try {
      const res = await fetch(`${sb.finhubUrl}${p}`, {
        method,
        headers: { "content-type": "application/json", "x-tenant-id": t.id, authorization: `Bearer ${t.token}`, "user-agent": "bench" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (await (res.status === 204 ? {} : res.json())) as any;
    } finally {
      release();
    }
  };
  const { access_token: token } = await call("POST", "/api/v2/user/login", { email: SEED.operator.email, password: hashPassword(SEED.operator.email, SEED.operator.password), otp: "000000" }, undefined, ["login"]);
  const person = (kind: string, i: number) => ({ person: { firstName: kind, lastName: String(i), email: email(`plain-${kind}`, i), dateOfBirth: "1980-01-01", nationality: "GB" } });

  const create = async () => {
    let orgId = "";
    const finhubPart = async () => {
      if (m.employees + m.directors + m.shareholders === 0) return;
      orgId = (await fh("POST", "/api/v2.1/customer/organization/registration", { email: "plain@bench.example", password: "Bench-password-1!", matchingPassword: "Bench-password-1!", organizationCustomer: { customerName: "Plain", organization: { legalName: "Plain Ltd", registrationNumber: "P1" } } })).data.organizationId;
      await fh("POST", `/api/v2.1/customer/organization/${orgId}/employee`, { ...person("admin", 0), position: "ADMIN_USER", roles: ["ADMIN_USER"] });
      await Promise.all([
        ...Array.from({ length: m.employees - 1 }, (_, i) => fh("POST", `/api/v2.1/customer/organization/${orgId}/employee`, { ...person("employee", i + 1), position: "EMPLOYEE", roles: ["EMPLOYEE"] })),
        ...Array.from({ length: m.directors }, (_, i) => fh("POST", `/api/v2.1/customer/organization/${orgId}/director`, { ...person("director", i), role: "BOARD_MEMBER" })),
        m.shareholders ? fh("POST", `/api/v2.1/customer/organization/${orgId}/shareholders`, Array.from({ length: m.shareholders }, (_, i) => ({ ...person("holder", i), ownershipPercentage: 100 / m.shareholders }))) : undefined,
      ]);
    };
    await Promise.all([
      ...Array.from({ length: m.enterpriseUsers }, (_, i) => call("POST", `/api/v2/enterprise/${custody}/user`, { username: email("plain-member", i), permission: "auditor" }, token)),
      ...seeded.orgUsers.map((u) => call("POST", `/api/v2/organization/${org}/user`, { username: u.email, role: "member" }, token)),
      ...Array.from({ length: m.children }, (_, i) => call("POST", `/api/v2/organization/${org}/enterprise`, { email: email("plain-customer", i), idempotencyKey: `plain-${i}`, additionalAdmins: [] }, token)),
      ...seeded.recipients.map((u) => call("POST", `/api/v2/tbtc/wallet/${team}/share`, { user: u.id, permissions: "view", disableEmail: true }, token)),
      finhubPart(),
    ]);
    return orgId;
  };
  const refresh = async (orgId: string) => {
    // One read per distinct vendor object a refresh needs: the lists.
    await Promise.all([
      call("GET", `/api/v1/enterprise/${custody}/user`, undefined, token),
      call("GET", `/api/org/users?organizationId=${org}`, undefined, token),
      call("GET", `/api/v2/organization/${org}/enterprise`, undefined, token),
      call("GET", "/api/v2/walletshares", undefined, token),
      ...(orgId ? [fh("GET", `/api/v2.1/customer/organization/${orgId}/employees?size=100`), fh("GET", `/api/v2.1/customer/organization/${orgId}/directors`), fh("GET", `/api/v2/organizations/${orgId}/shareholders`)] : []),
    ]);
  };
  const destroy = async () => {
    const shares = (await call("GET", "/api/v2/walletshares", undefined, token)).outgoing ?? [];
    await Promise.all([
      ...Array.from({ length: m.enterpriseUsers }, (_, i) => call("DELETE", `/api/v2/enterprise/${custody}/user`, { username: email("plain-member", i) }, token)),
      ...seeded.orgUsers.map((u) => call("DELETE", `/api/v2/organization/${org}/user?userId=${u.id}`, undefined, token)),
      ...shares.filter((s: any) => s.state === "active").map((s: any) => call("DELETE", `/api/v2/tbtc/walletshare/${s.id}`, undefined, token)),
    ]);
  };
  let orgId = "";
  return {
    up: await phase(sb, async () => (orgId = await create()), false),
    refresh: await phase(sb, () => refresh(orgId), false),
    destroy: await phase(sb, destroy, false),
  };
}

/** The rate-limit floor: the minimal calls (one per resource) at BitGo's documented rate after the first window's allowance, plus one answer's latency. */
function floorSeconds(bitgoMinimalCalls: number): number {
  const { limit, windowMs } = BITGO_LIMITS.all;
  return Math.max(0, bitgoMinimalCalls - limit) / (limit / (windowMs / 1000)) + latencyMs / 1000;
}

/**
 * The same calls under the window BitGo documents, which slides: no 60 s may hold more than 360, so
 * every 360 calls after the first need another whole window (800 calls: 120 s, where the rate above
 * gives 73 s). What the plain script, or anything, can reach.
 */
function slidingFloorSeconds(bitgoMinimalCalls: number): number {
  const { limit, windowMs } = BITGO_LIMITS.all;
  return Math.max(0, Math.ceil(bitgoMinimalCalls / limit) - 1) * (windowMs / 1000) + latencyMs / 1000;
}

// ---- the run ----

async function measure(n: number) {
  const m = mix(n);
  const bitgoResources = m.enterpriseUsers + m.orgUsers + m.children + m.shares;
  const work = path.join(repoRoot, ".orgstack", "bench", `n${n}`);
  fs.rmSync(work, { recursive: true, force: true });
  const sb = await startSandbox({ rateLimits: limitsOn, latencyMs, requestLog: false });
  try {
    const seeded = await seed(sb, m);
    const stack = await offlineStack({
      stackName: "bench",
      projectName: `orgstack-bench-${n}`,
      program: program(m, seeded),
      workDir: path.join(work, "program"),
      stateDir: work,
      passphrase: "orgstack-bench",
      binDir: process.env.ORGSTACK_PULUMI_BIN,
      projectSettings: { name: `orgstack-bench-${n}`, runtime: "nodejs" },
      envVars: { ORGSTACK_FINHUB_POLL_MS: "50", ...(limitsOn ? {} : { ORGSTACK_RATE_LIMITS: "off" }), ...(skipCheckpoints ? { PULUMI_SKIP_CHECKPOINTS: "true" } : {}) },
    });
    await stack.setAllConfig(sandboxConfig(sb));
    const engine = {
      up: await phase(sb, () => stack.up()),
      preview: await phase(sb, () => stack.preview()),
      refresh: await phase(sb, () => stack.refresh()),
      destroy: await phase(sb, () => stack.destroy()),
    };
    await stack.workspace.removeStack("bench");
    // The plain script gets a vendor of its own, as the engine's up did: BitGo's window still holds
    // the engine's destroy, and the plain script must not pay for it.
    const own = await startSandbox({ rateLimits: limitsOn, latencyMs, requestLog: false });
    try {
      const script = await plain(own, m, await seed(own, m));
      return { n, m, bitgoResources, engine, script };
    } finally {
      await own.stop();
    }
  } finally {
    await sb.stop();
  }
}

function table(results: Awaited<ReturnType<typeof measure>>[]) {
  const rows: string[] = [];
  const fmt = (x: number | undefined, d = 2) => (x === undefined || !Number.isFinite(x) ? "-" : x.toFixed(d));
  rows.push(`orgstack bench: mixed stacks through the real engine (${PARALLEL} operations at once), vendor latency ${latencyMs} ms, ${limitsOn ? "the vendors' rate limits on (BitGo 360 requests/60 s per user)" : "no rate limits (--limits off)"}${skipCheckpoints ? ", no intermediate checkpoints (PULUMI_SKIP_CHECKPOINTS)" : ""}`);
  rows.push("| resources | phase | seconds | calls/resource | 429 | logins | engine / plain script | engine / rate-limit floor | engine / sliding-window floor | provider peak MB |");
  rows.push("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of results) {
    for (const name of ["up", "preview", "refresh", "destroy"] as const) {
      const e = r.engine[name];
      const calls = e.bitgoCalls + e.finhubCalls;
      const p = name === "preview" ? undefined : r.script[name];
      const floor = name === "preview" || !limitsOn ? undefined : floorSeconds(r.bitgoResources);
      const sliding = name === "preview" || !limitsOn ? undefined : slidingFloorSeconds(r.bitgoResources);
      rows.push(`| ${r.n} | ${name} | ${fmt(e.seconds, 1)} | ${fmt(calls / r.n)} | ${e.rateLimited} | ${e.logins} | ${p ? fmt(e.seconds / p.seconds) : "-"} | ${floor ? fmt(e.seconds / floor) : "-"} | ${sliding ? fmt(e.seconds / sliding) : "-"} | ${e.peakMb ?? "-"} |`);
    }
  }
  if (results.length > 1) {
    const a = results[0];
    const b = results[results.length - 1];
    rows.push("");
    rows.push(`growth from ${a.n} to ${b.n} resources (${b.n / a.n}x): per resource, time x${fmt(b.engine.up.seconds / b.n / (a.engine.up.seconds / a.n))} (up), x${fmt(b.engine.refresh.seconds / b.n / (a.engine.refresh.seconds / a.n))} (refresh), x${fmt(b.engine.destroy.seconds / b.n / (a.engine.destroy.seconds / a.n))} (destroy); calls per resource x${fmt(((b.engine.up.bitgoCalls + b.engine.up.finhubCalls) / b.n) / ((a.engine.up.bitgoCalls + a.engine.up.finhubCalls) / a.n))} (up)`);
  }
  rows.push("");
  rows.push(`plain script: one call per resource and one login, ${PARALLEL} at once, paced the same way; rate-limit floor: one BitGo call per BitGo resource at 360 per 60 s after the first window's allowance, plus one answer's latency; sliding-window floor: the same calls when no 60 s may hold more than 360 (BitGo's window slides), plus one answer's latency`);
  return rows.join("\n");
}

async function main() {
  const results = [];
  for (const n of sizes) {
    process.stdout.write(`bench: ${n} resources...\n`);
    results.push(await measure(n));
  }
  let text = table(results);
  if (process.argv.includes("--routes")) {
    // Where the calls of each phase went, at the largest size.
    const last = results[results.length - 1];
    for (const name of ["up", "refresh", "destroy"] as const) {
      const top = Object.entries(last.engine[name].routes ?? {}).sort((a, b) => b[1] - a[1]).slice(0, 12);
      text += `\n\n${name} at ${last.n}: ${top.map(([r, c]) => `${c} ${r}`).join("; ")}`;
    }
  }
  console.log(`\n${text}`);
  fs.mkdirSync(path.join(repoRoot, ".orgstack", "bench"), { recursive: true });
  fs.writeFileSync(path.join(repoRoot, ".orgstack", "bench", "results.md"), `${text}\n`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
