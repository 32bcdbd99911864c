// EnterpriseUser through the real Pulumi engine: up (two additions with the same permission in one
// call), a quiet second preview, a role change shown as an update (not a replace), an out-of-band
// removal found by refresh, destroy, a state file with no secret in it and a ~100-byte __provider per
// resource. An addition that needs approval: recorded as pending, picked up by refresh, and a destroy
// whose removal needs approval reported without asking twice. Also: the preview warning for admins
// without a video approver.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, SEED, RunningSandbox } from "../../sandbox";
import { EnterpriseUser, EnterprisePermission } from "../../sdk/bitgo";
import { providerText } from "../../sdk/shim";
import { collector, engineStack, EngineStack } from "./harness";

const enterpriseId = SEED.enterprises.custody.id;
const treasury = SEED.enterprises.treasury.id;
let sandbox: RunningSandbox;
// The sandbox has no rate limits (no pacing needed); additions within a second go out together.
const env = { ORGSTACK_RATE_LIMITS: "off", ORGSTACK_SETTLE_MS: "2000", ORGSTACK_BATCH_MS: "1000" };
const control = (method: string, path: string, body?: unknown) =>
  fetch(`${sandbox.url}/__sandbox${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
const operatorConfig = () => ({
  "bitgo:apiUrl": { value: sandbox.url },
  "bitgo:email": { value: SEED.operator.email },
  "bitgo:password": { value: SEED.operator.password, secret: true },
  "bitgo:totpSecret": { value: SEED.operator.totpSecret, secret: true },
});

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimits: false });
});
afterAll(async () => {
  await sandbox?.stop();
});

function members() {
  const st = sandbox.sandbox.state.bitgo;
  const e = st.enterprises.find((x: any) => x.id === enterpriseId);
  return Object.fromEntries(e.members.map((m: any) => [st.users.find((u: any) => u.id === m.userId).email, m.permissions]));
}

describe("EnterpriseUser through the engine", () => {
  let stack: EngineStack;
  let auditorPermission: EnterprisePermission = "auditor";

  beforeAll(async () => {
    stack = await engineStack({
      name: "enterprise-user",
      program: async () => {
        const admin = new EnterpriseUser("ops-admin", { enterpriseId, username: "ops@acme.example", permissions: ["admin"], videoApprover: true });
        new EnterpriseUser("auditor", { enterpriseId, username: "auditor@acme.example", permissions: [auditorPermission] });
        new EnterpriseUser("treasury-auditor", { enterpriseId, username: "treasury@acme.example", permissions: ["auditor"] });
        return { adminUserId: admin.userId, adminState: admin.state, adminVideoIdState: admin.videoIdState };
      },
      config: operatorConfig(),
      env,
    });
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  it("creates the users", async () => {
    const up = await stack.stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.outputs.adminUserId.value).toBe(SEED.users.ops.id);
    expect(up.outputs.adminState.value).toBe("active");
    expect(up.outputs.adminVideoIdState.value).toBeTruthy();
    expect(members()).toMatchObject({ "ops@acme.example": ["admin"], "auditor@acme.example": ["auditor"], "treasury@acme.example": ["auditor"] });
    // The two auditors went out in one call; the admin (another permission) alone.
    const posts = sandbox.sandbox.requests.filter((r) => r.method === "POST" && r.path === `/api/v2/enterprise/${enterpriseId}/user`);
    expect(posts).toHaveLength(2);
    expect([...posts.find((r) => r.requestBody.usernames)!.requestBody.usernames].sort()).toEqual(["auditor@acme.example", "treasury@acme.example"]);
  });

  it("keeps a ~100-byte __provider per resource: the kind, nothing else", async () => {
    const exported = await stack.stack.exportStack();
    const users = exported.deployment.resources.filter((r: any) => /EnterpriseUser/.test(r.type));
    expect(users).toHaveLength(3);
    for (const r of users) {
      expect(r.inputs.__provider).toBe(providerText("bitgo:EnterpriseUser"));
      expect(r.inputs.__provider.length).toBeLessThan(150);
    }
  });

  it("shows no changes on a second preview", async () => {
    const preview = await stack.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 4 });
  });

  it("previews a role change as an update, not a replace, and applies it in place", async () => {
    auditorPermission = "wallet.create";
    const out = collector();
    const preview = await stack.stack.preview({ diff: true, onOutput: out.onOutput });
    expect(preview.changeSummary).toEqual({ same: 3, update: 1 });
    expect(out.text()).toMatch(/"auditor" => "wallet.create"/);
    const up = await stack.stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: 3, update: 1 });
    expect(members()["auditor@acme.example"]).toEqual(["wallet.create"]);
  });

  it("finds a user removed out of band on refresh", async () => {
    await fetch(`${sandbox.url}/__sandbox/bitgo/enterprise/${enterpriseId}/user/auditor@acme.example`, { method: "DELETE" });
    const refresh = await stack.stack.refresh();
    expect(refresh.summary.resourceChanges).toMatchObject({ delete: 1 });
    const preview = await stack.stack.preview();
    expect(preview.changeSummary).toMatchObject({ create: 1 });
  });

  it("finds permission drift on refresh", async () => {
    await fetch(`${sandbox.url}/__sandbox/bitgo/enterprise/${enterpriseId}/user/ops@acme.example`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ permissions: ["auditor"] }),
    });
    const refresh = await stack.stack.refresh();
    expect(refresh.summary.resourceChanges).toMatchObject({ update: 1 });
    // The stack still declares admin: the next up puts it back in place.
    const up = await stack.stack.up();
    expect(up.summary.resourceChanges).toMatchObject({ create: 1, update: 1 });
    expect(members()["ops@acme.example"]).toEqual(["admin"]);
  });

  it("keeps passwords, TOTP secrets and session tokens out of the state file", async () => {
    const state = stack.stateText();
    expect(state.length).toBeGreaterThan(1000);
    expect(state).not.toContain(SEED.operator.password);
    expect(state).not.toContain(SEED.operator.totpSecret);
    expect(state).not.toMatch(/sandbox-session-[0-9a-f]+/);
    for (const s of sandbox.sandbox.state.bitgo.sessions) expect(state).not.toContain(s.token);
  });

  it("destroy leaves the enterprise as the sandbox seeded it", async () => {
    const down = await stack.stack.destroy();
    expect(down.summary.result).toBe("succeeded");
    expect(members()).toEqual({ [SEED.operator.email]: ["admin"] });
  });
});

describe("an addition that needs another admin's approval, through the engine", () => {
  let stack: EngineStack;
  const inTreasury = () => {
    const st = sandbox.sandbox.state.bitgo;
    return st.enterprises.find((e: any) => e.id === treasury).members.some((m: any) => m.userId === SEED.users.auditor.id);
  };
  const approvals = (action: string) => sandbox.sandbox.state.bitgo.approvals.filter((a: any) => a.info.updateEnterpriseRequest?.action === action);
  const recorded = async () => (await stack.stack.exportStack()).deployment.resources.find((r: any) => /EnterpriseUser/.test(r.type))?.outputs;

  beforeAll(async () => {
    stack = await engineStack({
      name: "enterprise-user-approval",
      program: async () => {
        const u = new EnterpriseUser("pending", { enterpriseId: treasury, username: "auditor@acme.example", permissions: ["auditor"] });
        return { state: u.state, pendingApprovalId: u.pendingApprovalId };
      },
      config: operatorConfig(),
      env,
    });
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  it("records the addition as pending, asks nothing more on the next preview, and refresh picks up the approval", async () => {
    const up = await stack.stack.up();
    expect(up.outputs.state.value).toBe("pending");
    const approvalId = up.outputs.pendingApprovalId.value;
    expect(approvals("add").map((a: any) => a.id)).toEqual([approvalId]);
    expect(inTreasury()).toBe(false);
    expect((await stack.stack.preview()).changeSummary).toEqual({ same: 2 });

    expect((await control("POST", `/bitgo/pendingapprovals/${approvalId}`, { state: "approved" })).status).toBe(200);
    await stack.stack.refresh();
    expect(await recorded()).toMatchObject({ state: "active", pendingApprovalId: "", userId: SEED.users.auditor.id, permissions: ["auditor"] });
    expect(approvals("add")).toHaveLength(1);
  });

  it("a destroy whose removal needs approval is reported, not asked twice, and succeeds once approved", async () => {
    const first = await stack.stack.destroy().catch((e) => e);
    expect(String(first?.message ?? first)).toMatch(/needs another admin's approval \(pending approval [0-9a-f]{32}\)/);
    const second = await stack.stack.destroy().catch((e) => e);
    expect(String(second?.message ?? second)).toMatch(/asked for by an earlier run/);
    expect(approvals("remove")).toHaveLength(1);
    expect(inTreasury()).toBe(true);
    expect((await control("POST", `/bitgo/pendingapprovals/${approvals("remove")[0].id}`, { state: "approved" })).status).toBe(200);
    const down = await stack.stack.destroy();
    expect(down.summary.result).toBe("succeeded");
    expect(inTreasury()).toBe(false);
    expect(approvals("remove")).toHaveLength(1);
  });
});

describe("video approver warning", () => {
  it("warns at preview when a stack declares admins of an enterprise but no video approver", async () => {
    const stack = await engineStack({
      name: "video-approver",
      program: async () => {
        new EnterpriseUser("a", { enterpriseId, username: "ops@acme.example", permissions: ["admin"] });
        new EnterpriseUser("b", { enterpriseId, username: "treasury@acme.example", permissions: ["admin"] });
        new EnterpriseUser("c", { enterpriseId: SEED.enterprises.treasury.id, username: "ops@acme.example", permissions: ["admin"], videoApprover: true });
      },
      config: { "bitgo:apiUrl": { value: sandbox.url }, "bitgo:accessToken": { value: SEED.tokens.longLived, secret: true } },
      env,
    });
    try {
      const out = collector();
      await stack.stack.preview({ onOutput: out.onOutput });
      const text = out.text();
      expect(text).toContain(`declares 2 admin(s) for BitGo enterprise ${enterpriseId} but none is a video approver`);
      expect(text).not.toContain(`for BitGo enterprise ${SEED.enterprises.treasury.id}`);
    } finally {
      await stack.cleanup();
    }
  });
});
