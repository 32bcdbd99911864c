// The FinHub half of the sandbox, driven directly over HTTP: headers and tenants, registration, the
// personnel rules (first ADMIN_USER, unique emails, last ADMIN_USER), paging, the update-shareholder
// body, activation's prerequisites (shareholders only at 100 %), one activation at a time, the dialect
// knobs and the control routes. The shapes themselves are checked by tests/contract/finhub.contract.test.ts.
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSandbox, FINHUB_SEED, RunningSandbox } from "../../sandbox";
import { DEFAULT_DIALECT, MISSING_ADMIN_MESSAGE } from "../../sandbox/finhub";

const acme = FINHUB_SEED.tenants.acme;
const other = FINHUB_SEED.tenants.other;
const V = "/api/v2.1/customer/organization";
let sb: RunningSandbox;

beforeAll(async () => {
  sb = await startSandbox({ rateLimits: false });
});
afterAll(async () => {
  await sb?.stop();
});
beforeEach(async () => {
  await control("POST", "/reset");
  await control("POST", "/finhub/settings", { kybDelayMs: 20, activationDelayMs: 30 });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function control(method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${sb.url}/__sandbox${p}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

interface Answer {
  status: number;
  body: any;
}

async function call(method: string, p: string, body?: unknown, headers: Record<string, string> = {}, tenant = acme): Promise<Answer> {
  const res = await fetch(`${sb.finhubUrl}${p}`, {
    method,
    headers: {
      authorization: `Bearer ${tenant.token}`,
      "x-tenant-id": tenant.id,
      "user-agent": "sandbox-finhub-test",
      "content-type": "application/json",
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const raw = await res.text();
  return { status: res.status, body: raw ? JSON.parse(raw) : undefined };
}

const finhub = async () => (await control("GET", "/finhub/state")).body;

const registration = (email = "org@unit.example", extra: Record<string, unknown> = {}) => ({
  email,
  password: "Unit-Passw0rd!",
  matchingPassword: "Unit-Passw0rd!",
  roleIds: [],
  customerCategory: { id: "BUSINESS", name: "Business" },
  organizationCustomer: {
    customerName: "Unit",
    organization: { legalName: "Unit Ltd", registrationNumber: "1", addresses: [{ type: "REGISTERED", street: "1 St", city: "London", postalCode: "E1", country: "GB", isPrimary: true }] },
    user: { username: "unit", email, password: "Unit-User-Passw0rd!", status: "ACTIVE", roles: [] },
  },
  ...extra,
});

async function register(tenant = acme): Promise<string> {
  const a = await call("POST", `${V}/registration`, registration(), {}, tenant);
  expect(a.status).toBe(200);
  return a.body.data.organizationId;
}

const person = (first: string, email = `${first.toLowerCase()}@unit.example`) => ({ firstName: first, lastName: "Unit", email });

async function addEmployee(org: string, first: string, position = "EMPLOYEE", roles = [position], department = "Operations", email?: string) {
  return call("POST", `${V}/${org}/employee`, { person: person(first, email), position, roles, department });
}
async function addAdmin(org: string, first = "Ada"): Promise<string> {
  const a = await addEmployee(org, first, "ADMIN_USER", ["ADMIN_USER"], "Management");
  expect(a.status).toBe(200);
  return a.body.data.individual.userId;
}
async function addDirector(org: string, first: string, ownershipPercentage?: number) {
  return call("POST", `${V}/${org}/director`, { person: person(first), role: "MANAGING_DIRECTOR", ...(ownershipPercentage === undefined ? {} : { ownershipPercentage }) });
}
async function addShareholders(org: string, holders: [string, number][]) {
  return call("POST", `${V}/${org}/shareholders`, holders.map(([first, pct]) => ({ person: person(first), ownershipPercentage: pct })));
}
async function listEmployees(org: string, query = "") {
  return call("GET", `${V}/${org}/employees${query}`);
}
async function shareholders(org: string): Promise<any[]> {
  return (await call("GET", `/api/v2/organizations/${org}/shareholders`)).body.data.shareholders;
}
const asActor = (userId: string, roles = "ADMIN_USER") => ({ "x-user-id": userId, "x-user-roles": roles });
const activate = (org: string, userId: string, roles = "ADMIN_USER") => call("POST", `${V}/${org}/activation`, { activationReason: "unit" }, asActor(userId, roles));

async function verifyAndConsent(org: string, userId: string) {
  expect((await call("POST", `${V}/${org}/verify`, {}, asActor(userId))).status).toBe(200);
  for (const c of ["terms", "privacy", "data-processing"]) expect((await call("POST", `${V}/${org}/consents/${c}`, { accepted: true, version: "1.0" })).status).toBe(200);
}

/** An organization with everything activation needs (KYB approved); returns the admin's user id. */
async function ready(org: string): Promise<string> {
  const admin = await addAdmin(org);
  expect((await addDirector(org, "Dan")).status).toBe(200);
  expect((await addShareholders(org, [["Sam", 70], ["Sue", 30]])).status).toBe(200);
  await verifyAndConsent(org, admin);
  await sleep(40);
  return admin;
}

const orgStatus = async (org: string) => (await call("GET", `${V}/${org}`)).body.data.status;

/** A request without a User-Agent (fetch always sends one). */
function rawRequest(p: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const u = new URL(`${sb.finhubUrl}${p}`);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: "GET", headers }, (res) => {
      let raw = "";
      res.on("data", (c) => (raw += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: raw ? JSON.parse(raw) : undefined }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("headers and tenants", () => {
  it("every call needs X-Tenant-ID (exact), a bearer token of that tenant and a User-Agent; runner headers are accepted", async () => {
    const org = await register();
    const missingTenant = await call("GET", `${V}/${org}`, undefined, { "x-tenant-id": "" });
    expect(missingTenant).toMatchObject({ status: 400, body: { code: 400, data: { error: "MISSING_HEADER", field: "X-Tenant-ID" } } });
    expect((await call("GET", `${V}/${org}`, undefined, { "x-tenant-id": acme.id.toUpperCase() })).status).toBe(401);
    expect((await call("GET", `${V}/${org}`, undefined, { authorization: `Bearer ${other.token}` })).status).toBe(401);
    expect((await call("GET", `${V}/${org}`, undefined, { authorization: acme.token })).status).toBe(401);
    const noAgent = await rawRequest(`${V}/${org}`, { authorization: `Bearer ${acme.token}`, "x-tenant-id": acme.id });
    expect(noAgent).toMatchObject({ status: 400, body: { data: { error: "MISSING_HEADER", field: "User-Agent" } } });
    const runner = await call("GET", `${V}/${org}`, undefined, { "x-forwarded-for": "203.0.113.7", "x-forwarded-from": "orgstack", platform: "API", deviceId: "d1" });
    expect(runner.status).toBe(200);
  });

  it("tenants are isolated: another tenant's organization and people are 404", async () => {
    const mine = await register();
    const admin = await addAdmin(mine);
    await addShareholders(mine, [["Sam", 100]]);
    const [sam] = await shareholders(mine);
    const theirs = FINHUB_SEED.otherOrganization.id;
    expect((await call("GET", `${V}/${theirs}`)).status).toBe(404);
    expect((await call("GET", `${V}/${theirs}`, undefined, {}, other)).body.data.status).toBe("PENDING_VERIFICATION");
    expect((await call("GET", `${V}/${mine}`, undefined, {}, other)).status).toBe(404);
    expect((await addDirector(theirs, "Zed")).status).toBe(404);
    expect((await call("GET", `${V}/${mine}/employees`, undefined, {}, other)).status).toBe(404);
    expect((await call("GET", `/api/v2/organizations/${mine}/shareholders`, undefined, {}, other)).status).toBe(404);
    expect((await call("POST", `${V}/${mine}/activation`, {}, asActor(admin), other)).status).toBe(404);
    const upd = await call("PUT", `/api/v2.1/shareholder/update/${sam.shareholderId}`, {}, { "x-forwarded-for": "1.2.3.4" }, other);
    expect(upd).toMatchObject({ status: 404, body: { code: 404, data: { error: "NOT_FOUND" } } });
  });

  it("errors, even an unknown route, use FinHub's envelope", async () => {
    const a = await call("GET", "/api/v2.1/nowhere");
    expect(a).toMatchObject({ status: 404, body: { code: 404, message: expect.any(String), data: { error: "NOT_FOUND" } } });
  });
});

describe("registration and the organization", () => {
  it("requires email, matching passwords and a legal name, and answers the documented shape", async () => {
    const field = async (body: unknown) => {
      const a = await call("POST", `${V}/registration`, body);
      expect(a.status).toBe(400);
      expect(a.body.data.error).toBe("VALIDATION_ERROR");
      return a.body.data.field;
    };
    expect(await field({ ...registration(), email: "not-an-email" })).toBe("email");
    expect(await field({ ...registration(), password: "" })).toBe("password");
    expect(await field({ ...registration(), matchingPassword: "different" })).toBe("matchingPassword");
    expect(await field({ ...registration(), organizationCustomer: { customerName: "x", organization: {} } })).toBe("organizationCustomer.organization.legalName");
    expect(await field({ legalName: "Flat Ltd", email: "flat@unit.example", country: "GB" })).toBe("password");
    const a = await call("POST", `${V}/registration`, registration());
    expect(a.status).toBe(200);
    expect(Object.keys(a.body).sort()).toEqual(["code", "data", "message"]);
    expect(a.body.data).toEqual({
      individual: false,
      organization: true,
      adminEmployees: [],
      id: a.body.data.organizationId,
      organizationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      tenantId: acme.id,
      email: "org@unit.example",
    });
  });

  it("a resent registration makes a second organization", async () => {
    const first = await register();
    const second = await register();
    expect(second).not.toBe(first);
    const mine = (await finhub()).organizations.filter((o: any) => o.tenantId === acme.id);
    expect(mine.map((o: any) => o.organizationId).sort()).toEqual([first, second].sort());
  });

  it("keeps no password in plain text: registration passwords and temporary passwords are hashed", async () => {
    await control("POST", "/finhub/dialect", { credentials: "individual" });
    const org = await register();
    const emp = await addEmployee(org, "Ada", "ADMIN_USER");
    const temporaryPassword = emp.body.data.individual.temporaryPassword;
    expect(temporaryPassword).toMatch(/.{8,}/);
    const state = await finhub();
    const text = JSON.stringify(state);
    for (const secret of ["Unit-Passw0rd!", "Unit-User-Passw0rd!", temporaryPassword]) expect(text).not.toContain(secret);
    expect(state.organizations.find((o: any) => o.organizationId === org).passwordHash).toMatch(/^sha256\$/);
    expect(state.customers[0].temporaryPasswordHash).toMatch(/^sha256\$/);
  });

  it("status: PENDING_VERIFICATION, PENDING_ACTIVATION once KYB is APPROVED, ACTIVATING, ACTIVE", async () => {
    await control("POST", "/finhub/settings", { kybDelayMs: 250, activationDelayMs: 250 });
    const org = await register();
    expect(await orgStatus(org)).toBe("PENDING_VERIFICATION");
    const admin = await addAdmin(org);
    await addDirector(org, "Dan");
    await addShareholders(org, [["Sam", 100]]);
    await verifyAndConsent(org, admin);
    expect(await orgStatus(org)).toBe("PENDING_VERIFICATION");
    await sleep(280);
    expect(await orgStatus(org)).toBe("PENDING_ACTIVATION");
    expect((await activate(org, admin)).body.data.activation.status).toBe("ACTIVATING");
    expect(await orgStatus(org)).toBe("ACTIVATING");
    await sleep(280);
    expect(await orgStatus(org)).toBe("ACTIVE");
  });

  it("DELETE organization is refused (409) while personnel remain", async () => {
    const org = await register();
    await addAdmin(org);
    const refused = await call("DELETE", `${V}/${org}`);
    expect(refused).toMatchObject({ status: 409, body: { code: 409, data: { error: "ORGANIZATION_HAS_PERSONNEL" } } });
    const [ada] = (await listEmployees(org)).body.data.employees;
    expect((await call("DELETE", `${V}/${org}/employees/${ada.employeeId}`)).status).toBe(204);
    const gone = await call("DELETE", `${V}/${org}`);
    expect(gone).toEqual({ status: 204, body: undefined });
    expect((await call("GET", `${V}/${org}`)).status).toBe(404);
  });
});

describe("employees", () => {
  it("the first employee must hold ADMIN_USER (the documented 400); in position or in roles", async () => {
    const org = await register();
    const refused = await addEmployee(org, "Eve");
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe(400);
    expect(refused.body.message).toBe(MISSING_ADMIN_MESSAGE);
    expect(refused.body.message.startsWith("Missing required role 'ADMIN_USER' for BUSINESS_TYPE_CLIENT_TO_TENANT organization.")).toBe(true);
    expect((await listEmployees(org)).body.data.pagination.total).toBe(0);
    const co = await addEmployee(org, "Cory", "COMPLIANCE_OFFICER", ["COMPLIANCE_OFFICER", "ADMIN_USER"]);
    expect(co.status).toBe(200);
    expect((await addEmployee(org, "Eve")).status).toBe(200);
  });

  it("takes position (not role) and roles[], and answers data.individual{ userId, email } only", async () => {
    const org = await register();
    const noPosition = await call("POST", `${V}/${org}/employee`, { person: person("Ada"), role: "ADMIN_USER", roles: ["ADMIN_USER"] });
    expect(noPosition).toMatchObject({ status: 400, body: { data: { error: "VALIDATION_ERROR", field: "position" } } });
    const a = await addEmployee(org, "Ada", "ADMIN_USER");
    expect(a.body).toEqual({ code: 200, message: "Employee added successfully with role validation", data: { individual: { userId: expect.any(String), email: "ada@unit.example" } } });
    const [item] = (await listEmployees(org)).body.data.employees;
    expect(item).toEqual({ employeeId: expect.any(String), firstName: "Ada", lastName: "Unit", email: "ada@unit.example", department: "Operations", role: "ADMIN_USER", status: "ACTIVE", hiredDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    expect(item.employeeId).not.toBe(a.body.data.individual.userId);
  });

  it("lists in pages (page from 0, size default 20) with department and role filters", async () => {
    const org = await register();
    await addAdmin(org);
    for (let i = 1; i < 45; i++) expect((await addEmployee(org, `E${i}`, i % 10 === 0 ? "TRANSACTION_APPROVER" : "EMPLOYEE", undefined, i % 2 ? "Ops" : "Finance")).status).toBe(200);
    const page = async (q: string) => (await listEmployees(org, q)).body.data;
    const p0 = await page("");
    expect(p0.employees).toHaveLength(20);
    expect(p0.pagination).toEqual({ total: 45, page: 0, size: 20 });
    expect((await page("?page=1")).employees).toHaveLength(20);
    const p2 = await page("?page=2");
    expect(p2.employees).toHaveLength(5);
    expect(p2.pagination).toEqual({ total: 45, page: 2, size: 20 });
    expect((await page("?page=3")).employees).toHaveLength(0);
    const emails = new Set([...p0.employees, ...(await page("?page=1")).employees, ...p2.employees].map((e: any) => e.email));
    expect(emails.size).toBe(45);
    expect((await page("?size=50")).employees).toHaveLength(45);
    expect((await listEmployees(org, "?size=0")).status).toBe(400);
    expect((await listEmployees(org, "?page=-1")).status).toBe(400);
    expect((await page("?department=Finance&size=100")).pagination.total).toBe(22);
    expect((await page("?role=TRANSACTION_APPROVER")).employees.map((e: any) => e.email)).toEqual(["e10@unit.example", "e20@unit.example", "e30@unit.example", "e40@unit.example"]);
    expect((await page("?role=ADMIN_USER")).pagination.total).toBe(1);
  });

  it("role changes answer { code, message } and at least one ADMIN_USER must remain", async () => {
    const org = await register();
    await addAdmin(org);
    await addEmployee(org, "Eve");
    const ids = Object.fromEntries((await listEmployees(org)).body.data.employees.map((e: any) => [e.firstName, e.employeeId]));
    const demote = await call("PUT", `${V}/${org}/employees/${ids.Ada}/roles`, { position: "EMPLOYEE", roles: ["EMPLOYEE"] });
    expect(demote).toMatchObject({ status: 400, body: { message: MISSING_ADMIN_MESSAGE } });
    expect((await call("DELETE", `${V}/${org}/employees/${ids.Ada}`)).status).toBe(400);
    const promote = await call("PUT", `${V}/${org}/employees/${ids.Eve}/roles`, { position: "ADMIN_USER", roles: ["ADMIN_USER", "EMPLOYEE"] });
    expect(promote).toEqual({ status: 200, body: { code: 200, message: "Employee roles updated successfully" } });
    expect((await call("PUT", `${V}/${org}/employees/${ids.Ada}/roles`, { roles: ["EMPLOYEE"] })).status).toBe(400); // position required
    expect((await call("PUT", `${V}/${org}/employees/${ids.Ada}/roles`, { position: "EMPLOYEE", roles: ["EMPLOYEE"] })).status).toBe(200);
    expect((await call("DELETE", `${V}/${org}/employees/${ids.Ada}`)).status).toBe(204);
    // The last employee may go, admin or not.
    expect((await call("DELETE", `${V}/${org}/employees/${ids.Eve}`)).status).toBe(204);
    expect((await call("DELETE", `${V}/${org}/employees/${ids.Eve}`)).status).toBe(404);
  });
});

describe("directors, shareholders and unique emails", () => {
  it("each person's email is unique in the tenant across directors, shareholders and employees: 409 DUPLICATE_EMAIL", async () => {
    const org = await register();
    const org2 = await register();
    await addAdmin(org);
    const expectDuplicate = (a: Answer) => {
      expect(a.status).toBe(409);
      expect(a.body.code).toBe(409);
      expect(a.body.message).toMatch(/email already exists/);
      expect(a.body.data.error).toBe("DUPLICATE_EMAIL");
    };
    expectDuplicate(await call("POST", `${V}/${org}/director`, { person: person("Ada", "ADA@unit.example"), role: "BOARD_MEMBER" }));
    expectDuplicate(await addShareholders(org2, [["Ada", 10]]));
    expectDuplicate(await addEmployee(org2, "Ada", "ADMIN_USER"));
    // A batch is all or nothing: one taken email (or a repeat inside it) refuses the whole array.
    await addDirector(org, "Dan");
    expectDuplicate(await addShareholders(org, [["Sam", 50], ["Dan", 50]]));
    expectDuplicate(await addShareholders(org, [["Sam", 50], ["Sam", 50]]));
    expect(await shareholders(org)).toEqual([]);
    // Another tenant is another namespace.
    const theirs = await register(other);
    expect((await call("POST", `${V}/${theirs}/employee`, { person: person("Ada"), position: "ADMIN_USER", roles: ["ADMIN_USER"] }, {}, other)).status).toBe(200);
  });

  it("adding a person creates an organization record and an individual customer; removing frees the email", async () => {
    const org = await register();
    await addAdmin(org);
    const dan = await addDirector(org, "Dan", 40);
    const st = await finhub();
    const record = st.people.find((p: any) => p.kind === "director");
    const customer = st.customers.find((c: any) => c.email === "dan@unit.example");
    expect(record.id).toBe(dan.body.data.organization.id);
    expect(customer).toMatchObject({ recordId: record.id, id: record.individualCustomerId, type: "INDIVIDUAL", temporaryPasswordHash: expect.stringMatching(/^sha256\$/) });
    expect((await call("DELETE", `${V}/${org}/directors/${record.id}`)).status).toBe(204);
    expect((await finhub()).customers.some((c: any) => c.email === "dan@unit.example")).toBe(false);
    expect((await addDirector(org, "Dan")).status).toBe(200);
  });

  it("directors: the add answer's organization record, the flat list without ownership or user id", async () => {
    const org = await register();
    const a = await call("POST", `${V}/${org}/director`, { person: person("Dan"), role: "NON_EXECUTIVE_DIRECTOR", ownershipPercentage: 40, primaryContact: true });
    expect(a.body).toEqual({
      code: 200,
      message: "Director added successfully",
      data: {
        organization: {
          id: expect.any(String),
          organizationId: org,
          email: "dan@unit.example",
          firstName: "Dan",
          lastName: "Unit",
          position: "NON_EXECUTIVE_DIRECTOR",
          directorType: "NON_EXECUTIVE",
          appointmentDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
          status: "ACTIVE",
          verificationStatus: "PENDING",
        },
      },
    });
    const list = await call("GET", `${V}/${org}/directors`);
    expect(list.body).toEqual({
      success: true,
      data: { directors: [{ directorId: a.body.data.organization.id, firstName: "Dan", lastName: "Unit", email: "dan@unit.example", role: "NON_EXECUTIVE_DIRECTOR", appointedDate: a.body.data.organization.appointmentDate, status: "ACTIVE" }] },
    });
    expect((await call("POST", `${V}/${org}/director`, { person: person("Ceo"), role: "CEO" })).body.data.field).toBe("role");
    expect((await call("POST", `${V}/${org}/director`, { person: person("Pct"), role: "BOARD_MEMBER", ownershipPercentage: 140 })).status).toBe(400);
  });

  it("shareholders: an array body, answered in request order without email; the list", async () => {
    const org = await register();
    expect((await call("POST", `${V}/${org}/shareholders`, { person: person("Sam"), ownershipPercentage: 10 })).status).toBe(400);
    expect((await call("POST", `${V}/${org}/shareholders`, [{ person: person("Sam") }])).body.data.field).toBe("[0].ownershipPercentage");
    const a = await addShareholders(org, [["Sam", 60], ["Sue", 40]]);
    expect(a.status).toBe(200);
    expect(a.body).toEqual({
      success: true,
      data: [
        { shareholderId: expect.any(String), status: "PENDING_VERIFICATION", createdAt: expect.any(String) },
        { shareholderId: expect.any(String), status: "PENDING_VERIFICATION", createdAt: expect.any(String) },
      ],
    });
    const list = await shareholders(org);
    expect(list.map((s) => [s.shareholderId, s.email, s.ownershipPercentage])).toEqual([
      [a.body.data[0].shareholderId, "sam@unit.example", 60],
      [a.body.data[1].shareholderId, "sue@unit.example", 40],
    ]);
    expect(Object.keys(list[0]).sort()).toEqual(["email", "firstName", "lastName", "ownershipPercentage", "shareholderId", "status"]);
  });

  it("update shareholder: X-Forwarded-For and the documented flat fields are required", async () => {
    const org = await register();
    await addShareholders(org, [["Sam", 60], ["Sue", 40]]);
    const [sam] = await shareholders(org);
    const body = {
      organizationId: org, firstName: "Samuel", lastName: "Unit", email: "samuel@unit.example", phoneNumber: "+44 1", dateOfBirth: "1980-01-01",
      nationality: "GB", address: "1 St", city: "London", country: "GB", postalCode: "E1", sharePercentage: 55, shareholderType: "INDIVIDUAL",
      idDocumentType: "PASSPORT", idDocumentNumber: "P1", idDocumentExpiryDate: "2031-01-01", isUbo: true,
    };
    const url = `/api/v2.1/shareholder/update/${sam.shareholderId}`;
    const xff = { "x-forwarded-for": "203.0.113.7" };
    expect((await call("PUT", url, body)).body.data).toMatchObject({ error: "MISSING_HEADER", field: "X-Forwarded-For" });
    const missing = await call("PUT", url, { ownershipPercentage: 55 }, xff);
    expect(missing.status).toBe(400);
    expect(missing.body.data.errors.map((e: any) => e.field)).toEqual([
      "organizationId", "firstName", "lastName", "email", "phoneNumber", "dateOfBirth", "nationality", "address", "city",
      "country", "postalCode", "shareholderType", "idDocumentType", "idDocumentNumber", "idDocumentExpiryDate", "sharePercentage",
    ]);
    const { phoneNumber: _p, ...noPhone } = body;
    expect((await call("PUT", url, noPhone, xff)).body.data.errors).toEqual([{ field: "phoneNumber", message: "phoneNumber is required" }]);
    expect((await call("PUT", url, { ...body, organizationId: FINHUB_SEED.otherOrganization.id }, xff)).body.data.field).toBe("organizationId");
    expect((await call("PUT", url, { ...body, email: "sue@unit.example" }, xff)).status).toBe(409);
    const ok = await call("PUT", url, body, xff);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ success: true, message: "Shareholder updated successfully", data: { shareholderId: sam.shareholderId, sharePercentage: 55 } });
    const [after] = await shareholders(org);
    expect(after).toMatchObject({ shareholderId: sam.shareholderId, firstName: "Samuel", email: "samuel@unit.example", ownershipPercentage: 55 });
    // The old email is free again, the new one taken.
    expect((await addDirector(org, "Sam")).status).toBe(200);
    expect((await call("POST", `${V}/${org}/director`, { person: person("Samuel"), role: "BOARD_MEMBER" })).status).toBe(409);
  });
});

describe("activation", () => {
  it("counts shareholders only toward 100 %: a director's ownership never does", async () => {
    const org = await register();
    const admin = await addAdmin(org);
    await addDirector(org, "Dan", 60);
    await addShareholders(org, [["Sam", 40]]);
    await verifyAndConsent(org, admin);
    await sleep(40);
    const refused = await activate(org, admin);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 422, data: { error: "ACTIVATION_PREREQUISITES_NOT_MET" } });
    expect(refused.body.message).toMatch(/shareholder ownership totalling exactly 100% \(now 40%\)/);
    await control("PUT", `/finhub/organizations/${org}/shareholders/sam@unit.example`, { ownershipPercentage: 100 });
    const ok = await activate(org, admin);
    expect(ok.status).toBe(200);
    expect(ok.body.data.activation.status).toBe("ACTIVATING");
  });

  it("names every missing prerequisite, then activates", async () => {
    await control("POST", "/finhub/settings", { kybDelayMs: 300 });
    const org = await register();
    const admin = await addAdmin(org);
    const first = await activate(org, admin);
    expect(first.status).toBe(422);
    for (const m of [/at least one director/, /shareholder ownership.*now 0%/, /KYB verification APPROVED \(now NOT_STARTED\)/, /consents terms, privacy, data-processing/]) expect(first.body.message).toMatch(m);
    expect(first.body.message).not.toMatch(/ADMIN_USER/);
    await addDirector(org, "Dan");
    await addShareholders(org, [["Sam", 100]]);
    expect((await call("POST", `${V}/${org}/verify`, {}, asActor(admin))).body.data).toMatchObject({ status: "PENDING", verificationType: "KYB" });
    await call("POST", `${V}/${org}/consents/terms`, { accepted: true, version: "1.0" });
    const second = await activate(org, admin);
    expect(second.body.message).toMatch(/KYB verification APPROVED \(now PENDING\)/);
    expect(second.body.message).toMatch(/consents privacy, data-processing/);
    expect(second.body.message).not.toMatch(/director|shareholder/);
    for (const c of ["privacy", "data-processing"]) await call("POST", `${V}/${org}/consents/${c}`, { accepted: true, version: "1.0" });
    await sleep(330);
    expect((await activate(org, admin)).status).toBe(200);
  });

  it("the acting user is an ADMIN_USER or COMPLIANCE_OFFICER employee of the organization (X-User-ID, X-User-Roles)", async () => {
    const org = await register();
    const admin = await ready(org);
    const eve = (await addEmployee(org, "Eve")).body.data.individual.userId;
    const co = (await addEmployee(org, "Cory", "COMPLIANCE_OFFICER")).body.data.individual.userId;
    const elsewhere = await register();
    const stranger = await addAdmin(elsewhere, "Stranger");
    expect((await call("POST", `${V}/${org}/activation`, {}, { "x-user-roles": "ADMIN_USER" })).body.data).toMatchObject({ error: "MISSING_HEADER", field: "X-User-ID" });
    expect((await call("POST", `${V}/${org}/activation`, {}, { "x-user-id": admin })).body.data).toMatchObject({ error: "MISSING_HEADER", field: "X-User-Roles" });
    expect((await activate(org, stranger)).status).toBe(403);
    expect((await activate(org, eve, "ADMIN_USER")).status).toBe(403);
    expect((await activate(org, admin, "EMPLOYEE")).status).toBe(403);
    const employeeId = (await listEmployees(org)).body.data.employees[0].employeeId; // a record id is not a user id
    expect((await activate(org, employeeId)).status).toBe(403);
    const ok = await activate(org, co, "COMPLIANCE_OFFICER");
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({
      code: 200,
      message: "Success",
      data: { activation: { message: expect.any(String), status: "ACTIVATING", activatedAt: expect.any(String), warnings: [expect.stringMatching(/wallet-status/)] } },
    });
  });

  it("a second activation while ACTIVATING or ACTIVE starts nothing and answers the current status", async () => {
    await control("POST", "/finhub/settings", { activationDelayMs: 300 });
    const org = await register();
    const admin = await ready(org);
    const first = await activate(org, admin);
    const requested = (await finhub()).organizations.find((o: any) => o.organizationId === org).activation;
    const second = await activate(org, admin);
    expect(second.status).toBe(200);
    expect(second.body.data.activation).toMatchObject({ status: "ACTIVATING", activatedAt: first.body.data.activation.activatedAt });
    expect((await finhub()).organizations.find((o: any) => o.organizationId === org).activation).toEqual(requested);
    await sleep(330);
    const third = await activate(org, admin);
    expect(third.body.data.activation).toMatchObject({ status: "ACTIVE", activatedAt: first.body.data.activation.activatedAt, warnings: [] });
    expect(await orgStatus(org)).toBe("ACTIVE");
  });

  it("KYB and activation delays are settings; verify needs X-User-ID and X-User-Roles; consents answer without data", async () => {
    await control("POST", "/finhub/settings", { kybDelayMs: 0, activationDelayMs: 0 });
    const org = await register();
    const admin = await addAdmin(org);
    expect((await call("POST", `${V}/${org}/verify`, {}, { "x-user-id": admin })).status).toBe(400);
    await addDirector(org, "Dan");
    await addShareholders(org, [["Sam", 100]]);
    await verifyAndConsent(org, admin);
    expect(await orgStatus(org)).toBe("PENDING_ACTIVATION");
    expect((await call("POST", `${V}/${org}/verify`, {}, asActor(admin))).body.data.status).toBe("APPROVED");
    expect((await call("POST", `${V}/${org}/consents/terms`, { accepted: true, version: "1.0" })).body).toEqual({ code: 200, message: "Success" });
    expect((await call("POST", `${V}/${org}/consents/marketing`, { accepted: true, version: "1.0" })).status).toBe(404);
    expect((await call("POST", `${V}/${org}/consents/terms`, { accepted: false, version: "1.0" })).status).toBe(400);
    expect((await call("GET", `${V}/${org}/activation/readiness`)).body.data.activationAllowed).toBe(true);
    expect((await activate(org, admin)).body.data.activation.status).toBe("ACTIVATING");
    expect(await orgStatus(org)).toBe("ACTIVE");
    expect((await control("POST", "/finhub/settings", { kybDelayMs: -1 })).status).toBe(400);
  });
});

describe("dialect and control routes", () => {
  it("knobs are validated, kept in the FinHub state across a state-file reload, and reset to the defaults", async () => {
    expect((await control("GET", "/finhub/dialect")).body).toEqual(DEFAULT_DIALECT);
    expect((await control("POST", "/finhub/dialect", { nope: 1 })).status).toBe(400);
    expect((await control("POST", "/finhub/dialect", { addStatus: 202 })).status).toBe(400);
    expect((await control("POST", "/finhub/dialect", { addStatus: 201, envelope: "both" })).body).toEqual({ ...DEFAULT_DIALECT, addStatus: 201, envelope: "both" });
    expect((await control("DELETE", "/finhub/dialect")).body).toEqual(DEFAULT_DIALECT);
    await control("POST", "/finhub/dialect", { shareholdersList: "bare" });
    await control("POST", "/reset");
    expect((await control("GET", "/finhub/dialect")).body).toEqual(DEFAULT_DIALECT);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "finhub-state-"));
    const stateFile = path.join(dir, "state.json");
    try {
      const one = await startSandbox({ rateLimits: false, stateFile });
      await fetch(`${one.url}/__sandbox/finhub/dialect`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ credentials: "top", deleteStatus: 200 }) });
      await one.stop();
      const two = await startSandbox({ rateLimits: false, stateFile });
      const d = await (await fetch(`${two.url}/__sandbox/finhub/dialect`)).json();
      await two.stop();
      expect(d).toEqual({ ...DEFAULT_DIALECT, credentials: "top", deleteStatus: 200 });
      // A state file from before the dialect existed loads with the defaults.
      const old = JSON.parse(fs.readFileSync(stateFile, "utf8"));
      delete old.finhub.dialect;
      fs.writeFileSync(stateFile, JSON.stringify(old));
      const three = await startSandbox({ rateLimits: false, stateFile });
      const d3 = await (await fetch(`${three.url}/__sandbox/finhub/dialect`)).json();
      await three.stop();
      expect(d3).toEqual(DEFAULT_DIALECT);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("serves the alternatives: credentials, envelopes, list shapes, statuses, no organization status", async () => {
    await control("POST", "/finhub/dialect", { credentials: "top", envelope: "both", shareholdersList: "bare", shareholderKey: "id", percentageField: "sharePercentage", shareholderAdd: "single", addStatus: 201, deleteStatus: 200, organizationStatus: "absent" });
    const org = await register();
    const emp = await addEmployee(org, "Ada", "ADMIN_USER");
    expect(emp.status).toBe(201);
    expect(emp.body).toMatchObject({ code: 201, success: true, data: { individual: { userId: expect.any(String) }, username: expect.any(String), temporaryPassword: expect.any(String) } });
    const sh = await addShareholders(org, [["Sam", 100]]);
    expect(sh.body.data).toEqual({ id: expect.any(String), status: "PENDING_VERIFICATION", createdAt: expect.any(String) });
    const list = await call("GET", `/api/v2/organizations/${org}/shareholders`);
    expect(list.body).toEqual({ code: 200, success: true, message: "Success", data: [{ id: sh.body.data.id, firstName: "Sam", lastName: "Unit", email: "sam@unit.example", sharePercentage: 100, status: "PENDING_VERIFICATION" }] });
    expect((await call("GET", `${V}/${org}`)).body.data.status).toBeUndefined();
    const del = await call("DELETE", `/api/v2/organizations/${org}/shareholders/${sh.body.data.id}`);
    expect(del).toMatchObject({ status: 200, body: { code: 200, success: true, message: expect.any(String) } });
    await control("POST", "/finhub/dialect", { credentials: "individual", envelope: "success" });
    const dan = await addDirector(org, "Dan");
    expect(dan.body).toMatchObject({ success: true, data: { organization: { id: expect.any(String) }, individual: { userId: expect.any(String), email: "dan@unit.example", username: expect.any(String), temporaryPassword: expect.any(String) } } });
    expect(dan.body.code).toBeUndefined();
  });

  it("out-of-band changes (FinHub's web UI): remove people, change roles and percentages; the state is readable", async () => {
    const org = await register();
    await addAdmin(org);
    await addEmployee(org, "Eve");
    await addDirector(org, "Dan");
    await addShareholders(org, [["Sam", 50]]);
    const C = `/finhub/organizations/${org}`;
    const [sam] = await shareholders(org);
    expect((await control("PUT", `${C}/shareholders/${sam.shareholderId}`, { ownershipPercentage: 75 })).body.ownershipPercentage).toBe(75);
    expect((await shareholders(org))[0].ownershipPercentage).toBe(75);
    expect((await control("PUT", `${C}/employees/eve@unit.example/roles`, { roles: ["COMPLIANCE_OFFICER"] })).body.role).toBe("COMPLIANCE_OFFICER");
    expect((await listEmployees(org, "?role=COMPLIANCE_OFFICER")).body.data.employees.map((e: any) => e.email)).toEqual(["eve@unit.example"]);
    expect((await control("PUT", `${C}/employees/eve@unit.example/roles`, { roles: ["GOD"] })).status).toBe(400);
    expect((await control("DELETE", `${C}/directors/dan@unit.example`)).status).toBe(200);
    expect((await call("GET", `${V}/${org}/directors`)).body.data.directors).toEqual([]);
    expect((await control("DELETE", `${C}/shareholders/${sam.shareholderId}`)).status).toBe(200);
    expect((await control("DELETE", `${C}/employees/ada@unit.example`)).status).toBe(200); // the web UI checks no rule here
    expect((await control("DELETE", `${C}/employees/nobody@unit.example`)).status).toBe(404);
    expect((await control("DELETE", `${C}/wizards/x`)).status).toBe(404);
    const st = await finhub();
    expect(st.people.map((p: any) => p.person.email)).toEqual(["eve@unit.example"]);
    expect(st.settings).toEqual({ kybDelayMs: 20, activationDelayMs: 30 });
  });
});
