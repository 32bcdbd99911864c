// The FinHub half of the sandbox: organization registration, directors, shareholders, employees,
// KYB verification, consents, activation readiness and activation, as the vendor's "Organization
// Management API" v2.1 describes them (../shared/vendor-docs/org-management-personnel-api.txt and
// API-NOTES.md). Every answer is the `{ code, message, data }` envelope; every call needs X-Tenant-ID,
// a bearer token of that tenant and a User-Agent; compliance calls (verify, activation) also need
// X-User-ID, X-User-Roles and X-Forwarded-For. Tenants are isolated: another tenant's organization is 404.
//
// Where the vendor's pages are silent the sandbox picks a shape and says so:
//   GET/DELETE /api/v2.1/customer/organization/{id}  (read and remove an organization: not documented)
//   DELETE .../employees/{employeeId}                 (remove an employee: not documented, the suggested shape)
//   readiness answer data{ ready, missing[], kybStatus, consents, directors, adminUsers, shareholdingTotal }
// KYB and activation complete after a delay (state.settings, `POST /__sandbox/finhub/settings`).
import * as crypto from "crypto";
import { Ctx, Json, Router, SandboxError, SandboxModule, SandboxState, nowIso } from "./server";

export const FINHUB_EMPLOYEE_ROLES = ["ADMIN_USER", "TRANSACTION_APPROVER", "COMPLIANCE_OFFICER", "EMPLOYEE"] as const;
export const FINHUB_DIRECTOR_ROLES = ["MANAGING_DIRECTOR", "EXECUTIVE_DIRECTOR", "NON_EXECUTIVE_DIRECTOR", "BOARD_MEMBER"] as const;
export const FINHUB_CONSENTS = ["terms", "privacy", "data-processing"] as const;

export const FINHUB_SEED = {
  tenants: {
    /** The tenant the examples and tests work in. */
    acme: { id: "acme-bank-sandbox", token: "finhub-sandbox-token-acme" },
    /** Another tenant with an organization of its own: tenant isolation tests use it. */
    other: { id: "other-bank-sandbox", token: "finhub-sandbox-token-other" },
  },
  /** An organization of the other tenant (404 to the acme tenant). */
  otherOrganization: { id: "9b1f3c1e-6a0b-4c7e-9a55-2f2a1d0c7e11", email: "ops@other-bank.example" },
  /** Delays of the asynchronous steps, in ms (tests can change them: POST /__sandbox/finhub/settings). */
  settings: { kybDelayMs: 300, activationDelayMs: 500 },
};

// ---- state ----

export interface FinHubTenant {
  id: string;
  token: string;
}

export interface FinHubOrganization {
  organizationId: string;
  /** The organization's customer id (`data.id` of the registration answer). */
  id: string;
  tenantId: string;
  registration: Json;
  email: string;
  status: "REGISTERED" | "ACTIVATING" | "ACTIVE";
  createdAt: string;
  kyb?: { verificationId: string; status: "PENDING" | "APPROVED"; completesAt: number };
  consents: Record<string, { accepted: boolean; version: string; acceptedAt: string }>;
  activation?: { completesAt: number; requestedBy: string };
  activatedAt?: string;
}

export type PersonKind = "director" | "shareholder" | "employee";

export interface FinHubPersonRecord {
  id: string;
  kind: PersonKind;
  organizationId: string;
  tenantId: string;
  individualCustomerId: string;
  username: string;
  /** sha256 of the temporary password: the sandbox never keeps it plain. */
  temporaryPasswordHash: string;
  person: Json;
  role?: string;
  roles?: string[];
  department?: string;
  ownershipPercentage?: number;
  primaryContact?: boolean;
  addresses: Json[];
  telephoneNumbers: Json[];
  status: "ACTIVE";
  createdAt: string;
  updatedAt: string;
}

export interface FinHubCustomer {
  id: string;
  tenantId: string;
  email: string;
  username: string;
  organizationId: string;
  recordId: string;
  type: "INDIVIDUAL";
  status: "ACTIVE";
}

export interface FinHubState {
  tenants: FinHubTenant[];
  organizations: FinHubOrganization[];
  people: FinHubPersonRecord[];
  customers: FinHubCustomer[];
  settings: { kybDelayMs: number; activationDelayMs: number };
}

function seed(): FinHubState {
  const other = FINHUB_SEED.tenants.other.id;
  return {
    tenants: Object.values(FINHUB_SEED.tenants).map((t) => ({ id: t.id, token: t.token })),
    organizations: [
      {
        organizationId: FINHUB_SEED.otherOrganization.id,
        id: "c0ffee00-0000-4000-8000-000000000001",
        tenantId: other,
        registration: { legalName: "Other Bank Ltd", email: FINHUB_SEED.otherOrganization.email, country: "DE", registrationNumber: "HRB 1" },
        email: FINHUB_SEED.otherOrganization.email,
        status: "REGISTERED",
        createdAt: "2026-01-05T10:00:00.000Z",
        consents: {},
      },
    ],
    people: [],
    customers: [],
    settings: { ...FINHUB_SEED.settings },
  };
}

export function finhubState(state: SandboxState): FinHubState {
  return state.finhub as FinHubState;
}

// ---- envelope and checks ----

const ok = (status: number, message: string, data?: Json) => ({ status, body: { code: status, message, data: data ?? null } });
const bad = (message: string, status = 400) => new SandboxError(status, message, String(status));

function header(ctx: Ctx, name: string): string | undefined {
  const v = ctx.headers[name.toLowerCase()];
  return v === undefined ? undefined : Array.isArray(v) ? v.join(",") : String(v);
}

/** The tenant of the call: X-Tenant-ID (exact, case-sensitive) and a bearer token of that tenant. */
function tenantOf(ctx: Ctx): FinHubTenant {
  const tenantId = header(ctx, "x-tenant-id");
  if (!tenantId) throw bad("X-Tenant-ID header is required");
  const auth = header(ctx, "authorization") ?? "";
  const token = auth.startsWith("Bearer ") ? auth.slice(7) : "";
  const tenant = finhubState(ctx.state).tenants.find((t) => t.id === tenantId);
  if (!token || !tenant || tenant.token !== token) throw bad("Invalid or expired token for this tenant", 401);
  if (!header(ctx, "user-agent")) throw bad("User-Agent header is required");
  return tenant;
}

/** Compliance calls also name the acting user, their roles and the end user's address. */
function complianceHeaders(ctx: Ctx): { userId: string; roles: string[] } {
  const missing = ["X-User-ID", "X-User-Roles", "X-Forwarded-For"].filter((h) => !header(ctx, h));
  if (missing.length) throw bad(`Compliance operations require the headers ${missing.join(", ")}`);
  return { userId: header(ctx, "x-user-id")!, roles: header(ctx, "x-user-roles")!.split(",").map((s) => s.trim()) };
}

function orgOf(ctx: Ctx, tenant: FinHubTenant): FinHubOrganization {
  const o = finhubState(ctx.state).organizations.find((x) => x.organizationId === ctx.params.organizationId && x.tenantId === tenant.id);
  if (!o) throw bad(`Organization ${ctx.params.organizationId} not found`, 404);
  tick(ctx.state, o);
  return o;
}

/** Moves KYB and activation on once their delay has passed. */
function tick(state: SandboxState, o: FinHubOrganization): void {
  const now = Date.now();
  if (o.kyb?.status === "PENDING" && now >= o.kyb.completesAt) o.kyb.status = "APPROVED";
  if (o.status === "ACTIVATING" && o.activation && now >= o.activation.completesAt) {
    o.status = "ACTIVE";
    o.activatedAt = nowIso();
  }
  void state;
}

const uuid = () => crypto.randomUUID();
const sha = (s: string) => crypto.createHash("sha256").update(s).digest("hex");

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function validatePerson(p: Json, where: string): void {
  if (!p || typeof p !== "object") throw bad(`${where}person is required`);
  for (const f of ["firstName", "lastName", "email"]) {
    if (typeof p[f] !== "string" || !p[f].trim()) throw bad(`${where}person.${f} is required`);
  }
  if (!EMAIL.test(p.email)) throw bad(`${where}person.email is not a valid email address`);
  if (p.dateOfBirth !== undefined && !DATE.test(String(p.dateOfBirth))) throw bad(`${where}person.dateOfBirth must be YYYY-MM-DD`);
  if (p.nationality !== undefined && !/^[A-Z]{2}$/.test(String(p.nationality))) throw bad(`${where}person.nationality must be an ISO 3166-1 alpha-2 code`);
}

function validateOwnership(v: Json, where: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > 100) throw bad(`${where}ownershipPercentage must be a number from 0 to 100`);
  return v;
}

function emailTaken(st: FinHubState, tenantId: string, email: string): boolean {
  const key = email.toLowerCase();
  return st.customers.some((c) => c.tenantId === tenantId && c.email.toLowerCase() === key);
}

function holdsAdmin(r: FinHubPersonRecord): boolean {
  return r.role === "ADMIN_USER" || (r.roles ?? []).includes("ADMIN_USER");
}

/** Creates the organization record and the individual customer with generated credentials. */
function addPerson(
  ctx: Ctx,
  tenant: FinHubTenant,
  o: FinHubOrganization,
  kind: PersonKind,
  body: Json,
  fields: Partial<FinHubPersonRecord>,
): { record: FinHubPersonRecord; temporaryPassword: string } {
  const st = finhubState(ctx.state);
  const person = body.person;
  const base = `${String(person.firstName)}.${String(person.lastName)}`.toLowerCase().replace(/[^a-z0-9.]/g, "");
  const username = `${base}.${crypto.randomBytes(2).toString("hex")}`;
  const temporaryPassword = `Tmp-${crypto.randomBytes(9).toString("base64url")}`;
  const now = nowIso();
  const record: FinHubPersonRecord = {
    id: uuid(),
    kind,
    organizationId: o.organizationId,
    tenantId: tenant.id,
    individualCustomerId: uuid(),
    username,
    temporaryPasswordHash: sha(temporaryPassword),
    person: { ...person },
    addresses: Array.isArray(body.addresses) ? body.addresses : [],
    telephoneNumbers: Array.isArray(body.telephoneNumbers) ? body.telephoneNumbers : [],
    status: "ACTIVE",
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
  st.people.push(record);
  st.customers.push({
    id: record.individualCustomerId,
    tenantId: tenant.id,
    email: String(person.email),
    username,
    organizationId: o.organizationId,
    recordId: record.id,
    type: "INDIVIDUAL",
    status: "ACTIVE",
  });
  return { record, temporaryPassword };
}

function removePerson(st: FinHubState, record: FinHubPersonRecord): void {
  st.people = st.people.filter((p) => p.id !== record.id);
  st.customers = st.customers.filter((c) => c.id !== record.individualCustomerId);
}

/** A record as the list calls show it (no password). */
function personView(r: FinHubPersonRecord): Json {
  const out: Json = {
    id: r.id,
    organizationId: r.organizationId,
    individualCustomerId: r.individualCustomerId,
    username: r.username,
    person: r.person,
    addresses: r.addresses,
    telephoneNumbers: r.telephoneNumbers,
    status: r.status,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
  if (r.kind === "director") Object.assign(out, { role: r.role, ownershipPercentage: r.ownershipPercentage ?? 0, primaryContact: !!r.primaryContact });
  if (r.kind === "shareholder") {
    Object.assign(out, { ownershipPercentage: r.ownershipPercentage ?? 0, primaryContact: !!r.primaryContact, isBeneficialOwner: (r.ownershipPercentage ?? 0) >= 25 });
  }
  if (r.kind === "employee") Object.assign(out, { role: r.role, roles: r.roles ?? [], department: r.department ?? null });
  return out;
}

/** The answer to an add: the record, both ids, and the credentials shown this once. */
function addedView(r: FinHubPersonRecord, temporaryPassword: string): Json {
  return { ...personView(r), temporaryPassword, organizationRecord: { id: r.id, status: "ACTIVE" }, individualCustomer: { id: r.individualCustomerId, username: r.username, status: "ACTIVE" } };
}

function peopleOf(st: FinHubState, o: FinHubOrganization, kind?: PersonKind): FinHubPersonRecord[] {
  return st.people.filter((p) => p.organizationId === o.organizationId && (!kind || p.kind === kind));
}

function shareholdingTotal(st: FinHubState, o: FinHubOrganization): number {
  const total = peopleOf(st, o)
    .filter((p) => p.kind !== "employee")
    .reduce((sum, p) => sum + (p.ownershipPercentage ?? 0), 0);
  return Math.round(total * 1000) / 1000;
}

function orgView(st: FinHubState, o: FinHubOrganization): Json {
  return {
    id: o.id,
    organizationId: o.organizationId,
    tenantId: o.tenantId,
    email: o.email,
    ...o.registration,
    status: o.status,
    kybStatus: o.kyb?.status ?? "NOT_STARTED",
    createdAt: o.createdAt,
    activatedAt: o.activatedAt ?? null,
    adminEmployees: peopleOf(st, o, "employee").filter(holdsAdmin).map((r) => ({ id: r.id, email: r.person.email, username: r.username })),
  };
}

function readiness(st: FinHubState, o: FinHubOrganization): Json {
  const directors = peopleOf(st, o, "director").length;
  const adminUsers = peopleOf(st, o, "employee").filter(holdsAdmin).length;
  const total = shareholdingTotal(st, o);
  const consents = Object.fromEntries(FINHUB_CONSENTS.map((c) => [c, !!o.consents[c]?.accepted]));
  const kybStatus = o.kyb?.status ?? "NOT_STARTED";
  const missing: string[] = [];
  if (directors < 1) missing.push("at least one director");
  if (adminUsers < 1) missing.push("an employee with ADMIN_USER");
  if (Math.abs(total - 100) > 0.001) missing.push(`shareholding at 100% (now ${total}%)`);
  if (kybStatus !== "APPROVED") missing.push(`KYB verification approved (now ${kybStatus})`);
  for (const c of FINHUB_CONSENTS) if (!consents[c]) missing.push(`consent ${c}`);
  return { organizationId: o.organizationId, status: o.status, ready: missing.length === 0, missing, kybStatus, consents, directors, adminUsers, shareholdingTotal: total };
}

// ---- routes ----

const V21 = "/finhub/api/v2.1/customer/organization";

function routes(r: Router) {
  r.add("POST", `${V21}/registration`, (ctx) => {
    const tenant = tenantOf(ctx);
    const st = finhubState(ctx.state);
    const b = ctx.body ?? {};
    for (const f of ["legalName", "email", "country", "registrationNumber"]) {
      if (typeof b[f] !== "string" || !b[f].trim()) throw bad(`${f} is required`);
    }
    if (!EMAIL.test(b.email)) throw bad("email is not a valid email address");
    if (!/^[A-Z]{2}$/.test(b.country)) throw bad("country must be an ISO 3166-1 alpha-2 code");
    if (st.organizations.some((o) => o.tenantId === tenant.id && o.email.toLowerCase() === String(b.email).toLowerCase())) {
      throw bad(`Email already exists in system: an organization with ${b.email} is registered in this tenant`);
    }
    const o: FinHubOrganization = {
      organizationId: uuid(),
      id: uuid(),
      tenantId: tenant.id,
      registration: { ...b },
      email: b.email,
      status: "REGISTERED",
      createdAt: nowIso(),
      consents: {},
    };
    st.organizations.push(o);
    return ok(201, "Organization registered", orgView(st, o));
  });

  r.add("GET", `${V21}/:organizationId`, (ctx) => {
    const o = orgOf(ctx, tenantOf(ctx));
    return ok(200, "Organization", orgView(finhubState(ctx.state), o));
  });

  r.add("DELETE", `${V21}/:organizationId`, (ctx) => {
    const o = orgOf(ctx, tenantOf(ctx));
    const st = finhubState(ctx.state);
    const left = peopleOf(st, o).length;
    if (left > 0) throw bad(`Organization still has ${left} personnel record(s): remove them first`);
    st.organizations = st.organizations.filter((x) => x !== o);
    return { status: 204 };
  });

  // Directors
  r.add("POST", `${V21}/:organizationId/director`, (ctx) => {
    const tenant = tenantOf(ctx);
    const o = orgOf(ctx, tenant);
    const b = ctx.body ?? {};
    validatePerson(b.person, "");
    if (!FINHUB_DIRECTOR_ROLES.includes(b.role)) throw bad(`role must be one of ${FINHUB_DIRECTOR_ROLES.join(", ")}`);
    const ownershipPercentage = validateOwnership(b.ownershipPercentage, "");
    if (emailTaken(finhubState(ctx.state), tenant.id, b.person.email)) throw bad(`Email already exists in system: ${b.person.email}`);
    const { record, temporaryPassword } = addPerson(ctx, tenant, o, "director", b, { role: b.role, ownershipPercentage, primaryContact: !!b.primaryContact });
    return ok(201, "Director added", addedView(record, temporaryPassword));
  });
  r.add("GET", `${V21}/:organizationId/directors`, (ctx) => {
    const o = orgOf(ctx, tenantOf(ctx));
    return ok(200, "Directors", peopleOf(finhubState(ctx.state), o, "director").map(personView));
  });
  r.add("DELETE", `${V21}/:organizationId/directors/:recordId`, (ctx) => removeRoute(ctx, "director"));

  // Shareholders: added as an array; the whole array is refused when one item is invalid.
  r.add("POST", `${V21}/:organizationId/shareholders`, (ctx) => {
    const tenant = tenantOf(ctx);
    const o = orgOf(ctx, tenant);
    const st = finhubState(ctx.state);
    if (!Array.isArray(ctx.body) || ctx.body.length === 0) throw bad("The request body must be a non-empty array of shareholders");
    const seen = new Set<string>();
    ctx.body.forEach((b: Json, i: number) => {
      validatePerson(b?.person, `[${i}].`);
      validateOwnership(b.ownershipPercentage, `[${i}].`);
      const email = String(b.person.email).toLowerCase();
      if (seen.has(email) || emailTaken(st, tenant.id, email)) throw bad(`[${i}]: Email already exists in system: ${b.person.email}`);
      seen.add(email);
    });
    const added = ctx.body.map((b: Json) => {
      const { record, temporaryPassword } = addPerson(ctx, tenant, o, "shareholder", b, {
        ownershipPercentage: validateOwnership(b.ownershipPercentage, ""),
        primaryContact: !!b.primaryContact,
      });
      return addedView(record, temporaryPassword);
    });
    return ok(201, `${added.length} shareholder(s) added`, added);
  });
  r.add("GET", "/finhub/api/v2/organizations/:organizationId/shareholders", (ctx) => {
    const o = orgOf(ctx, tenantOf(ctx));
    return ok(200, "Shareholders", peopleOf(finhubState(ctx.state), o, "shareholder").map(personView));
  });
  r.add("DELETE", "/finhub/api/v2/organizations/:organizationId/shareholders/:recordId", (ctx) => removeRoute(ctx, "shareholder"));
  r.add("PUT", "/finhub/api/v2.1/shareholder/update/:recordId", (ctx) => {
    const tenant = tenantOf(ctx);
    const st = finhubState(ctx.state);
    const rec = st.people.find((p) => p.id === ctx.params.recordId && p.kind === "shareholder" && p.tenantId === tenant.id);
    if (!rec) throw bad(`Shareholder ${ctx.params.recordId} not found`, 404);
    const b = ctx.body ?? {};
    if (b.person !== undefined && String(b.person?.email ?? "").toLowerCase() !== String(rec.person.email).toLowerCase()) {
      throw bad("person.email cannot be changed: add a new shareholder instead");
    }
    if (b.ownershipPercentage !== undefined) rec.ownershipPercentage = validateOwnership(b.ownershipPercentage, "");
    if (b.primaryContact !== undefined) rec.primaryContact = !!b.primaryContact;
    if (Array.isArray(b.addresses)) rec.addresses = b.addresses;
    if (Array.isArray(b.telephoneNumbers)) rec.telephoneNumbers = b.telephoneNumbers;
    rec.updatedAt = nowIso();
    return ok(200, "Shareholder updated", personView(rec));
  });

  // Employees
  r.add("POST", `${V21}/:organizationId/employee`, (ctx) => {
    const tenant = tenantOf(ctx);
    const o = orgOf(ctx, tenant);
    const st = finhubState(ctx.state);
    const b = ctx.body ?? {};
    validatePerson(b.person, "");
    const roles = validateRoles(b.role, b.roles);
    const employees = peopleOf(st, o, "employee");
    if (!employees.some(holdsAdmin) && b.role !== "ADMIN_USER" && !roles.includes("ADMIN_USER")) {
      throw bad("Missing ADMIN_USER Role: the first employee of an organization must include the ADMIN_USER role");
    }
    if (emailTaken(st, tenant.id, b.person.email)) throw bad(`Email already exists in system: ${b.person.email}`);
    const { record, temporaryPassword } = addPerson(ctx, tenant, o, "employee", b, {
      role: b.role,
      roles,
      department: typeof b.department === "string" ? b.department : undefined,
    });
    return ok(201, "Employee added", addedView(record, temporaryPassword));
  });
  r.add("GET", `${V21}/:organizationId/employees`, (ctx) => {
    const o = orgOf(ctx, tenantOf(ctx));
    let list = peopleOf(finhubState(ctx.state), o, "employee");
    if (typeof ctx.query.department === "string") list = list.filter((p) => p.department === ctx.query.department);
    if (typeof ctx.query.role === "string") list = list.filter((p) => p.role === ctx.query.role || (p.roles ?? []).includes(String(ctx.query.role)));
    return ok(200, "Employees", list.map(personView));
  });
  r.add("PUT", `${V21}/:organizationId/employees/:recordId/roles`, (ctx) => {
    const o = orgOf(ctx, tenantOf(ctx));
    const st = finhubState(ctx.state);
    const rec = peopleOf(st, o, "employee").find((p) => p.id === ctx.params.recordId);
    if (!rec) throw bad(`Employee ${ctx.params.recordId} not found`, 404);
    const b = ctx.body ?? {};
    const role = b.role ?? rec.role;
    const roles = validateRoles(role, b.roles);
    const after = { ...rec, role, roles };
    const othersAdmin = peopleOf(st, o, "employee").some((p) => p.id !== rec.id && holdsAdmin(p));
    if (!othersAdmin && !holdsAdmin(after)) throw bad("Missing ADMIN_USER Role: at least one employee must keep the ADMIN_USER role");
    rec.role = role;
    rec.roles = roles;
    rec.updatedAt = nowIso();
    return ok(200, "Employee roles updated", personView(rec));
  });
  r.add("DELETE", `${V21}/:organizationId/employees/:recordId`, (ctx) => removeRoute(ctx, "employee"));

  // Compliance: KYB, consents, readiness, activation
  r.add("POST", `${V21}/:organizationId/verify`, (ctx) => {
    const o = orgOf(ctx, tenantOf(ctx));
    complianceHeaders(ctx);
    const st = finhubState(ctx.state);
    if (!o.kyb) o.kyb = { verificationId: uuid(), status: "PENDING", completesAt: Date.now() + st.settings.kybDelayMs };
    tick(ctx.state, o);
    return ok(200, "Verification started", { verificationId: o.kyb.verificationId, status: o.kyb.status, verificationType: "KYB" });
  });
  r.add("POST", `${V21}/:organizationId/consents/:consentType`, (ctx) => {
    const o = orgOf(ctx, tenantOf(ctx));
    const type = ctx.params.consentType;
    if (!(FINHUB_CONSENTS as readonly string[]).includes(type)) throw bad(`consent type must be one of ${FINHUB_CONSENTS.join(", ")}`, 404);
    const b = ctx.body ?? {};
    if (b.accepted !== true) throw bad("accepted must be true");
    if (typeof b.version !== "string" || !b.version) throw bad("version is required");
    o.consents[type] = { accepted: true, version: b.version, acceptedAt: nowIso() };
    return ok(200, "Consent accepted", { consentType: type, ...o.consents[type] });
  });
  r.add("GET", `${V21}/:organizationId/activation/readiness`, (ctx) => {
    const o = orgOf(ctx, tenantOf(ctx));
    return ok(200, "Activation readiness", readiness(finhubState(ctx.state), o));
  });
  r.add("POST", `${V21}/:organizationId/activation`, (ctx) => {
    const o = orgOf(ctx, tenantOf(ctx));
    const { userId, roles } = complianceHeaders(ctx);
    const st = finhubState(ctx.state);
    const actor = peopleOf(st, o, "employee").find((p) => p.individualCustomerId === userId);
    const allowed = ["ADMIN_USER", "COMPLIANCE_OFFICER"];
    if (!roles.some((x) => allowed.includes(x)) || !actor || !allowed.some((x) => x === actor.role || (actor.roles ?? []).includes(x))) {
      throw bad("Only an employee of this organization with ADMIN_USER or COMPLIANCE_OFFICER can activate it", 403);
    }
    if (o.status === "ACTIVE") return ok(200, "Organization is active", { organizationId: o.organizationId, status: "ACTIVE", activatedAt: o.activatedAt });
    if (o.status === "ACTIVATING") return ok(202, "Activation in progress", { organizationId: o.organizationId, status: "ACTIVATING" });
    const ready = readiness(st, o);
    if (!ready.ready) throw bad(`Organization is not ready for activation: missing ${ready.missing.join("; ")}`);
    o.status = "ACTIVATING";
    o.activation = { completesAt: Date.now() + st.settings.activationDelayMs, requestedBy: userId };
    tick(ctx.state, o);
    return ok(202, "Activation in progress", { organizationId: o.organizationId, status: o.status });
  });

  // Control: delays of the asynchronous steps.
  r.add("POST", "/__sandbox/finhub/settings", (ctx) => {
    const st = finhubState(ctx.state);
    for (const k of ["kybDelayMs", "activationDelayMs"] as const) if (typeof ctx.body?.[k] === "number") st.settings[k] = ctx.body[k];
    return { status: 200, body: st.settings };
  });
}

function validateRoles(role: Json, roles: Json): string[] {
  if (!(FINHUB_EMPLOYEE_ROLES as readonly string[]).includes(role)) throw bad(`role must be one of ${FINHUB_EMPLOYEE_ROLES.join(", ")}`);
  const list: string[] = roles === undefined ? [role] : roles;
  if (!Array.isArray(list)) throw bad("roles must be an array of role identifiers");
  for (const x of list) if (!(FINHUB_EMPLOYEE_ROLES as readonly string[]).includes(x)) throw bad(`roles: ${x} is not one of ${FINHUB_EMPLOYEE_ROLES.join(", ")}`);
  return list;
}

function removeRoute(ctx: Ctx, kind: PersonKind) {
  const o = orgOf(ctx, tenantOf(ctx));
  const st = finhubState(ctx.state);
  const rec = peopleOf(st, o, kind).find((p) => p.id === ctx.params.recordId);
  if (!rec) throw bad(`${kind[0].toUpperCase()}${kind.slice(1)} ${ctx.params.recordId} not found`, 404);
  removePerson(st, rec);
  return { status: 204 };
}

export const finhubModule: SandboxModule = {
  name: "finhub",
  prefixes: ["/finhub/"],
  seed,
  routes,
  errorBody: (err: SandboxError, _requestId: string) => ({ code: err.status, message: err.message, data: { error: err.message } }),
  answerHeaders: (requestId: string) => ({ "x-request-id": requestId }),
};
