// The organization routes driven through OrganizationUser, ChildEnterprise and the lookups against the
// sandbox; then every request the provider sent and every answer the sandbox gave is validated against
// BitGo's OpenAPI file. The admin summary route (GET /api/v2/admin/user/{id}/summary) is not in the spec
// subset; its answer is checked against the fields bitgo-admin-user-summary.txt marks required instead.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, RunningSandbox, SEED, ORG_SEED } from "../../sandbox";
import { ensureOrganizationSeed } from "../../sandbox/bitgoOrganizations";
import { provider } from "../../provider";
import { setConfig } from "../../provider/config";
import { BitGoSettings, bitgoClient, resetBitGoClients } from "../../provider/bitgo/client";
import { getUserInfo, getUserSummary, organizationTree } from "../../provider/bitgo/lookups";
import { expectBitGoContract, exercisedOperations } from "./openapi";

const orgId = SEED.organization.id;
let sb: RunningSandbox;
const ou = provider("bitgo:OrganizationUser");
const ce = provider("bitgo:ChildEnterprise");

function useConfig(values: Record<string, string>) {
  setConfig({ get: (key: string) => values[key] });
  resetBitGoClients();
}
const operator = () => useConfig({ "bitgo:apiUrl": sb.url, "bitgo:email": SEED.operator.email, "bitgo:password": SEED.operator.password, "bitgo:otp": "000000" });
const settings = (s: Partial<BitGoSettings>): BitGoSettings => ({ apiUrl: sb.url, express: false, paced: false, ...s });

const ENV = { ORGSTACK_HTTP_BACKOFF_MS: "1", ORGSTACK_SETTLE_MS: "2000", ORGSTACK_RATE_LIMITS: "off" };
beforeAll(async () => {
  Object.assign(process.env, ENV);
  sb = await startSandbox({ rateLimits: false });
  ensureOrganizationSeed(sb.sandbox.state);
});
afterAll(async () => {
  setConfig(undefined);
  resetBitGoClients();
  await sb?.stop();
  for (const k of Object.keys(ENV)) delete process.env[k];
});

describe("BitGo organization calls follow the OpenAPI contract", () => {
  it("drives every organization route through the resources and lookups", async () => {
    operator();
    // OrganizationUser: add a member, refused admin, remove.
    const m = await ou.create((await ou.check(undefined, { organizationId: orgId, username: SEED.users.auditor.email, role: "member" })).inputs);
    await expect(ou.create((await ou.check(undefined, { organizationId: orgId, username: SEED.users.treasury.email, role: "admin" })).inputs)).rejects.toThrow(/BitGo support/);
    // The service user promotes in place.
    useConfig({ "bitgo:apiUrl": sb.url, "bitgo:accessToken": ORG_SEED.tokens.serviceUser });
    await ou.update(m.id, m.outs, { ...(m.outs as any), role: "admin" });
    await ou.delete(m.id, { ...(m.outs as any), role: "admin" });

    // ChildEnterprise: create (with admins), lost answer, add an admin, freeze.
    operator();
    const input = (email: string, extra: Record<string, unknown> = {}) =>
      ce.check(undefined, { organizationId: orgId, email, logicalName: `contract/${email}`, ...extra }).then((r) => r.inputs);
    const c1 = await ce.create(await input("one@customer.example", { additionalAdmins: [SEED.users.ops.id], accountType: "entity", thirdPartyIdentifier: [{ id: "crm-1", label: "crm" }] }));
    sb.sandbox.faults.push({ method: "POST", path: `/api/v2/organization/${orgId}/enterprise`, dropAnswerAfterHandling: true });
    const c2 = await ce.create(await input("two@customer.example", { onDelete: "freeze" }));
    // The keyed create was sent again: BitGo answered 409 for the used key, and made no second enterprise.
    expect(sb.sandbox.requests.filter((r) => r.method === "POST" && r.path === `/api/v2/organization/${orgId}/enterprise` && r.requestBody?.email === "two@customer.example").map((r) => r.status)).toEqual([200, 409]);
    expect(sb.sandbox.state.bitgo.enterprises.filter((e: any) => e.name === "two@customer.example").map((e: any) => e.id)).toEqual([c2.id]);
    await ce.update(c1.id, c1.outs!, { ...(await input("one@customer.example", { accountType: "entity", thirdPartyIdentifier: [{ id: "crm-1", label: "crm" }] })), additionalAdmins: [SEED.users.ops.id, SEED.secondAdmin.id] } as any);
    await ce.read(c1.id, c1.outs!);
    await ce.delete(c2.id, c2.outs!);

    // Lookups.
    const client = bitgoClient(settings({ email: SEED.operator.email, password: SEED.operator.password, otp: "000000" }));
    const tree = await organizationTree(client, { enterpriseId: SEED.enterprises.custody.id, pageSize: 10 });
    expect(tree.enterprises.length).toBeGreaterThan(ORG_SEED.pageSize);
    await getUserInfo(client, "me");
    await getUserInfo(client, ORG_SEED.serviceUser.email);
    await fetch(`${sb.url}/api/v2/organization`, { headers: { authorization: `Bearer ${ORG_SEED.tokens.serviceUser}` } });
  });

  it("every exchange matches the spec", () => {
    // Left out: the admin route (not in the spec subset; checked below), and GET /api/v2/user/{email}
    // that getUser({ id: email }) sends: the spec's description allows "user ID, email address, or me"
    // but its path schema is 32 hex. The resources themselves only send ids (checked: none left out here
    // but the lookup's own call).
    const byEmail = sb.sandbox.requests.filter((r) => r.method === "GET" && /^\/api\/v2\/user\/[^/]*(@|%40)/.test(r.path));
    expect(byEmail.map((r) => r.path)).toEqual(["/api/v2/user/baas-service%40acme.example"]);
    const specced = sb.sandbox.requests.filter((r) => !r.path.startsWith("/api/v2/admin/") && !byEmail.includes(r));
    expectBitGoContract(specced);
    const ops = exercisedOperations(specced);
    for (const op of [
      "GET /api/v2/organization",
      "GET /api/v2/organization/{id}",
      "GET /api/v2/organization/{organizationId}/enterprise",
      "POST /api/v2/organization/{organizationId}/enterprise",
      "POST /api/v2/organization/{organizationId}/enterprise/{enterpriseId}/user",
      "POST /api/v2/organization/{organizationId}/user",
      "PUT /api/v2/organization/{organizationId}/user",
      "DELETE /api/v2/organization/{organizationId}/user",
      "POST /api/v2/enterprise/{enterpriseId}/freeze",
      "GET /api/org/users",
    ]) {
      expect(ops).toContain(op);
    }
  });

  it("the admin summary answer carries the fields BitGo documents as required", async () => {
    const s: any = await getUserSummary(bitgoClient(settings({ accessToken: ORG_SEED.tokens.bitgoAdmin })), ORG_SEED.serviceUser.id);
    const required = [
      "enterprises", "organizations", "bitgoAdminRoles", "identity", "shardKey", "agreements", "allowedCoins", "bitgoEmployee",
      "currency", "disableReset2FA", "featureFlags", "forceResetPassword", "otpDevices", "phone", "timezone", "id", "username", "name", "email",
    ];
    expect(required.filter((k) => !(k in s))).toEqual([]);
    expect(s.id).toMatch(/^[0-9a-f]{32}$/);
    expect(["bitgoKorea", "unset"]).toContain(s.shardKey);
    for (const o of s.organizations) expect(["serviceUser", "admin", "member", "customer"]).toContain(o.role);
  });
});
