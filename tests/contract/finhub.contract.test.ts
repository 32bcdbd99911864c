// The FinHub contract (finhubSpec.ts, written from ../shared/vendor-docs/finhub-responses.md) against the
// sandbox, over HTTP: a whole onboarding (register, employees past one page, directors, shareholders,
// update, KYB, consents, activation to ACTIVE, removals, error paths) in the default dialect and in
// every tolerated alternative (POST /__sandbox/finhub/dialect). Every request this test sends is checked
// against the request schemas before it goes out, and every exchange the sandbox logged afterwards.
// The onboarding below is written as a tolerant client would be: it reads ids and statuses wherever
// finhub-responses.md says they may be.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, FINHUB_SEED, RunningSandbox, LoggedRequest } from "../../sandbox";
import { DIALECT_CHOICES, DEFAULT_DIALECT, FinHubDialect } from "../../sandbox/finhub";
import { validateExchange, validateRequest } from "./finhubSpec";

const tenant = FINHUB_SEED.tenants.acme;
const V = "/api/v2.1/customer/organization";
let sb: RunningSandbox;

beforeAll(async () => {
  sb = await startSandbox({ rateLimits: false });
});
afterAll(async () => {
  await sb?.stop();
});

async function control(method: string, path: string, body?: unknown) {
  const res = await fetch(`${sb.url}/__sandbox${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json();
  if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Reset the sandbox and serve `dialect`; short delays for KYB and activation. */
async function fresh(dialect: Partial<FinHubDialect>) {
  await control("POST", "/reset");
  await control("POST", "/finhub/settings", { kybDelayMs: 30, activationDelayMs: 40 });
  return (await control("POST", "/finhub/dialect", dialect)) as FinHubDialect;
}

interface Answer {
  status: number;
  body: any;
}

/** A FinHub caller that checks each request against the contract before sending it. */
class Api {
  requestProblems: string[] = [];
  constructor(
    private token = tenant.token,
    private tenantId = tenant.id,
  ) {}

  async call(method: string, path: string, body?: unknown, extra: Record<string, string> = {}, opts: { deliberatelyBad?: boolean } = {}): Promise<Answer> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.token}`,
      "x-tenant-id": this.tenantId,
      "user-agent": "orgstack-contract-test/1.0",
      // The runner set (contradiction 12): safe on every reading.
      "x-forwarded-for": "203.0.113.7",
      "x-forwarded-from": "orgstack",
      platform: "API",
      deviceid: "contract-test",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...extra,
    };
    if (!opts.deliberatelyBad) this.requestProblems.push(...validateRequest(method, path, body, headers, { runnerHeaders: true }));
    const res = await fetch(`${sb.finhubUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const raw = await res.text();
    return { status: res.status, body: raw ? JSON.parse(raw) : undefined };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- request bodies, as the documents show them ----

const person = (first: string, email: string) => ({ firstName: first, lastName: "Contract", email, dateOfBirth: "1990-01-01", nationality: "GB", phoneNumber: "+44 20 7946 0000" });

const registration = (tag: string) => ({
  email: `org.${tag}@contract.example`,
  password: "Contract-Passw0rd!",
  matchingPassword: "Contract-Passw0rd!",
  roleIds: [],
  customerCategory: { id: "BUSINESS", name: "Business" },
  organizationCustomer: {
    customerName: `Contract ${tag}`,
    organization: {
      legalName: `Contract ${tag} Ltd`,
      tradingName: `Contract ${tag}`,
      registrationNumber: "12345678",
      taxId: "GB123456789",
      incorporationDate: "2020-01-15",
      legalForm: "LTD",
      industry: "FINANCIAL_SERVICES",
      businessDescription: "Payments",
      website: "https://contract.example",
      email: `org.${tag}@contract.example`,
      phone: "+44 20 7946 0001",
      addresses: [{ type: "REGISTERED", street: "1 High St", city: "London", postalCode: "EC1A 1AA", country: "GB", isPrimary: true }],
      representatives: [],
    },
    user: { username: `org.${tag}`, email: `org.${tag}@contract.example`, password: "Contract-Passw0rd!", status: "ACTIVE", roles: [] },
  },
});

const employee = (first: string, email: string, position: string, roles: string[], department: string) => ({ person: person(first, email), position, roles, department });

const shareholderUpdate = (organizationId: string, first: string, email: string, sharePercentage: number) => ({
  organizationId,
  firstName: first,
  lastName: "Contract",
  email,
  phoneNumber: "+44 20 7946 0000",
  dateOfBirth: "1990-01-01",
  nationality: "GB",
  address: "1 High St",
  city: "London",
  country: "GB",
  postalCode: "EC1A 1AA",
  sharePercentage,
  shareholderType: "INDIVIDUAL",
  idDocumentType: "PASSPORT",
  idDocumentNumber: "P1234567",
  idDocumentExpiryDate: "2030-01-01",
  isPep: false,
  isUbo: true,
});

const compliance = (userId: string) => ({ "x-user-id": userId, "x-user-roles": "ADMIN_USER,COMPLIANCE_OFFICER" });

// ---- tolerant readings (finhub-responses.md) ----

const is2xx = (a: Answer) => a.status >= 200 && a.status < 300;
const removedOk = (a: Answer) => a.status === 204 || a.status === 200;

function shareholdersOf(a: Answer): { id: string; email: string; pct: number }[] {
  const d = a.body.data;
  const items: any[] = Array.isArray(d) ? d : d.shareholders;
  return items.map((x) => ({ id: x.shareholderId ?? x.id, email: x.email, pct: x.ownershipPercentage ?? x.sharePercentage }));
}

async function allEmployees(api: Api, organizationId: string, query = ""): Promise<{ items: any[]; pages: number }> {
  const items: any[] = [];
  for (let page = 0; ; page++) {
    const a = await api.call("GET", `${V}/${organizationId}/employees?page=${page}${query}`);
    expect(a.status).toBe(200);
    const { employees, pagination } = a.body.data;
    items.push(...employees);
    if (employees.length === 0 || items.length >= pagination.total) return { items, pages: page + 1 };
  }
}

/** The whole onboarding; returns nothing, asserts as it goes. */
async function onboard(api: Api, tag: string, d: FinHubDialect) {
  const email = (who: string) => `${who}.${tag}@contract.example`;

  // Registration: 200 with id = organizationId; a resent registration is a second organization.
  const reg = await api.call("POST", `${V}/registration`, registration(tag));
  expect(reg.status).toBe(200);
  const orgId: string = reg.body.data.organizationId;
  expect(reg.body.data.id).toBe(orgId);
  const reg2 = await api.call("POST", `${V}/registration`, registration(tag));
  expect(reg2.status).toBe(200);
  const orgId2: string = reg2.body.data.organizationId;
  expect(orgId2).not.toBe(orgId);

  const status = async (): Promise<string | undefined> => {
    const a = await api.call("GET", `${V}/${orgId}`);
    expect(a.status).toBe(200);
    return a.body.data?.status;
  };
  expect(await status()).toBe(d.organizationStatus === "present" ? "PENDING_VERIFICATION" : undefined);

  // The first employee of the second organization without ADMIN_USER: 400, the documented message.
  const noAdmin = await api.call("POST", `${V}/${orgId2}/employee`, employee("Nia", email("nia"), "EMPLOYEE", ["EMPLOYEE"], "Operations"));
  expect(noAdmin.status).toBe(400);
  expect(noAdmin.body.message).toMatch(/^Missing required role 'ADMIN_USER' for BUSINESS_TYPE_CLIENT_TO_TENANT organization\./);
  expect(removedOk(await api.call("DELETE", `${V}/${orgId2}`))).toBe(true);

  // Employees: the admin first, then 22 more (23: more than one page of 20).
  const admin = await api.call("POST", `${V}/${orgId}/employee`, employee("Ada", email("ada"), "ADMIN_USER", ["ADMIN_USER", "COMPLIANCE_OFFICER"], "Management"));
  expect(is2xx(admin)).toBe(true);
  expect(admin.status).toBe(d.addStatus);
  expect(admin.body.message).toBe("Employee added successfully with role validation");
  const adminUserId: string = admin.body.data.individual.userId;
  const temporaryPassword = admin.body.data.individual.temporaryPassword ?? admin.body.data.temporaryPassword;
  expect(temporaryPassword === undefined).toBe(d.credentials === "absent");
  for (let i = 1; i <= 22; i++) {
    const a = await api.call("POST", `${V}/${orgId}/employee`, employee(`Emp${i}`, email(`emp${i}`), "EMPLOYEE", ["EMPLOYEE"], "Operations"));
    expect(is2xx(a)).toBe(true);
  }
  const { items: employees, pages } = await allEmployees(api, orgId);
  expect(employees).toHaveLength(23);
  expect(pages).toBe(2);
  const employeeId = (who: string) => employees.find((e) => e.email === email(who))!.employeeId as string;
  expect(employeeId("ada")).not.toBe(adminUserId); // the record id is not the user id
  expect((await allEmployees(api, orgId, "&department=Management")).items.map((e) => e.email)).toEqual([email("ada")]);
  expect((await allEmployees(api, orgId, "&role=ADMIN_USER")).items.map((e) => e.email)).toEqual([email("ada")]);
  const roles = await api.call("PUT", `${V}/${orgId}/employees/${employeeId("emp1")}/roles`, { position: "TRANSACTION_APPROVER", roles: ["TRANSACTION_APPROVER", "EMPLOYEE"] });
  expect(roles.status).toBe(200);
  expect((await allEmployees(api, orgId, "&role=TRANSACTION_APPROVER")).items.map((e) => e.role)).toEqual(["TRANSACTION_APPROVER"]);

  // Directors: the record id is data.organization.id; the list has it as directorId.
  const dan = await api.call("POST", `${V}/${orgId}/director`, { person: person("Dan", email("dan")), role: "MANAGING_DIRECTOR", ownershipPercentage: 40, primaryContact: true });
  expect(dan.status).toBe(d.addStatus);
  expect(dan.body.message).toBe("Director added successfully");
  const danCredentials = dan.body.data.individual?.temporaryPassword ?? dan.body.data.temporaryPassword;
  expect(danCredentials === undefined).toBe(d.credentials === "absent");
  const dee = await api.call("POST", `${V}/${orgId}/director`, { person: person("Dee", email("dee")), role: "NON_EXECUTIVE_DIRECTOR" });
  expect(is2xx(dee)).toBe(true);
  const directors = await api.call("GET", `${V}/${orgId}/directors`);
  expect(directors.body.data.directors.map((x: any) => x.directorId)).toEqual([dan.body.data.organization.id, dee.body.data.organization.id]);

  // A person's email is unique in the tenant, across kinds: 409 DUPLICATE_EMAIL.
  const dup = await api.call("POST", `${V}/${orgId}/director`, { person: person("Ada", email("ada")), role: "BOARD_MEMBER" });
  expect(dup.status).toBe(409);
  expect(dup.body.data.error).toBe("DUPLICATE_EMAIL");

  // Shareholders: an array body; the answer has no email, so re-list and match by email.
  const added = await api.call("POST", `${V}/${orgId}/shareholders`, [
    { person: person("Sam", email("sam")), ownershipPercentage: 60 },
    { person: person("Sue", email("sue")), ownershipPercentage: 30 },
  ]);
  expect(added.status).toBe(d.addStatus);
  const addedItems: any[] = Array.isArray(added.body.data) ? added.body.data : [added.body.data];
  expect(addedItems).toHaveLength(2);
  let holders = shareholdersOf(await api.call("GET", `/api/v2/organizations/${orgId}/shareholders`));
  const holderId = (who: string) => holders.find((h) => h.email === email(who))!.id;
  expect(addedItems.map((x) => x.shareholderId ?? x.id)).toEqual([holderId("sam"), holderId("sue")]); // request order
  const upd = await api.call("PUT", `/api/v2.1/shareholder/update/${holderId("sue")}`, shareholderUpdate(orgId, "Sue", email("sue"), 40));
  expect(upd.status).toBe(200);
  // A body without the required fields cannot update in place (contradiction 11).
  const badUpd = await api.call("PUT", `/api/v2.1/shareholder/update/${holderId("sue")}`, { ownershipPercentage: 40 }, {}, { deliberatelyBad: true });
  expect(badUpd.status).toBe(400);
  expect(badUpd.body.data.errors.map((e: any) => e.field)).toContain("sharePercentage");
  const sid = await api.call("POST", `${V}/${orgId}/shareholders`, [{ person: person("Sid", email("sid")), ownershipPercentage: 5 }]);
  expect(is2xx(sid)).toBe(true);
  expect(Array.isArray(sid.body.data)).toBe(d.shareholderAdd === "array");
  holders = shareholdersOf(await api.call("GET", `/api/v2/organizations/${orgId}/shareholders`));
  expect(holders.reduce((s, h) => s + h.pct, 0)).toBe(105);

  // KYB, consents, readiness (its body is not depended on).
  const kyb = await api.call("POST", `${V}/${orgId}/verify`, { type: "BUSINESS_VERIFICATION", requestedLevel: "TENANT_VERIFIED", requestedByUserId: adminUserId, notes: "contract test" }, compliance(adminUserId));
  expect(kyb.status).toBe(200);
  expect(kyb.body.data).toMatchObject({ status: "PENDING", verificationType: "KYB" });
  for (const c of ["terms", "privacy", "data-processing"]) {
    const a = await api.call("POST", `${V}/${orgId}/consents/${c}`, { accepted: true, version: "1.0" });
    expect(a.status).toBe(200);
  }
  expect((await api.call("GET", `${V}/${orgId}/activation/readiness`)).status).toBe(200);

  // 105 %: activation names the shareholding; back to 100 % by removing Sid.
  const activate = () => api.call("POST", `${V}/${orgId}/activation`, { activationReason: "Onboarding complete" }, compliance(adminUserId));
  const early = await activate();
  expect(early.status).toBe(422);
  expect(early.body.message).toMatch(/shareholder ownership/);
  expect(removedOk(await api.call("DELETE", `/api/v2/organizations/${orgId}/shareholders/${holderId("sid")}`))).toBe(true);

  // Activation: refused (422) while KYB is pending, then ACTIVATING; a second call starts nothing.
  let act = await activate();
  for (let i = 0; act.status === 422 && i < 100; i++) {
    expect(act.body.message).toMatch(/KYB/);
    await sleep(10);
    act = await activate();
  }
  expect(act.status).toBe(200);
  expect(act.body.data.activation.status).toBe("ACTIVATING");
  const again = await activate();
  expect(again.status).toBe(200);
  expect(again.body.data.activation.activatedAt).toBe(act.body.data.activation.activatedAt);
  // Poll until ACTIVE: the organization's status, or (when GET has none) the activation answer.
  let current = "ACTIVATING";
  for (let i = 0; current !== "ACTIVE" && i < 100; i++) {
    await sleep(10);
    current = d.organizationStatus === "present" ? ((await status()) as string) : (await activate()).body.data.activation.status;
  }
  expect(current).toBe("ACTIVE");

  // Error paths: another tenant's organization is 404, a wrong token 401.
  expect((await api.call("GET", `${V}/${FINHUB_SEED.otherOrganization.id}`)).status).toBe(404);
  expect((await new Api("not-a-token").call("GET", `${V}/${orgId}`)).status).toBe(401);

  // Removals: the organization is refused while personnel remain; the admin goes last.
  expect((await api.call("DELETE", `${V}/${orgId}`)).status).toBe(409);
  for (const x of directors.body.data.directors) expect(removedOk(await api.call("DELETE", `${V}/${orgId}/directors/${x.directorId}`))).toBe(true);
  for (const h of holders.filter((h) => h.email !== email("sid"))) expect(removedOk(await api.call("DELETE", `/api/v2/organizations/${orgId}/shareholders/${h.id}`))).toBe(true);
  for (const e of employees.filter((e) => e.email !== email("ada"))) expect(removedOk(await api.call("DELETE", `${V}/${orgId}/employees/${e.employeeId}`))).toBe(true);
  const lastAdmin = await api.call("DELETE", `${V}/${orgId}/employees/${employeeId("ada")}`);
  expect(removedOk(lastAdmin)).toBe(true);
  expect(lastAdmin.status).toBe(d.deleteStatus);
  expect(removedOk(await api.call("DELETE", `${V}/${orgId}`))).toBe(true);
  expect((await api.call("GET", `${V}/${orgId}`)).status).toBe(404);
}

function finhubExchanges(): LoggedRequest[] {
  return sb.sandbox.requests.filter((r) => r.module === "finhub");
}

/** Every non-default value of every knob, one at a time, then all of them at once. */
const ALTERNATIVES: [string, Partial<FinHubDialect>][] = [
  ...Object.entries(DIALECT_CHOICES).flatMap(([knob, values]) => values.slice(1).map((v) => [`${knob}=${String(v)}`, { [knob]: v }] as [string, Partial<FinHubDialect>])),
  ["every alternative at once", Object.fromEntries(Object.entries(DIALECT_CHOICES).map(([k, values]) => [k, values[values.length - 1]])) as Partial<FinHubDialect>],
];

const OPERATIONS_SEEN = [
  "POST /registration", "GET /{id}", "DELETE /{id}", "POST /{id}/employee", "GET /{id}/employees", "PUT /{id}/employees/{id}/roles",
  "DELETE /{id}/employees/{id}", "POST /{id}/director", "GET /{id}/directors", "DELETE /{id}/directors/{id}", "POST /{id}/shareholders",
  "GET /v2/{id}/shareholders", "DELETE /v2/{id}/shareholders/{id}", "PUT /shareholder/update/{id}", "POST /{id}/verify",
  "POST /{id}/consents/terms", "GET /{id}/activation/readiness", "POST /{id}/activation",
];
const opName = (x: LoggedRequest) =>
  `${x.method} ${x.path
    .replace("/finhub/api/v2.1/customer/organization", "")
    .replace("/finhub/api/v2/organizations", "/v2")
    .replace("/finhub/api/v2.1", "")
    .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "{id}")}`;

describe("FinHub contract: the sandbox against finhub-responses.md", () => {
  let defaultExchanges: LoggedRequest[] = [];

  it("a whole onboarding in the default dialect keeps the documented shapes exactly", async () => {
    const d = await fresh({});
    expect(d).toEqual(DEFAULT_DIALECT);
    const api = new Api();
    await onboard(api, "default", d);
    expect(api.requestProblems).toEqual([]);
    const exchanges = finhubExchanges();
    defaultExchanges = exchanges;
    for (const op of OPERATIONS_SEEN) expect(exchanges.map(opName)).toContain(op);
    for (const s of [400, 401, 404, 409, 422]) expect(exchanges.map((x) => x.status)).toContain(s);
    expect(exchanges.flatMap((x) => validateExchange(x, { strict: true, runnerHeaders: true }))).toEqual([]);
    expect(exchanges.flatMap((x) => validateExchange(x))).toEqual([]);
  });

  for (const [name, dialect] of ALTERNATIVES) {
    it(`a whole onboarding with ${name} keeps the tolerated shapes`, async () => {
      const d = await fresh(dialect);
      expect(d).toEqual({ ...DEFAULT_DIALECT, ...dialect });
      const api = new Api();
      await onboard(api, name.replace(/[^a-z0-9]/gi, "").toLowerCase(), d);
      expect(api.requestProblems).toEqual([]);
      const exchanges = finhubExchanges();
      expect(exchanges.flatMap((x) => validateExchange(x))).toEqual([]);
      // The alternative was really served: the strict (documented) reading rejects some answer.
      expect(exchanges.flatMap((x) => validateExchange(x, { strict: true })).length).toBeGreaterThan(0);
    });
  }

  it("the request schemas reject what the documents reject", () => {
    const org = "2f6ddd86-9ef1-45b6-a16d-058b3ccf29e4";
    const h = { "x-tenant-id": tenant.id, authorization: "Bearer t", "user-agent": "ua", "content-type": "application/json" };
    const p = person("Ada", "ada@contract.example");
    expect(validateRequest("POST", `${V}/registration`, registration("ok"), h)).toEqual([]);
    // The flows page's older flat registration body.
    expect(validateRequest("POST", `${V}/registration`, { legalName: "Flat Ltd", email: "a@b.example", country: "GB" }, h).join()).toMatch(/request body/);
    expect(validateRequest("POST", `${V}/registration`, { ...registration("x"), matchingPassword: "other" }, h).join()).toMatch(/matchingPassword/);
    // `role` instead of `position` (contradiction 10), an unknown role, no roles.
    expect(validateRequest("POST", `${V}/${org}/employee`, { person: p, role: "ADMIN_USER", roles: ["ADMIN_USER"] }, h).join()).toMatch(/position/);
    expect(validateRequest("POST", `${V}/${org}/employee`, { person: p, position: "ADMIN", roles: ["ADMIN"] }, h).join()).toMatch(/position/);
    // One shareholder object instead of the array.
    expect(validateRequest("POST", `${V}/${org}/shareholders`, { person: p, ownershipPercentage: 10 }, h).join()).toMatch(/request body/);
    // Update with the add body's vocabulary (contradiction 11), and without X-Forwarded-For.
    expect(validateRequest("PUT", "/api/v2.1/shareholder/update/x", { ownershipPercentage: 10 }, { ...h, "x-forwarded-for": "1.2.3.4" }).join()).toMatch(/sharePercentage/);
    expect(validateRequest("PUT", "/api/v2.1/shareholder/update/x", shareholderUpdate(org, "S", "s@x.example", 10), h).join()).toMatch(/x-forwarded-for header missing/);
    // The list example's director role, a consent not accepted, activation without the acting user.
    expect(validateRequest("POST", `${V}/${org}/director`, { person: p, role: "CEO" }, h).join()).toMatch(/role/);
    expect(validateRequest("POST", `${V}/${org}/consents/terms`, { accepted: false, version: "1.0" }, h).join()).toMatch(/accepted/);
    expect(validateRequest("POST", `${V}/${org}/activation`, {}, h).join()).toMatch(/x-user-id header missing[\s\S]*x-user-roles header missing/);
    expect(validateRequest("GET", `${V}/${org}/employees`, undefined, { ...h, "x-tenant-id": "" }).join()).toMatch(/X-Tenant-ID/);
    expect(validateRequest("GET", `${V}/${org}/employees`, undefined, h, { runnerHeaders: true }).join()).toMatch(/runner header x-forwarded-from missing/);
  });

  it("the answer checker catches what breaks the contract", () => {
    const find = (pred: (x: LoggedRequest) => boolean) => {
      const x = defaultExchanges.find(pred);
      expect(x).toBeDefined();
      return x!;
    };
    const check = (x: LoggedRequest, strict = true) => validateExchange(x, { strict }).join("\n");
    const addEmployee = find((x) => x.method === "POST" && x.path.endsWith("/employee") && x.status === 200);
    // Credentials or a record id in the employee add answer are not the documented shape (they are tolerated).
    const withCreds = { ...addEmployee, responseBody: { ...addEmployee.responseBody, data: { individual: { ...addEmployee.responseBody.data.individual, username: "u", temporaryPassword: "p" } } } };
    expect(check(withCreds)).toMatch(/Unrecognized key/);
    expect(check(withCreds, false)).toBe("");
    expect(check({ ...addEmployee, responseBody: { ...addEmployee.responseBody, data: { individual: {}, id: "x" } } }, false)).toMatch(/answer/);
    expect(check({ ...addEmployee, responseBody: { ...addEmployee.responseBody, code: 201 } })).toMatch(/differs from the HTTP status/);
    // The directors list with a person object or ownership.
    const directors = find((x) => x.method === "GET" && x.path.endsWith("/directors"));
    const item = directors.responseBody.data.directors[0];
    expect(check({ ...directors, responseBody: { success: true, data: { directors: [{ ...item, ownershipPercentage: 40 }] } } }, false)).toMatch(/ownershipPercentage/);
    expect(check({ ...directors, responseBody: { success: true, data: [item] } }, false)).toMatch(/answer/);
    // Shareholder add items carrying an email; the list without its wrapper in strict reading.
    const addHolders = find((x) => x.method === "POST" && x.path.endsWith("/shareholders") && x.status === 200);
    expect(check({ ...addHolders, responseBody: { success: true, data: addHolders.responseBody.data.map((x: any) => ({ ...x, email: "e@x.example" })) } }, false)).toMatch(/email/);
    const listHolders = find((x) => x.method === "GET" && x.path.endsWith("/shareholders"));
    expect(check({ ...listHolders, responseBody: { success: true, data: listHolders.responseBody.data.shareholders } })).toMatch(/answer/);
    expect(check({ ...listHolders, responseBody: { success: true, data: listHolders.responseBody.data.shareholders } }, false)).toBe("");
    // Activation status at data.status instead of data.activation.status.
    const act = find((x) => x.method === "POST" && x.path.endsWith("/activation") && x.status === 200);
    expect(check({ ...act, responseBody: { code: 200, message: "Success", data: { status: "ACTIVATING" } } }, false)).toMatch(/activation/);
    // Consent answers with data are tolerated, not the runner page's shape.
    const consent = find((x) => x.method === "POST" && x.path.endsWith("/consents/terms"));
    expect(check({ ...consent, responseBody: { ...consent.responseBody, data: { id: "c", status: "ACCEPTED" } } })).toMatch(/Unrecognized key/);
    expect(check({ ...consent, responseBody: { ...consent.responseBody, data: { id: "c", status: "ACCEPTED" } } }, false)).toBe("");
    // 204 with a body, an error in another vendor's shape, an unknown route, an undocumented status.
    const del = find((x) => x.method === "DELETE" && x.status === 204);
    expect(check({ ...del, responseBody: { ok: true } })).toMatch(/has no body/);
    const err = find((x) => x.status === 409);
    expect(check({ ...err, responseBody: { error: "dup", name: "Conflict" } }, false)).toMatch(/error body/);
    expect(check({ ...err, status: 418 }, false)).toMatch(/not documented/);
    expect(check({ ...addEmployee, path: "/finhub/api/v2.1/customer/organizations/x/employee" })).toMatch(/no such operation/);
    // The request half: missing headers, a wrong body.
    expect(check({ ...addEmployee, requestHeaders: { ...addEmployee.requestHeaders, "x-tenant-id": "", "user-agent": "" } })).toMatch(/X-Tenant-ID header missing[\s\S]*User-Agent header missing/);
    expect(check({ ...addEmployee, requestBody: { ...addEmployee.requestBody, position: "SUPERUSER" } })).toMatch(/request body: position/);
  });
});
