// The organization reads behind getOrganization, getUser and getUserSummary, against the sandbox:
// every page of child enterprises, the organization found from an enterprise, users with roles, the
// admin summary (admin right required, hasMoreEnterprises followed).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSandbox, SEED, ORG_SEED, RunningSandbox } from "../../sandbox";
import { ensureOrganizationSeed } from "../../sandbox/bitgoOrganizations";
import * as api from "../../provider/bitgo/api";
import { BitGoSettings, bitgoClient, resetBitGoClients } from "../../provider/bitgo/client";
import { getUserInfo, getUserSummary, organizationTree } from "../../provider/bitgo/lookups";

const orgId = SEED.organization.id;
let sb: RunningSandbox;
const settings = (s: Partial<BitGoSettings>): BitGoSettings => ({ apiUrl: sb.url, express: false, paced: false, backoffMs: 5, ...s });
const asToken = (token: string) => bitgoClient(settings({ accessToken: token }));
const operator = () => bitgoClient(settings({ email: SEED.operator.email, password: SEED.operator.password, otp: "000000" }));

beforeAll(async () => {
  sb = await startSandbox({ rateLimits: false });
});
afterAll(async () => {
  await sb?.stop();
});
beforeEach(() => {
  sb.sandbox.reset();
  ensureOrganizationSeed(sb.sandbox.state);
  resetBitGoClients();
});

describe("organization lookups", () => {
  it("reads every page of child enterprises (more than one page)", async () => {
    const expected = sb.sandbox.state.bitgo.enterprises.filter((e: any) => e.organizationId === orgId).map((e: any) => e.id).sort();
    expect(expected.length).toBeGreaterThan(ORG_SEED.pageSize);
    const small = await api.childEnterprises(operator(), orgId, { pageSize: 7 });
    expect(small.map((e) => e.id).sort()).toEqual(expected);
    const listCalls = sb.sandbox.requests.filter((r) => r.path === `/api/v2/organization/${orgId}/enterprise`);
    expect(listCalls.length).toBe(Math.ceil(expected.length / 7));
    expect(listCalls.slice(1).every((r) => typeof r.query.prevId === "string")).toBe(true);
  });

  it("finds the organization from an enterprise, with enterprises, admins and members", async () => {
    const tree = await organizationTree(operator(), { enterpriseId: SEED.enterprises.custody.id, pageSize: 10 });
    expect(tree.id).toBe(orgId);
    expect(tree.name).toBe(SEED.organization.name);
    expect(tree.enterprises.length).toBe(2 + ORG_SEED.seededChildren);
    expect(tree.enterprises.map((e) => e.name)).toContain("Seeded Customer 30");
    expect(tree.admins.map((u) => u.username).sort()).toEqual([SEED.operator.email, SEED.secondAdmin.email].sort());
    expect(tree.members.map((u) => u.username)).toEqual([SEED.users.ops.email]);
  });

  it("rejects malformed ids before calling BitGo", async () => {
    await expect(organizationTree(operator(), { organizationId: "ORG-1" })).rejects.toThrow(/organizationId must be a 32-character lowercase hex id/);
    await expect(organizationTree(operator(), {})).rejects.toThrow(/give organizationId, or enterpriseId/);
    expect(sb.sandbox.requests.filter((r) => r.path.startsWith("/api/v2/organization"))).toEqual([]);
  });

  it("gets a user by me, email and id, with enterprises and organization roles", async () => {
    const me = await getUserInfo(operator(), "me");
    expect(me).toMatchObject({ id: SEED.operator.id, username: SEED.operator.email });
    expect(me.organizations).toEqual([{ id: orgId, role: "admin" }]);
    expect(me.enterprises.find((e) => e.id === SEED.enterprises.custody.id)?.permissions).toEqual(["admin"]);
    const svc = await getUserInfo(operator(), ORG_SEED.serviceUser.email);
    expect(svc.organizations).toEqual([{ id: orgId, role: "serviceUser" }]);
    expect((await getUserInfo(operator(), SEED.users.ops.id)).organizations).toEqual([{ id: orgId, role: "member" }]);
  });
});

describe("admin user summary", () => {
  it("refuses a token without the admin right with an error that says so", async () => {
    await expect(getUserSummary(operator(), SEED.operator.id)).rejects.toThrow(/has no BitGo admin role.*Use getUser/);
  });

  it("returns the summary whole, asking again until hasMoreEnterprises is false", async () => {
    const s = await getUserSummary(asToken(ORG_SEED.tokens.bitgoAdmin), ORG_SEED.serviceUser.id);
    expect(s.hasMoreEnterprises).toBe(false);
    expect(s.enterprises.length).toBe(ORG_SEED.seededChildren);
    expect(s.organizations).toEqual([{ id: orgId, role: "serviceUser", permissions: [] }]);
    expect(s).toMatchObject({ id: ORG_SEED.serviceUser.id, username: ORG_SEED.serviceUser.email, shardKey: "unset", bitgoAdminRoles: [] });
    const calls = sb.sandbox.requests.filter((r) => r.path.endsWith("/summary"));
    expect(calls.length).toBe(2);
    expect(calls[0].query.maxEnterprises).toBeUndefined();
    expect(Number(calls[1].query.maxEnterprises)).toBeGreaterThanOrEqual(ORG_SEED.seededChildren);
  });

  it("stops asking when BitGo caps the enterprises below what was asked (no endless loop), and says the summary is incomplete", async () => {
    let calls = 0;
    const capped: any = {
      call: async (_m: string, _p: string, _params: unknown, o: any) => {
        if (++calls > 20) throw new Error("asked too often: the loop does not end");
        const max = Math.min(Number(o.query.maxEnterprises ?? 10), 50); // BitGo gives at most 50, whatever is asked
        return { status: 200, data: { user: { id: "u", enterprises: Array.from({ length: max }, (_, i) => ({ id: String(i), permissions: [] })), hasMoreEnterprises: true } } };
      },
    };
    const s = await getUserSummary(capped, "0".repeat(32));
    expect(s.enterprises).toHaveLength(50);
    expect(s.hasMoreEnterprises).toBe(true);
    expect(calls).toBeLessThanOrEqual(4);
  });

  it("passes hasMoreEnterprises on when the caller set maxEnterprises", async () => {
    const s = await getUserSummary(asToken(ORG_SEED.tokens.bitgoAdmin), ORG_SEED.serviceUser.id, { maxEnterprises: 5, excludeWalletCounts: true });
    expect(s.enterprises).toHaveLength(5);
    expect(s.hasMoreEnterprises).toBe(true);
    expect(s.walletCounts).toBeUndefined();
  });
});
