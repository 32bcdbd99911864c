// The BitGo half of the sandbox as an honest vendor, driven over HTTP only (no provider code): a
// resent change that needs approval makes a second approval, a resent invitation a second e-mail, one
// child enterprise per idempotency key, batch adds, each documented rate limit with its Retry-After,
// paging as the spec documents it, vendor latency, stats, the bounded request log, bulk seeding, and
// the injected faults (a delayed answer's work happens after the delay, a dropped answer's is done).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startSandbox, RunningSandbox, SEED, WALLET_SEED, ORG_SEED } from "../../sandbox";

const custody = SEED.enterprises.custody.id;
const treasury = SEED.enterprises.treasury.id;
const orgId = SEED.organization.id;
const team = WALLET_SEED.wallets.team.id;
const guarded = WALLET_SEED.wallets.guarded.id;
const coin = WALLET_SEED.coin;

let sb: RunningSandbox;

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

async function api(method: string, path: string, opts: { token?: string; body?: unknown; query?: Record<string, string | string[]>; signal?: AbortSignal } = {}): Promise<Answer> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(opts.query ?? {})) for (const x of ([] as string[]).concat(v)) qs.append(k, x);
  const res = await fetch(`${sb.url}${path}${qs.toString() ? `?${qs}` : ""}`, {
    method,
    headers: { "content-type": "application/json", ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: opts.signal,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

const control = (method: string, path: string, body?: unknown) => api(method, `/__sandbox${path}`, { body });

async function login(email = SEED.operator.email, password = SEED.operator.password): Promise<string> {
  const r = await api("POST", "/api/v2/user/login", { body: { email, password, otp: "000000" } });
  expect(r.status).toBe(200);
  return r.body.access_token;
}

const emails = async (query: Record<string, string> = {}) =>
  (await api("GET", "/__sandbox/bitgo/emails", { query })).body.emails as { kind: string; to: string; shareId?: string; enterpriseId?: string }[];
const pendingFor = async (token: string, query: Record<string, string>) =>
  (await api("GET", "/api/v2/pendingapprovals", { token, query })).body.pendingApprovals as any[];

beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.stop();
});
beforeEach(async () => {
  await control("POST", "/reset");
});

describe("no deduplication: a resent request that needs approval makes a new pending approval", () => {
  it("enterprise role change and removal on an enterprise needing 2 approvals", async () => {
    const token = await login();
    const put = () => api("PUT", `/api/v2/enterprise/${treasury}/user`, { token, query: { userId: SEED.secondAdmin.id, role: "auditor" } });
    const a = await put();
    const b = await put();
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.id).not.toBe(b.body.id);
    expect(a.body).toMatchObject({ state: "pending", scope: "enterprise", enterprise: treasury, info: { type: "updateEnterpriseRequest" } });

    const del = () => api("DELETE", `/api/v2/enterprise/${treasury}/user`, { token, body: { username: SEED.secondAdmin.email } });
    const c = await del();
    const d = await del();
    expect([c.status, d.status]).toEqual([202, 202]);
    expect(c.body.pendingApprovals[0].id).not.toBe(d.body.pendingApprovals[0].id);
    expect(await pendingFor(token, { enterpriseId: treasury })).toHaveLength(4);
  });

  it("organization user add, change and removal on an organization needing 2 approvals", async () => {
    await control("PATCH", `/bitgo/organizations/${orgId}`, { approvalsRequired: 2 });
    const token = await login();
    const base = `/api/v2/organization/${orgId}/user`;
    const add = () => api("POST", base, { token, body: { username: "newcomer@acme.example", role: "member" } });
    const put = () => api("PUT", base, { token, query: { userId: SEED.users.ops.id, role: "customer" } });
    const del = () => api("DELETE", base, { token, query: { userId: SEED.users.ops.id } });
    const ids: string[] = [];
    for (const call of [add, add, put, put, del, del]) {
      const r = await call();
      expect(r.status).toBe(202);
      ids.push(r.body.id);
    }
    expect(new Set(ids).size).toBe(6);
    expect(await pendingFor(token, { organizationId: orgId })).toHaveLength(6);
  });

  it("wallet user removal on a wallet needing 2 approvals", async () => {
    const token = await login();
    const del = () => api("DELETE", `/api/v2/${coin}/wallet/${guarded}/user/${SEED.secondAdmin.id}`, { token });
    const a = await del();
    const b = await del();
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.pendingApproval.id).not.toBe(b.body.pendingApproval.id);
    expect(await pendingFor(token, { walletId: guarded })).toHaveLength(2);
  });
});

describe("e-mails the vendor would send", () => {
  it("a wallet share invites (unless disableEmail); each resendemail sends one more", async () => {
    const token = await login();
    const share = await api("POST", `/api/v2/${coin}/wallet/${team}/share`, { token, body: { user: SEED.users.auditor.id, permissions: "view" } });
    expect(share.status).toBe(200);
    expect(await emails({ to: SEED.users.auditor.email })).toMatchObject([{ kind: "walletShareInvitation", shareId: share.body.id }]);
    for (let i = 0; i < 2; i++) {
      const r = await api("POST", `/api/v2/${coin}/walletshare/${share.body.id}/resendemail`, { token });
      expect(r.body).toEqual({ resent: true });
    }
    expect((await emails({ to: SEED.users.auditor.email })).map((e) => e.kind)).toEqual(["walletShareInvitation", "walletShareResend", "walletShareResend"]);

    const quiet = await api("POST", `/api/v2/${coin}/wallet/${team}/share`, { token, body: { user: SEED.users.ops.id, permissions: "view", disableEmail: true } });
    expect(quiet.status).toBe(200);
    expect(await emails({ to: SEED.users.ops.email })).toEqual([]);
  });

  it("a resent share is refused while the first waits; a reshare makes a second share and a second invitation", async () => {
    const token = await login();
    const body = { user: SEED.users.auditor.id, permissions: "view" };
    const first = await api("POST", `/api/v2/${coin}/wallet/${team}/share`, { token, body });
    const again = await api("POST", `/api/v2/${coin}/wallet/${team}/share`, { token, body });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ name: "WalletShareExists", context: { shareId: first.body.id } });
    const reshare = await api("POST", `/api/v2/${coin}/wallet/${team}/share`, { token, body: { ...body, reshare: true } });
    expect(reshare.status).toBe(200);
    expect(reshare.body.id).not.toBe(first.body.id);
    const shares = (await api("GET", "/api/v2/walletshares", { token })).body.outgoing;
    expect(shares.map((s: any) => [s.id, s.state])).toEqual([
      [first.body.id, "canceled"],
      [reshare.body.id, "active"],
    ]);
    expect((await emails({ to: SEED.users.auditor.email })).map((e) => e.shareId)).toEqual([first.body.id, reshare.body.id]);
  });

  it("a share waiting for approval invites only once approved", async () => {
    const token = await login();
    const share = await api("POST", `/api/v2/${coin}/wallet/${guarded}/share`, { token, body: { user: SEED.users.auditor.id, permissions: "view" } });
    expect(share.body.state).toBe("pendingapproval");
    expect(await emails()).toEqual([]);
    await control("POST", `/bitgo/pendingapprovals/${share.body.pendingApprovalId}`, { state: "approved" });
    expect(await emails()).toMatchObject([{ kind: "walletShareInvitation", to: SEED.users.auditor.email, shareId: share.body.id }]);
  });

  it("a user added to an enterprise is invited; reset forgets the e-mails", async () => {
    const token = await login();
    const r = await api("POST", `/api/v2/enterprise/${custody}/user`, { token, body: { username: "fresh@acme.example", permission: "auditor" } });
    expect(r.status).toBe(200);
    expect(await emails()).toMatchObject([{ kind: "enterpriseInvitation", to: "fresh@acme.example", enterpriseId: custody }]);
    const twice = await api("POST", `/api/v2/enterprise/${custody}/user`, { token, body: { username: "fresh@acme.example", permission: "auditor" } });
    expect(twice.status).toBe(400);
    expect(await emails()).toHaveLength(1);
    await control("POST", "/reset");
    expect(await emails()).toEqual([]);
  });
});

describe("batch add: usernames[] with one permission", () => {
  const usernames = ["user1@example.com", "user2@example.com", "user3@example.com"];

  it("adds them all in one call on a one-approval enterprise (200 {})", async () => {
    const token = await login();
    const r = await api("POST", `/api/v2/enterprise/${custody}/user`, { token, body: { permission: "admin", usernames } });
    expect(r).toMatchObject({ status: 200, body: {} });
    const list = await api("GET", `/api/v1/enterprise/${custody}/user`, { token, query: { allowInactiveUsers: "true" } });
    expect(list.body.adminUsers.map((u: any) => u.username)).toEqual(expect.arrayContaining(usernames));
    expect((await emails()).map((e) => e.to).sort()).toEqual(usernames);
  });

  it("makes ONE pending approval for the whole request on an enterprise needing 2 approvals (202, as the guide shows)", async () => {
    const token = await login();
    const r = await api("POST", `/api/v2/enterprise/${treasury}/user`, { token, body: { permission: "admin", usernames } });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({
      enterprise: treasury,
      creator: SEED.operator.id,
      state: "pending",
      scope: "enterprise",
      approvalsRequired: 2,
      info: { type: "updateEnterpriseRequest", updateEnterpriseRequest: { action: "add", permissions: "admin" } },
    });
    expect(usernames).toContain(r.body.info.updateEnterpriseRequest.email);
    expect(await pendingFor(token, { enterpriseId: treasury })).toHaveLength(1);
    expect(await emails()).toEqual([]);
    await control("POST", `/bitgo/pendingapprovals/${r.body.id}`, { state: "approved" });
    const list = await api("GET", `/api/v1/enterprise/${treasury}/user`, { token, query: { allowInactiveUsers: "true" } });
    expect(list.body.adminUsers.map((u: any) => u.username)).toEqual(expect.arrayContaining(usernames));
    expect(await emails()).toHaveLength(3);
  });
});

describe("child enterprises and the idempotency key", () => {
  const create = (body: Record<string, unknown>) =>
    api("POST", `/api/v2/organization/${orgId}/enterprise`, { token: ORG_SEED.tokens.serviceUser, body: { email: "child@customer.example", additionalAdmins: [], ...body } });
  const byKey = async (idempotencyKey: string) =>
    (await api("GET", `/api/v2/organization/${orgId}/enterprise`, { token: ORG_SEED.tokens.serviceUser, query: { idempotencyKey } })).body.enterprises;

  it("the same key keeps ONE enterprise (a resend answers 409 naming it); another key makes a second", async () => {
    const first = await create({ idempotencyKey: "key-1" });
    expect(first.status).toBe(200);
    const again = await create({ idempotencyKey: "key-1" });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ name: "DuplicateIdempotencyKey", context: { enterpriseId: first.body.enterpriseId, userId: first.body.userId } });
    expect((await byKey("key-1")).map((e: any) => e.id)).toEqual([first.body.enterpriseId]);
    const other = await create({ idempotencyKey: "key-2" });
    expect(other.status).toBe(200);
    expect(other.body.enterpriseId).not.toBe(first.body.enterpriseId);
    expect(await byKey("key-2")).toHaveLength(1);
  });

  it("idempotencyKey is required, as the spec has it", async () => {
    const r = await create({});
    expect(r.status).toBe(400);
  });
});

describe("rate limits as documented: sliding windows, 429 in BitGo's error body with Retry-After", () => {
  afterEach(() => vi.useRealTimers());

  function expect429(r: Answer, windowSeconds: number) {
    expect(r.status).toBe(429);
    expect(r.body).toMatchObject({ name: "RateLimitExceeded", error: expect.any(String), requestId: expect.any(String) });
    const retry = Number(r.headers.get("retry-after"));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(windowSeconds);
    return retry;
  }

  it("360 authenticated requests per 60 s per user", async () => {
    const token = await login();
    const statuses: number[] = [];
    for (let batch = 0; batch < 360; batch += 60) {
      const rs = await Promise.all(Array.from({ length: 60 }, () => api("GET", "/api/v2/user/session", { token })));
      statuses.push(...rs.map((r) => r.status));
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect429(await api("GET", "/api/v2/user/session", { token }), 60);
    // Per user: another user is not held back.
    expect((await api("GET", "/api/v2/user/session", { token: SEED.tokens.secondAdmin })).status).toBe(200);
  });

  it("login: 15 per 300 s per email", async () => {
    for (let i = 0; i < 15; i++) await login();
    const r = await api("POST", "/api/v2/user/login", { body: { email: SEED.operator.email, password: SEED.operator.password, otp: "000000" } });
    expect(expect429(r, 300)).toBeGreaterThan(290);
    await login(SEED.secondAdmin.email, SEED.secondAdmin.password); // another email is not held back
  });

  it("GET /api/v2/user/{id}: 60 per 600 s", async () => {
    const token = await login();
    for (let i = 0; i < 60; i++) expect((await api("GET", `/api/v2/user/${i % 2 ? "me" : SEED.users.ops.id}`, { token })).status).toBe(200);
    expect(expect429(await api("GET", "/api/v2/user/me", { token }), 600)).toBeGreaterThan(590);
  });

  it("POST /api/v2/user/sharingkey: 5 per 300 s, in a window that slides", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-09-01T12:00:00Z"));
    const token = await login();
    const key = () => api("POST", "/api/v2/user/sharingkey", { token, body: { email: SEED.users.auditor.email } });
    for (let i = 0; i < 3; i++) expect((await key()).status).toBe(200);
    vi.setSystemTime(new Date("2026-09-01T12:01:40Z")); // +100 s
    for (let i = 0; i < 2; i++) expect((await key()).status).toBe(200);
    expect(expect429(await key(), 300)).toBe(200); // the first three leave the window at +300 s
    vi.setSystemTime(new Date("2026-09-01T12:05:00Z")); // +300 s: three slots free again
    for (let i = 0; i < 3; i++) expect((await key()).status).toBe(200);
    expect(expect429(await key(), 300)).toBe(100);
  });
});

describe("paging as the spec documents it", () => {
  it("GET /api/v2/pendingapprovals: limit (default 25, 1-500), prevId from nextBatchPrevId, offset", async () => {
    const token = await login();
    for (let i = 0; i < 30; i++) {
      expect((await api("PUT", `/api/v2/enterprise/${treasury}/user`, { token, query: { userId: SEED.secondAdmin.id, role: "auditor" } })).status).toBe(202);
    }
    const first = await api("GET", "/api/v2/pendingapprovals", { token, query: { enterpriseId: treasury } });
    expect(first.body.pendingApprovals).toHaveLength(25);
    expect(first.body.nextBatchPrevId).toBe(first.body.pendingApprovals[24].id);
    const second = await api("GET", "/api/v2/pendingapprovals", { token, query: { enterpriseId: treasury, prevId: first.body.nextBatchPrevId } });
    expect(second.body.pendingApprovals).toHaveLength(5);
    expect(second.body.nextBatchPrevId).toBeUndefined();
    const all = [...first.body.pendingApprovals, ...second.body.pendingApprovals].map((a: any) => a.id);
    expect(new Set(all).size).toBe(30);
    const small = await api("GET", "/api/v2/pendingapprovals", { token, query: { enterpriseId: treasury, limit: "10", offset: "5" } });
    expect(small.body.pendingApprovals.map((a: any) => a.id)).toEqual(all.slice(5, 15));
    for (const limit of ["0", "501", "x"]) expect((await api("GET", "/api/v2/pendingapprovals", { token, query: { limit } })).status).toBe(400);
  });

  it("GET /api/org/users pages (limit, prevId → nextBatchPrevId); a client must follow the pages to see all 300 bulk members", async () => {
    const seeded = await control("POST", "/bitgo/bulk", { enterpriseId: custody, count: 300, prefix: "member" });
    expect(seeded.body).toMatchObject({ count: 300, enterpriseId: custody, organizationId: orgId });
    const token = await login();
    const first = await api("GET", "/api/org/users", { token, query: { organizationId: orgId } });
    expect(first.body.users).toHaveLength(25);
    expect(first.body.nextBatchPrevId).toBeTruthy();
    const seen: string[] = [];
    let prevId: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const r = await api("GET", "/api/org/users", { token, query: { organizationId: orgId, limit: "100", ...(prevId ? { prevId } : {}) } });
      expect(r.status).toBe(200);
      seen.push(...r.body.users.map((u: any) => u.username));
      prevId = r.body.nextBatchPrevId;
      if (!prevId) break;
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const u of seeded.body.users) expect(seen).toContain(u.email);
  });

  it("GET /api/v2/organization/{id}/enterprise: limit default 25 (max 500), prevId, nextBatchPrevId", async () => {
    const token = ORG_SEED.tokens.serviceUser;
    const path = `/api/v2/organization/${orgId}/enterprise`;
    const first = await api("GET", path, { token });
    expect(first.body.enterprises).toHaveLength(25);
    const second = await api("GET", path, { token, query: { prevId: first.body.nextBatchPrevId } });
    expect(second.body.enterprises.length).toBeGreaterThan(0);
    expect(second.body.nextBatchPrevId).toBeUndefined();
    expect((await api("GET", path, { token, query: { limit: "501" } })).status).toBe(400);
  });

  it("not paged: GET /api/v1/enterprise/{id}/user and GET /api/v2/walletshares answer everything at once", async () => {
    const seeded = await control("POST", "/bitgo/bulk", { enterpriseId: custody, count: 300, prefix: "member" });
    const token = await login();
    const list = await api("GET", `/api/v1/enterprise/${custody}/user`, { token });
    expect(list.body.count).toBe(301);
    expect(list.body.nextBatchPrevId).toBeUndefined();
    for (const u of seeded.body.users.slice(0, 30)) {
      expect((await api("POST", `/api/v2/${coin}/wallet/${team}/share`, { token, body: { user: u.id, permissions: "view", disableEmail: true } })).status).toBe(200);
    }
    const shares = await api("GET", "/api/v2/walletshares", { token });
    expect(shares.body.outgoing).toHaveLength(30);
    expect(shares.body.nextBatchPrevId).toBeUndefined();
  });
});

describe("bulk seeding", () => {
  it("adds N users to an enterprise, its organization and a wallet", async () => {
    const r = await control("POST", "/bitgo/bulk", { enterpriseId: custody, walletId: team, count: 300, prefix: "big", permissions: ["auditor"] });
    expect(r.status).toBe(200);
    expect(r.body.users).toHaveLength(300);
    expect(r.body.users[0].email).toBe("big-1@acme.example");
    const token = await login();
    const wallet = await api("GET", `/api/v2/${coin}/wallet/${team}`, { token });
    expect(wallet.body.users).toHaveLength(301);
    const ent = await api("GET", `/api/v1/enterprise/${custody}/user`, { token });
    expect(ent.body.nonAdminUsers).toHaveLength(300);
    const one = await api("GET", "/api/org/users", { token, query: { organizationId: orgId, username: "big-7@acme.example" } });
    expect(one.body.users[0].enterprises).toEqual([{ id: custody, name: SEED.enterprises.custody.name, permissions: ["auditor"] }]);
    // Again with the same prefix: the users are reused, not doubled.
    await control("POST", "/bitgo/bulk", { enterpriseId: custody, walletId: team, count: 300, prefix: "big" });
    expect((await api("GET", `/api/v2/${coin}/wallet/${team}`, { token })).body.users).toHaveLength(301);
    expect(await emails()).toEqual([]);
  });
});

describe("latency, stats and the request log", () => {
  it("POST /__sandbox/latency delays every vendor answer, not the control routes", async () => {
    expect((await control("POST", "/latency", { ms: 200 })).body).toEqual({ ms: 200 });
    let t = Date.now();
    await api("POST", "/api/v2/user/login", { body: {} });
    expect(Date.now() - t).toBeGreaterThanOrEqual(190);
    t = Date.now();
    await control("GET", "/stats");
    expect(Date.now() - t).toBeLessThan(150);
    expect((await control("POST", "/latency", { ms: -1 })).status).toBe(400);
    await control("POST", "/latency", { ms: 0 });
    expect((await control("GET", "/latency")).body).toEqual({ ms: 0 });
  });

  it("startSandbox({ latencyMs }) sets it from the start", async () => {
    const other = await startSandbox({ latencyMs: 150 });
    try {
      const t = Date.now();
      await fetch(`${other.url}/api/v2/user/session`);
      expect(Date.now() - t).toBeGreaterThanOrEqual(140);
    } finally {
      await other.stop();
    }
  });

  it("GET /__sandbox/stats counts requests per route pattern, statuses, 429s, logins and e-mails; DELETE zeroes them", async () => {
    const token = await login();
    await login();
    await api("GET", `/api/v2/user/${SEED.users.ops.id}`, { token });
    await api("GET", "/api/v2/user/me", { token });
    await api("POST", "/api/v2/user/login", { body: { email: SEED.operator.email, password: "wrong", otp: "000000" } });
    await control("POST", "/faults", { path: "/api/v2/user/session", status: 429, count: 2 });
    await api("GET", "/api/v2/user/session", { token });
    await api("GET", "/api/v2/user/session", { token });
    await api("POST", `/api/v2/enterprise/${custody}/user`, { token, body: { usernames: ["a@x.example", "b@x.example"], permission: "auditor" } });
    await api("GET", "/api/v2/no/such/route", { token });
    const s = (await control("GET", "/stats")).body;
    expect(s.requests).toEqual({
      "POST /api/v2/user/login": 3,
      "GET /api/v2/user/:id": 2,
      "GET /api/v2/user/session": 2,
      "POST /api/v2/enterprise/:enterpriseId/user": 1,
      "GET (no route)": 1,
    });
    expect(s).toMatchObject({ total: 9, statuses: { "200": 5, "401": 1, "429": 2, "404": 1 }, rateLimited: 2, logins: 2, emails: 2 });
    const zero = (await control("DELETE", "/stats")).body;
    expect(zero).toMatchObject({ total: 0, requests: {}, statuses: {}, rateLimited: 0, logins: 0, emails: 0 });
    await control("POST", "/reset");
    expect((await control("GET", "/stats")).body.total).toBe(0);
  });

  it("the request log is bounded (requestLogLimit) and can be off (requestLog: false) while stats still count", async () => {
    const capped = await startSandbox({ requestLogLimit: 10 });
    const off = await startSandbox({ requestLog: false });
    try {
      for (let i = 0; i < 25; i++) {
        await fetch(`${capped.url}/api/v2/user/session`);
        await fetch(`${off.url}/api/v2/user/session`);
      }
      expect(capped.sandbox.requests).toHaveLength(10);
      expect(capped.sandbox.requests[9].seq).toBe(25);
      expect(off.sandbox.requests).toHaveLength(0);
      expect(off.sandbox.statsBody()).toMatchObject({ total: 25, statuses: { "401": 25 } });
    } finally {
      await capped.stop();
      await off.stop();
    }
  });
});

describe("faults", () => {
  const role = () => sb.sandbox.state.bitgo.enterprises.find((e: any) => e.id === custody).members.find((m: any) => m.userId === SEED.users.auditor.id)?.permissions;

  beforeEach(async () => {
    const token = await login();
    await api("POST", `/api/v2/enterprise/${custody}/user`, { token, body: { username: SEED.users.auditor.email, permission: "auditor" } });
  });

  it("a delayed answer is handled after the delay: a client that timed out sees the change only then", async () => {
    const token = await login();
    await control("POST", "/faults", { method: "PUT", path: `/api/v2/enterprise/${custody}/user`, delayMs: 400 });
    const started = Date.now();
    await expect(
      api("PUT", `/api/v2/enterprise/${custody}/user`, { token, query: { userId: SEED.users.auditor.id, role: "admin" }, signal: AbortSignal.timeout(100) }),
    ).rejects.toThrow();
    expect(role()).toEqual(["auditor"]); // not yet
    await new Promise((r) => setTimeout(r, 400 - (Date.now() - started) + 100));
    expect(role()).toEqual(["admin"]);
  });

  it("a dropped answer's work is done; a status fault does no work; count applies it that many times", async () => {
    const token = await login();
    const put = (r: string) => api("PUT", `/api/v2/enterprise/${custody}/user`, { token, query: { userId: SEED.users.auditor.id, role: r } });
    await control("POST", "/faults", { method: "PUT", path: `/api/v2/enterprise/${custody}/user`, dropAnswerAfterHandling: true });
    await expect(put("admin")).rejects.toThrow();
    expect(role()).toEqual(["admin"]);
    await control("POST", "/faults", { method: "PUT", path: `/api/v2/enterprise/${custody}/user`, status: 503, count: 2 });
    for (let i = 0; i < 2; i++) {
      const r = await put("wallet.create");
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ name: "InjectedFault", requestId: expect.any(String) });
    }
    expect(role()).toEqual(["admin"]);
    expect((await put("wallet.create")).status).toBe(200);
    expect(role()).toEqual(["wallet.create"]);
  });
});
