// The FinHub half of the sandbox: organization registration, directors, shareholders, employees, KYB,
// consents, activation readiness and activation, answering in the shapes of
// ../shared/vendor-docs/finhub-responses.md (which resolves FinHub's contradicting pages) and API-NOTES.md.
// Served under /finhub (finhubUrl = url + "/finhub").
//
// Documented (finhub-responses.md), served as written:
//   registration request (nested runner body) and answer data{ individual, organization, adminEmployees, id = organizationId, tenantId, email };
//   director add 200 "Director added successfully" data.organization{ id, organizationId, email, firstName, lastName, position, status, verificationStatus };
//   directors list { success, data.directors[{ directorId, firstName, lastName, email, role, appointedDate, status }] };
//   shareholders add: array body; update PUT /api/v2.1/shareholder/update/{id} (flat body, sharePercentage, X-Forwarded-For, { success, message, data });
//   employee add 200 "Employee added successfully with role validation" data.individual{ userId, email } only; the first employee must hold ADMIN_USER;
//   employees list { success, data{ employees[{ employeeId, firstName, lastName, email, department, role, status, hiredDate }], pagination{ total, page, size } } };
//   verify data{ verificationId, status: PENDING, verificationType: KYB }; consents { code: 200, message: "Success" } without data;
//   activation 200 "Success" data.activation{ message, status: ACTIVATING, activatedAt, warnings[] } and its prerequisites (422 when unmet);
//   error envelope { code, message, data{ error, details?, field?, suggestions?, errors? } }; 409 DUPLICATE_EMAIL; organization statuses.
// The sandbox's choice where FinHub documents nothing (a client must not depend on these):
//   GET organization body (data{ id, organizationId, tenantId, email, customerName, legalName, tradingName, registrationNumber, status, createdAt });
//   DELETE organization (204; 409 while personnel remain); DELETE employee (the shape the rest suggests);
//   shareholder add answer for the array body ({ success, data[{ shareholderId, status, createdAt }] } in request order, no email);
//   shareholders list ({ success, data.shareholders[{ shareholderId, firstName, lastName, email, ownershipPercentage, status }] });
//   employees paging (?page from 0, ?size default 20, at most 100) and the role filter (matches any role held);
//   role change body { position, roles[] } and answer { code: 200, message } without data; update-shareholder answer data;
//   readiness answer data{ organizationId, activationAllowed, verificationOk, consentOk, missingConsents[], message };
//   director `directorType` (derived from role) and `appointmentDate` (today unless sent); the `primaryContact` field name;
//   how KYB is approved (after settings.kybDelayMs) and activation completes (after settings.activationDelayMs);
//   the last ADMIN_USER may be removed only together with the last employee; removals need no acting user;
//   corporate documents are not modelled (the "documents VERIFIED" prerequisite is taken as met).
// The documented alternatives a client must tolerate are served on demand: see finhubDialect.ts.
// Passwords (registration, generated temporary ones) are kept only as salted hashes.
import * as crypto from "crypto";
import { Ctx, Json, Reply, Router, SandboxError, SandboxModule, SandboxState, nowIso } from "./server";
import { DEFAULT_DIALECT, FinHubDialect, envelope, mergeDialect } from "./finhubDialect";

export { DEFAULT_DIALECT, DIALECT_CHOICES } from "./finhubDialect";
export type { FinHubDialect } from "./finhubDialect";

export const FINHUB_EMPLOYEE_ROLES = ["ADMIN_USER", "TRANSACTION_APPROVER", "COMPLIANCE_OFFICER", "EMPLOYEE"] as const;
export const FINHUB_DIRECTOR_ROLES = ["MANAGING_DIRECTOR", "EXECUTIVE_DIRECTOR", "NON_EXECUTIVE_DIRECTOR", "BOARD_MEMBER"] as const;
export const FINHUB_CONSENTS = ["terms", "privacy", "data-processing"] as const;
/** The documented message of the first-employee rule (the text after the first sentence is ours). */
export const MISSING_ADMIN_MESSAGE =
  "Missing required role 'ADMIN_USER' for BUSINESS_TYPE_CLIENT_TO_TENANT organization. At least one employee must hold the ADMIN_USER role.";

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

export type OrganizationStatus = "PENDING_VERIFICATION" | "PENDING_ACTIVATION" | "ACTIVATING" | "ACTIVE";

export interface FinHubOrganization {
  /** FinHub answers the same uuid as `id` and `organizationId`. */
  organizationId: string;
  id: string;
  tenantId: string;
  email: string;
  legalName: string;
  /** The registration body, passwords removed. */
  registration: Json;
  /** Salted hash of the registration password: never the password itself. */
  passwordHash: string;
  status: OrganizationStatus;
  createdAt: string;
  kyb?: { verificationId: string; status: "PENDING" | "APPROVED"; requestedAt: string; completesAt: number; requestedBy: string };
  consents: Record<string, { version: string; acceptedAt: string }>;
  activation?: { requestedAt: string; completesAt: number; requestedBy: string };
  activatedAt?: string;
}

export type PersonKind = "director" | "shareholder" | "employee";

/** The organization record (the person's role in the organization). */
export interface FinHubPersonRecord {
  id: string;
  kind: PersonKind;
  organizationId: string;
  tenantId: string;
  /** The individual customer created with it; for employees this is `data.individual.userId`. */
  individualCustomerId: string;
  person: Json;
  addresses: Json[];
  telephoneNumbers: Json[];
  /** Directors: role, directorType, appointmentDate; directors and shareholders: ownershipPercentage, primaryContact. */
  role?: string;
  directorType?: string;
  appointmentDate?: string;
  ownershipPercentage?: number;
  primaryContact?: boolean;
  /** Shareholders: the extra fields of the update call (address, id document, ...). */
  details?: Json;
  /** Employees: primary role, every role held, department. */
  position?: string;
  roles?: string[];
  department?: string | null;
  status: "ACTIVE" | "PENDING_VERIFICATION";
  createdAt: string;
  updatedAt: string;
}

/** The individual customer (the login) each person gets; its email is unique within the tenant. */
export interface FinHubCustomer {
  id: string;
  tenantId: string;
  email: string;
  username: string;
  /** Salted hash of the generated temporary password. */
  temporaryPasswordHash: string;
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
  dialect: FinHubDialect;
}

const uuid = () => crypto.randomUUID();

/** A salted sha256: the sandbox needs no real password storage, only never to keep one in plain text. */
export function hashSecret(secret: string, salt = crypto.randomBytes(8).toString("hex")): string {
  return `sha256$${salt}$${crypto.createHash("sha256").update(`${salt}:${secret}`).digest("hex")}`;
}

function seed(): FinHubState {
  return {
    tenants: Object.values(FINHUB_SEED.tenants).map((t) => ({ id: t.id, token: t.token })),
    organizations: [
      {
        organizationId: FINHUB_SEED.otherOrganization.id,
        id: FINHUB_SEED.otherOrganization.id,
        tenantId: FINHUB_SEED.tenants.other.id,
        email: FINHUB_SEED.otherOrganization.email,
        legalName: "Other Bank Ltd",
        registration: { email: FINHUB_SEED.otherOrganization.email, organizationCustomer: { customerName: "Other Bank", organization: { legalName: "Other Bank Ltd" } } },
        passwordHash: hashSecret("seeded-not-a-real-password"),
        status: "PENDING_VERIFICATION",
        createdAt: "2026-01-05T10:00:00.000Z",
        consents: {},
      },
    ],
    people: [],
    customers: [],
    settings: { ...FINHUB_SEED.settings },
    dialect: { ...DEFAULT_DIALECT },
  };
}

/** A state file written before the dialect existed (or with an older status name) still loads. */
function afterSeed(state: SandboxState): void {
  const st = state.finhub as FinHubState | undefined;
  if (!st) return;
  st.dialect = { ...DEFAULT_DIALECT, ...(st.dialect ?? {}) };
  st.settings = { ...FINHUB_SEED.settings, ...(st.settings ?? {}) };
  for (const o of st.organizations) if ((o.status as string) === "REGISTERED") o.status = "PENDING_VERIFICATION";
}

export function finhubState(state: SandboxState): FinHubState {
  return state.finhub as FinHubState;
}

// ---- errors and checks ----

/** A FinHub error: `{ code, message, data: { error, ...context } }` (see errorBody). */
const fail = (status: number, error: string, message: string, context: Json = {}) => new SandboxError(status, message, error, context);
const invalid = (field: string, message: string) => fail(400, "VALIDATION_ERROR", message, { field, details: message });

function header(ctx: Ctx, name: string): string | undefined {
  const v = ctx.headers[name.toLowerCase()];
  if (v === undefined) return undefined;
  const text = Array.isArray(v) ? v.join(",") : String(v);
  return text.trim() ? text : undefined;
}

/**
 * The tenant of the call: X-Tenant-ID (exact and case-sensitive), a bearer token of that tenant and a
 * User-Agent. The runner headers (X-Forwarded-For, X-Forwarded-From, platform, deviceId) are accepted
 * and not required, except where a page says so (the shareholder update).
 */
function tenantOf(ctx: Ctx): FinHubTenant {
  const tenantId = header(ctx, "x-tenant-id");
  if (!tenantId) throw fail(400, "MISSING_HEADER", "X-Tenant-ID header is required", { field: "X-Tenant-ID" });
  const auth = header(ctx, "authorization") ?? "";
  const token = /^Bearer /.test(auth) ? auth.slice(7).trim() : "";
  const tenant = finhubState(ctx.state).tenants.find((t) => t.id === tenantId);
  if (!token || !tenant || tenant.token !== token) throw fail(401, "UNAUTHORIZED", "Invalid or expired token for this tenant");
  if (!header(ctx, "user-agent")) throw fail(400, "MISSING_HEADER", "User-Agent header is required", { field: "User-Agent" });
  return tenant;
}

/** X-User-ID and X-User-Roles (verify, activation). */
function actingUser(ctx: Ctx): { userId: string; roles: string[] } {
  const missing = ["X-User-ID", "X-User-Roles"].filter((h) => !header(ctx, h));
  if (missing.length) throw fail(400, "MISSING_HEADER", `Missing required header(s): ${missing.join(", ")}`, { field: missing[0] });
  return { userId: header(ctx, "x-user-id")!, roles: header(ctx, "x-user-roles")!.split(",").map((s) => s.trim()).filter(Boolean) };
}

/** Moves KYB and activation on once their delay has passed (computed from stored times: survives reloads). */
function tick(o: FinHubOrganization): void {
  const now = Date.now();
  if (o.kyb?.status === "PENDING" && now >= o.kyb.completesAt) o.kyb.status = "APPROVED";
  if (o.status === "PENDING_VERIFICATION" && o.kyb?.status === "APPROVED") o.status = "PENDING_ACTIVATION";
  if (o.status === "ACTIVATING" && o.activation && now >= o.activation.completesAt) {
    o.status = "ACTIVE";
    o.activatedAt = new Date(o.activation.completesAt).toISOString();
  }
}

function orgOf(ctx: Ctx, tenant: FinHubTenant): FinHubOrganization {
  const o = finhubState(ctx.state).organizations.find((x) => x.organizationId === ctx.params.organizationId && x.tenantId === tenant.id);
  if (!o) throw fail(404, "NOT_FOUND", `Organization ${ctx.params.organizationId} not found`);
  tick(o);
  return o;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const isText = (v: Json) => typeof v === "string" && v.trim() !== "";

function validatePerson(p: Json, where: string): void {
  if (!p || typeof p !== "object" || Array.isArray(p)) throw invalid(`${where}person`, `${where}person is required`);
  for (const f of ["firstName", "lastName", "email"]) if (!isText(p[f])) throw invalid(`${where}person.${f}`, `${where}person.${f} is required`);
  if (!EMAIL.test(p.email)) throw invalid(`${where}person.email`, `${where}person.email is not a valid email address`);
  if (p.dateOfBirth !== undefined && !DATE.test(String(p.dateOfBirth))) throw invalid(`${where}person.dateOfBirth`, `${where}person.dateOfBirth must be YYYY-MM-DD`);
}

function validatePercent(v: Json, field: string, required = false): number {
  if ((v === undefined || v === null) && required) throw invalid(field, `${field} is required (0 to 100)`);
  if (v === undefined || v === null) return 0;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > 100) throw invalid(field, `${field} must be a number from 0 to 100`);
  return v;
}

function validateRoles(position: Json, roles: Json): { position: string; roles: string[] } {
  const known = FINHUB_EMPLOYEE_ROLES as readonly string[];
  if (!known.includes(position)) throw invalid("position", `position (the primary role) must be one of ${known.join(", ")}`);
  if (!Array.isArray(roles) || roles.length === 0) throw invalid("roles", "roles must be a non-empty array of role identifiers");
  for (const r of roles) if (!known.includes(r)) throw invalid("roles", `roles: ${String(r)} is not one of ${known.join(", ")}`);
  return { position, roles: [...roles] };
}

const duplicateEmail = (email: string) =>
  fail(409, "DUPLICATE_EMAIL", `Person with this email already exists in the tenant: ${email}`, {
    field: "person.email",
    suggestions: ["Each director, shareholder and employee needs an email address unique within the tenant"],
  });

function emailTaken(st: FinHubState, tenantId: string, email: string, exceptCustomerId?: string): boolean {
  const key = email.toLowerCase();
  return st.customers.some((c) => c.tenantId === tenantId && c.email.toLowerCase() === key && c.id !== exceptCustomerId);
}

const holds = (r: FinHubPersonRecord, role: string) => r.position === role || (r.roles ?? []).includes(role);

function peopleOf(st: FinHubState, o: FinHubOrganization, kind?: PersonKind): FinHubPersonRecord[] {
  return st.people.filter((p) => p.organizationId === o.organizationId && (!kind || p.kind === kind));
}

/** Creates the organization record and the individual customer; the temporary password is kept hashed. */
function addPerson(st: FinHubState, o: FinHubOrganization, kind: PersonKind, body: Json, fields: Partial<FinHubPersonRecord>) {
  const person = body.person;
  const username = `${String(person.firstName)}.${String(person.lastName)}`.toLowerCase().replace(/[^a-z0-9.]/g, "") + `.${crypto.randomBytes(2).toString("hex")}`;
  const temporaryPassword = `Tmp-${crypto.randomBytes(9).toString("base64url")}`;
  const now = nowIso();
  const record: FinHubPersonRecord = {
    id: uuid(),
    kind,
    organizationId: o.organizationId,
    tenantId: o.tenantId,
    individualCustomerId: uuid(),
    person: { ...person },
    addresses: Array.isArray(body.addresses) ? body.addresses : [],
    telephoneNumbers: Array.isArray(body.telephoneNumbers) ? body.telephoneNumbers : [],
    status: "ACTIVE",
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
  const customer: FinHubCustomer = {
    id: record.individualCustomerId,
    tenantId: o.tenantId,
    email: String(person.email),
    username,
    temporaryPasswordHash: hashSecret(temporaryPassword),
    organizationId: o.organizationId,
    recordId: record.id,
    type: "INDIVIDUAL",
    status: "ACTIVE",
  };
  st.people.push(record);
  st.customers.push(customer);
  return { record, customer, temporaryPassword };
}

function removePerson(st: FinHubState, record: FinHubPersonRecord): void {
  st.people = st.people.filter((p) => p.id !== record.id);
  st.customers = st.customers.filter((c) => c.id !== record.individualCustomerId);
}

/** Sum of the shareholders' percentages (directors' ownershipPercentage never counts). */
function shareholdingTotal(st: FinHubState, o: FinHubOrganization): number {
  const total = peopleOf(st, o, "shareholder").reduce((sum, p) => sum + (p.ownershipPercentage ?? 0), 0);
  return Math.round(total * 1e6) / 1e6;
}

/** What stands between the organization and activation (empty when it may be activated). */
function missingForActivation(st: FinHubState, o: FinHubOrganization): string[] {
  const missing: string[] = [];
  if (peopleOf(st, o, "director").length < 1) missing.push("at least one director");
  if (!peopleOf(st, o, "employee").some((p) => holds(p, "ADMIN_USER"))) missing.push("an employee holding ADMIN_USER");
  const total = shareholdingTotal(st, o);
  if (total !== 100) missing.push(`shareholder ownership totalling exactly 100% (now ${total}%)`);
  if (o.kyb?.status !== "APPROVED") missing.push(`KYB verification APPROVED (now ${o.kyb?.status ?? "NOT_STARTED"})`);
  const consents = FINHUB_CONSENTS.filter((c) => !o.consents[c]);
  if (consents.length) missing.push(`consents ${consents.join(", ")}`);
  return missing;
}

// ---- views ----

/** The generated login, shown only in this answer (and only when the dialect serves credentials). */
function credentials(customer: FinHubCustomer, temporaryPassword: string) {
  return { username: customer.username, temporaryPassword };
}

function directorRecordView(r: FinHubPersonRecord): Json {
  return {
    id: r.id,
    organizationId: r.organizationId,
    email: r.person.email,
    firstName: r.person.firstName,
    lastName: r.person.lastName,
    position: r.role,
    ...(r.directorType ? { directorType: r.directorType } : {}),
    appointmentDate: r.appointmentDate,
    status: "ACTIVE",
    verificationStatus: "PENDING",
  };
}

const directorTypeOf = (role: string) =>
  role === "MANAGING_DIRECTOR" || role === "EXECUTIVE_DIRECTOR" ? "EXECUTIVE" : role === "NON_EXECUTIVE_DIRECTOR" ? "NON_EXECUTIVE" : undefined;

function shareholderListItem(d: FinHubDialect, r: FinHubPersonRecord): Json {
  return {
    [d.shareholderKey]: r.id,
    firstName: r.person.firstName,
    lastName: r.person.lastName,
    email: r.person.email,
    [d.percentageField]: r.ownershipPercentage ?? 0,
    status: r.status,
  };
}

function employeeListItem(r: FinHubPersonRecord): Json {
  return {
    employeeId: r.id,
    firstName: r.person.firstName,
    lastName: r.person.lastName,
    email: r.person.email,
    department: r.department ?? null,
    role: r.position,
    status: "ACTIVE",
    hiredDate: r.createdAt.slice(0, 10),
  };
}

function organizationView(d: FinHubDialect, o: FinHubOrganization): Json {
  const org = o.registration?.organizationCustomer?.organization ?? {};
  return {
    id: o.id,
    organizationId: o.organizationId,
    tenantId: o.tenantId,
    email: o.email,
    customerName: o.registration?.organizationCustomer?.customerName ?? null,
    legalName: o.legalName,
    tradingName: org.tradingName ?? null,
    registrationNumber: org.registrationNumber ?? null,
    ...(d.organizationStatus === "present" ? { status: o.status } : {}),
    createdAt: o.createdAt,
  };
}

function activationView(o: FinHubOrganization): Json {
  const activating = o.status === "ACTIVATING";
  return {
    activation: {
      message: activating ? "Organization activation initiated" : "Organization is active",
      status: o.status,
      activatedAt: o.activation?.requestedAt ?? o.activatedAt ?? nowIso(),
      warnings: activating
        ? [`Wallet provisioning is asynchronous. Poll GET /api/v2.1/customer/organization/${o.organizationId}/wallet-status for completion.`]
        : [],
    },
  };
}

// ---- routes ----

const V21 = "/finhub/api/v2.1/customer/organization";
const V2 = "/finhub/api/v2/organizations";

function routes(r: Router) {
  const dialect = (ctx: Ctx) => finhubState(ctx.state).dialect;
  /** A success answer in the endpoint's documented envelope (or the dialect's). */
  const answer = (ctx: Ctx, documented: "code" | "success", status: number, message: string | undefined, data?: Json): Reply => ({
    status,
    body: envelope(dialect(ctx), documented, status, message, data),
  });
  const removed = (ctx: Ctx, message: string): Reply => (dialect(ctx).deleteStatus === 204 ? { status: 204 } : answer(ctx, "code", 200, message));

  // Organization
  r.add("POST", `${V21}/registration`, (ctx) => {
    const tenant = tenantOf(ctx);
    const st = finhubState(ctx.state);
    const b = ctx.body;
    if (!b || typeof b !== "object" || Array.isArray(b)) throw invalid("body", "The request body must be a JSON object");
    if (!isText(b.email) || !EMAIL.test(b.email)) throw invalid("email", "email is required and must be a valid email address");
    if (!isText(b.password)) throw invalid("password", "password is required");
    if (b.password !== b.matchingPassword) throw invalid("matchingPassword", "password and matchingPassword do not match");
    const legalName = b.organizationCustomer?.organization?.legalName;
    if (!isText(legalName)) throw invalid("organizationCustomer.organization.legalName", "organizationCustomer.organization.legalName is required");
    // Keep the body without any password (the nested user may carry one too): only a hash is stored.
    const kept = JSON.parse(JSON.stringify(b));
    delete kept.password;
    delete kept.matchingPassword;
    if (kept.organizationCustomer?.user) delete kept.organizationCustomer.user.password;
    // An honest vendor: every registration makes a new organization, even a resent one.
    const id = uuid();
    const o: FinHubOrganization = {
      organizationId: id,
      id,
      tenantId: tenant.id,
      email: b.email,
      legalName,
      registration: kept,
      passwordHash: hashSecret(String(b.password)),
      status: "PENDING_VERIFICATION",
      createdAt: nowIso(),
      consents: {},
    };
    st.organizations.push(o);
    return answer(ctx, "code", 200, "Organization registered successfully", {
      individual: false,
      organization: true,
      adminEmployees: [],
      id: o.id,
      organizationId: o.organizationId,
      tenantId: o.tenantId,
      email: o.email,
    });
  });

  r.add("GET", `${V21}/:organizationId`, (ctx) => {
    const o = orgOf(ctx, tenantOf(ctx));
    return answer(ctx, "code", 200, "Success", organizationView(dialect(ctx), o));
  });

  r.add("DELETE", `${V21}/:organizationId`, (ctx) => {
    const o = orgOf(ctx, tenantOf(ctx));
    const st = finhubState(ctx.state);
    const left = peopleOf(st, o).length;
    if (left > 0) throw fail(409, "ORGANIZATION_HAS_PERSONNEL", `Organization still has ${left} personnel record(s): remove them first`);
    st.organizations = st.organizations.filter((x) => x !== o);
    return removed(ctx, "Organization deleted successfully");
  });

  // Directors
  r.add("POST", `${V21}/:organizationId/director`, (ctx) => {
    const tenant = tenantOf(ctx);
    const o = orgOf(ctx, tenant);
    const st = finhubState(ctx.state);
    const b = ctx.body ?? {};
    validatePerson(b.person, "");
    if (!(FINHUB_DIRECTOR_ROLES as readonly string[]).includes(b.role)) throw invalid("role", `role must be one of ${FINHUB_DIRECTOR_ROLES.join(", ")}`);
    const ownershipPercentage = validatePercent(b.ownershipPercentage, "ownershipPercentage");
    if (b.appointmentDate !== undefined && !DATE.test(String(b.appointmentDate))) throw invalid("appointmentDate", "appointmentDate must be YYYY-MM-DD");
    if (emailTaken(st, tenant.id, b.person.email)) throw duplicateEmail(b.person.email);
    const { record, customer, temporaryPassword } = addPerson(st, o, "director", b, {
      role: b.role,
      directorType: directorTypeOf(b.role),
      appointmentDate: b.appointmentDate ?? nowIso().slice(0, 10),
      ownershipPercentage,
      primaryContact: b.primaryContact === true,
    });
    const d = dialect(ctx);
    const creds = credentials(customer, temporaryPassword);
    const data: Json = { organization: directorRecordView(record) };
    if (d.credentials === "individual") data.individual = { userId: customer.id, email: customer.email, ...creds };
    if (d.credentials === "top") Object.assign(data, creds);
    return answer(ctx, "code", d.addStatus, "Director added successfully", data);
  });

  r.add("GET", `${V21}/:organizationId/directors`, (ctx) => {
    const o = orgOf(ctx, tenantOf(ctx));
    const directors = peopleOf(finhubState(ctx.state), o, "director").map((p) => ({
      directorId: p.id,
      firstName: p.person.firstName,
      lastName: p.person.lastName,
      email: p.person.email,
      role: p.role,
      appointedDate: p.appointmentDate,
      status: "ACTIVE",
    }));
    return answer(ctx, "success", 200, undefined, { directors });
  });

  r.add("DELETE", `${V21}/:organizationId/directors/:recordId`, (ctx) => {
    removeRoute(ctx, "director");
    return removed(ctx, "Director removed successfully");
  });

  // Shareholders: the body is an array; the whole array is refused when one item is invalid.
  r.add("POST", `${V21}/:organizationId/shareholders`, (ctx) => {
    const tenant = tenantOf(ctx);
    const o = orgOf(ctx, tenant);
    const st = finhubState(ctx.state);
    const items = ctx.body;
    if (!Array.isArray(items) || items.length === 0) throw invalid("body", "The request body must be a non-empty array of shareholders");
    const seen = new Set<string>();
    items.forEach((b: Json, i: number) => {
      if (!b || typeof b !== "object") throw invalid(`[${i}]`, `[${i}] must be a shareholder object`);
      validatePerson(b.person, `[${i}].`);
      validatePercent(b.ownershipPercentage, `[${i}].ownershipPercentage`, true);
      const email = String(b.person.email).toLowerCase();
      if (seen.has(email) || emailTaken(st, tenant.id, email)) throw duplicateEmail(b.person.email);
      seen.add(email);
    });
    const d = dialect(ctx);
    const added = items.map((b: Json) => {
      const { record } = addPerson(st, o, "shareholder", b, {
        ownershipPercentage: validatePercent(b.ownershipPercentage, "ownershipPercentage"),
        primaryContact: b.primaryContact === true,
        status: "PENDING_VERIFICATION",
      });
      return { [d.shareholderKey]: record.id, status: "PENDING_VERIFICATION", createdAt: record.createdAt };
    });
    const data = d.shareholderAdd === "single" && added.length === 1 ? added[0] : added;
    return answer(ctx, "success", d.addStatus, undefined, data);
  });

  r.add("GET", `${V2}/:organizationId/shareholders`, (ctx) => {
    const o = orgOf(ctx, tenantOf(ctx));
    const d = dialect(ctx);
    const shareholders = peopleOf(finhubState(ctx.state), o, "shareholder").map((p) => shareholderListItem(d, p));
    return answer(ctx, "success", 200, undefined, d.shareholdersList === "bare" ? shareholders : { shareholders });
  });

  r.add("DELETE", `${V2}/:organizationId/shareholders/:recordId`, (ctx) => {
    removeRoute(ctx, "shareholder");
    return removed(ctx, "Shareholder removed successfully");
  });

  r.add("PUT", "/finhub/api/v2.1/shareholder/update/:recordId", (ctx) => {
    const tenant = tenantOf(ctx);
    if (!header(ctx, "x-forwarded-for")) throw fail(400, "MISSING_HEADER", "X-Forwarded-For header is required", { field: "X-Forwarded-For" });
    const st = finhubState(ctx.state);
    const rec = st.people.find((p) => p.id === ctx.params.recordId && p.kind === "shareholder" && p.tenantId === tenant.id);
    if (!rec) throw fail(404, "NOT_FOUND", `Shareholder ${ctx.params.recordId} not found`);
    const b = ctx.body && typeof ctx.body === "object" && !Array.isArray(ctx.body) ? ctx.body : {};
    const errors = updateShareholderErrors(b);
    if (errors.length) {
      throw fail(400, "VALIDATION_ERROR", `Validation failed: ${errors.map((e) => e.field).join(", ")}`, { errors });
    }
    if (b.organizationId !== rec.organizationId) throw invalid("organizationId", "organizationId does not match the shareholder's organization");
    const customer = st.customers.find((c) => c.id === rec.individualCustomerId);
    if (emailTaken(st, tenant.id, b.email, customer?.id)) throw duplicateEmail(b.email);
    rec.person = { ...rec.person, firstName: b.firstName, lastName: b.lastName, email: b.email, phoneNumber: b.phoneNumber, dateOfBirth: b.dateOfBirth, nationality: b.nationality };
    rec.ownershipPercentage = b.sharePercentage;
    rec.details = {
      address: b.address,
      city: b.city,
      country: b.country,
      postalCode: b.postalCode,
      shareholderType: b.shareholderType,
      idDocumentType: b.idDocumentType,
      idDocumentNumber: b.idDocumentNumber,
      idDocumentExpiryDate: b.idDocumentExpiryDate,
      ...(b.customerId !== undefined ? { customerId: b.customerId } : {}),
      ...(b.isPep !== undefined ? { isPep: b.isPep } : {}),
      ...(b.isUbo !== undefined ? { isUbo: b.isUbo } : {}),
    };
    rec.updatedAt = nowIso();
    if (customer) customer.email = b.email;
    return answer(ctx, "success", 200, "Shareholder updated successfully", {
      shareholderId: rec.id,
      organizationId: rec.organizationId,
      firstName: b.firstName,
      lastName: b.lastName,
      email: b.email,
      sharePercentage: rec.ownershipPercentage,
      shareholderType: b.shareholderType,
      status: rec.status,
      updatedAt: rec.updatedAt,
    });
  });

  // Employees
  r.add("POST", `${V21}/:organizationId/employee`, (ctx) => {
    const tenant = tenantOf(ctx);
    const o = orgOf(ctx, tenant);
    const st = finhubState(ctx.state);
    const b = ctx.body ?? {};
    validatePerson(b.person, "");
    const { position, roles } = validateRoles(b.position, b.roles);
    if (b.department !== undefined && b.department !== null && typeof b.department !== "string") throw invalid("department", "department must be a string");
    const newcomer = { position, roles } as FinHubPersonRecord;
    if (!peopleOf(st, o, "employee").some((p) => holds(p, "ADMIN_USER")) && !holds(newcomer, "ADMIN_USER")) {
      throw fail(400, "MISSING_REQUIRED_ROLE", MISSING_ADMIN_MESSAGE, { field: "roles", suggestions: ["The first employee must include ADMIN_USER in position or roles"] });
    }
    if (emailTaken(st, tenant.id, b.person.email)) throw duplicateEmail(b.person.email);
    const { customer, temporaryPassword } = addPerson(st, o, "employee", b, { position, roles, department: b.department ?? null });
    const d = dialect(ctx);
    const creds = credentials(customer, temporaryPassword);
    const individual: Json = { userId: customer.id, email: customer.email, ...(d.credentials === "individual" ? creds : {}) };
    const data: Json = { individual, ...(d.credentials === "top" ? creds : {}) };
    return answer(ctx, "code", d.addStatus, "Employee added successfully with role validation", data);
  });

  r.add("GET", `${V21}/:organizationId/employees`, (ctx) => {
    const o = orgOf(ctx, tenantOf(ctx));
    const page = intParam(ctx.query.page, "page", 0, 0, Number.MAX_SAFE_INTEGER);
    const size = intParam(ctx.query.size, "size", 20, 1, 100);
    let list = peopleOf(finhubState(ctx.state), o, "employee");
    const { department, role } = ctx.query;
    if (typeof department === "string" && department) list = list.filter((p) => p.department === department);
    if (typeof role === "string" && role) list = list.filter((p) => holds(p, role));
    const employees = list.slice(page * size, page * size + size).map(employeeListItem);
    return answer(ctx, "success", 200, undefined, { employees, pagination: { total: list.length, page, size } });
  });

  r.add("PUT", `${V21}/:organizationId/employees/:recordId/roles`, (ctx) => {
    const o = orgOf(ctx, tenantOf(ctx));
    const st = finhubState(ctx.state);
    const rec = peopleOf(st, o, "employee").find((p) => p.id === ctx.params.recordId);
    if (!rec) throw fail(404, "NOT_FOUND", `Employee ${ctx.params.recordId} not found`);
    const b = ctx.body ?? {};
    const { position, roles } = validateRoles(b.position, b.roles);
    const othersAdmin = peopleOf(st, o, "employee").some((p) => p.id !== rec.id && holds(p, "ADMIN_USER"));
    if (!othersAdmin && !holds({ position, roles } as FinHubPersonRecord, "ADMIN_USER")) {
      throw fail(400, "MISSING_REQUIRED_ROLE", MISSING_ADMIN_MESSAGE, { field: "roles", suggestions: ["Give ADMIN_USER to another employee first"] });
    }
    rec.position = position;
    rec.roles = roles;
    if (typeof b.department === "string") rec.department = b.department;
    rec.updatedAt = nowIso();
    return answer(ctx, "code", 200, "Employee roles updated successfully");
  });

  r.add("DELETE", `${V21}/:organizationId/employees/:recordId`, (ctx) => {
    const o = orgOf(ctx, tenantOf(ctx));
    const st = finhubState(ctx.state);
    const employees = peopleOf(st, o, "employee");
    const rec = employees.find((p) => p.id === ctx.params.recordId);
    if (!rec) throw fail(404, "NOT_FOUND", `Employee ${ctx.params.recordId} not found`);
    // While employees remain, one of them must hold ADMIN_USER (the last employee may go).
    const others = employees.filter((p) => p.id !== rec.id);
    if (holds(rec, "ADMIN_USER") && others.length > 0 && !others.some((p) => holds(p, "ADMIN_USER"))) {
      throw fail(400, "MISSING_REQUIRED_ROLE", MISSING_ADMIN_MESSAGE, { field: "roles", suggestions: ["Give ADMIN_USER to another employee, or remove the other employees first"] });
    }
    removePerson(st, rec);
    return removed(ctx, "Employee removed successfully");
  });

  // Compliance: KYB, consents, readiness, activation
  r.add("POST", `${V21}/:organizationId/verify`, (ctx) => {
    const o = orgOf(ctx, tenantOf(ctx));
    const { userId } = actingUser(ctx);
    const st = finhubState(ctx.state);
    // A second request answers the verification already under way (or done).
    if (!o.kyb) o.kyb = { verificationId: uuid(), status: "PENDING", requestedAt: nowIso(), completesAt: Date.now() + st.settings.kybDelayMs, requestedBy: userId };
    const status = o.kyb.status;
    tick(o);
    return answer(ctx, "code", 200, "Success", { verificationId: o.kyb.verificationId, status, verificationType: "KYB" });
  });

  r.add("POST", `${V21}/:organizationId/consents/:consentType`, (ctx) => {
    const o = orgOf(ctx, tenantOf(ctx));
    const type = ctx.params.consentType;
    if (!(FINHUB_CONSENTS as readonly string[]).includes(type)) throw fail(404, "NOT_FOUND", `Unknown consent type ${type}; one of ${FINHUB_CONSENTS.join(", ")}`);
    const b = ctx.body ?? {};
    if (b.accepted !== true) throw invalid("accepted", "accepted must be true");
    if (!isText(b.version)) throw invalid("version", "version is required");
    o.consents[type] = { version: b.version, acceptedAt: nowIso() };
    return answer(ctx, "code", 200, "Success");
  });

  r.add("GET", `${V21}/:organizationId/activation/readiness`, (ctx) => {
    const o = orgOf(ctx, tenantOf(ctx));
    const missing = missingForActivation(finhubState(ctx.state), o);
    return answer(ctx, "code", 200, "Success", {
      organizationId: o.organizationId,
      activationAllowed: missing.length === 0 && o.status === "PENDING_ACTIVATION",
      verificationOk: o.kyb?.status === "APPROVED",
      consentOk: FINHUB_CONSENTS.every((c) => o.consents[c]),
      missingConsents: FINHUB_CONSENTS.filter((c) => !o.consents[c]),
      message: missing.length ? `Missing: ${missing.join("; ")}` : "Organization is ready for activation",
    });
  });

  r.add("POST", `${V21}/:organizationId/activation`, (ctx) => {
    const o = orgOf(ctx, tenantOf(ctx));
    const { userId, roles } = actingUser(ctx);
    const st = finhubState(ctx.state);
    const allowed = ["ADMIN_USER", "COMPLIANCE_OFFICER"];
    const actor = peopleOf(st, o, "employee").find((p) => p.individualCustomerId === userId);
    if (!roles.some((x) => allowed.includes(x)) || !actor || !allowed.some((x) => holds(actor, x))) {
      throw fail(403, "FORBIDDEN", "Only an employee of this organization holding ADMIN_USER or COMPLIANCE_OFFICER can activate it (X-User-ID, X-User-Roles)");
    }
    // Already under way or done: answer the current status, never start a second activation.
    if (o.status === "ACTIVATING" || o.status === "ACTIVE") return answer(ctx, "code", 200, "Success", activationView(o));
    const missing = missingForActivation(st, o);
    if (missing.length) {
      throw fail(422, "ACTIVATION_PREREQUISITES_NOT_MET", `Organization cannot be activated: missing ${missing.join("; ")}`, {
        details: missing.join("; "),
        suggestions: missing.map((m) => `Provide ${m}`),
      });
    }
    o.status = "ACTIVATING";
    o.activation = { requestedAt: nowIso(), completesAt: Date.now() + st.settings.activationDelayMs, requestedBy: userId };
    const view = activationView(o);
    tick(o); // a zero delay completes at once; the answer still says ACTIVATING, as FinHub's does
    return answer(ctx, "code", 200, "Success", view);
  });

  controlRoutes(r);
}

/** The required fields of the update-shareholder body (latest/api-reference/v2.1), as { field, message } errors. */
function updateShareholderErrors(b: Json): { field: string; message: string }[] {
  const errors: { field: string; message: string }[] = [];
  const text = [
    "organizationId", "firstName", "lastName", "email", "phoneNumber", "dateOfBirth", "nationality", "address", "city",
    "country", "postalCode", "shareholderType", "idDocumentType", "idDocumentNumber", "idDocumentExpiryDate",
  ];
  for (const f of text) if (!isText(b[f])) errors.push({ field: f, message: `${f} is required` });
  if (isText(b.email) && !EMAIL.test(b.email)) errors.push({ field: "email", message: "email is not a valid email address" });
  for (const f of ["dateOfBirth", "idDocumentExpiryDate"]) if (isText(b[f]) && !DATE.test(b[f])) errors.push({ field: f, message: `${f} must be YYYY-MM-DD` });
  const pct = b.sharePercentage;
  if (typeof pct !== "number" || !Number.isFinite(pct) || pct < 0 || pct > 100) errors.push({ field: "sharePercentage", message: "sharePercentage is required (0 to 100)" });
  for (const f of ["isPep", "isUbo"]) if (b[f] !== undefined && typeof b[f] !== "boolean") errors.push({ field: f, message: `${f} must be a boolean` });
  if (b.customerId !== undefined && typeof b.customerId !== "string") errors.push({ field: "customerId", message: "customerId must be a string" });
  return errors;
}

function intParam(v: string | string[] | undefined, name: string, dflt: number, min: number, max: number): number {
  if (v === undefined || v === "") return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(name, `${name} must be an integer from ${min} to ${max}`);
  return n;
}

function removeRoute(ctx: Ctx, kind: "director" | "shareholder"): void {
  const o = orgOf(ctx, tenantOf(ctx));
  const st = finhubState(ctx.state);
  const rec = peopleOf(st, o, kind).find((p) => p.id === ctx.params.recordId);
  if (!rec) throw fail(404, "NOT_FOUND", `${kind === "director" ? "Director" : "Shareholder"} ${ctx.params.recordId} not found`);
  removePerson(st, rec);
}

// ---- control routes (tests and the demo; not part of FinHub's API) ----
//   POST   /__sandbox/finhub/settings                         { kybDelayMs?, activationDelayMs? }
//   GET    /__sandbox/finhub/dialect                          the knobs (finhubDialect.ts)
//   POST   /__sandbox/finhub/dialect                          { knob: value, ... } merged into the current dialect
//   DELETE /__sandbox/finhub/dialect                          back to the documented defaults
//   GET    /__sandbox/finhub/state                            FinHub's state, KYB and activation moved on
//   Out-of-band changes, as someone in FinHub's web UI would make them (no rule is checked); {key} is the
//   record id (directorId / shareholderId / employeeId) or the person's email:
//   DELETE /__sandbox/finhub/organizations/{organizationId}/{directors|shareholders|employees}/{key}
//   PUT    /__sandbox/finhub/organizations/{organizationId}/employees/{key}/roles   { position?, roles[] }
//   PUT    /__sandbox/finhub/organizations/{organizationId}/shareholders/{key}     { ownershipPercentage }
function controlRoutes(r: Router) {
  const C = "/__sandbox/finhub";
  r.add("POST", `${C}/settings`, (ctx) => {
    const st = finhubState(ctx.state);
    for (const k of ["kybDelayMs", "activationDelayMs"] as const) {
      const v = ctx.body?.[k];
      if (v === undefined) continue;
      if (typeof v !== "number" || !(v >= 0)) throw new SandboxError(400, `${k} must be a number of ms >= 0`, "BadSettings");
      st.settings[k] = v;
    }
    return { status: 200, body: st.settings };
  });
  r.add("GET", `${C}/dialect`, (ctx) => ({ status: 200, body: finhubState(ctx.state).dialect }));
  r.add("POST", `${C}/dialect`, (ctx) => {
    const st = finhubState(ctx.state);
    st.dialect = mergeDialect(st.dialect, ctx.body);
    return { status: 200, body: st.dialect };
  });
  r.add("DELETE", `${C}/dialect`, (ctx) => {
    const st = finhubState(ctx.state);
    st.dialect = { ...DEFAULT_DIALECT };
    return { status: 200, body: st.dialect };
  });
  r.add("GET", `${C}/state`, (ctx) => {
    const st = finhubState(ctx.state);
    st.organizations.forEach(tick);
    return { status: 200, body: st };
  });

  const KINDS: Record<string, PersonKind> = { directors: "director", shareholders: "shareholder", employees: "employee" };
  const find = (ctx: Ctx, kind: PersonKind) => {
    const st = finhubState(ctx.state);
    const key = ctx.params.key.toLowerCase();
    const rec = st.people.find(
      (p) => p.kind === kind && p.organizationId === ctx.params.organizationId && (p.id === ctx.params.key || String(p.person.email).toLowerCase() === key),
    );
    if (!rec) throw new SandboxError(404, `no ${kind} ${ctx.params.key} in organization ${ctx.params.organizationId}`, "NotFound");
    return { st, rec };
  };
  r.add("DELETE", `${C}/organizations/:organizationId/:kind/:key`, (ctx) => {
    const kind = KINDS[ctx.params.kind];
    if (!kind) throw new SandboxError(404, `unknown kind ${ctx.params.kind}: directors, shareholders or employees`, "NotFound");
    const { st, rec } = find(ctx, kind);
    removePerson(st, rec);
    return { status: 200, body: { removed: rec.id } };
  });
  r.add("PUT", `${C}/organizations/:organizationId/employees/:key/roles`, (ctx) => {
    const { rec } = find(ctx, "employee");
    const roles = ctx.body?.roles;
    const position = ctx.body?.position ?? (Array.isArray(roles) ? roles[0] : undefined);
    try {
      Object.assign(rec, validateRoles(position, roles), { updatedAt: nowIso() });
    } catch (e) {
      throw new SandboxError(400, (e as Error).message, "BadRoles");
    }
    return { status: 200, body: employeeListItem(rec) };
  });
  r.add("PUT", `${C}/organizations/:organizationId/shareholders/:key`, (ctx) => {
    const { rec } = find(ctx, "shareholder");
    const v = ctx.body?.ownershipPercentage;
    if (typeof v !== "number" || v < 0 || v > 100) throw new SandboxError(400, "ownershipPercentage must be a number from 0 to 100", "BadPercentage");
    rec.ownershipPercentage = v;
    rec.updatedAt = nowIso();
    return { status: 200, body: shareholderListItem(DEFAULT_DIALECT, rec) };
  });
}

/** RateLimitExceeded -> RATE_LIMIT_EXCEEDED: the server's own error names in FinHub's style. */
const upperSnake = (s: string) => (/^[A-Z0-9_]+$/.test(s) ? s : s.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase());

export const finhubModule: SandboxModule = {
  name: "finhub",
  prefixes: ["/finhub/"],
  seed,
  afterSeed,
  routes,
  errorBody: (err: SandboxError, _requestId: string) => ({
    code: err.status,
    message: err.message,
    data: { error: upperSnake(err.code || "ERROR"), ...(err.context ?? {}) },
  }),
  answerHeaders: (requestId: string) => ({ "x-request-id": requestId }),
};
