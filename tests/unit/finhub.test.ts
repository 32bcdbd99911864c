// FinHub provider methods called directly against the sandbox: input checks, the vendor's rules,
// dual records with credentials, shareholder batching with per-resource errors, lost answers, tenant
// isolation, in-place updates vs replacements, refresh, and activation through ACTIVATING to ACTIVE.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSandbox, FINHUB_SEED, RunningSandbox } from "../../sandbox";
import { provider, setConfig } from "../../provider";
import { resetFinHubClients } from "../../provider/finhub/client";
import { batchStats } from "../../provider/finhub/shareholder";

process.env.ORGSTACK_FINHUB_BATCH_MS = "60";
process.env.ORGSTACK_FINHUB_ADMIN_WAIT_MS = "300";
process.env.ORGSTACK_HTTP_BACKOFF_MS = "5";

const tenant = FINHUB_SEED.tenants.acme;
let sb: RunningSandbox;
let logs: string[] = [];
const origLog = console.log;

const org = provider("finhub:Organization");
const director = provider("finhub:Director");
const shareholder = provider("finhub:Shareholder");
const employee = provider("finhub:Employee");
const activation = provider("finhub:Activation");

function configure(extra: Record<string, string> = {}) {
  const cfg: Record<string, string> = { "finhub:apiUrl": sb.finhubUrl, "finhub:token": tenant.token, "finhub:tenantId": tenant.id, ...extra };
  setConfig({ get: (k) => cfg[k] });
}

const person = (first: string, email: string, extra: Record<string, unknown> = {}) => ({
  firstName: first,
  lastName: "Ng",
  email,
  dateOfBirth: "1985-02-01",
  nationality: "GB",
  addresses: [{ addressLine1: "1 High St", city: "London", country: "GB", postalCode: "EC1A 1AA" }],
  telephoneNumbers: [{ number: "+44 20 7946 0000", type: "WORK" }],
  ...extra,
});

const finhubRequests = () => sb.sandbox.requests.filter((r) => r.module === "finhub");

async function checked(p: ReturnType<typeof provider>, news: any, olds: any = {}) {
  const r = await p.check(olds, news);
  if (r.failures?.length) throw new Error(JSON.stringify(r.failures));
  return r.inputs;
}

async function newOrg(email: string) {
  const inputs = await checked(org, { legalName: "Acme Ltd", registrationNumber: "12345678", country: "gb", email });
  return (await org.create(inputs)).id;
}

beforeAll(async () => {
  sb = await startSandbox({ rateLimits: false });
  await fetch(`${sb.url}/__sandbox/finhub/settings`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ kybDelayMs: 100, activationDelayMs: 150 }) });
  console.log = (...a: unknown[]) => logs.push(a.map(String).join(" "));
});
afterAll(async () => {
  console.log = origLog;
  await sb?.stop();
});
beforeEach(() => {
  logs = [];
  resetFinHubClients();
  configure();
});

describe("check: bad input is refused at preview, naming the field and the rule", () => {
  it("refuses percentages outside 0-100, unknown roles and director types", async () => {
    const orgId = "2f6ddd86-9ef1-45b6-a16d-058b3ccf29e4";
    const s = await shareholder.check({}, { organizationId: orgId, person: person("A", "a@x.example"), ownershipPercentage: 120 });
    expect(s.failures?.[0]).toMatchObject({ property: "ownershipPercentage" });
    expect(s.failures?.[0].reason).toMatch(/from 0 to 100/);
    const neg = await director.check({}, { organizationId: orgId, person: person("A", "a@x.example"), role: "BOARD_MEMBER", ownershipPercentage: -1 });
    expect(neg.failures?.[0].property).toBe("ownershipPercentage");

    const e = await employee.check({}, { organizationId: orgId, person: person("A", "a@x.example"), role: "SUPERUSER" });
    expect(e.failures?.[0].property).toBe("role");
    expect(e.failures?.[0].reason).toContain("ADMIN_USER, TRANSACTION_APPROVER, COMPLIANCE_OFFICER, EMPLOYEE");
    const e2 = await employee.check({}, { organizationId: orgId, person: person("A", "a@x.example"), role: "EMPLOYEE", roles: ["COMPLIANCE_OFFICER"] });
    expect(e2.failures?.[0]).toMatchObject({ property: "roles" });
    expect(e2.failures?.[0].reason).toContain("must include the primary role EMPLOYEE");

    const d = await director.check({}, { organizationId: orgId, person: person("A", "a@x.example"), role: "EXECUTIVE" });
    expect(d.failures?.[0].property).toBe("role");
    expect(d.failures?.[0].reason).toContain("EXECUTIVE_DIRECTOR");

    const p = await director.check({}, { organizationId: orgId, person: { ...person("A", "not-an-email"), dateOfBirth: "01/02/1985" }, role: "BOARD_MEMBER" });
    expect(p.failures?.map((f) => f.property).sort()).toEqual(["person.dateOfBirth", "person.email"]);

    const a = await activation.check({}, { organizationId: orgId, consents: ["terms", "privacy"] });
    expect(a.failures?.[0].property).toBe("consents");
    expect(a.failures?.[0].reason).toContain("data-processing");
  });

  it("refuses a missing tenant or token before any call, saying how to set it", async () => {
    const saved = { t: process.env.FINHUB_TENANT_ID, k: process.env.FINHUB_TOKEN };
    delete process.env.FINHUB_TENANT_ID;
    delete process.env.FINHUB_TOKEN;
    setConfig({ get: (k) => (k === "finhub:apiUrl" ? sb.finhubUrl : undefined) });
    const before = finhubRequests().length;
    const r = await org.check({}, { legalName: "Acme Ltd", registrationNumber: "1", country: "GB", email: "a@acme.example" });
    expect(r.failures?.map((f) => f.reason).join("\n")).toMatch(/finhub:tenantId is not set: run `pulumi config set finhub:tenantId/);
    expect(r.failures?.map((f) => f.reason).join("\n")).toMatch(/finhub:token is not set/);
    await expect(org.create({ legalName: "Acme Ltd", registrationNumber: "1", country: "GB", email: "a@acme.example" })).rejects.toThrow(/finhub:tenantId is not set/);
    expect(finhubRequests().length).toBe(before);
    if (saved.t) process.env.FINHUB_TENANT_ID = saved.t;
    if (saved.k) process.env.FINHUB_TOKEN = saved.k;
  });

  it("takes settings from FINHUB_* env when the stack sets none", async () => {
    process.env.FINHUB_API_URL = sb.finhubUrl;
    process.env.FINHUB_TOKEN = tenant.token;
    process.env.FINHUB_TENANT_ID = tenant.id;
    try {
      setConfig(undefined);
      const id = await newOrg("env@acme.example");
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      delete process.env.FINHUB_API_URL;
      delete process.env.FINHUB_TOKEN;
      delete process.env.FINHUB_TENANT_ID;
    }
  });
});

describe("an organization from registration to ACTIVE", () => {
  let orgId: string;
  const ids: Record<string, string> = {};
  const outs: Record<string, any> = {};

  it("registers the organization with every header FinHub wants", async () => {
    orgId = await newOrg("ops@acme.example");
    const reg = finhubRequests().find((r) => r.path.endsWith("/customer/organization/registration"))!;
    expect(reg.status).toBe(201);
    expect(reg.requestHeaders).toMatchObject({ "x-tenant-id": tenant.id, authorization: "Bearer [redacted]" });
    expect(reg.requestHeaders?.["user-agent"]).toMatch(/^orgstack\//);
    const read = await org.read(orgId, { ...(await checked(org, { legalName: "Acme Ltd", registrationNumber: "12345678", country: "GB", email: "ops@acme.example" })) } as any);
    expect(read.id).toBe(orgId);
    expect(read.props).toMatchObject({ status: "REGISTERED" });
  });

  it("refuses a first employee without ADMIN_USER, before FinHub is asked, and says to add dependsOn", async () => {
    const inputs = await checked(employee, { organizationId: orgId, person: person("Eve", "eve@acme.example"), role: "EMPLOYEE", department: "Finance" });
    const before = finhubRequests().filter((r) => r.method === "POST").length;
    const err = await employee.create(inputs).catch((e) => e);
    expect(err.message).toMatch(/first employee .* to hold ADMIN_USER/);
    expect(err.message).toContain("dependsOn");
    expect(finhubRequests().filter((r) => r.method === "POST").length).toBe(before);
  });

  it("the sandbox enforces the same rule itself", async () => {
    const res = await fetch(`${sb.finhubUrl}/api/v2.1/customer/organization/${orgId}/employee`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${tenant.token}`, "x-tenant-id": tenant.id, "user-agent": "test" },
      body: JSON.stringify({ person: { firstName: "X", lastName: "Y", email: "x@acme.example" }, role: "EMPLOYEE", roles: ["EMPLOYEE"] }),
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body).toMatchObject({ code: 400, data: { error: expect.stringContaining("ADMIN_USER") } });
  });

  it("a non-admin added in the same run waits for the admin being added, then goes in", async () => {
    const admin = await checked(employee, {
      organizationId: orgId,
      person: person("Ada", "ada@acme.example"),
      role: "ADMIN_USER",
      roles: ["COMPLIANCE_OFFICER", "ADMIN_USER"],
      department: "Management",
    });
    const eve = await checked(employee, { organizationId: orgId, person: person("Eve", "eve@acme.example"), role: "EMPLOYEE", department: "Finance" });
    // The non-admin starts first; the provider holds it until the admin is in.
    const [e, a] = await Promise.all([employee.create(eve), new Promise((r) => setTimeout(r, 20)).then(() => employee.create(admin))]);
    ids.admin = a.id;
    ids.eve = e.id;
    outs.admin = a.outs;
    outs.eve = e.outs;
    expect(a.outs).toMatchObject({ role: "ADMIN_USER", roles: ["ADMIN_USER", "COMPLIANCE_OFFICER"], status: "ACTIVE", adopted: false });
    expect(a.outs.individualCustomerId).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.outs.organizationRecordId).toBe(a.id);
    expect(a.outs.username).toMatch(/^ada\.ng\./);
    expect(a.outs.temporaryPassword).toMatch(/^Tmp-/);
    const posts = finhubRequests().filter((r) => r.method === "POST" && r.path.endsWith("/employee") && r.status === 201);
    expect(posts.map((p) => p.requestBody.person.email)).toEqual(["ada@acme.example", "eve@acme.example"]);
    // Dual records: the sandbox holds the organization record and the individual customer.
    const st = sb.sandbox.state.finhub;
    expect(st.customers.find((c: any) => c.id === a.outs.individualCustomerId)).toMatchObject({ email: "ada@acme.example", recordId: a.id });
    expect(JSON.stringify(st)).not.toContain(a.outs.temporaryPassword);
  });

  it("adds three shareholders in one POST, each with its own record and credentials", async () => {
    const before = batchStats.posts;
    const list = await Promise.all(
      [
        ["Sam", "sam@acme.example", 30],
        ["Sue", "sue@acme.example", 20],
        ["Sid", "sid@acme.example", 10],
      ].map(([n, e, pct]) => checked(shareholder, { organizationId: orgId, person: person(String(n), String(e)), ownershipPercentage: pct })),
    );
    const made = await Promise.all(list.map((i) => shareholder.create(i)));
    expect(batchStats.posts - before).toBe(1);
    const posts = finhubRequests().filter((r) => r.method === "POST" && r.path.endsWith("/shareholders"));
    expect(posts.at(-1)!.requestBody).toHaveLength(3);
    expect(new Set(made.map((m) => m.id)).size).toBe(3);
    expect(made.map((m) => m.outs.person.email)).toEqual(["sam@acme.example", "sue@acme.example", "sid@acme.example"]);
    expect(made.map((m) => m.outs.beneficialOwner)).toEqual([true, false, false]);
    for (const m of made) expect(m.outs.temporaryPassword).toMatch(/^Tmp-/);
    ids.sam = made[0].id;
    outs.sam = made[0].outs;
    ids.sid = made[2].id;
    outs.sid = made[2].outs;
  });

  it("a batch with a duplicate email: the others are added, only that resource fails", async () => {
    const good = await checked(shareholder, { organizationId: orgId, person: person("Tom", "tom@acme.example"), ownershipPercentage: 5 });
    const dup = await checked(shareholder, { organizationId: orgId, person: person("Other", "other@acme.example"), ownershipPercentage: 5 });
    // Take the email out of band in another organization of the tenant, so only FinHub can tell.
    const otherOrg = await newOrg("second@acme.example");
    const taken = await checked(director, { organizationId: otherOrg, person: person("Other", "other@acme.example"), role: "BOARD_MEMBER" });
    await director.create(taken);
    const [g, d] = await Promise.allSettled([shareholder.create(good), shareholder.create(dup)]);
    expect(g.status).toBe("fulfilled");
    expect(d.status).toBe("rejected");
    const err = (d as PromiseRejectedResult).reason;
    expect(err.code).toBe("DUPLICATE_EMAIL");
    expect(err.message).toContain("other@acme.example");
    expect(err.message).toMatch(/unique within the tenant/);
    await shareholder.delete((g as PromiseFulfilledResult<any>).value.id, (g as PromiseFulfilledResult<any>).value.outs);
  });

  it("refuses an email already used by another kind of person before calling FinHub", async () => {
    const inputs = await checked(director, { organizationId: orgId, person: person("Sam", "sam@acme.example"), role: "BOARD_MEMBER" });
    await expect(director.create(inputs)).rejects.toThrow(/already used by a shareholder .* unique within the tenant/);
  });

  it("a lost answer on an add does not add the director twice", async () => {
    await fetch(`${sb.url}/__sandbox/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ method: "POST", path: `/finhub/api/v2.1/customer/organization/${orgId}/director`, dropAnswerAfterHandling: true }),
    });
    const inputs = await checked(director, { organizationId: orgId, person: person("Dan", "dan@acme.example"), role: "MANAGING_DIRECTOR", ownershipPercentage: 40, primaryContact: true });
    const d = await director.create(inputs);
    ids.dan = d.id;
    outs.dan = d.outs;
    const dirs = sb.sandbox.state.finhub.people.filter((p: any) => p.kind === "director" && p.organizationId === orgId);
    expect(dirs).toHaveLength(1);
    expect(d.outs).toMatchObject({ adopted: true, beneficialOwner: true, temporaryPassword: "" });
    const posts = finhubRequests().filter((r) => r.method === "POST" && r.path.endsWith("/director") && r.requestBody?.person?.email === "dan@acme.example");
    expect(posts).toHaveLength(1);
    expect(posts[0].dropped).toBe(true);
  });

  it("changes a shareholder's percentage in place (PUT), keeping its credentials", async () => {
    const same = await checked(shareholder, { organizationId: orgId, person: outs.sam.person, ownershipPercentage: 30 });
    expect(await shareholder.diff(ids.sam, outs.sam, same)).toMatchObject({ changes: false, replaces: [] });
    const news = await checked(shareholder, { organizationId: orgId, person: outs.sam.person, ownershipPercentage: 20 });
    expect(await shareholder.diff(ids.sam, outs.sam, news)).toMatchObject({ changes: true, replaces: [] });
    const u = await shareholder.update(ids.sam, outs.sam, news);
    expect(u.outs).toMatchObject({ ownershipPercentage: 20, beneficialOwner: false, temporaryPassword: outs.sam.temporaryPassword });
    const put = finhubRequests().filter((r) => r.method === "PUT" && r.path === `/finhub/api/v2.1/shareholder/update/${ids.sam}`);
    expect(put).toHaveLength(1);
    expect(put[0].requestBody).toMatchObject({ ownershipPercentage: 20 });
    expect(sb.sandbox.state.finhub.people.find((p: any) => p.id === ids.sam).ownershipPercentage).toBe(20);
    // A contact detail changes in place too; a name does not.
    const moved = { ...outs.sam.person, addresses: [{ addressLine1: "2 Low St", city: "Leeds", country: "GB" }] };
    expect(await shareholder.diff(ids.sam, u.outs, await checked(shareholder, { organizationId: orgId, person: moved, ownershipPercentage: 20 }))).toMatchObject({ changes: true, replaces: [] });
    const renamed = { ...outs.sam.person, lastName: "Other" };
    expect(await shareholder.diff(ids.sam, u.outs, await checked(shareholder, { organizationId: orgId, person: renamed, ownershipPercentage: 20 }))).toMatchObject({ replaces: ["person"], deleteBeforeReplace: true });
    outs.sam = u.outs;
  });

  it("refuses activation before any compliance call while shareholdings do not total 100 %", async () => {
    const inputs = await checked(activation, { organizationId: orgId, consents: ["terms", "privacy", "data-processing"], pollIntervalMs: 20, timeoutSeconds: 10 });
    const err = await activation.create(inputs).catch((e) => e);
    expect(err.message).toMatch(/ownershipPercentage: the shareholdings .* total 90%; activation needs exactly 100%/);
    expect(finhubRequests().filter((r) => /\/(verify|activation|consents)/.test(r.path) && r.method === "POST")).toHaveLength(0);
  });

  it("activates: KYB, consents, readiness, activation, ACTIVATING then ACTIVE", async () => {
    // 40 (director) + 20 + 20 + 10 = 90: one more shareholder at 10 % makes 100.
    const last = await checked(shareholder, { organizationId: orgId, person: person("Zoe", "zoe@acme.example"), ownershipPercentage: 10 });
    await shareholder.create(last);
    const inputs = await checked(activation, { organizationId: orgId, consents: ["terms", "privacy", "data-processing"], pollIntervalMs: 20, timeoutSeconds: 10 });
    const a = await activation.create(inputs);
    expect(a.outs).toMatchObject({ status: "ACTIVE", kybStatus: "APPROVED", actingUserId: outs.admin.individualCustomerId });
    expect(a.outs.consentsAccepted).toEqual(["data-processing@1.0", "privacy@1.0", "terms@1.0"]);
    const act = finhubRequests().find((r) => r.method === "POST" && r.path.endsWith("/activation"))!;
    expect(act.status).toBe(202);
    expect(act.requestHeaders).toMatchObject({ "x-user-id": outs.admin.individualCustomerId, "x-user-roles": "ADMIN_USER,COMPLIANCE_OFFICER" });
    expect(act.requestHeaders?.["x-forwarded-for"]).toBeTruthy();
    expect(logs.join("\n")).toMatch(/waiting for activation/);
    const read = await activation.read(a.id, a.outs);
    expect(read.props).toMatchObject({ status: "ACTIVE" });
    expect(await activation.diff(a.id, a.outs, inputs)).toMatchObject({ changes: false });
  });

  it("changes an employee's roles in place through the roles route; identity changes replace", async () => {
    const news = await checked(employee, { organizationId: orgId, person: outs.eve.person, role: "TRANSACTION_APPROVER", roles: ["TRANSACTION_APPROVER", "EMPLOYEE"], department: "Finance" });
    expect(await employee.diff(ids.eve, outs.eve, news)).toMatchObject({ changes: true, replaces: [] });
    const u = await employee.update(ids.eve, outs.eve, news);
    expect(u.outs).toMatchObject({ role: "TRANSACTION_APPROVER", roles: ["EMPLOYEE", "TRANSACTION_APPROVER"], temporaryPassword: outs.eve.temporaryPassword });
    const put = finhubRequests().filter((r) => r.method === "PUT" && r.path.endsWith(`/employees/${ids.eve}/roles`));
    expect(put).toHaveLength(1);
    expect(sb.sandbox.state.finhub.people.find((p: any) => p.id === ids.eve).roles).toEqual(["EMPLOYEE", "TRANSACTION_APPROVER"]);

    const moved = await checked(employee, { ...news, person: { ...outs.eve.person, email: "eve2@acme.example" } });
    expect(await employee.diff(ids.eve, u.outs, moved)).toMatchObject({ replaces: ["person"], deleteBeforeReplace: false });
    const dept = await checked(employee, { ...news, department: "Treasury" });
    expect(await employee.diff(ids.eve, u.outs, dept)).toMatchObject({ replaces: ["department"], deleteBeforeReplace: true });
    const dob = await checked(director, { person: { ...outs.dan.person, dateOfBirth: "1980-01-01" }, organizationId: orgId, role: "MANAGING_DIRECTOR", ownershipPercentage: 40, primaryContact: true });
    expect(await director.diff(ids.dan, outs.dan, dob)).toMatchObject({ replaces: ["person"], deleteBeforeReplace: true });
    const nochange = await checked(director, { organizationId: orgId, person: outs.dan.person, role: "MANAGING_DIRECTOR", ownershipPercentage: 40, primaryContact: true });
    expect(await director.diff(ids.dan, outs.dan, nochange)).toMatchObject({ changes: false });
    outs.eve = u.outs;
  });

  it("the server keeps one ADMIN_USER: taking the last admin's role away is refused", async () => {
    const news = await checked(employee, { organizationId: orgId, person: outs.admin.person, role: "COMPLIANCE_OFFICER", department: "Management" });
    await expect(employee.update(ids.admin, outs.admin, news)).rejects.toThrow(/ADMIN_USER/);
  });

  it("refresh finds a person removed out of band, and roles changed out of band", async () => {
    const res = await fetch(`${sb.finhubUrl}/api/v2.1/customer/organization/${orgId}/directors/${ids.dan}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${tenant.token}`, "x-tenant-id": tenant.id, "user-agent": "test" },
    });
    expect(res.status).toBe(204);
    expect(await director.read(ids.dan, outs.dan)).toEqual({ id: "" });

    await fetch(`${sb.finhubUrl}/api/v2.1/customer/organization/${orgId}/employees/${ids.eve}/roles`, {
      method: "PUT",
      headers: { "content-type": "application/json", authorization: `Bearer ${tenant.token}`, "x-tenant-id": tenant.id, "user-agent": "test" },
      body: JSON.stringify({ role: "EMPLOYEE", roles: ["EMPLOYEE"] }),
    });
    const r = await employee.read(ids.eve, outs.eve);
    expect(r.props).toMatchObject({ role: "EMPLOYEE", roles: ["EMPLOYEE"], temporaryPassword: outs.eve.temporaryPassword });
    expect(r.inputs).toMatchObject({ role: "EMPLOYEE" });
    expect(r.inputs).not.toHaveProperty("temporaryPassword");
  });

  it("tenant isolation: another tenant's organization is 404, so read reports it gone", async () => {
    configure({ "finhub:tenantId": FINHUB_SEED.tenants.other.id, "finhub:token": FINHUB_SEED.tenants.other.token });
    expect(await director.read(ids.sam, { ...outs.sam, organizationId: orgId })).toEqual({ id: "" });
    expect(await org.read(orgId, {} as any)).toEqual({ id: "" });
    configure();
    expect(await org.read(FINHUB_SEED.otherOrganization.id, {} as any)).toEqual({ id: "" });
    // A token of the other tenant with this tenant's id: 401 with a next step.
    configure({ "finhub:token": FINHUB_SEED.tenants.other.token });
    await expect(shareholder.read(ids.sam, outs.sam)).rejects.toThrow(/401.*set finhub:token/);
  });

  it("delete is idempotent, and no password or token ever reaches a log line", async () => {
    await shareholder.delete(ids.sid, outs.sid);
    await shareholder.delete(ids.sid, outs.sid);
    expect(logs.join("\n")).toMatch(/already gone/);
    const everything = logs.join("\n");
    expect(everything).not.toContain(tenant.token);
    for (const o of Object.values(outs)) if (o.temporaryPassword) expect(everything).not.toContain(o.temporaryPassword);
  });
});

describe("review: races, lost ids, reads that must not invent deletion", () => {
  async function readyOrg(tag: string) {
    const orgId = await newOrg(`${tag}@review.example`);
    const admin = await employee.create(
      await checked(employee, { organizationId: orgId, person: person("Ada", `ada.${tag}@review.example`), role: "ADMIN_USER", roles: ["ADMIN_USER", "COMPLIANCE_OFFICER"] }),
    );
    const eve = await employee.create(await checked(employee, { organizationId: orgId, person: person("Eve", `eve.${tag}@review.example`), role: "EMPLOYEE" }));
    await director.create(await checked(director, { organizationId: orgId, person: person("Dan", `dan.${tag}@review.example`), role: "MANAGING_DIRECTOR", ownershipPercentage: 100 }));
    return { orgId, admin, eve };
  }
  const settings = (body: object) =>
    fetch(`${sb.url}/__sandbox/finhub/settings`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  it("resuming an organization left ACTIVATING by a timeout does not ask FinHub to activate it again", async () => {
    const { orgId } = await readyOrg("resume");
    await settings({ activationDelayMs: 1_300 });
    try {
      const inputs = await checked(activation, { organizationId: orgId, consents: ["terms", "privacy", "data-processing"], pollIntervalMs: 50, timeoutSeconds: 1 });
      const err = await activation.create(inputs).catch((e) => e);
      expect(err.message).toMatch(/still ACTIVATING/);
      expect(err.properties).toMatchObject({ status: "ACTIVATING" });
      expect(await activation.diff(orgId, err.properties, inputs)).toMatchObject({ changes: true, replaces: [] });
      const u = await activation.update(orgId, err.properties, inputs);
      expect(u.outs).toMatchObject({ status: "ACTIVE" });
      const posts = finhubRequests().filter((r) => r.method === "POST" && r.path === `/finhub/api/v2.1/customer/organization/${orgId}/activation`);
      expect(posts).toHaveLength(1);
    } finally {
      await settings({ activationDelayMs: 150 });
    }
  });

  it("moving ADMIN_USER from one employee to another in parallel updates does not depend on which PUT goes first", async () => {
    const { orgId, admin, eve } = await readyOrg("swap");
    const adaNews = await checked(employee, { organizationId: orgId, person: admin.outs.person, role: "COMPLIANCE_OFFICER" });
    const eveNews = await checked(employee, { organizationId: orgId, person: eve.outs.person, role: "ADMIN_USER" });
    // The engine runs both updates at once; the one taking ADMIN_USER away starts first.
    const [a, e] = await Promise.allSettled([
      employee.update(admin.id, admin.outs, adaNews),
      new Promise((r) => setTimeout(r, 10)).then(() => employee.update(eve.id, eve.outs, eveNews)),
    ]);
    expect(e.status).toBe("fulfilled");
    expect(a.status === "rejected" ? String((a as PromiseRejectedResult).reason) : "").toBe("");
    const people = sb.sandbox.state.finhub.people.filter((p: any) => p.organizationId === orgId && p.kind === "employee");
    expect(people.find((p: any) => p.id === admin.id).roles).toEqual(["COMPLIANCE_OFFICER"]);
    expect(people.find((p: any) => p.id === eve.id).roles).toEqual(["ADMIN_USER"]);
  });

  it("a 200 answer that is no list (an HTML page) fails refresh instead of reporting every person gone", async () => {
    const http = await import("http");
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html><body>Sign in</body></html>");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    try {
      configure({ "finhub:apiUrl": `http://127.0.0.1:${(server.address() as any).port}` });
      const props: any = { organizationId: "2f6ddd86-9ef1-45b6-a16d-058b3ccf29e4", person: person("A", "a@x.example") };
      for (const p of [director, shareholder, employee]) {
        const r = await p.read("0b7c2a5e-1111-4222-8333-444455556666", props).then(
          (v) => v,
          (e) => e,
        );
        expect(r).toBeInstanceOf(Error);
        expect(r.message).toMatch(/FinHub/);
      }
    } finally {
      server.close();
    }
  });

  it("a shareholder batch answered without emails never gives a resource another's record", async () => {
    const { enqueueShareholder } = await import("../../provider/finhub/shareholder");
    const stub: any = {
      settings: { apiUrl: "stub://", tenantId: "t" },
      // An answer in another order than the request, records carrying no email to match them by.
      addShareholders: async (_org: string, bodies: any[]) => bodies.map((b) => ({ id: `rec-${b.person.email}` })).reverse(),
    };
    const emails = ["one@review.example", "two@review.example", "three@review.example"];
    const results = await Promise.allSettled(emails.map((e) => enqueueShareholder(stub, "org-stub", e, { person: { email: e } })));
    results.forEach((r, i) => {
      if (r.status === "fulfilled") expect(r.value.id).toBe(`rec-${emails[i]}`);
      // Unmatched: an ambiguous outcome, so create reads the list (by email) before it writes again.
      else expect((r as PromiseRejectedResult).reason).toMatchObject({ ambiguous: true });
    });
  });

  it("a shareholder already in FinHub under another name: create says what differs and what to do", async () => {
    const orgId = await newOrg("named@review.example");
    const first = await checked(shareholder, { organizationId: orgId, person: person("Kim", "kim@review.example"), ownershipPercentage: 10 });
    await shareholder.create(first);
    const renamed = await checked(shareholder, { organizationId: orgId, person: person("Kimberly", "kim@review.example"), ownershipPercentage: 10 });
    const err = await shareholder.create(renamed).catch((e) => e);
    expect(err.message).toMatch(/kim@review\.example is already a shareholder/);
    expect(err.message).not.toMatch(/this change replaces it/);
  });
});
