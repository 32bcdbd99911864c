// bitgo:EnterpriseAccess provider methods against the sandbox: check (normalized, compared through the
// live list), create and update (batched additions, role changes, re-additions, removals), approvals
// (pending is state: never asked twice, rejected shown and asked again), the operator and keep left
// alone whatever the list says, refusals, drift found by read, destroy, and the calls a read makes.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RunningSandbox, SEED, startSandbox } from "../../sandbox";
import { setConfig } from "../../provider/config";
import { provider } from "../../provider";
import { resetBitGoClients } from "../../provider/bitgo/client";

const p = provider("bitgo:EnterpriseAccess");
const custody = SEED.enterprises.custody.id;
const treasury = SEED.enterprises.treasury.id;
let sb: RunningSandbox;
const OPS = { username: "ops@acme.example", permissions: ["admin"], videoApprover: true };
const AUDITOR = { username: "auditor@acme.example", permissions: ["auditor"] };

function asOperator() {
  resetBitGoClients();
  const s: Record<string, string> = { "bitgo:apiUrl": sb.url, "bitgo:email": SEED.operator.email, "bitgo:password": SEED.operator.password, "bitgo:otp": "000000" };
  setConfig({ get: (k) => s[k] });
}
const control = async (method: string, path: string, body?: unknown) =>
  (await fetch(`${sb.url}/__sandbox${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) })).json() as Promise<any>;
const outOfBand = (prefix: string, permissions: string[], enterpriseId = custody) => control("POST", "/bitgo/bulk", { count: 1, prefix, enterpriseId, permissions });
const approve = (id: string, state = "approved") => control("POST", `/bitgo/pendingapprovals/${id}`, { state });

function members(enterpriseId = custody): Record<string, string[]> {
  const st = sb.sandbox.state.bitgo;
  const e = st.enterprises.find((x: any) => x.id === enterpriseId);
  return Object.fromEntries(e.members.map((m: any) => [st.users.find((u: any) => u.id === m.userId).email, [...m.permissions].sort()]));
}
const approvals = (enterpriseId: string, action?: string) =>
  sb.sandbox.state.bitgo.approvals.filter((a: any) => a.enterprise === enterpriseId && (!action || a.info.updateEnterpriseRequest?.action === action));
const writes = () => sb.sandbox.requests.filter((r) => r.method !== "GET" && !r.path.endsWith("/login"));

async function inputs(raw: Record<string, unknown>) {
  const checked = await p.check(undefined, raw);
  expect(checked.failures ?? []).toEqual([]);
  return checked.inputs;
}
/** A new provider process (pulumi refresh or up): nothing cached. */
const refresh = async (made: { id: string; outs: any }) => {
  resetBitGoClients();
  asOperator();
  return p.read(made.id, made.outs);
};

const ENV = { ORGSTACK_HTTP_BACKOFF_MS: "5", ORGSTACK_SETTLE_MS: "1500", ORGSTACK_RATE_LIMITS: "off" };
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
  asOperator();
});
afterEach(() => resetBitGoClients());

describe("check", () => {
  it("normalizes: lowercases usernames, sorts members and permissions, fills defaults", async () => {
    const r = await p.check(undefined, {
      enterpriseId: custody,
      members: [{ username: "Zed@Acme.Example", permissions: ["wallet.create", "auditor"] }, { username: " OPS@acme.example ", permissions: ["admin"], videoApprover: true }],
      keep: ["Svc@acme.example"],
      __provider: "x",
    });
    expect(r.inputs).toEqual({
      enterpriseId: custody,
      members: [
        { username: "ops@acme.example", permissions: ["admin"], videoApprover: true },
        { username: "zed@acme.example", permissions: ["auditor", "wallet.create"], videoApprover: false },
      ],
      unmanaged: "remove",
      keep: ["svc@acme.example"],
      onDelete: "leave",
    });
  });

  it("compares the recorded list as the stack acts on it: left-alone and pending entries do not show as changes", async () => {
    const olds = {
      enterpriseId: custody,
      unmanaged: "remove",
      keep: [],
      onDelete: "leave",
      members: [
        { ...OPS, userId: SEED.users.ops.id, status: "active", source: "declared", videoIdState: "awaitingApproval" },
        { username: "auditor@acme.example", permissions: [], videoApprover: false, status: "pendingApproval", source: "declared", approvalId: "a".repeat(32), requested: { permissions: ["auditor"] } },
        { username: SEED.operator.email, permissions: ["admin"], videoApprover: false, source: "operator" },
        { username: "watcher@acme.example", permissions: ["admin"], videoApprover: false, source: "reported" },
        { username: "leaving@acme.example", permissions: ["admin"], videoApprover: false, source: "unmanaged", status: "pendingRemoval", approvalId: "b".repeat(32) },
      ],
    };
    const news = await inputs({ enterpriseId: custody, members: [OPS, AUDITOR] });
    expect((await p.diff(custody, olds, news)).changes).toBe(false);
    // A rejected addition is no member: the next up asks again.
    const rejected = { ...olds, members: [olds.members[0], { ...AUDITOR, videoApprover: false, status: "rejected", source: "declared", approvalId: "c".repeat(32) }] };
    expect((await p.diff(custody, rejected, news)).changes).toBe(true);
  });
});

describe("create and update", () => {
  it("adds the missing members, one call per permission set, and records the live list", async () => {
    const made = await p.create(await inputs({ enterpriseId: custody, members: [OPS, AUDITOR, { username: "treasury@acme.example", permissions: ["auditor"] }] }));
    expect(made.id).toBe(custody);
    expect(members()).toEqual({ [SEED.operator.email]: ["admin"], "ops@acme.example": ["admin"], "auditor@acme.example": ["auditor"], "treasury@acme.example": ["auditor"] });
    const posts = writes().filter((r) => r.method === "POST" && r.path === `/api/v2/enterprise/${custody}/user`);
    expect(posts).toHaveLength(2);
    expect(posts.find((r) => r.requestBody.usernames)!.requestBody).toMatchObject({ permission: "auditor", usernames: ["auditor@acme.example", "treasury@acme.example"] });
    expect(posts.find((r) => r.requestBody.username)!.requestBody).toMatchObject({ permission: "admin", username: "ops@acme.example", videoIdUser: true });
    expect(made.outs.members.find((m: any) => m.username === "ops@acme.example")).toMatchObject({ userId: SEED.users.ops.id, status: "active", source: "declared", videoApprover: true });
    expect(made.outs.leftAlone).toEqual([{ username: SEED.operator.email, userId: SEED.operator.id, permissions: ["admin"], status: "active", reason: "operator" }]);
    expect(made.outs).toMatchObject({ state: "active", pendingApprovalIds: [], operator: SEED.operator.email, unmanagedMembers: [] });
  });

  it("an invitation still waiting (an email BitGo does not know yet) is a member with status invited, never sent again", async () => {
    const made = await p.create(await inputs({ enterpriseId: custody, members: [OPS, { username: "newcomer@acme.example", permissions: ["auditor"] }] }));
    expect(made.outs.members.find((m: any) => m.username === "newcomer@acme.example")).toMatchObject({ status: "invited", source: "declared" });
    const again = await refresh(made);
    expect((await p.diff(custody, again.props, await inputs({ enterpriseId: custody, members: [OPS, { username: "newcomer@acme.example", permissions: ["auditor"] }] }))).changes).toBe(false);
    expect(sb.sandbox.state.bitgo.emails.filter((e: any) => e.to === "newcomer@acme.example")).toHaveLength(1);
  });

  it("changes a role in place, and adds again what BitGo sets only on addition (a video approver)", async () => {
    const made = await p.create(await inputs({ enterpriseId: custody, members: [OPS, AUDITOR] }));
    const next = await inputs({ enterpriseId: custody, members: [OPS, { username: "auditor@acme.example", permissions: ["admin"], videoApprover: true }] });
    const { outs } = await p.update(custody, made.outs, next);
    expect(members()["auditor@acme.example"]).toEqual(["admin"]);
    expect(sb.sandbox.state.bitgo.enterprises.find((e: any) => e.id === custody).members.find((m: any) => m.userId === SEED.users.auditor.id).videoIdUser).toBe(true);
    expect(writes().filter((r) => r.method === "DELETE")).toHaveLength(1);
    expect(outs.members.find((m: any) => m.username === "auditor@acme.example")).toMatchObject({ permissions: ["admin"], videoApprover: true, videoIdState: "awaitingApproval" });
    const role = await inputs({ enterpriseId: custody, members: [OPS, { username: "auditor@acme.example", permissions: ["wallet.create"] }] });
    await p.update(custody, outs, role);
    expect(members()["auditor@acme.example"]).toEqual(["wallet.create"]);
    expect(writes().filter((r) => r.method === "PUT")).toHaveLength(1);
  });

  it("removes an out-of-band admin found by read; unmanaged: report only lists it; keep and the operator always stay", async () => {
    await outOfBand("svc", ["admin"]);
    const made = await p.create(await inputs({ enterpriseId: custody, members: [OPS], keep: ["svc-1@acme.example"] }));
    await outOfBand("rogue", ["admin"]);
    const read = await refresh(made);
    expect(read.props.unmanagedMembers.map((m: any) => m.username)).toEqual(["rogue-1@acme.example"]);
    expect(read.inputs.members.map((m: any) => m.username)).toEqual(["ops@acme.example", "rogue-1@acme.example"]);

    const report = await inputs({ enterpriseId: custody, members: [OPS], keep: ["svc-1@acme.example"], unmanaged: "report" });
    const reported = await p.update(custody, read.props, report);
    expect(members()["rogue-1@acme.example"]).toEqual(["admin"]);
    expect(reported.outs.unmanagedMembers[0]).toMatchObject({ username: "rogue-1@acme.example", permissions: ["admin"] });
    expect((await p.diff(custody, reported.outs, report)).changes).toBe(false);

    const remove = await inputs({ enterpriseId: custody, members: [OPS], keep: ["svc-1@acme.example"] });
    const { outs } = await p.update(custody, reported.outs, remove);
    expect(Object.keys(members()).sort()).toEqual([SEED.operator.email, "ops@acme.example", "svc-1@acme.example"]);
    expect(outs.unmanagedMembers).toEqual([]);
    expect(outs.leftAlone.map((m: any) => `${m.username}:${m.reason}`)).toEqual([`${SEED.operator.email}:operator`, "svc-1@acme.example:keep"]);
  });

  it("a declared video approver BitGo has no video ID entry for shows as drift on read", async () => {
    const raw = { enterpriseId: custody, members: [OPS] };
    const made = await p.create(await inputs(raw));
    delete sb.sandbox.state.bitgo.enterprises.find((e: any) => e.id === custody).members.find((m: any) => m.userId === SEED.users.ops.id).videoIdUser;
    const read = await refresh(made);
    expect(read.props.members.find((m: any) => m.username === "ops@acme.example")).toMatchObject({ videoApprover: false, videoIdState: "" });
    expect((await p.diff(custody, read.props, await inputs(raw))).changes).toBe(true);
  });

  it("refuses to take admin away from the operator, and says what to do", async () => {
    const raw = { enterpriseId: custody, members: [OPS, { username: SEED.operator.email, permissions: ["auditor"] }] };
    const err = await p.create(await inputs(raw)).catch((e) => e);
    expect(String(err.message)).toMatch(/ops-lead@acme\.example is the identity orgstack runs as; orgstack never takes admin away from itself.*declare it with "admin", or leave it out of members/);
    expect(writes()).toHaveLength(0);
  });

  it("holds back the removal of the only video-approving admin until the declared one is in", async () => {
    await control("POST", "/bitgo/bulk", { count: 1, prefix: "video", enterpriseId: custody, permissions: ["admin"] });
    const e = sb.sandbox.state.bitgo.enterprises.find((x: any) => x.id === custody);
    e.approvalsRequired = 2; // the new video approver waits for approval, so the old one must stay
    e.members.find((m: any) => m.userId !== SEED.operator.id).videoIdUser = true;
    const made = await p.create(await inputs({ enterpriseId: custody, members: [OPS] }));
    expect(members()["video-1@acme.example"]).toEqual(["admin"]);
    expect(made.outs.state).toBe("pending");
    expect(approvals(custody, "remove")).toHaveLength(0);
  });
});

describe("approvals (an enterprise that needs two)", () => {
  it("records additions as pending, asks nothing twice, and picks up the decision on read", async () => {
    const raw = { enterpriseId: treasury, members: [OPS, AUDITOR], keep: [SEED.secondAdmin.email] };
    const made = await p.create(await inputs(raw));
    expect(approvals(treasury, "add")).toHaveLength(2); // one per user: an approval names one user
    expect(made.outs.state).toBe("pending");
    expect(made.outs.pendingApprovalIds).toHaveLength(2);
    expect(made.outs.members.filter((m: any) => m.status === "pendingApproval")).toHaveLength(2);
    // The plan is quiet while they wait; an update (a rerun) asks nothing again.
    expect((await p.diff(treasury, made.outs, await inputs(raw))).changes).toBe(false);
    const rerun = await p.update(treasury, { ...made.outs, unmanaged: "report" }, await inputs(raw));
    expect(approvals(treasury, "add")).toHaveLength(2);
    expect(rerun.outs.pendingApprovalIds.sort()).toEqual([...made.outs.pendingApprovalIds].sort());

    const [first, second] = approvals(treasury, "add");
    await approve(first.id);
    await approve(second.id, "rejected");
    const read = await refresh(made);
    const byName = Object.fromEntries(read.props.members.map((m: any) => [m.username, m.status]));
    expect(byName[first.info.updateEnterpriseRequest.email]).toBe("active");
    expect(byName[second.info.updateEnterpriseRequest.email]).toBe("rejected");
    expect(read.props.state).toBe("active");
    // Rejected: the plan shows it again, and up asks anew (once).
    expect((await p.diff(treasury, read.props, await inputs(raw))).changes).toBe(true);
    await p.update(treasury, read.props, await inputs(raw));
    expect(approvals(treasury, "add")).toHaveLength(3);
  });

  it("a removal waiting for approval is state: no second approval on a rerun, gone once approved", async () => {
    await outOfBand("rogue", ["auditor"], treasury);
    const raw = { enterpriseId: treasury, members: [{ username: SEED.secondAdmin.email, permissions: ["admin"], videoApprover: true }] };
    const e = sb.sandbox.state.bitgo.enterprises.find((x: any) => x.id === treasury);
    e.members.find((m: any) => m.userId === SEED.secondAdmin.id).videoIdUser = true;
    const made = await p.create(await inputs(raw));
    expect(approvals(treasury, "remove")).toHaveLength(1);
    expect(made.outs.members.find((m: any) => m.username === "rogue-1@acme.example")).toMatchObject({ status: "pendingRemoval", source: "unmanaged" });
    expect((await p.diff(treasury, made.outs, await inputs(raw))).changes).toBe(false);
    await p.update(treasury, { ...made.outs, keep: ["x@acme.example"] }, await inputs(raw));
    expect(approvals(treasury, "remove")).toHaveLength(1);
    await approve(approvals(treasury, "remove")[0].id);
    const read = await refresh(made);
    expect(read.props.members.map((m: any) => m.username)).not.toContain("rogue-1@acme.example");
    expect(read.props.state).toBe("active");
  });

  it("waitForApproval waits for the decisions, and a timeout keeps them pending for the next up", async () => {
    const raw = { enterpriseId: treasury, members: [{ username: SEED.secondAdmin.email, permissions: ["admin"], videoApprover: true }, AUDITOR], waitForApproval: { timeoutSeconds: 1, pollSeconds: 0.1 } };
    const e = sb.sandbox.state.bitgo.enterprises.find((x: any) => x.id === treasury);
    e.members.find((m: any) => m.userId === SEED.secondAdmin.id).videoIdUser = true;
    const err = await p.create(await inputs(raw)).catch((x) => x);
    expect(String(err.message)).toMatch(/still pending after 1 s; they are recorded as pending and the next pulumi up waits again/);
    expect(err.id).toBe(treasury);
    expect(err.properties.state).toBe("pending");
    const approval = approvals(treasury, "add")[0];
    setTimeout(() => void approve(approval.id), 300);
    const { outs } = await p.update(treasury, err.properties, await inputs({ ...raw, waitForApproval: { timeoutSeconds: 10, pollSeconds: 0.1 } }));
    expect(outs.state).toBe("active");
    expect(members(treasury)["auditor@acme.example"]).toEqual(["auditor"]);
    expect(approvals(treasury, "add")).toHaveLength(1);
  });
});

describe("destroy", () => {
  it('"leave" changes nothing; "remove" takes the declared members away, never the operator or keep, and reports a removal that needs approval once', async () => {
    const made = await p.create(await inputs({ enterpriseId: custody, members: [OPS, AUDITOR] }));
    await p.delete(custody, made.outs);
    expect(Object.keys(members())).toHaveLength(3);
    const removing = await p.update(custody, made.outs, await inputs({ enterpriseId: custody, members: [OPS, AUDITOR], onDelete: "remove" }));
    await p.delete(custody, removing.outs);
    expect(members()).toEqual({ [SEED.operator.email]: ["admin"] });

    const raw = { enterpriseId: treasury, members: [{ username: SEED.operator.email, permissions: ["admin"] }, { username: SEED.secondAdmin.email, permissions: ["admin"], videoApprover: true }], onDelete: "remove" };
    sb.sandbox.state.bitgo.enterprises.find((x: any) => x.id === treasury).members.find((m: any) => m.userId === SEED.secondAdmin.id).videoIdUser = true;
    const t = await p.create(await inputs(raw));
    expect(writes()).toHaveLength(4); // the earlier custody ones: nothing to change in treasury
    const first = await p.delete(treasury, t.outs).catch((e) => e);
    expect(String(first.message)).toMatch(/needs another admin's approval \(pending approval [0-9a-f]{32}\)/);
    const second = await p.delete(treasury, t.outs).catch((e) => e);
    expect(String(second.message)).toMatch(/asked for by an earlier run/);
    expect(approvals(treasury, "remove")).toHaveLength(1);
    expect(Object.keys(members(treasury))).toContain(SEED.operator.email);
  });
});

describe("reads", () => {
  it("a read makes the same four calls however many members, and no user reads for members the organization's list shows", async () => {
    await control("POST", "/bitgo/bulk", { count: 120, prefix: "bulk", enterpriseId: custody, permissions: ["auditor"] });
    const made = await p.create(await inputs({ enterpriseId: custody, members: [OPS], unmanaged: "report" }));
    sb.sandbox.requests = [];
    const read = await refresh(made);
    expect(read.props.unmanagedMembers).toHaveLength(120);
    expect(read.props.unmanagedMembers[0].permissions).toEqual(["auditor"]);
    expect(sb.sandbox.requests.filter((r) => !r.path.endsWith("/login")).map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      [`GET /api/v1/enterprise/${custody}/user`, `GET /api/v2/enterprise/${custody}`, "GET /api/org/users", "GET /api/v2/pendingapprovals"].sort(),
    );
  });

  it("reads from the id alone (an import): the live list, every member not yet declared", async () => {
    await p.create(await inputs({ enterpriseId: custody, members: [OPS] }));
    asOperator();
    const imported = await p.read(custody, {});
    expect(imported.id).toBe(custody);
    expect(imported.props.members.map((m: any) => `${m.username}:${m.source}`).sort()).toEqual([`${SEED.operator.email}:operator`, "ops@acme.example:unmanaged"]);
    expect(imported.inputs).toMatchObject({ enterpriseId: custody, unmanaged: "remove", keep: [], members: [{ username: "ops@acme.example", permissions: ["admin"], videoApprover: true }] });
  });

  it("an enterprise that is gone reads as gone", async () => {
    const made = await p.create(await inputs({ enterpriseId: custody, members: [OPS] }));
    sb.sandbox.state.bitgo.enterprises = sb.sandbox.state.bitgo.enterprises.filter((e: any) => e.id !== custody);
    expect((await refresh(made)).id).toBe("");
  });
});
