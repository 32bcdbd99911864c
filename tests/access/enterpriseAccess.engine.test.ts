// EnterpriseAccess through the real Pulumi engine: an out-of-band admin appears on refresh (in the
// outputs and, by name, in preview --diff) and is removed on up, or only reported with unmanaged:
// "report"; the operator and keep survive any list; the no-admin, no-video-approver and
// double-management refusals fire at preview; 300 members across pages are read with a fixed number of
// calls; and no secret reaches the state file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunningSandbox, SEED, startSandbox } from "../../sandbox";
import { EnterpriseAccess, EnterpriseAccessMember, EnterpriseUser } from "../../sdk/bitgo";
import { collector, engineStack, EngineStack } from "../engine/harness";

const custody = SEED.enterprises.custody.id;
const treasury = SEED.enterprises.treasury.id;
let sandbox: RunningSandbox;
const env = { ORGSTACK_RATE_LIMITS: "off", ORGSTACK_SETTLE_MS: "2000", ORGSTACK_BATCH_MS: "200" };
const operatorConfig = () => ({
  "bitgo:apiUrl": { value: sandbox.url },
  "bitgo:email": { value: SEED.operator.email },
  "bitgo:password": { value: SEED.operator.password, secret: true },
  "bitgo:totpSecret": { value: SEED.operator.totpSecret, secret: true },
});
const post = (path: string, body: unknown) => fetch(`${sandbox.url}/__sandbox${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);
/** Someone adds users in BitGo's web UI: `<prefix>-<n>@acme.example`. */
const outOfBand = (prefix: string, permissions: string[], enterpriseId = custody, count = 1) => post("/bitgo/bulk", { count, prefix, enterpriseId, permissions });

function members(enterpriseId = custody): Record<string, string[]> {
  const st = sandbox.sandbox.state.bitgo;
  const e = st.enterprises.find((x: any) => x.id === enterpriseId);
  return Object.fromEntries(e.members.map((m: any) => [st.users.find((u: any) => u.id === m.userId).email, [...m.permissions].sort()]));
}
const recorded = async (stack: EngineStack) => (await stack.stack.exportStack()).deployment.resources.find((r: any) => /EnterpriseAccess/.test(r.type))?.outputs;

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimits: false });
});
afterAll(async () => {
  await sandbox?.stop();
});

describe("an authoritative enterprise list through the engine", () => {
  let stack: EngineStack;
  let unmanaged: "remove" | "report" = "remove";
  const list: EnterpriseAccessMember[] = [
    { username: "ops@acme.example", permissions: ["admin"], videoApprover: true },
    { username: "auditor@acme.example", permissions: ["auditor"] },
  ];

  beforeAll(async () => {
    stack = await engineStack({
      name: "enterprise-access",
      program: async () => {
        const a = new EnterpriseAccess("custody-admins", { enterpriseId: custody, members: list, unmanaged, keep: ["svc-1@acme.example"] });
        return { unmanagedMembers: a.unmanagedMembers, leftAlone: a.leftAlone, state: a.state };
      },
      config: operatorConfig(),
      env,
    });
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  it("up makes the enterprise's users what the list says, and a second preview is quiet", async () => {
    await outOfBand("svc", ["auditor"]); // a service account the list keeps
    const out = collector();
    const up = await stack.stack.up({ onOutput: out.onOutput });
    expect(up.summary.result).toBe("succeeded");
    expect(members()).toEqual({ [SEED.operator.email]: ["admin"], "ops@acme.example": ["admin"], "auditor@acme.example": ["auditor"], "svc-1@acme.example": ["auditor"] });
    expect(out.text()).toContain("leaves alone, whatever its list says, the identity orgstack runs as (ops-lead@acme.example) and those in keep (svc-1@acme.example)");
    expect(up.outputs.leftAlone.value.map((m: any) => [m.username, m.reason])).toEqual([
      [SEED.operator.email, "operator"],
      ["svc-1@acme.example", "keep"],
    ]);
    expect((await stack.stack.preview()).changeSummary).toEqual({ same: 2 });
  });

  it("an admin added in BitGo's web UI shows on refresh, by name in preview --diff, and up removes it", async () => {
    await outOfBand("rogue", ["admin"]);
    const refresh = await stack.stack.refresh();
    expect(refresh.summary.resourceChanges).toMatchObject({ update: 1 });
    const outs = await recorded(stack);
    expect(outs.unmanagedMembers).toEqual([{ username: "rogue-1@acme.example", userId: expect.stringMatching(/^[0-9a-f]{32}$/), permissions: ["admin"], status: "active" }]);
    expect(outs.members.find((m: any) => m.username === "rogue-1@acme.example")).toMatchObject({ source: "unmanaged", permissions: ["admin"] });

    const diff = collector();
    const preview = await stack.stack.preview({ diff: true, onOutput: diff.onOutput });
    expect(preview.changeSummary).toEqual({ same: 1, update: 1 });
    expect(diff.text()).toMatch(/- \[2\]: \{[^}]*username\s*: "rogue-1@acme\.example"/s);
    // The plan by name, which the provider prints under the resource (pulumi preview shows it).
    const plan = collector();
    await stack.stack.preview({ onOutput: plan.onOutput });
    expect(plan.text()).toContain("- rogue-1@acme.example (admin): not declared");
    expect(plan.text()).toContain("= svc-1@acme.example (auditor): left alone (in keep)");
    expect(plan.text()).toContain("= ops-lead@acme.example (admin): left alone (the identity orgstack runs as)");

    const up = await stack.stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: 1, update: 1 });
    expect(Object.keys(members()).sort()).toEqual(["auditor@acme.example", SEED.operator.email, "ops@acme.example", "svc-1@acme.example"].sort());
    expect(up.outputs.unmanagedMembers.value).toEqual([]);
    expect((await stack.stack.preview()).changeSummary).toEqual({ same: 2 });
  });

  it('with unmanaged: "report" an out-of-band admin is only reported, never removed', async () => {
    unmanaged = "report";
    await stack.stack.up();
    await outOfBand("watcher", ["admin"]);
    await stack.stack.refresh();
    expect((await recorded(stack)).unmanagedMembers.map((m: any) => m.username)).toEqual(["watcher-1@acme.example"]);
    const out = collector();
    const preview = await stack.stack.preview({ onOutput: out.onOutput });
    expect(preview.changeSummary).toEqual({ same: 2 });
    expect(out.text()).toContain('? watcher-1@acme.example (admin): not declared; unmanaged is "report", so only reported');
    await stack.stack.up();
    expect(members()["watcher-1@acme.example"]).toEqual(["admin"]);
  });

  it("a change in the list is an update in place; the operator and keep survive a list that names neither", async () => {
    unmanaged = "remove";
    list.splice(1, 1, { username: "treasury@acme.example", permissions: ["wallet.create"] });
    const out = collector();
    const preview = await stack.stack.preview({ onOutput: out.onOutput });
    expect(preview.changeSummary).toEqual({ same: 1, update: 1 });
    expect(out.text()).toContain("+ treasury@acme.example (wallet.create)");
    expect(out.text()).toContain("- auditor@acme.example (auditor)");
    expect(out.text()).toContain("- watcher-1@acme.example (admin): not declared");
    await stack.stack.up();
    expect(members()).toEqual({ [SEED.operator.email]: ["admin"], "ops@acme.example": ["admin"], "treasury@acme.example": ["wallet.create"], "svc-1@acme.example": ["auditor"] });
  });

  it("keeps passwords, TOTP secrets and session tokens out of the state file", async () => {
    const state = stack.stateText();
    expect(state).toContain("EnterpriseAccess");
    expect(state).not.toContain(SEED.operator.password);
    expect(state).not.toContain(SEED.operator.totpSecret);
    for (const s of sandbox.sandbox.state.bitgo.sessions) expect(state).not.toContain(s.token);
  });

  it('destroy with onDelete "leave" (the default) leaves every user in place', async () => {
    const before = members();
    const down = await stack.stack.destroy();
    expect(down.summary.result).toBe("succeeded");
    expect(members()).toEqual(before);
  });
});

describe("refusals at preview", () => {
  const refused = async (name: string, program: () => Promise<void>) => {
    const stack = await engineStack({ name, program, config: operatorConfig(), env });
    try {
      const out = collector();
      const error = await stack.stack.preview({ onOutput: out.onOutput }).then(
        () => undefined,
        (e) => e,
      );
      return { error: String(error?.message ?? error), text: out.text(), writes: sandbox.sandbox.requests.filter((r) => r.method !== "GET" && !r.path.endsWith("/login")).length };
    } finally {
      await stack.cleanup();
    }
  };

  it("a list with no admin, and one with no video approver among its admins", async () => {
    sandbox.sandbox.reset();
    const noAdmin = await refused("access-no-admin", async () => {
      new EnterpriseAccess("no-admin", { enterpriseId: custody, members: [{ username: "auditor@acme.example", permissions: ["auditor"] }] });
    });
    expect(noAdmin.error).toMatch(/members: lists no admin/);
    expect(noAdmin.writes).toBe(0);
    const noVideo = await refused("access-no-video", async () => {
      new EnterpriseAccess("no-video", { enterpriseId: custody, members: [{ username: "ops@acme.example", permissions: ["admin"] }] });
    });
    expect(noVideo.error).toMatch(/members: none of the admins \(ops@acme\.example\) is a video approver/);
  });

  it("an enterprise managed both by an access list and by EnterpriseUser resources", async () => {
    sandbox.sandbox.reset();
    const r = await refused("access-both-ways", async () => {
      new EnterpriseAccess("list", { enterpriseId: custody, members: [{ username: "ops@acme.example", permissions: ["admin"], videoApprover: true }] });
      new EnterpriseUser("one", { enterpriseId: custody, username: "auditor@acme.example", permissions: ["auditor"] });
      new EnterpriseUser("elsewhere", { enterpriseId: treasury, username: "auditor@acme.example", permissions: ["auditor"] });
    });
    expect(r.error).toMatch(/One or more errors occurred/);
    expect(r.text).toContain(`BitGo enterprise ${custody} is managed both by the access list EnterpriseAccess "list" and by EnterpriseUser "one"`);
    expect(r.text).not.toContain(`enterprise ${treasury} is managed`);
    expect(r.writes).toBe(0);
  });
});

describe("300 members across pages", () => {
  it("refresh reads them with a fixed number of calls: one member list, the organization's list page by page, no per-user reads", async () => {
    sandbox.sandbox.reset();
    // 300 members of custody, and 300 other users of the organization (in treasury): 600+ users, two pages of 500.
    const seeded = await outOfBand("member", ["auditor"], custody, 300);
    await outOfBand("other", ["auditor"], treasury, 300);
    const list: EnterpriseAccessMember[] = [{ username: "ops@acme.example", permissions: ["admin"], videoApprover: true }, ...seeded.users.map((u: any) => ({ username: u.email, permissions: ["auditor"] }))];
    const stack = await engineStack({
      name: "enterprise-access-300",
      program: async () => {
        new EnterpriseAccess("big", { enterpriseId: custody, members: list });
      },
      config: operatorConfig(),
      env,
    });
    try {
      const up = await stack.stack.up();
      expect(up.summary.result).toBe("succeeded");
      expect(Object.keys(members())).toHaveLength(302); // the operator, ops and the 300
      sandbox.sandbox.requests = [];
      const refresh = await stack.stack.refresh();
      expect(refresh.summary.result).toBe("succeeded");
      const count = (method: string, path: RegExp) => sandbox.sandbox.requests.filter((r) => r.method === method && path.test(r.path)).length;
      expect(count("GET", new RegExp(`^/api/v1/enterprise/${custody}/user`))).toBe(1);
      expect(count("GET", /^\/api\/org\/users/)).toBe(2);
      expect(count("GET", new RegExp(`^/api/v2/enterprise/${custody}$`))).toBe(1);
      expect(count("GET", /^\/api\/v2\/pendingapprovals/)).toBe(1);
      expect(count("GET", /^\/api\/v2\/user\/[0-9a-f]{32}$/)).toBe(0);
      expect(sandbox.sandbox.requests.filter((r) => !r.path.endsWith("/user/login"))).toHaveLength(5);
      expect((await stack.stack.preview()).changeSummary).toEqual({ same: 2 });
    } finally {
      await stack.cleanup();
    }
  });
});
