// bitgo:EnterpriseUser provider methods against the sandbox: check, diff, create (adopt, lost answer,
// retries, additions batched into one call), read (drift, removal, pending, import), update, delete
// (approvals), and errors that carry BitGo's request id but never a secret.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSandbox, SEED, RunningSandbox } from "../../sandbox";
import { setConfig } from "../../provider/config";
import { provider, UNKNOWN } from "../../provider";
import * as api from "../../provider/bitgo/api";
import { bitgoClient, bitgoSettings, hashPassword, resetBitGoClients } from "../../provider/bitgo/client";
import { enterpriseUserBatches } from "../../provider/bitgo/enterpriseUser";

const p = provider("bitgo:EnterpriseUser");
const custody = SEED.enterprises.custody.id;
const treasury = SEED.enterprises.treasury.id;
let sb: RunningSandbox;

function useSettings(settings: Record<string, string>) {
  resetBitGoClients();
  setConfig({ get: (k) => settings[k] });
}

function asOperator(extra: Record<string, string> = {}) {
  useSettings({
    "bitgo:apiUrl": sb.url,
    "bitgo:email": SEED.operator.email,
    "bitgo:password": SEED.operator.password,
    "bitgo:otp": "000000",
    ...extra,
  });
}

async function control(method: string, path: string, body?: unknown) {
  const res = await fetch(`${sb.url}/__sandbox${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json() as Promise<any>;
}

function members(enterpriseId: string): Record<string, string[]> {
  const st = sb.sandbox.state.bitgo;
  const e = st.enterprises.find((x: any) => x.id === enterpriseId);
  return Object.fromEntries(e.members.map((m: any) => [st.users.find((u: any) => u.id === m.userId).email, m.permissions]));
}

const calls = (method: string, pathPart: string) => sb.sandbox.requests.filter((r) => r.method === method && r.path.includes(pathPart));

async function inputs(raw: Record<string, unknown>) {
  const checked = await p.check(undefined, raw);
  expect(checked.failures ?? []).toEqual([]);
  return checked.inputs;
}

const ENV = { ORGSTACK_HTTP_BACKOFF_MS: "5", ORGSTACK_SETTLE_MS: "2000", ORGSTACK_RATE_LIMITS: "off" };
beforeAll(async () => {
  Object.assign(process.env, ENV);
  sb = await startSandbox({ rateLimits: false });
});
afterAll(async () => {
  await sb?.stop();
  setConfig(undefined);
  for (const k of Object.keys(ENV)) delete process.env[k];
});
beforeEach(async () => {
  sb.sandbox.reset();
  asOperator();
});
afterEach(() => resetBitGoClients());

describe("check", () => {
  const base = { enterpriseId: custody, username: "ops@acme.example", permissions: ["admin"] };
  const failureOf = async (raw: Record<string, unknown>) => (await p.check(undefined, raw)).failures ?? [];

  it("normalizes: lowercases the email, sorts permissions, fills defaults, drops __provider", async () => {
    const r = await p.check(undefined, { ...base, username: " Ops@Acme.Example ", permissions: ["wallet.create", "admin"], __provider: "x" });
    expect(r.inputs).toEqual({ enterpriseId: custody, username: "ops@acme.example", permissions: ["admin", "wallet.create"], videoApprover: false, adoptExisting: "matching" });
  });

  it("names the field and the fix for bad ids, emails and permissions", async () => {
    expect(await failureOf({ ...base, enterpriseId: "123" })).toEqual([
      expect.objectContaining({ property: "enterpriseId", reason: expect.stringContaining("32 lowercase hex characters") }),
    ]);
    expect(await failureOf({ ...base, username: "not-an-email" })).toEqual([
      expect.objectContaining({ property: "username", reason: expect.stringContaining("email address") }),
    ]);
    const bad = await failureOf({ ...base, permissions: ["owner"] });
    expect(bad[0].property).toBe("permissions.0");
    expect(bad[0].reason).toContain('"owner" is not a BitGo enterprise permission: use admin, auditor, wallet.create');
    expect((await failureOf({ ...base, permissions: ["admin", "admin"] }))[0].reason).toContain("twice");
    expect((await failureOf({ ...base, colour: "red" }))[0].reason).toMatch(/colour/);
    expect((await failureOf({ ...base, waitForApproval: { timeoutSeconds: 0 } }))[0].property).toBe("waitForApproval.timeoutSeconds");
  });

  it("refuses to add a user with no permission, but allows [] as an in-place change", async () => {
    expect((await failureOf({ ...base, permissions: [] }))[0].reason).toContain("at least one of admin, auditor or wallet.create");
    const later = await p.check({ ...base }, { ...base, permissions: [] });
    expect(later.failures ?? []).toEqual([]);
  });

  it("lets values unknown at preview through, whole properties or list items, and still checks the rest", async () => {
    const r = await p.check(undefined, { ...base, enterpriseId: UNKNOWN, username: UNKNOWN });
    expect(r.failures ?? []).toEqual([]);
    expect((await p.check(undefined, { ...base, permissions: UNKNOWN })).failures ?? []).toEqual([]);
    expect((await p.check(undefined, { ...base, permissions: [UNKNOWN] })).failures ?? []).toEqual([]);
    expect((await p.check(undefined, { ...base, videoApprover: UNKNOWN })).failures ?? []).toEqual([]);
    const mixed = await p.check(undefined, { ...base, username: UNKNOWN, enterpriseId: "nope" });
    expect(mixed.failures?.map((f) => f.property)).toEqual(["enterpriseId"]);
  });
});

describe("diff", () => {
  const olds: any = { enterpriseId: custody, username: "ops@acme.example", permissions: ["auditor"], videoApprover: false, adoptExisting: "matching", state: "active" };
  const news = (over: Record<string, unknown>): any => ({ enterpriseId: custody, username: "ops@acme.example", permissions: ["auditor"], videoApprover: false, adoptExisting: "matching", ...over });

  it("reports nothing when nothing changed", async () => {
    expect(await p.diff("id", olds, news({}))).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
  });
  it("changes one role in place (admin, auditor, wallet.create, or [] for member)", async () => {
    for (const permissions of [["admin"], ["wallet.create"], []]) {
      expect(await p.diff("id", olds, news({ permissions }))).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    }
  });
  it("replaces, delete first, when two permissions must be set at once or videoApprover changes", async () => {
    expect(await p.diff("id", olds, news({ permissions: ["admin", "auditor"] }))).toEqual({ changes: true, replaces: ["permissions"], deleteBeforeReplace: true });
    expect(await p.diff("id", olds, news({ videoApprover: true }))).toEqual({ changes: true, replaces: ["videoApprover"], deleteBeforeReplace: true });
  });
  it("replaces (create first) when the enterprise or the user changes", async () => {
    expect(await p.diff("id", olds, news({ username: "auditor@acme.example" }))).toEqual({ changes: true, replaces: ["username"], deleteBeforeReplace: false });
    expect(await p.diff("id", olds, news({ enterpriseId: treasury }))).toEqual({ changes: true, replaces: ["enterpriseId"], deleteBeforeReplace: false });
  });
});

describe("create, read, update, delete", () => {
  it("adds, reads, changes the role in place, and removes a user", async () => {
    const c = await p.create(await inputs({ enterpriseId: custody, username: "ops@acme.example", permissions: ["admin"], videoApprover: true }));
    expect(c.id).toBe(`${custody}/ops@acme.example`);
    expect(c.outs).toMatchObject({ userId: SEED.users.ops.id, state: "active", permissions: ["admin"], adopted: false, pendingApprovalId: "", videoApprover: true });
    // BitGo's video ID state for the new video approver, as a refresh would read it (no drift right after create).
    expect(c.outs!.videoIdState).toBeTruthy();
    expect(members(custody)["ops@acme.example"]).toEqual(["admin"]);
    expect(calls("POST", "/enterprise/")[0].requestBody).toEqual({ username: "ops@acme.example", permission: "admin", videoIdUser: true });

    const r = await p.read(c.id, c.outs!);
    expect(r.props).toEqual(c.outs);
    resetBitGoClients(); // a refresh in a new run reads the same
    expect((await p.read(c.id, c.outs!)).props).toEqual(c.outs);

    const u = await p.update(c.id, c.outs!, await inputs({ enterpriseId: custody, username: "ops@acme.example", permissions: ["auditor"], videoApprover: true }));
    expect(u.outs).toMatchObject({ permissions: ["auditor"], state: "active", userId: SEED.users.ops.id, videoIdState: c.outs!.videoIdState });
    expect(calls("PUT", "/enterprise/")[0].query).toEqual({ userId: SEED.users.ops.id, role: "auditor" });

    const m = await p.update(c.id, u.outs!, { ...u.outs!, permissions: [] } as any);
    expect(m.outs!.permissions).toEqual([]);
    expect(members(custody)["ops@acme.example"]).toEqual([]);

    await p.delete(c.id, m.outs!);
    expect(members(custody)["ops@acme.example"]).toBeUndefined();
    expect((await p.read(c.id, m.outs!)).id).toBe("");
  });

  it("sends two permissions as an array when adding", async () => {
    await p.create(await inputs({ enterpriseId: custody, username: "ops@acme.example", permissions: ["wallet.create", "auditor"] }));
    expect(calls("POST", "/enterprise/")[0].requestBody.permission).toEqual(["auditor", "wallet.create"]);
    expect(members(custody)["ops@acme.example"]).toEqual(["auditor", "wallet.create"]);
  });

  it("refresh sees drift in permissions and returns it as inputs too", async () => {
    const c = await p.create(await inputs({ enterpriseId: custody, username: "ops@acme.example", permissions: ["admin"] }));
    await control("PUT", `/bitgo/enterprise/${custody}/user/ops@acme.example`, { permissions: ["auditor"] });
    resetBitGoClients(); // a new run: nothing cached
    const r = await p.read(c.id, c.outs!);
    expect(r.props!.permissions).toEqual(["auditor"]);
    expect(r.inputs!.permissions).toEqual(["auditor"]);
  });

  it("a failed permissions read is not drift: what the member list agrees with is kept", async () => {
    const c = await p.create(await inputs({ enterpriseId: custody, username: "ops@acme.example", permissions: ["wallet.create"] }));
    // BitGo's user call is limited to 60 per 600 s: here it keeps answering 429.
    await control("POST", "/faults", { method: "GET", path: "/api/v2/user/", status: 429, count: 50 });
    process.env.ORGSTACK_HTTP_MAX_RETRIES = "1";
    try {
      resetBitGoClients();
      const r = await p.read(c.id, c.outs!);
      expect(r.props!.permissions).toEqual(["wallet.create"]);
      // An out-of-band promotion to admin still shows: the list's admin flag disagrees.
      await control("PUT", `/bitgo/enterprise/${custody}/user/ops@acme.example`, { permissions: ["admin"] });
      resetBitGoClients();
      expect((await p.read(c.id, c.outs!)).props!.permissions).toEqual(["admin"]);
    } finally {
      delete process.env.ORGSTACK_HTTP_MAX_RETRIES;
      await control("DELETE", "/faults");
    }
  });

  it("creating a user costs one user read at most (none when the member list confirms the write)", async () => {
    await p.create(await inputs({ enterpriseId: custody, username: "ops@acme.example", permissions: ["auditor"] }));
    expect(calls("GET", "/api/v2/user/").filter((r) => r.path !== "/api/v2/user/session")).toHaveLength(0);
  });

  it("deleting a user someone already removed succeeds", async () => {
    const c = await p.create(await inputs({ enterpriseId: custody, username: "ops@acme.example", permissions: ["admin"] }));
    await control("DELETE", `/bitgo/enterprise/${custody}/user/ops@acme.example`);
    resetBitGoClients();
    await expect(p.delete(c.id, c.outs!)).resolves.toBeUndefined();
  });

  it("imports a user from its id alone (pulumi import): permissions, user id and video approver read from BitGo", async () => {
    await p.create(await inputs({ enterpriseId: custody, username: "ops@acme.example", permissions: ["wallet.create"] }));
    resetBitGoClients();
    const r = await p.read(`${custody}/ops@acme.example`, {});
    expect(r.id).toBe(`${custody}/ops@acme.example`);
    expect(r.props).toMatchObject({ enterpriseId: custody, username: "ops@acme.example", userId: SEED.users.ops.id, permissions: ["wallet.create"], videoApprover: false, state: "active" });
    expect(r.inputs).toMatchObject({ enterpriseId: custody, username: "ops@acme.example", permissions: ["wallet.create"], videoApprover: false });
    await expect(p.read("not-an-id", {})).rejects.toThrow(/is not an id of this resource; the form is <enterpriseId>\/<username>/);
  });

  it("invites an email BitGo does not know yet (an inactive user)", async () => {
    const c = await p.create(await inputs({ enterpriseId: custody, username: "new-hire@acme.example", permissions: ["auditor"] }));
    expect(c.outs!.userId).toMatch(/^[0-9a-f]{32}$/);
    expect(members(custody)["new-hire@acme.example"]).toEqual(["auditor"]);
  });
});

describe("taking over existing users (adopt)", () => {
  beforeEach(async () => {
    asOperator();
    await p.create(await inputs({ enterpriseId: custody, username: "ops@acme.example", permissions: ["auditor"] }));
    sb.sandbox.requests = [];
    resetBitGoClients();
    asOperator();
  });

  it("takes over a member whose permissions match, without adding it again", async () => {
    const c = await p.create(await inputs({ enterpriseId: custody, username: "ops@acme.example", permissions: ["auditor"] }));
    expect(c.outs).toMatchObject({ adopted: true, userId: SEED.users.ops.id, permissions: ["auditor"] });
    expect(calls("POST", "/enterprise/")).toHaveLength(0);
  });

  it("refuses to take over a member with other permissions unless told to", async () => {
    await expect(p.create(await inputs({ enterpriseId: custody, username: "ops@acme.example", permissions: ["admin"] }))).rejects.toThrow(
      /ops@acme\.example already exists, and differs from the stack: permissions is \["auditor"\] there, \["admin"\] here\..*adoptExisting: "always"/,
    );
    expect(calls("PUT", "/enterprise/")).toHaveLength(0);
    const c = await p.create(await inputs({ enterpriseId: custody, username: "ops@acme.example", permissions: ["admin"], adoptExisting: "always" }));
    expect(c.outs).toMatchObject({ adopted: true, permissions: ["admin"], state: "active" });
    expect(members(custody)["ops@acme.example"]).toEqual(["admin"]);
    expect(calls("POST", "/enterprise/")).toHaveLength(0); // changed in place, never added twice
  });

  it("adoptExisting always with two permissions says they cannot be set in place, and sends nothing", async () => {
    const e = await p.create(await inputs({ enterpriseId: custody, username: "ops@acme.example", permissions: ["admin", "wallet.create"], adoptExisting: "always" })).catch((x) => x);
    expect(e.message).toMatch(/\[admin, wallet\.create\] cannot be set in place \(BitGo's role call sets one permission\)/);
    expect(calls("PUT", "/enterprise/")).toHaveLength(0);
    expect(members(custody)["ops@acme.example"]).toEqual(["auditor"]);
  });

  it("never takes over when adoptExisting is never", async () => {
    await expect(p.create(await inputs({ enterpriseId: custody, username: "ops@acme.example", permissions: ["auditor"], adoptExisting: "never" }))).rejects.toThrow(
      /ops@acme\.example already exists\. adoptExisting is "never"/,
    );
  });
});

describe("additions batched into one call", () => {
  const people = ["ops@acme.example", "auditor@acme.example", "treasury@acme.example"];
  const createAll = (enterpriseId: string, usernames: string[], extra: Record<string, unknown> = {}) =>
    Promise.all(usernames.map(async (username) => p.create(await inputs({ enterpriseId, username, permissions: ["auditor"], ...extra }))));
  const userIdOf = (email: string) => sb.sandbox.state.bitgo.users.find((u: any) => u.email === email).id;

  it("adds to one enterprise with the same permissions go out as one POST (usernames); each resource gets its own user", async () => {
    const before = { ...enterpriseUserBatches };
    const [made, admin] = await Promise.all([createAll(custody, people), p.create(await inputs({ enterpriseId: custody, username: "new-hire@acme.example", permissions: ["admin"] }))]);
    const posts = calls("POST", `/enterprise/${custody}/user`);
    expect(posts).toHaveLength(2); // the auditors together, the admin alone (another permission)
    const batch = posts.find((r) => r.requestBody.usernames)!;
    expect({ ...batch.requestBody, usernames: [...batch.requestBody.usernames].sort() }).toEqual({ usernames: [...people].sort(), permission: "auditor", videoIdUser: false });
    expect(posts.find((r) => !r.requestBody.usernames)!.requestBody).toEqual({ username: "new-hire@acme.example", permission: "admin", videoIdUser: false });
    expect(enterpriseUserBatches.calls - before.calls).toBe(2);
    expect(enterpriseUserBatches.items - before.items).toBe(4);
    for (const [i, c] of made.entries()) {
      expect(c.id).toBe(`${custody}/${people[i]}`);
      expect(c.outs).toMatchObject({ userId: userIdOf(people[i]), permissions: ["auditor"], state: "active", adopted: false });
      expect(members(custody)[people[i]]).toEqual(["auditor"]);
    }
    expect(admin.outs).toMatchObject({ permissions: ["admin"], state: "active" });
  });

  it("a lost answer on a batch: each resource finds its own user, and nothing is sent twice", async () => {
    await control("POST", "/faults", { method: "POST", path: `/api/v2/enterprise/${custody}/user`, dropAnswerAfterHandling: true });
    const made = await createAll(custody, people);
    expect(calls("POST", `/enterprise/${custody}/user`)).toHaveLength(1);
    for (const [i, c] of made.entries()) expect(c.outs).toMatchObject({ userId: userIdOf(people[i]), state: "active", permissions: ["auditor"] });
    const st = sb.sandbox.state.bitgo;
    expect(st.enterprises.find((e: any) => e.id === custody).members).toHaveLength(1 + people.length);
  });

  it("video approvers added together each get BitGo's video ID state", async () => {
    const made = await createAll(custody, people.slice(0, 2), { permissions: ["admin"], videoApprover: true });
    expect(calls("POST", `/enterprise/${custody}/user`)).toHaveLength(1);
    resetBitGoClients();
    for (const c of made) {
      expect(c.outs!.videoIdState).toBeTruthy();
      expect((await p.read(c.id, c.outs!)).props).toEqual(c.outs);
    }
  });

  it("additions that need approval each ask alone (an approval names one user), so a rerun finds each its own", async () => {
    const made = await createAll(treasury, people.slice(0, 2));
    expect(calls("POST", `/enterprise/${treasury}/user`)).toHaveLength(2);
    const approvals = sb.sandbox.state.bitgo.approvals;
    expect(approvals).toHaveLength(2);
    for (const [i, c] of made.entries()) {
      expect(c.outs!.state).toBe("pending");
      expect(approvals.find((a: any) => a.id === c.outs!.pendingApprovalId).info.updateEnterpriseRequest.email).toBe(people[i]);
    }
    resetBitGoClients();
    asOperator();
    const again = await createAll(treasury, people.slice(0, 2));
    expect(again.map((c) => c.outs!.pendingApprovalId)).toEqual(made.map((c) => c.outs!.pendingApprovalId));
    expect(calls("POST", `/enterprise/${treasury}/user`)).toHaveLength(2);
    expect(sb.sandbox.state.bitgo.approvals).toHaveLength(2);
  });

  it("a lost answer on additions that need approval makes one approval per user, never a second", async () => {
    await control("POST", "/faults", { method: "POST", path: `/api/v2/enterprise/${treasury}/user`, dropAnswerAfterHandling: true, count: 2 });
    const made = await createAll(treasury, people.slice(0, 2));
    // Each user is in exactly one approval (the sandbox keeps whom a batched approval would add).
    const approvals = sb.sandbox.state.bitgo.approvals;
    const adding = (email: string) => approvals.filter((a: any) => (a.info.sandbox?.usernames ?? [a.info.updateEnterpriseRequest.email]).includes(email));
    for (const [i, c] of made.entries()) {
      expect(adding(people[i]).map((a: any) => a.id)).toEqual([c.outs!.pendingApprovalId]);
    }
  });
});

describe("faults: lost answers and retries never make duplicates", () => {
  it("a lost answer after BitGo added the user is found by reading, not by adding twice", async () => {
    await control("POST", "/faults", { method: "POST", path: `/api/v2/enterprise/${custody}/user`, dropAnswerAfterHandling: true });
    const c = await p.create(await inputs({ enterpriseId: custody, username: "ops@acme.example", permissions: ["admin"] }));
    expect(c.outs).toMatchObject({ userId: SEED.users.ops.id, permissions: ["admin"], state: "active" });
    expect(calls("POST", `/enterprise/${custody}/user`)).toHaveLength(1);
    expect(Object.keys(members(custody)).filter((k) => k === "ops@acme.example")).toHaveLength(1);
  });

  it("a lost answer on a role change or a removal is checked by reading, not by sending again", async () => {
    const c = await p.create(await inputs({ enterpriseId: custody, username: "ops@acme.example", permissions: ["admin"] }));
    await control("POST", "/faults", { method: "PUT", path: `/api/v2/enterprise/${custody}/user`, dropAnswerAfterHandling: true });
    const u = await p.update(c.id, c.outs!, { ...c.outs!, permissions: ["auditor"] } as any);
    expect(u.outs).toMatchObject({ permissions: ["auditor"], state: "active" });
    expect(calls("PUT", `/enterprise/${custody}/user`)).toHaveLength(1);

    await control("POST", "/faults", { method: "DELETE", path: `/api/v2/enterprise/${custody}/user`, dropAnswerAfterHandling: true });
    await p.delete(c.id, u.outs!);
    expect(calls("DELETE", `/enterprise/${custody}/user`)).toHaveLength(1);
    expect(members(custody)["ops@acme.example"]).toBeUndefined();
  });

  it("a lost 202 on a removal that needs approval makes one approval, not two", async () => {
    const c = await p.create(await inputs({ enterpriseId: treasury, username: SEED.secondAdmin.email, permissions: ["admin"] }));
    await control("POST", "/faults", { method: "DELETE", path: `/api/v2/enterprise/${treasury}/user`, dropAnswerAfterHandling: true });
    await expect(p.delete(c.id, c.outs!)).rejects.toThrow(/needs another admin's approval/);
    expect(calls("DELETE", `/enterprise/${treasury}/user`)).toHaveLength(1);
    expect(sb.sandbox.state.bitgo.approvals.filter((a: any) => a.info.updateEnterpriseRequest.action === "remove")).toHaveLength(1);
  });

  it("a lost answer on an addition that needs approval is found as the open approval: one approval, not two", async () => {
    await control("POST", "/faults", { method: "POST", path: `/api/v2/enterprise/${treasury}/user`, dropAnswerAfterHandling: true });
    const c = await p.create(await inputs({ enterpriseId: treasury, username: "treasury@acme.example", permissions: ["admin"] }));
    const adds = sb.sandbox.state.bitgo.approvals.filter((a: any) => a.info.updateEnterpriseRequest.action === "add");
    expect(adds).toHaveLength(1);
    expect(c.outs).toMatchObject({ state: "pending", pendingApprovalId: adds[0].id });
    expect(calls("POST", `/enterprise/${treasury}/user`)).toHaveLength(1);
  });

  it("a lost answer on a role change that needs approval makes one approval, not two", async () => {
    const c = await p.create(await inputs({ enterpriseId: treasury, username: SEED.secondAdmin.email, permissions: ["admin"] }));
    await control("POST", "/faults", { method: "PUT", path: `/api/v2/enterprise/${treasury}/user`, dropAnswerAfterHandling: true });
    const u = await p.update(c.id, c.outs!, { ...c.outs!, permissions: ["auditor"] } as any);
    const updates = sb.sandbox.state.bitgo.approvals.filter((a: any) => a.info.updateEnterpriseRequest.action === "update");
    expect(updates).toHaveLength(1);
    expect(u.outs).toMatchObject({ state: "pending", pendingApprovalId: updates[0].id, permissions: ["admin"] });
    expect(calls("PUT", `/enterprise/${treasury}/user`)).toHaveLength(1);
  });

  it("retries 429 with backoff, even on POST (BitGo refused before doing anything)", async () => {
    await control("POST", "/faults", { method: "POST", path: `/api/v2/enterprise/${custody}/user`, status: 429, count: 2 });
    const c = await p.create(await inputs({ enterpriseId: custody, username: "ops@acme.example", permissions: ["admin"] }));
    expect(c.outs!.state).toBe("active");
    expect(calls("POST", `/enterprise/${custody}/user`).map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it("retries 5xx on reads; a 5xx on the add is checked by reading before adding again", async () => {
    await control("POST", "/faults", [
      { method: "GET", path: `/api/v1/enterprise/${custody}/user`, status: 503, count: 2 },
      { method: "POST", path: `/api/v2/enterprise/${custody}/user`, status: 502, count: 1 },
    ]);
    const c = await p.create(await inputs({ enterpriseId: custody, username: "ops@acme.example", permissions: ["admin"] }));
    expect(c.outs!.state).toBe("active");
    expect(calls("POST", `/enterprise/${custody}/user`).map((r) => r.status)).toEqual([502, 200]);
    expect(members(custody)["ops@acme.example"]).toEqual(["admin"]);
  });

  it("gives up after the retries with an error that carries BitGo's request id", async () => {
    await control("POST", "/faults", { method: "GET", path: `/api/v2/enterprise/${custody}`, status: 503, count: 20 });
    const c = bitgoClient(bitgoSettings({ get: (k) => ({ "bitgo:apiUrl": sb.url, "bitgo:accessToken": SEED.tokens.longLived } as any)[k] }));
    const e: any = await api.enterprise(c, custody).catch((x) => x);
    expect(e.status).toBe(503);
    expect(e.requestId).toMatch(/^[0-9a-f]{24}$/);
    expect(e.message).toContain(e.requestId);
    expect(calls("GET", `/api/v2/enterprise/${custody}`).length).toBeGreaterThan(2);
  });
});

describe("errors are clear and carry no secret", () => {
  it("a token without user_manage says so, and how to get one", async () => {
    useSettings({ "bitgo:apiUrl": sb.url, "bitgo:accessToken": SEED.tokens.longLived });
    const e: Error = await p.create(await inputs({ enterpriseId: custody, username: "ops@acme.example", permissions: ["admin"] })).catch((x) => x);
    expect(e.message).toContain("needs a token with the user_manage scope");
    expect(e.message).toContain("bitgo:email, bitgo:password (secret) and bitgo:otp or bitgo:totpSecret");
    expect(e.message).not.toContain(SEED.tokens.longLived);
    expect(calls("POST", "/enterprise/")).toHaveLength(0);
  });

  it("with a long-lived token and login credentials, logs in for a short-lived one", async () => {
    asOperator({ "bitgo:accessToken": SEED.tokens.longLived, "bitgo:otp": "", "bitgo:totpSecret": SEED.operator.totpSecret });
    const c = await p.create(await inputs({ enterpriseId: custody, username: "ops@acme.example", permissions: ["admin"] }));
    expect(c.outs!.state).toBe("active");
    expect(calls("POST", "/user/login")).toHaveLength(1);
    // The password goes hashed (HMAC-SHA256 keyed by the email), as BitGo's SDK sends it.
    const sent = calls("POST", "/user/login")[0].requestBody;
    expect(sent.password).toMatch(/^[0-9a-f]{64}$/);
    expect(sent.otp).toMatch(/^\d{6}$/);
  });

  it("401: a bad token, with the request id and no token in the message", async () => {
    useSettings({ "bitgo:apiUrl": sb.url, "bitgo:accessToken": "v2xdeadbeefdeadbeefdeadbeef-secret-token" });
    const e: any = await p.read(`${custody}/ops@acme.example`, { enterpriseId: custody, username: "ops@acme.example" } as any).catch((x) => x);
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/token is missing, wrong or expired/);
    expect(e.message).toMatch(/request id [0-9a-f]{24}/i);
    expect(e.message).not.toContain("deadbeef");
  });

  it("401 at login: wrong password, and neither the password nor its HMAC (which works as the password) is repeated", async () => {
    useSettings({ "bitgo:apiUrl": sb.url, "bitgo:email": SEED.operator.email, "bitgo:password": "hunter2-wrong-password", "bitgo:otp": "000000" });
    const e: any = await p.create(await inputs({ enterpriseId: custody, username: "ops@acme.example", permissions: ["admin"] })).catch((x) => x);
    expect(e.status).toBe(401);
    expect(e.requestId).toMatch(/^[0-9a-f]{24}$/);
    const text = `${e.message}\n${e.stack}\n${JSON.stringify(e.context ?? {})}`;
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain(hashPassword(SEED.operator.email, "hunter2-wrong-password"));
  });

  it("403: an admin-only call by a non-admin names the missing right", async () => {
    const token = (await control("POST", "/bitgo/tokens", { userId: SEED.users.ops.id, scope: ["user_manage"] })).token;
    // ops is a member of custody but not an admin
    sb.sandbox.state.bitgo.enterprises[0].members.push({ userId: SEED.users.ops.id, permissions: ["auditor"] });
    useSettings({ "bitgo:apiUrl": sb.url, "bitgo:accessToken": token });
    const e: any = await p.create(await inputs({ enterpriseId: custody, username: "treasury@acme.example", permissions: ["admin"] })).catch((x) => x);
    expect(e.status).toBe(403);
    expect(e.message).toContain("only enterprise admins may manage the enterprise's users"); // BitGo's words
    expect(e.message).toContain("it must be an admin of the enterprise"); // and what to do
    expect(e.requestId).toBeTruthy();
    expect(e.message).not.toContain(token);
  });

  it("404: an enterprise that does not exist", async () => {
    const e: any = await p.create(await inputs({ enterpriseId: "0123456789abcdef0123456789abcdef", username: "ops@acme.example", permissions: ["admin"] })).catch((x) => x);
    expect(e.status).toBe(404);
    expect(e.message).toMatch(/No such object, or the token cannot see it/);
  });

  it("409: a conflict is looked into (the change may be there), then reported with BitGo's request id; nothing is sent twice", async () => {
    const c = await p.create(await inputs({ enterpriseId: custody, username: "ops@acme.example", permissions: ["admin"] }));
    await control("POST", "/faults", { method: "PUT", path: `/api/v2/enterprise/${custody}/user`, status: 409 });
    const e: any = await p.update(c.id, c.outs!, { ...c.outs!, permissions: ["auditor"] } as any).catch((x) => x);
    expect(e.status).toBe(409);
    expect(e.message).toMatch(/BitGo answered 409 .* conflicts with the object's current state \(request id [0-9a-f]{24}\)/);
    expect(calls("PUT", `/enterprise/${custody}/user`)).toHaveLength(1);
    expect(members(custody)["ops@acme.example"]).toEqual(["admin"]);
  });
});

describe("pending approvals (an enterprise that needs two approvals)", () => {
  const pendingInputs = () => inputs({ enterpriseId: treasury, username: "treasury@acme.example", permissions: ["admin"] });

  it("records a pending addition, keeps it on refresh, and turns active once another admin approves", async () => {
    const c = await p.create(await pendingInputs());
    // The user id is empty until BitGo lists the user (the kit records a pending addition from the inputs).
    expect(c.outs).toMatchObject({ state: "pending", userId: "", videoIdState: "", permissions: ["admin"] });
    expect(c.outs!.pendingApprovalId).toMatch(/^[0-9a-f]{32}$/);
    expect(members(treasury)["treasury@acme.example"]).toBeUndefined();

    expect((await p.read(c.id, c.outs!)).props).toMatchObject({ state: "pending" });
    await control("POST", `/bitgo/pendingapprovals/${c.outs!.pendingApprovalId}`, { state: "approved" });
    resetBitGoClients();
    asOperator();
    const r = await p.read(c.id, c.outs!);
    expect(r.props).toMatchObject({ state: "active", pendingApprovalId: "", permissions: ["admin"], userId: SEED.users.treasury.id });
  });

  it("an update while the addition still waits sends nothing; once approved it carries on", async () => {
    const c = await p.create(await pendingInputs());
    const u = await p.update(c.id, c.outs!, await inputs({ enterpriseId: treasury, username: "treasury@acme.example", permissions: ["admin"] }));
    expect(u.outs).toMatchObject({ state: "pending", pendingApprovalId: c.outs!.pendingApprovalId });
    expect(calls("POST", `/enterprise/${treasury}/user`)).toHaveLength(1);
    await control("POST", `/bitgo/pendingapprovals/${c.outs!.pendingApprovalId}`, { state: "approved" });
    resetBitGoClients();
    asOperator();
    const done = await p.update(c.id, u.outs!, await inputs({ enterpriseId: treasury, username: "treasury@acme.example", permissions: ["admin"] }));
    expect(done.outs).toMatchObject({ state: "active", pendingApprovalId: "", userId: SEED.users.treasury.id });
  });

  it("a second create while the first waits picks up the same approval", async () => {
    const first = await p.create(await pendingInputs());
    resetBitGoClients();
    asOperator();
    const second = await p.create(await pendingInputs());
    expect(second.outs!.pendingApprovalId).toBe(first.outs!.pendingApprovalId);
    expect(calls("POST", `/enterprise/${treasury}/user`)).toHaveLength(1);
  });

  it("waitForApproval polls until approved", async () => {
    const created = p.create(await inputs({ enterpriseId: treasury, username: "treasury@acme.example", permissions: ["admin"], waitForApproval: { timeoutSeconds: 10, pollSeconds: 0.05 } }));
    const approval = await waitFor(() => sb.sandbox.state.bitgo.approvals.find((a: any) => a.state === "pending"));
    await control("POST", `/bitgo/pendingapprovals/${approval.id}`, { state: "approved" });
    const c = await created;
    expect(c.outs).toMatchObject({ state: "active", pendingApprovalId: "", permissions: ["admin"] });
    expect(members(treasury)["treasury@acme.example"]).toEqual(["admin"]);
  });

  it("a rejected approval fails with a clear error", async () => {
    const created = p.create(await inputs({ enterpriseId: treasury, username: "treasury@acme.example", permissions: ["admin"], waitForApproval: { timeoutSeconds: 10, pollSeconds: 0.05 } }));
    const approval = await waitFor(() => sb.sandbox.state.bitgo.approvals.find((a: any) => a.state === "pending"));
    await control("POST", `/bitgo/pendingapprovals/${approval.id}`, { state: "rejected" });
    await expect(created).rejects.toThrow(new RegExp(`approval ${approval.id} for making ${treasury}/treasury@acme\\.example was rejected; nothing changed`));
    expect(members(treasury)["treasury@acme.example"]).toBeUndefined();
  });

  it("a timeout records the resource as pending (partial state) so the next up waits again", async () => {
    const e: any = await p
      .create(await inputs({ enterpriseId: treasury, username: "treasury@acme.example", permissions: ["admin"], waitForApproval: { timeoutSeconds: 1, pollSeconds: 0.1 } }))
      .catch((x) => x);
    expect(e.message).toMatch(/still pending after 1 s/);
    expect(e.id).toBe(`${treasury}/treasury@acme.example`);
    expect(e.properties).toMatchObject({ state: "pending" });
  });

  it("a role change needing approval is pending, then applied", async () => {
    // treasury has operator and second-admin; change second-admin's role.
    const c = await p.create(await inputs({ enterpriseId: treasury, username: SEED.secondAdmin.email, permissions: ["admin"] }));
    expect(c.outs!.adopted).toBe(true);
    const u = await p.update(c.id, c.outs!, { ...c.outs!, permissions: ["auditor"] } as any);
    expect(u.outs).toMatchObject({ state: "pending", permissions: ["admin"] });
    expect(members(treasury)[SEED.secondAdmin.email]).toEqual(["admin"]);
    await control("POST", `/bitgo/pendingapprovals/${u.outs!.pendingApprovalId}`, { state: "approved" });
    resetBitGoClients();
    asOperator();
    const r = await p.read(c.id, u.outs!);
    expect(r.props).toMatchObject({ state: "active", pendingApprovalId: "", permissions: ["auditor"] });
    expect(members(treasury)[SEED.secondAdmin.email]).toEqual(["auditor"]);
  });

  it("an open approval for another role is not taken for this change: the declared role is asked for", async () => {
    const c = await p.create(await inputs({ enterpriseId: treasury, username: SEED.secondAdmin.email, permissions: ["admin"] }));
    // Someone else already asked (in the web UI) to make second-admin an auditor.
    const other = await fetch(`${sb.url}/api/v2/enterprise/${treasury}/user?userId=${SEED.secondAdmin.id}&role=auditor`, { method: "PUT", headers: { authorization: `Bearer ${SEED.tokens.secondAdmin}` } });
    expect(other.status).toBe(202);
    const otherId = ((await other.json()) as any).id;
    resetBitGoClients();
    asOperator();
    const u = await p.update(c.id, c.outs!, { ...c.outs!, permissions: ["wallet.create"] } as any);
    expect(u.outs!.state).toBe("pending");
    expect(u.outs!.pendingApprovalId).not.toBe(otherId);
    const mine = sb.sandbox.state.bitgo.approvals.find((a: any) => a.id === u.outs!.pendingApprovalId);
    expect(mine.info.updateEnterpriseRequest).toMatchObject({ action: "update", permissions: ["wallet.create"] });
    // The same change again (a rerun that lost its state) finds its own approval, not the other one.
    resetBitGoClients();
    asOperator();
    const again = await p.update(c.id, c.outs!, { ...c.outs!, permissions: ["wallet.create"] } as any);
    expect(again.outs!.pendingApprovalId).toBe(u.outs!.pendingApprovalId);
    expect(calls("PUT", `/enterprise/${treasury}/user`)).toHaveLength(2); // the other admin's, and this stack's one
  });

  it("deleting a pending addition withdraws the request", async () => {
    const c = await p.create(await pendingInputs());
    await p.delete(c.id, c.outs!);
    expect(sb.sandbox.state.bitgo.approvals.find((a: any) => a.id === c.outs!.pendingApprovalId).state).toBe("rejected");
  });

  it("a removal that needs approval is reported, not hidden; a rerun does not ask twice; once approved it succeeds", async () => {
    const c = await p.create(await pendingInputs());
    await control("POST", `/bitgo/pendingapprovals/${c.outs!.pendingApprovalId}`, { state: "approved" });
    resetBitGoClients();
    asOperator();
    const active = (await p.read(c.id, c.outs!)).props!;
    await expect(p.delete(c.id, active)).rejects.toThrow(/needs another admin's approval \(pending approval [0-9a-f]{32}\)/);
    await expect(p.delete(c.id, active)).rejects.toThrow(/needs another admin's approval/);
    const removals = sb.sandbox.state.bitgo.approvals.filter((a: any) => a.info.updateEnterpriseRequest.action === "remove");
    expect(removals).toHaveLength(1);
    await control("POST", `/bitgo/pendingapprovals/${removals[0].id}`, { state: "approved" });
    resetBitGoClients();
    asOperator();
    await expect(p.delete(c.id, active)).resolves.toBeUndefined();
    expect(members(treasury)["treasury@acme.example"]).toBeUndefined();
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
