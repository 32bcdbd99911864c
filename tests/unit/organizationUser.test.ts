// bitgo:OrganizationUser provider methods against the sandbox: check, diff, add, promote in place
// (the service user, standing in for BitGo support), the support-only refusal for admins, assert mode,
// pending approvals (and a lost answer on one), removal, drift and import.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSandbox, SEED, ORG_SEED, RunningSandbox } from "../../sandbox";
import { ensureOrganizationSeed } from "../../sandbox/bitgoOrganizations";
import { setConfig } from "../../provider/config";
import { provider } from "../../provider";
import { resetBitGoClients } from "../../provider/bitgo/client";

const p = provider("bitgo:OrganizationUser");
const orgId = SEED.organization.id;
let sb: RunningSandbox;

function asOperator() {
  resetBitGoClients();
  const s: Record<string, string> = { "bitgo:apiUrl": sb.url, "bitgo:email": SEED.operator.email, "bitgo:password": SEED.operator.password, "bitgo:otp": "000000" };
  setConfig({ get: (k) => s[k] });
}
function asServiceUser() {
  resetBitGoClients();
  const s: Record<string, string> = { "bitgo:apiUrl": sb.url, "bitgo:accessToken": ORG_SEED.tokens.serviceUser };
  setConfig({ get: (k) => s[k] });
}
function roleOf(email: string): string | undefined {
  const u = sb.sandbox.state.bitgo.users.find((x: any) => x.email === email);
  return u?.organizations.find((o: any) => o.id === orgId)?.role;
}
async function inputs(raw: Record<string, unknown>) {
  const r = await p.check(undefined, raw);
  expect(r.failures ?? []).toEqual([]);
  return r.inputs;
}

const ENV = { ORGSTACK_HTTP_BACKOFF_MS: "5", ORGSTACK_SETTLE_MS: "2000", ORGSTACK_RATE_LIMITS: "off" };
const control = (method: string, path: string, body?: unknown) =>
  fetch(`${sb.url}/__sandbox${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
const needTwoApprovals = () => control("PATCH", `/bitgo/organizations/${orgId}`, { approvalsRequired: 2 });
const writes = () => sb.sandbox.requests.filter((r) => r.method !== "GET" && r.path.startsWith(`/api/v2/organization/${orgId}/user`));

beforeAll(async () => {
  Object.assign(process.env, ENV);
  sb = await startSandbox({ rateLimits: false });
});
afterAll(async () => {
  await sb?.stop();
  setConfig(undefined);
  for (const k of Object.keys(ENV)) delete process.env[k];
});
beforeEach(() => {
  sb.sandbox.reset();
  ensureOrganizationSeed(sb.sandbox.state);
  asOperator();
});
afterEach(() => resetBitGoClients());

describe("check and diff", () => {
  it("names the field for a malformed id, email or an unknown role", async () => {
    const r = await p.check(undefined, { organizationId: "xyz", username: "not-an-email", role: "owner" });
    const props = (r.failures ?? []).map((f) => f.property).sort();
    expect(props).toEqual(["organizationId", "role", "username"]);
    expect(r.failures!.find((f) => f.property === "role")!.reason).toMatch(/"owner" is not a role orgstack can set \(serviceUser and customer are given by BitGo\): use admin, member/);
    expect((await p.check(undefined, { organizationId: orgId, username: "ops@acme.example", role: "member", mode: "check" })).failures![0]).toMatchObject({ property: "mode" });
  });

  it("changes the role in place; another organization or user replaces", async () => {
    const olds: any = { ...(await inputs({ organizationId: orgId, username: "ops@acme.example", role: "member" })), userId: SEED.users.ops.id, state: "active" };
    expect(await p.diff("x", olds, { ...olds, role: "admin" })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(await p.diff("x", olds, { ...olds })).toMatchObject({ changes: false });
    expect((await p.diff("x", olds, { ...olds, username: "auditor@acme.example" })).replaces).toEqual(["username"]);
  });
});

describe("manage", () => {
  it("adds a member, then removes it", async () => {
    const created = await p.create(await inputs({ organizationId: orgId, username: "auditor@acme.example", role: "member" }));
    expect(created.outs).toMatchObject({ userId: SEED.users.auditor.id, role: "member", state: "active", adopted: false });
    expect(roleOf("auditor@acme.example")).toBe("member");
    const read = await p.read(created.id, created.outs!);
    expect(read.props).toMatchObject({ role: "member" });
    await p.delete(created.id, created.outs!);
    expect(roleOf("auditor@acme.example")).toBeUndefined();
    await p.delete(created.id, created.outs!); // already gone is success
  });

  it("refuses to make an organization admin with BitGo's support-only error, before and after adding", async () => {
    const err = await p.create(await inputs({ organizationId: orgId, username: "auditor@acme.example", role: "admin" })).catch((e) => e);
    expect(err.message).toMatch(/organization admins are made by BitGo support only: email support@bitgo\.com/);
    expect(err.message).toMatch(/mode: "assert"/);
    expect(err.message).toMatch(/OrganizationAdminRequiresSupport/);
    expect(err.message).toMatch(/request id [0-9a-f]{24}/);
    expect(roleOf("auditor@acme.example")).toBeUndefined();
    expect(writes()).toHaveLength(1); // refused once, never resent

    // ops is a member; the operator (an organization admin) may not promote it either.
    const created = await p.create(await inputs({ organizationId: orgId, username: "ops@acme.example", role: "member" }));
    expect(created.outs!.adopted).toBe(true);
    const e2 = await p.update(created.id, created.outs!, { ...created.outs!, role: "admin" } as any).catch((e) => e);
    expect(e2.message).toMatch(/made by BitGo support only/);
    expect(roleOf("ops@acme.example")).toBe("member");
  });

  it("promotes a member to admin in place when BitGo allows it (the service user stands in for support)", async () => {
    asServiceUser();
    const created = await p.create(await inputs({ organizationId: orgId, username: "ops@acme.example", role: "member" }));
    const updated = await p.update(created.id, created.outs!, await inputs({ organizationId: orgId, username: "ops@acme.example", role: "admin" }));
    expect(updated.outs).toMatchObject({ role: "admin", state: "active", userId: SEED.users.ops.id });
    expect(roleOf("ops@acme.example")).toBe("admin");
    const puts = sb.sandbox.requests.filter((r) => r.method === "PUT" && r.path === `/api/v2/organization/${orgId}/user`);
    expect(puts.map((r) => r.query)).toEqual([{ userId: SEED.users.ops.id, role: "admin" }]);
    expect(sb.sandbox.requests.some((r) => r.method === "DELETE" && r.path.includes("/organization/"))).toBe(false);
  });

  it("adopts a matching user and refuses a mismatching one unless told", async () => {
    const e = await p.create(await inputs({ organizationId: orgId, username: SEED.secondAdmin.email, role: "member" })).catch((x) => x);
    expect(e.message).toMatch(/second-admin@acme\.example already exists, and differs from the stack: the role is admin there, member here\..*adoptExisting: "always"/);
    const never = await p.create(await inputs({ organizationId: orgId, username: "ops@acme.example", role: "member", adoptExisting: "never" })).catch((x) => x);
    expect(never.message).toMatch(/ops@acme\.example already exists\. adoptExisting is "never"/);
    const adopted = await p.create(await inputs({ organizationId: orgId, username: "ops@acme.example", role: "member" }));
    expect(adopted.outs).toMatchObject({ adopted: true, userId: SEED.users.ops.id, role: "member", state: "active" });
    expect(writes()).toEqual([]);
  });

  it("adoptExisting always takes over and changes the role in place (where BitGo allows it)", async () => {
    asServiceUser();
    const c = await p.create(await inputs({ organizationId: orgId, username: "ops@acme.example", role: "admin", adoptExisting: "always" }));
    expect(c.outs).toMatchObject({ adopted: true, role: "admin", state: "active" });
    expect(roleOf("ops@acme.example")).toBe("admin");
    expect(writes().map((r) => r.method)).toEqual(["PUT"]);
  });

  it("refresh finds a role changed and a user removed out of band; import works from the id alone", async () => {
    const c = await p.create(await inputs({ organizationId: orgId, username: "auditor@acme.example", role: "member" }));
    await control("PUT", `/bitgo/organizations/${orgId}/users/${SEED.users.auditor.id}`, { role: "admin" });
    resetBitGoClients();
    const drift = await p.read(c.id, c.outs!);
    expect(drift.props).toMatchObject({ role: "admin" });
    expect(drift.inputs).toMatchObject({ role: "admin" });
    resetBitGoClients();
    expect((await p.read(c.id, {})).props).toMatchObject({ organizationId: orgId, username: "auditor@acme.example", userId: SEED.users.auditor.id, role: "admin" });
    await control("PUT", `/bitgo/organizations/${orgId}/users/${SEED.users.auditor.id}`, { role: null });
    resetBitGoClients();
    expect((await p.read(c.id, c.outs!)).id).toBe("");
  });

  it("records a pending approval and finishes once it is approved", async () => {
    await fetch(`${sb.url}/__sandbox/bitgo/organizations/${orgId}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ approvalsRequired: 2 }) });
    const created = await p.create(await inputs({ organizationId: orgId, username: "treasury@acme.example", role: "member" }));
    expect(created.outs).toMatchObject({ state: "pending" });
    expect(created.outs!.pendingApprovalId).toMatch(/^[0-9a-f]{32}$/);
    expect(roleOf("treasury@acme.example")).toBeUndefined();
    const res = await fetch(`${sb.url}/__sandbox/bitgo/pendingapprovals/${created.outs!.pendingApprovalId}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ state: "approved" }) });
    expect(res.status).toBe(200);
    expect(roleOf("treasury@acme.example")).toBe("member");
    resetBitGoClients();
    const read = await p.read(created.id, created.outs!);
    expect(read.props).toMatchObject({ state: "active", pendingApprovalId: "", role: "member", userId: SEED.users.treasury.id });
  });

  it("a lost answer on an addition that needs approval finds the open approval; a second create picks it up too", async () => {
    await needTwoApprovals();
    await control("POST", "/faults", { method: "POST", path: `/api/v2/organization/${orgId}/user`, dropAnswerAfterHandling: true });
    const created = await p.create(await inputs({ organizationId: orgId, username: "treasury@acme.example", role: "member" }));
    const approvals = sb.sandbox.state.bitgo.approvals;
    expect(approvals).toHaveLength(1);
    expect(created.outs).toMatchObject({ state: "pending", pendingApprovalId: approvals[0].id });
    asOperator();
    const again = await p.create(await inputs({ organizationId: orgId, username: "treasury@acme.example", role: "member" }));
    expect(again.outs!.pendingApprovalId).toBe(approvals[0].id);
    expect(writes()).toHaveLength(1);
    expect(sb.sandbox.state.bitgo.approvals).toHaveLength(1);
  });

  it("an open approval for another role is not taken for this change: the declared role is asked for", async () => {
    const created = await p.create(await inputs({ organizationId: orgId, username: "auditor@acme.example", role: "member" }));
    await needTwoApprovals();
    // Someone asked to remove the user (its approval is open); this stack changes the role instead.
    const other = await fetch(`${sb.url}/api/v2/organization/${orgId}/user?userId=${SEED.users.auditor.id}`, { method: "DELETE", headers: { authorization: `Bearer ${ORG_SEED.tokens.serviceUser}` } });
    expect(other.status).toBe(202);
    asServiceUser();
    const up = await p.update(created.id, created.outs!, await inputs({ organizationId: orgId, username: "auditor@acme.example", role: "admin" }));
    const asked = sb.sandbox.state.bitgo.approvals.find((a: any) => a.id === up.outs!.pendingApprovalId);
    expect(asked.info.userChangeRequest).toMatchObject({ action: "update", permissions: ["admin"] });
    // A rerun that lost its state finds that same approval, and an approval for another role is never taken.
    asServiceUser();
    expect((await p.update(created.id, created.outs!, await inputs({ organizationId: orgId, username: "auditor@acme.example", role: "admin" }))).outs!.pendingApprovalId).toBe(asked.id);
    asServiceUser();
    const member = await p.update(created.id, { ...created.outs!, role: "admin" }, await inputs({ organizationId: orgId, username: "auditor@acme.example", role: "member" }));
    expect(member.outs!.pendingApprovalId).not.toBe(asked.id);
    expect(sb.sandbox.state.bitgo.approvals.filter((a: any) => a.info.userChangeRequest.action === "update")).toHaveLength(2);
  });

  it("waitForApproval waits for the decision; a rejection fails clearly and changes nothing", async () => {
    await needTwoApprovals();
    const wait = { timeoutSeconds: 10, pollSeconds: 0.05 };
    const approve = p.create(await inputs({ organizationId: orgId, username: "treasury@acme.example", role: "member", waitForApproval: wait }));
    const first = await waitFor(() => sb.sandbox.state.bitgo.approvals.find((a: any) => a.state === "pending"));
    await control("POST", `/bitgo/pendingapprovals/${first.id}`, { state: "approved" });
    expect((await approve).outs).toMatchObject({ state: "active", pendingApprovalId: "", role: "member", userId: SEED.users.treasury.id });

    const reject = p.create(await inputs({ organizationId: orgId, username: "auditor@acme.example", role: "member", waitForApproval: wait }));
    const second = await waitFor(() => sb.sandbox.state.bitgo.approvals.find((a: any) => a.state === "pending"));
    await control("POST", `/bitgo/pendingapprovals/${second.id}`, { state: "rejected" });
    await expect(reject).rejects.toThrow(new RegExp(`approval ${second.id} for making ${orgId}/auditor@acme\\.example was rejected; nothing changed`));
    expect(roleOf("auditor@acme.example")).toBeUndefined();
  });
  it("reports a removal that needs approval, does not ask twice on a rerun, and succeeds once approved", async () => {
    const created = await p.create(await inputs({ organizationId: orgId, username: "auditor@acme.example", role: "member" }));
    await fetch(`${sb.url}/__sandbox/bitgo/organizations/${orgId}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ approvalsRequired: 2 }) });
    const deletes = () => sb.sandbox.requests.filter((r) => r.method === "DELETE" && r.path === `/api/v2/organization/${orgId}/user`);
    const err = await p.delete(created.id, created.outs!).catch((e) => e);
    expect(err?.message).toMatch(new RegExp(`removing ${orgId}/auditor@acme\\.example needs another admin's approval \\(pending approval [0-9a-f]{32}\\)`));
    expect(roleOf("auditor@acme.example")).toBe("member");
    expect(deletes()).toHaveLength(1);
    const approvalId = err.message.match(/pending approval ([0-9a-f]{32})/)[1];
    asOperator();
    const again = await p.delete(created.id, created.outs!).catch((e) => e);
    expect(again?.message).toContain(approvalId);
    expect(deletes()).toHaveLength(1);
    await fetch(`${sb.url}/__sandbox/bitgo/pendingapprovals/${approvalId}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ state: "approved" }) });
    expect(roleOf("auditor@acme.example")).toBeUndefined();
    asOperator();
    await p.delete(created.id, created.outs!);
    expect(deletes()).toHaveLength(1);
  });
});

describe("assert", () => {
  it("passes when the user holds the role, fails saying what to ask support for, and never writes", async () => {
    const ok = await p.create(await inputs({ organizationId: orgId, username: SEED.secondAdmin.email, role: "admin", mode: "assert" }));
    expect(ok.outs).toMatchObject({ userId: SEED.secondAdmin.id, adopted: true, mode: "assert" });
    const bad = await p.create(await inputs({ organizationId: orgId, username: "ops@acme.example", role: "admin", mode: "assert" })).catch((e) => e);
    expect(bad.message).toMatch(/asserts that ops@acme\.example is an organization admin .* holds the role member.*support@bitgo\.com/);
    expect(bad.message).not.toMatch(/adoptExisting/); // "always" could not help: assert never changes a role
    const always = await p.create(await inputs({ organizationId: orgId, username: "ops@acme.example", role: "admin", mode: "assert", adoptExisting: "always" })).catch((e) => e);
    expect(always.message).toMatch(/asserts that ops@acme\.example is an organization admin .*support@bitgo\.com/);
    const absent = await p.create(await inputs({ organizationId: orgId, username: "auditor@acme.example", role: "member", mode: "assert" })).catch((e) => e);
    expect(absent.message).toMatch(/asserts that auditor@acme\.example is an organization member of [0-9a-f]{32} \(Acme Holdings\), but the user is not a user of it/);
    await p.delete(ok.id, ok.outs!);
    expect(roleOf(SEED.secondAdmin.email)).toBe("admin");
    expect(sb.sandbox.requests.filter((r) => r.method !== "GET" && r.path.includes("/organization/"))).toEqual([]);
  });
});

async function waitFor<T>(f: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}
