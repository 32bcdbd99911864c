// Every FinHub exchange the sandbox logged during a full onboarding (and its error paths) against the
// contract written from the vendor's page (finhubSpec.ts): paths, required headers, request bodies,
// the `{ code, message, data }` envelope and the documented statuses.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, FINHUB_SEED, RunningSandbox } from "../../sandbox";
import { provider, setConfig } from "../../provider";
import { resetFinHubClients } from "../../provider/finhub/client";
import { validateExchange } from "./finhubSpec";

process.env.ORGSTACK_FINHUB_BATCH_MS = "50";
process.env.ORGSTACK_HTTP_BACKOFF_MS = "5";

const tenant = FINHUB_SEED.tenants.acme;
let sb: RunningSandbox;
const quiet = console.log;

beforeAll(async () => {
  sb = await startSandbox({ rateLimits: false });
  await fetch(`${sb.url}/__sandbox/finhub/settings`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ kybDelayMs: 50, activationDelayMs: 80 }) });
  console.log = () => undefined;
});
afterAll(async () => {
  console.log = quiet;
  await sb?.stop();
});

const p = (kind: string) => provider(`finhub:${kind}`);
async function make(kind: string, news: any) {
  const c = await p(kind).check({}, news);
  if (c.failures?.length) throw new Error(JSON.stringify(c.failures));
  return p(kind).create(c.inputs);
}
const person = (first: string) => ({
  firstName: first,
  lastName: "Contract",
  email: `${first.toLowerCase()}@contract.example`,
  dateOfBirth: "1990-01-01",
  nationality: "FR",
  addresses: [{ addressLine1: "1 Rue", city: "Paris", country: "FR" }],
  telephoneNumbers: [{ number: "+33 1 23 45 67 89", type: "WORK" }],
});

describe("FinHub contract", () => {
  it("every exchange of a full onboarding keeps the vendor's contract", async () => {
    resetFinHubClients();
    const cfg: Record<string, string> = { "finhub:apiUrl": sb.finhubUrl, "finhub:token": tenant.token, "finhub:tenantId": tenant.id };
    setConfig({ get: (k) => cfg[k] });
    const org = await make("Organization", { legalName: "Contract SA", registrationNumber: "C-1", country: "FR", email: "org@contract.example" });
    const organizationId = org.id;
    const admin = await make("Employee", { organizationId, person: person("Ada"), role: "ADMIN_USER", roles: ["ADMIN_USER", "COMPLIANCE_OFFICER"], department: "Management" });
    const eve = await make("Employee", { organizationId, person: person("Eve"), role: "EMPLOYEE" });
    const dir = await make("Director", { organizationId, person: person("Dan"), role: "EXECUTIVE_DIRECTOR", ownershipPercentage: 50 });
    const [s1] = await Promise.all([
      make("Shareholder", { organizationId, person: person("Sam"), ownershipPercentage: 30 }),
      make("Shareholder", { organizationId, person: person("Sue"), ownershipPercentage: 20 }),
    ]);
    await p("Shareholder").update(s1.id, s1.outs, { ...s1.outs, ownershipPercentage: 25 });
    await p("Shareholder").update(s1.id, { ...s1.outs, ownershipPercentage: 25 }, { organizationId, person: s1.outs.person, ownershipPercentage: 30, primaryContact: false });
    await p("Employee").update(eve.id, eve.outs, { organizationId, person: eve.outs.person, role: "TRANSACTION_APPROVER", roles: ["TRANSACTION_APPROVER"] });
    const act = await p("Activation").create({ organizationId, consents: ["data-processing", "privacy", "terms"], consentVersion: "1.0", timeoutSeconds: 10, pollIntervalMs: 20 });
    expect(act.outs.status).toBe("ACTIVE");
    await p("Activation").read(act.id, act.outs);
    await p("Director").read(dir.id, dir.outs);
    // Error paths: a duplicate email, an unknown organization (another tenant's), a lost token.
    await expect(make("Director", { organizationId: FINHUB_SEED.otherOrganization.id, person: person("Zed"), role: "BOARD_MEMBER" })).rejects.toThrow(/404/);
    const dupOrg = await make("Organization", { legalName: "Dup SAS", registrationNumber: "C-2", country: "FR", email: "dup@contract.example" });
    await expect(make("Director", { organizationId: dupOrg.id, person: person("Ada"), role: "BOARD_MEMBER" })).rejects.toThrow(/unique within the tenant/);
    cfg["finhub:token"] = "wrong";
    resetFinHubClients();
    await expect(p("Organization").read(organizationId, org.outs)).rejects.toThrow(/401/);
    cfg["finhub:token"] = tenant.token;
    resetFinHubClients();
    // Tear down.
    for (const [kind, r] of [["Employee", eve], ["Director", dir], ["Shareholder", s1]] as const) await p(kind).delete(r.id, r.outs);
    await p("Employee").delete(admin.id, admin.outs);

    const exchanges = sb.sandbox.requests.filter((r) => r.module === "finhub");
    const ops = new Set(exchanges.map((x) => `${x.method} ${x.path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "{id}")}`));
    expect(exchanges.length).toBeGreaterThan(30);
    // Every documented operation was exercised at least once.
    for (const op of ["POST /finhub/api/v2.1/customer/organization/registration", "POST /finhub/api/v2.1/customer/organization/{id}/director",
      "POST /finhub/api/v2.1/customer/organization/{id}/shareholders", "PUT /finhub/api/v2.1/shareholder/update/{id}",
      "POST /finhub/api/v2.1/customer/organization/{id}/employee", "PUT /finhub/api/v2.1/customer/organization/{id}/employees/{id}/roles",
      "POST /finhub/api/v2.1/customer/organization/{id}/verify", "POST /finhub/api/v2.1/customer/organization/{id}/consents/terms",
      "GET /finhub/api/v2.1/customer/organization/{id}/activation/readiness", "POST /finhub/api/v2.1/customer/organization/{id}/activation",
      "GET /finhub/api/v2/organizations/{id}/shareholders", "DELETE /finhub/api/v2/organizations/{id}/shareholders/{id}",
      "DELETE /finhub/api/v2.1/customer/organization/{id}/directors/{id}", "DELETE /finhub/api/v2.1/customer/organization/{id}/employees/{id}"]) {
      expect(ops).toContain(op);
    }
    expect(exchanges.some((x) => x.status === 404)).toBe(true);
    expect(exchanges.some((x) => x.status === 401)).toBe(true);
    expect(exchanges.some((x) => x.status === 400)).toBe(true);
    const problems = exchanges.flatMap((x) => validateExchange(x));
    expect(problems).toEqual([]);
  });

  it("the checker catches what breaks the contract", () => {
    const good = sb.sandbox.requests.find((r) => r.module === "finhub" && r.method === "POST" && r.path.endsWith("/activation"))!;
    expect(validateExchange(good)).toEqual([]);
    const noHeaders = { ...good, requestHeaders: { ...good.requestHeaders, "x-user-roles": "", "x-tenant-id": "" } };
    expect(validateExchange(noHeaders).join("\n")).toMatch(/X-Tenant-ID header missing[\s\S]*x-user-roles missing/);
    const add = sb.sandbox.requests.find((r) => r.module === "finhub" && r.method === "POST" && r.path.endsWith("/employee") && r.status === 201)!;
    expect(validateExchange({ ...add, requestBody: { ...add.requestBody, role: "SUPERUSER" } }).join()).toMatch(/request body: role/);
    expect(validateExchange({ ...add, responseBody: { ...add.responseBody, data: { ...add.responseBody.data, temporaryPassword: undefined } } }).join()).toMatch(/temporaryPassword/);
    expect(validateExchange({ ...add, status: 400, responseBody: { error: "x" } }).join()).toMatch(/error body is not/);
    expect(validateExchange({ ...add, path: "/finhub/api/v2.1/customer/organizations/x/employee" }).join()).toMatch(/no such operation/);
  });
});
