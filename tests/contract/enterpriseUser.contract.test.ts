// bitgo:EnterpriseUser driven through its whole life against the sandbox (additions batched into one
// call, approvals, a lost answer), then every request the provider sent and every answer the sandbox
// gave is validated against BitGo's OpenAPI file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, RunningSandbox, SEED } from "../../sandbox";
import { provider } from "../../provider";
import { setConfig } from "../../provider/config";
import * as api from "../../provider/bitgo/api";
import { BitGoClient, bitgoClient, bitgoSettings, isVendorError, resetBitGoClients } from "../../provider/bitgo/client";
import { bitgoContractProblems, bitgoExchanges, expectBitGoContract, exercisedOperations } from "./openapi";

const CUSTODY = SEED.enterprises.custody.id;
const TREASURY = SEED.enterprises.treasury.id;
const UNKNOWN_ENTERPRISE = "0123456789abcdef0123456789abcdef";

let sb: RunningSandbox;
const eu = provider("bitgo:EnterpriseUser");

function useConfig(values: Record<string, string>) {
  setConfig({ get: (key: string) => values[key] });
  resetBitGoClients();
}

function loginConfig() {
  useConfig({
    "bitgo:apiUrl": sb.url,
    "bitgo:email": SEED.operator.email,
    "bitgo:password": SEED.operator.password,
    "bitgo:otp": "000000",
  });
}

function client(): BitGoClient {
  return bitgoClient(bitgoSettings({ get: (k) => ({ "bitgo:apiUrl": sb.url, "bitgo:email": SEED.operator.email, "bitgo:password": SEED.operator.password, "bitgo:otp": "000000" })[k] }));
}

/** Plays the second admin through the sandbox's control route (not a BitGo API: not validated). */
async function secondAdminDecides(approvalId: string, state: "approved" | "rejected") {
  const res = await fetch(`${sb.url}/__sandbox/bitgo/pendingapprovals/${approvalId}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ state }),
  });
  expect(res.status).toBe(200);
  resetBitGoClients(); // the provider's per-run cache does not see changes made behind its back
}

async function createUser(inputs: Record<string, unknown>) {
  const checked = await eu.check(undefined, inputs);
  expect(checked.failures ?? []).toEqual([]);
  return eu.create(checked.inputs);
}

const ENV = { ORGSTACK_HTTP_BACKOFF_MS: "1", ORGSTACK_SETTLE_MS: "2000", ORGSTACK_RATE_LIMITS: "off" };
beforeAll(async () => {
  Object.assign(process.env, ENV);
  sb = await startSandbox({ rateLimits: false });
});

afterAll(async () => {
  setConfig(undefined);
  resetBitGoClients();
  await sb?.stop();
  for (const k of Object.keys(ENV)) delete process.env[k];
});

describe("bitgo:EnterpriseUser against the BitGo contract", () => {
  it("creates, reads, changes the role of and deletes a user in a one-approval enterprise", async () => {
    loginConfig();
    const username = SEED.users.ops.email;
    const created = await createUser({ enterpriseId: CUSTODY, username, permissions: ["auditor"] });
    expect(created.id).toBe(`${CUSTODY}/${username}`);
    expect(created.outs).toMatchObject({ state: "active", userId: SEED.users.ops.id, permissions: ["auditor"] });

    const read = await eu.read(created.id, created.outs);
    expect(read.id).toBe(created.id);
    expect(read.props).toMatchObject({ permissions: ["auditor"], state: "active" });

    const updated = await eu.update(created.id, read.props, { ...read.inputs, permissions: ["admin"] });
    expect(updated.outs).toMatchObject({ permissions: ["admin"], state: "active" });

    await eu.delete(created.id, updated.outs);
    resetBitGoClients();
    expect((await eu.read(created.id, updated.outs!)).id).toBe("");
  });

  it("waits for a second admin in a two-approval enterprise, then finds the user", async () => {
    loginConfig();
    const username = SEED.users.treasury.email;
    const created = await createUser({ enterpriseId: TREASURY, username, permissions: ["wallet.create"] });
    expect(created.outs).toMatchObject({ state: "pending", userId: "" });
    expect(created.outs.pendingApprovalId).toMatch(/^[0-9a-f]{32}$/);

    // Still pending: read keeps it as it is.
    const pending = await eu.read(created.id, created.outs);
    expect(pending.props).toMatchObject({ state: "pending" });

    await secondAdminDecides(created.outs.pendingApprovalId, "approved");
    const read = await eu.read(created.id, created.outs);
    expect(read.props).toMatchObject({ state: "active", pendingApprovalId: "", permissions: ["wallet.create"], userId: SEED.users.treasury.id });

    // A role change needs approval too (202 with a pending approval).
    const updated = await eu.update(created.id, read.props, { ...read.inputs, permissions: ["auditor"] });
    expect(updated.outs).toMatchObject({ state: "pending" });
    await secondAdminDecides(updated.outs!.pendingApprovalId, "approved");

    // Removal answers 202 with { pendingApprovals: [...] }: reported until another admin approves.
    const active = (await eu.read(created.id, updated.outs!)).props!;
    expect(active).toMatchObject({ state: "active", permissions: ["auditor"] });
    const err = await eu.delete(created.id, active).catch((e) => e);
    expect(String(err?.message)).toMatch(/needs another admin's approval \(pending approval [0-9a-f]{32}\)/);
    const approvalId = /pending approval ([0-9a-f]{32})/.exec(err.message)![1];
    await secondAdminDecides(approvalId, "approved");
    expect((await eu.read(created.id, active)).id).toBe("");
  });

  it("withdraws (rejects as the creator) an addition that was never approved", async () => {
    loginConfig();
    const username = SEED.users.auditor.email;
    const created = await createUser({ enterpriseId: TREASURY, username, permissions: ["auditor"] });
    expect(created.outs.state).toBe("pending");
    await eu.delete(created.id, created.outs); // GET then PUT /api/v2/pendingapprovals/{id} { state: rejected }
    const approval = await api.approval(client(), created.outs.pendingApprovalId);
    expect(approval?.state).toBe("rejected");
    expect(await api.openApprovals(client(), { enterpriseId: TREASURY }, Date.now())).toEqual([]);
  });

  it("refuses to add users with a long-lived token that lacks user_manage", async () => {
    useConfig({ "bitgo:apiUrl": sb.url, "bitgo:accessToken": SEED.tokens.longLived });
    const err = await createUser({ enterpriseId: CUSTODY, username: SEED.users.auditor.email, permissions: ["auditor"] }).catch((e) => e);
    expect(String(err?.message)).toMatch(/user_manage/);

    // The call itself, sent anyway: BitGo answers 403 with its error body.
    const direct = new BitGoClient({ apiUrl: sb.url, accessToken: SEED.tokens.longLived, maxRetries: 0, express: false, paced: false });
    const refused = await api.addEnterpriseUsers(direct, CUSTODY, [SEED.users.auditor.email], ["auditor"], false).catch((e) => e);
    expect(isVendorError(refused)).toBe(true);
    expect(refused.status).toBe(403);
    expect(refused.code).toBe("InsufficientScope");
  });

  it("finds a user removed out of band gone on read", async () => {
    loginConfig();
    const username = SEED.users.auditor.email;
    const created = await createUser({ enterpriseId: CUSTODY, username, permissions: ["auditor"] });
    expect(created.outs.state).toBe("active");
    const res = await fetch(`${sb.url}/__sandbox/bitgo/enterprise/${CUSTODY}/user/${encodeURIComponent(username)}`, { method: "DELETE" });
    expect(res.status).toBe(200);
    resetBitGoClients();
    expect((await eu.read(created.id, created.outs)).id).toBe("");
  });

  it("reads enterprises, and an unknown one is a 404", async () => {
    loginConfig();
    const e = await api.enterprise(client(), CUSTODY);
    expect(e).toMatchObject({ id: CUSTODY, name: SEED.enterprises.custody.name });
    const missing = await api.enterprise(client(), UNKNOWN_ENTERPRISE).catch((x) => x);
    expect(missing?.status).toBe(404);
    const err = await createUser({ enterpriseId: UNKNOWN_ENTERPRISE, username: SEED.users.ops.email, permissions: ["auditor"] }).catch((x) => x);
    expect(err?.status).toBe(404);
  });

  it("adds several users with one permission in one call (usernames), and recovers a lost answer by reading", async () => {
    loginConfig();
    const people = [SEED.users.ops.email, SEED.users.auditor.email];
    const made = await Promise.all(people.map((username) => createUser({ enterpriseId: CUSTODY, username, permissions: ["wallet.create"] })));
    const batch = sb.sandbox.requests.filter((r) => r.method === "POST" && r.path === `/api/v2/enterprise/${CUSTODY}/user` && r.requestBody?.usernames);
    expect(batch).toHaveLength(1);
    expect([...batch[0].requestBody.usernames].sort()).toEqual([...people].sort());
    for (const c of made) expect(c.outs).toMatchObject({ state: "active", permissions: ["wallet.create"] });
    for (const c of made) await eu.delete(c.id, c.outs);

    resetBitGoClients();
    sb.sandbox.faults.push({ method: "POST", path: `/api/v2/enterprise/${CUSTODY}/user`, dropAnswerAfterHandling: true });
    const lost = await createUser({ enterpriseId: CUSTODY, username: SEED.users.treasury.email, permissions: ["auditor"] });
    expect(lost.outs).toMatchObject({ state: "active", userId: SEED.users.treasury.id, permissions: ["auditor"] });
    await eu.delete(lost.id, lost.outs);
  });

  it("kept BitGo's contract in every request and answer", () => {
    const log = sb.sandbox.requests;
    expect(bitgoExchanges(log).length).toBeGreaterThan(20);
    const problems = bitgoContractProblems(log);
    expect(problems, problems.join("\n")).toEqual([]);
    expectBitGoContract(log);
  });

  it("exercised the operations the provider relies on", () => {
    const ops = exercisedOperations(sb.sandbox.requests);
    expect(ops).toEqual(
      expect.arrayContaining([
        "POST /api/v2/user/login",
        "GET /api/v2/user/session",
        "GET /api/v2/user/{id}",
        "GET /api/v2/enterprise/{enterpriseId}",
        "GET /api/v1/enterprise/{enterpriseId}/user",
        "POST /api/v2/enterprise/{enterpriseId}/user",
        "PUT /api/v2/enterprise/{enterpriseId}/user",
        "DELETE /api/v2/enterprise/{enterpriseId}/user",
        "GET /api/v2/pendingapprovals",
        "GET /api/v2/pendingapprovals/{approvalId}",
        "PUT /api/v2/pendingapprovals/{approvalId}",
      ]),
    );
    // Statuses that matter: 202 pending approvals, 403 scope, 404 unknown enterprise.
    const statuses = new Set(bitgoExchanges(sb.sandbox.requests).map((r) => `${r.method} ${r.status}`));
    for (const s of ["POST 202", "PUT 202", "DELETE 202", "POST 403", "GET 404"]) expect(statuses).toContain(s);
  });
});
