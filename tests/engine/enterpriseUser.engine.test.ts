// EnterpriseUser through the real Pulumi engine: up, a quiet second preview, a role change shown as an
// update (not a replace), an out-of-band removal found by refresh, destroy, and a state file with no
// secret in it. Also: the preview warning for admins without a video approver.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, SEED, RunningSandbox } from "../../sandbox";
import { EnterpriseUser, EnterprisePermission } from "../../sdk/bitgo";
import { collector, engineStack, EngineStack } from "./harness";

const enterpriseId = SEED.enterprises.custody.id;
let sandbox: RunningSandbox;

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
        return { adminUserId: admin.userId, adminState: admin.state };
      },
      config: {
        "bitgo:apiUrl": { value: sandbox.url },
        "bitgo:email": { value: SEED.operator.email },
        "bitgo:password": { value: SEED.operator.password, secret: true },
        "bitgo:totpSecret": { value: SEED.operator.totpSecret, secret: true },
      },
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
    expect(members()).toMatchObject({ "ops@acme.example": ["admin"], "auditor@acme.example": ["auditor"] });
  });

  it("shows no changes on a second preview", async () => {
    const preview = await stack.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 3 });
  });

  it("previews a role change as an update, not a replace, and applies it in place", async () => {
    auditorPermission = "wallet.create";
    const out = collector();
    const preview = await stack.stack.preview({ diff: true, onOutput: out.onOutput });
    expect(preview.changeSummary).toEqual({ same: 2, update: 1 });
    expect(out.text()).toMatch(/"auditor" => "wallet.create"/);
    const up = await stack.stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: 2, update: 1 });
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
