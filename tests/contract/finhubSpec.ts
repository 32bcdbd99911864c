// FinHub publishes no OpenAPI file: this is the contract written from ../shared/vendor-docs/finhub-responses.md
// (which reads FinHub's pages and resolves their contradictions) and API-NOTES.md, as zod schemas per
// operation: path, required request headers, request body, and every answer.
//
// Each answer has two readings:
//   - `default`: the documented shape (or, where FinHub documents nothing, the one shape the sandbox
//     serves by default; marked "sandbox's choice" below). `validateExchange(x, { strict: true })`.
//   - `tolerated`: the union of every alternative finhub-responses.md tells a client to tolerate (other
//     envelopes, credentials placement, list wrappers, item keys, 200/201, 204/200 with a body, ...).
//     `validateExchange(x)` checks this reading: whatever a client must survive.
// Requests have one reading: what the endpoint's own page documents.
import { z } from "zod";
import type { LoggedRequest } from "../../sandbox/server";

// ---- vocabulary ----

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "not a UUID");
const text = z.string().min(1);
const ymd = z.iso.date();
const isoTime = z.iso.datetime({ offset: true });
const percent = z.number().min(0).max(100);
export const EMPLOYEE_ROLES = ["ADMIN_USER", "TRANSACTION_APPROVER", "COMPLIANCE_OFFICER", "EMPLOYEE"] as const;
export const DIRECTOR_ROLES = ["MANAGING_DIRECTOR", "EXECUTIVE_DIRECTOR", "NON_EXECUTIVE_DIRECTOR", "BOARD_MEMBER"] as const;
export const CONSENT_TYPES = ["terms", "privacy", "data-processing"] as const;
const ORGANIZATION_STATUSES = ["PENDING_VERIFICATION", "PENDING_ACTIVATION", "ACTIVATING", "ACTIVE"] as const;
const employeeRole = z.enum(EMPLOYEE_ROLES);

// ---- requests ----

/** AddressDto as API-NOTES lists it on PersonDto (no field is marked required). */
export const AddressDto = z.strictObject({
  addressLine1: z.string().optional(),
  addressLine2: z.string().optional(),
  city: z.string().optional(),
  state: z.string().optional(),
  country: z.string().optional(),
  postalCode: z.string().optional(),
  addressType: z.string().optional(),
});
/** TelephoneNumberDto: named, never shown. */
export const TelephoneNumberDto = z.looseObject({});
/** PersonDto: the employee examples' fields; the page shows "…" after them, so more may come. */
export const PersonDto = z.looseObject({
  firstName: text,
  middleName: z.string().optional(),
  lastName: text,
  fullName: z.string().optional(),
  email: z.email(),
  dateOfBirth: ymd.optional(),
  nationality: z.string().optional(),
  gender: z.string().optional(),
  phoneNumber: z.string().optional(),
  countryCode: z.string().optional(),
  addresses: z.array(AddressDto).optional(),
  contacts: z.array(z.looseObject({ type: z.string(), value: z.string(), isPrimary: z.boolean().optional() })).optional(),
});
const contactFields = { addresses: z.array(AddressDto).optional(), telephoneNumbers: z.array(TelephoneNumberDto).optional() };

/** Runner / playground registration body (the flows page's flat body is older and not accepted). */
export const RegistrationRequest = z
  .strictObject({
    email: z.email(),
    password: text,
    matchingPassword: text,
    roleIds: z.array(z.union([z.string(), z.number()])).optional(),
    customerCategory: z.looseObject({ id: z.union([z.string(), z.number()]).optional(), name: z.string().optional() }).optional(),
    organizationCustomer: z.strictObject({
      customerName: z.string().optional(),
      organization: z.strictObject({
        legalName: text,
        tradingName: z.string().optional(),
        registrationNumber: z.string().optional(),
        taxId: z.string().optional(),
        incorporationDate: ymd.optional(),
        legalForm: z.string().optional(),
        industry: z.string().optional(),
        businessDescription: z.string().optional(),
        website: z.string().optional(),
        email: z.email().optional(),
        phone: z.string().optional(),
        addresses: z
          .array(
            z.strictObject({
              type: z.string().optional(),
              street: z.string().optional(),
              city: z.string().optional(),
              postalCode: z.string().optional(),
              country: z.string().optional(),
              isPrimary: z.boolean().optional(),
            }),
          )
          .optional(),
        representatives: z.array(z.unknown()).optional(),
      }),
      user: z
        .looseObject({ username: z.string().optional(), email: z.email().optional(), password: z.string().optional(), status: z.string().optional(), roles: z.array(z.unknown()).optional() })
        .optional(),
    }),
  })
  .refine((b) => b.password === b.matchingPassword, { message: "password and matchingPassword differ", path: ["matchingPassword"] });

export const DirectorAddRequest = z.strictObject({
  person: PersonDto,
  role: z.enum(DIRECTOR_ROLES),
  ownershipPercentage: percent.optional(),
  primaryContact: z.boolean().optional(),
  ...contactFields,
});

export const ShareholderItemRequest = z.strictObject({ person: PersonDto, ownershipPercentage: percent, primaryContact: z.boolean().optional(), ...contactFields });
/** The body is an array, even for one shareholder. */
export const ShareholdersAddRequest = z.array(ShareholderItemRequest).min(1);

/** The only page that documents the update (latest/…/update-shareholder): flat, `sharePercentage`. */
export const ShareholderUpdateRequest = z.strictObject({
  organizationId: text,
  firstName: text,
  lastName: text,
  email: z.email(),
  phoneNumber: text,
  dateOfBirth: ymd,
  nationality: text,
  address: text,
  city: text,
  country: text,
  postalCode: text,
  sharePercentage: percent,
  shareholderType: text,
  idDocumentType: text,
  idDocumentNumber: text,
  idDocumentExpiryDate: ymd,
  customerId: z.string().optional(),
  isPep: z.boolean().optional(),
  isUbo: z.boolean().optional(),
});

export const EmployeeAddRequest = z.strictObject({
  person: PersonDto,
  /** The primary role: `position`, not `role` (contradiction 10). */
  position: employeeRole,
  roles: z.array(employeeRole).min(1),
  department: z.string().optional(),
  responsibility: z.string().optional(),
  organizationRole: z.string().optional(),
  status: z.string().optional(),
  sharePercentage: percent.optional(),
  ultimatePercentage: percent.optional(),
  groupId: z.string().optional(),
  documentId: z.string().optional(),
  ...contactFields,
});

/** Undocumented body; the sandbox's choice follows the one rendering that lists fields. */
export const EmployeeRolesRequest = z.strictObject({
  position: employeeRole,
  roles: z.array(employeeRole).min(1),
  responsibility: z.string().optional(),
  department: z.string().optional(),
  organizationRole: z.string().optional(),
  status: z.string().optional(),
});

export const VerifyRequest = z
  .strictObject({
    customerId: z.string().optional(),
    type: z.string().optional(),
    requestedLevel: z.string().optional(),
    requestedByUserId: z.string().optional(),
    requestedByTenantId: z.string().optional(),
    notes: z.string().optional(),
    reason: z.string().optional(),
  })
  .optional();

export const ConsentRequest = z.strictObject({
  accepted: z.literal(true),
  version: text,
  acceptedBy: z.looseObject({ name: z.string().optional(), position: z.string().optional(), email: z.string().optional(), authority: z.string().optional() }).optional(),
  acceptanceTimestamp: z.string().optional(),
  digitalSignature: z.string().optional(),
});

export const ActivationRequest = z
  .strictObject({
    activationReason: z.string().optional(),
    additionalInfo: z.looseObject({ userId: z.string().optional(), activationCode: z.string().optional() }).optional(),
  })
  .optional();

// ---- answers ----

/** `{ code, message, data }`; `data` absent when the schema is undefined. */
const codeEnv = (data?: z.ZodType) => (data ? z.strictObject({ code: z.number().int(), message: z.string(), data }) : z.strictObject({ code: z.number().int(), message: z.string() }));
/** `{ success: true, data }` (list pages) or `{ success, message, data }`. */
const successEnv = (data?: z.ZodType, message: "none" | "optional" | "required" = "optional") => {
  const m = message === "none" ? {} : { message: message === "required" ? z.string() : z.string().optional() };
  return data ? z.strictObject({ success: z.literal(true), ...m, data }) : z.strictObject({ success: z.literal(true), ...m });
};
const bothEnv = (data?: z.ZodType) =>
  data ? z.strictObject({ code: z.number().int(), success: z.literal(true), message: z.string(), data }) : z.strictObject({ code: z.number().int(), success: z.literal(true), message: z.string() });
/** Any of the three envelopes (contradiction 5: key on the status and `data`, tolerate either flag). */
const anyEnv = (data?: z.ZodType) => z.union([codeEnv(data), successEnv(data), bothEnv(data)]);

const credentials = { username: text, temporaryPassword: text };

// Organization
const RegistrationData = z
  .looseObject({ individual: z.literal(false), organization: z.literal(true), adminEmployees: z.array(z.unknown()), id: uuid, organizationId: uuid, tenantId: text, email: z.email() })
  .refine((d) => d.id === d.organizationId, { message: "id differs from organizationId", path: ["id"] });
/** Undocumented body; sandbox's choice. The status, when present, is at data.status. */
const OrganizationDataDefault = z.looseObject({ id: uuid, organizationId: uuid, tenantId: text, email: z.email(), status: z.enum(ORGANIZATION_STATUSES) });
const OrganizationDataTolerated = z.looseObject({ status: z.enum(ORGANIZATION_STATUSES).optional() });

// Directors
/** The organization record (flows page; cut after verificationStatus, so more fields may follow). */
const DirectorRecord = z.looseObject({
  id: text,
  organizationId: uuid,
  email: z.email(),
  firstName: text,
  lastName: text,
  position: z.string().optional(),
  directorType: z.string().optional(),
  appointmentDate: ymd.optional(),
  status: z.literal("ACTIVE"),
  verificationStatus: z.string().startsWith("PE"),
});
const DirectorAddDefault = z.strictObject({ organization: DirectorRecord });
const DirectorAddTolerated = z.union([
  DirectorAddDefault,
  z.strictObject({ organization: DirectorRecord, individual: z.strictObject({ userId: uuid.optional(), email: z.email().optional(), ...credentials }) }),
  z.strictObject({ organization: DirectorRecord, ...credentials }),
]);
const DirectorItem = z.strictObject({ directorId: text, firstName: text, lastName: text, email: z.email(), role: text, appointedDate: ymd, status: text });
const DirectorList = z.strictObject({ directors: z.array(DirectorItem) });

// Shareholders
const ShareholderAddItemDefault = z.strictObject({ shareholderId: text, status: z.literal("PENDING_VERIFICATION"), createdAt: isoTime });
const ShareholderAddItemTolerated = z.union([ShareholderAddItemDefault, z.strictObject({ id: text, status: text, createdAt: isoTime })]);
const shareholderItem = (key: "shareholderId" | "id", pct: "ownershipPercentage" | "sharePercentage") =>
  z.strictObject({ [key]: text, firstName: text, lastName: text, email: z.email(), [pct]: percent, status: text } as Record<string, z.ZodType>);
/** Undocumented list; sandbox's choice. */
const ShareholderListDefault = z.strictObject({ shareholders: z.array(shareholderItem("shareholderId", "ownershipPercentage")) });
const ShareholderItemTolerated = z.union([
  shareholderItem("shareholderId", "ownershipPercentage"),
  shareholderItem("id", "ownershipPercentage"),
  shareholderItem("shareholderId", "sharePercentage"),
  shareholderItem("id", "sharePercentage"),
]);
const ShareholderListTolerated = z.union([z.strictObject({ shareholders: z.array(ShareholderItemTolerated) }), z.array(ShareholderItemTolerated)]);

// Employees
const EmployeeAddDefault = z.strictObject({ individual: z.strictObject({ userId: uuid, email: z.email() }) });
const EmployeeAddTolerated = z.union([
  EmployeeAddDefault,
  z.strictObject({ individual: z.strictObject({ userId: uuid, email: z.email(), ...credentials }) }),
  z.strictObject({ individual: z.strictObject({ userId: uuid, email: z.email() }), ...credentials }),
]);
const EmployeeItem = z.strictObject({
  employeeId: text,
  firstName: text,
  lastName: text,
  email: z.email(),
  department: z.string().nullable(),
  role: text,
  status: text,
  hiredDate: ymd,
});
const EmployeeList = z
  .strictObject({ employees: z.array(EmployeeItem), pagination: z.strictObject({ total: z.number().int().min(0), page: z.number().int().min(0), size: z.number().int().min(1) }) })
  .refine((d) => d.employees.length <= d.pagination.size, { message: "more employees than the page size", path: ["employees"] });

// Compliance
const VerifyData = z.strictObject({ verificationId: text, status: z.enum(["PENDING", "IN_PROGRESS", "APPROVED", "REJECTED"]), verificationType: z.literal("KYB") });
const ActivationDefault = z.strictObject({
  activation: z.strictObject({ message: z.string(), status: z.enum(["ACTIVATING", "ACTIVE"]), activatedAt: isoTime, warnings: z.array(z.string()) }),
});
/** Older pages: ACTIVE at once, with wallet, IBAN, ...; the status is always at data.activation.status. */
const ActivationTolerated = z.looseObject({ activation: z.looseObject({ status: z.enum(["ACTIVATING", "ACTIVE"]) }) });

/** An error: `{ code, message, data: { error, details?, field?, suggestions?, errors? } }`; the missing-ADMIN_USER example has no data. */
const ErrorData = z.strictObject({
  error: z.string().optional(),
  details: z.string().optional(),
  field: z.string().optional(),
  suggestions: z.array(z.string()).optional(),
  errors: z.array(z.strictObject({ field: z.string(), message: z.string() })).optional(),
});
export const ErrorEnvelopeTolerated = z.strictObject({
  code: z.number().int().min(400),
  message: z.string(),
  data: ErrorData.refine((d) => d.error !== undefined || d.errors !== undefined, { message: "neither error nor errors" }).optional(),
});
export const ErrorEnvelopeDefault = z.strictObject({ code: z.number().int().min(400), message: z.string(), data: ErrorData.extend({ error: text }) });

// ---- operations ----

/** Answers by HTTP status; `null` = no body (204). */
type Answers = Record<number, z.ZodType | null>;

export interface Operation {
  name: string;
  method: string;
  /** Path without the sandbox's `/finhub` prefix. */
  template: string;
  /** Request headers this operation needs beyond X-Tenant-ID, Authorization and User-Agent (lowercase). */
  headers?: string[];
  request?: z.ZodType;
  default: Answers;
  tolerated: Answers;
}

const V = "/api/v2.1/customer/organization";
const deleteAnswers = { default: { 204: null }, tolerated: { 204: null, 200: anyEnv(z.unknown().optional()) } };
/** Adds: 200 (runner, flows) or 201 (API-NOTES, employees status table): any 2xx of the two. */
const added = (documentedStatus: number, def: z.ZodType, tol: z.ZodType) => ({ default: { [documentedStatus]: def }, tolerated: { 200: tol, 201: tol } });

export const OPERATIONS: Operation[] = [
  { name: "register", method: "POST", template: `${V}/registration`, request: RegistrationRequest, ...added(200, codeEnv(RegistrationData), anyEnv(RegistrationData)) },
  { name: "getOrganization", method: "GET", template: `${V}/{organizationId}`, default: { 200: codeEnv(OrganizationDataDefault) }, tolerated: { 200: anyEnv(OrganizationDataTolerated) } },
  { name: "deleteOrganization", method: "DELETE", template: `${V}/{organizationId}`, ...deleteAnswers },
  { name: "addDirector", method: "POST", template: `${V}/{organizationId}/director`, request: DirectorAddRequest, ...added(200, codeEnv(DirectorAddDefault), anyEnv(DirectorAddTolerated)) },
  { name: "listDirectors", method: "GET", template: `${V}/{organizationId}/directors`, default: { 200: successEnv(DirectorList, "none") }, tolerated: { 200: anyEnv(DirectorList) } },
  { name: "removeDirector", method: "DELETE", template: `${V}/{organizationId}/directors/{directorId}`, ...deleteAnswers },
  {
    name: "addShareholders",
    method: "POST",
    template: `${V}/{organizationId}/shareholders`,
    request: ShareholdersAddRequest,
    ...added(200, successEnv(z.array(ShareholderAddItemDefault), "none"), anyEnv(z.union([z.array(ShareholderAddItemTolerated).min(1), ShareholderAddItemTolerated]))),
  },
  {
    name: "listShareholders",
    method: "GET",
    template: "/api/v2/organizations/{organizationId}/shareholders",
    default: { 200: successEnv(ShareholderListDefault, "none") },
    tolerated: { 200: anyEnv(ShareholderListTolerated) },
  },
  { name: "removeShareholder", method: "DELETE", template: "/api/v2/organizations/{organizationId}/shareholders/{shareholderId}", ...deleteAnswers },
  {
    name: "updateShareholder",
    method: "PUT",
    template: "/api/v2.1/shareholder/update/{shareholderId}",
    headers: ["x-forwarded-for"],
    request: ShareholderUpdateRequest,
    default: { 200: z.strictObject({ success: z.boolean(), message: z.string(), data: z.unknown() }) },
    tolerated: { 200: z.union([z.strictObject({ success: z.boolean(), message: z.string().optional(), data: z.unknown().optional() }), anyEnv(z.unknown().optional())]) },
  },
  { name: "addEmployee", method: "POST", template: `${V}/{organizationId}/employee`, request: EmployeeAddRequest, ...added(200, codeEnv(EmployeeAddDefault), anyEnv(EmployeeAddTolerated)) },
  { name: "listEmployees", method: "GET", template: `${V}/{organizationId}/employees`, default: { 200: successEnv(EmployeeList, "none") }, tolerated: { 200: anyEnv(EmployeeList) } },
  {
    name: "changeEmployeeRoles",
    method: "PUT",
    template: `${V}/{organizationId}/employees/{employeeId}/roles`,
    request: EmployeeRolesRequest,
    default: { 200: codeEnv() },
    tolerated: { 200: anyEnv(z.unknown().optional()) },
  },
  { name: "removeEmployee", method: "DELETE", template: `${V}/{organizationId}/employees/{employeeId}`, ...deleteAnswers },
  {
    name: "verify",
    method: "POST",
    template: `${V}/{organizationId}/verify`,
    headers: ["x-user-id", "x-user-roles"],
    request: VerifyRequest,
    default: { 200: codeEnv(VerifyData) },
    tolerated: { 200: anyEnv(VerifyData) },
  },
  {
    name: "consent",
    method: "POST",
    template: `${V}/{organizationId}/consents/{consentType}`,
    request: ConsentRequest,
    // Runner page: no data. Playground and overview pages: a consent record (a client must not depend on it).
    default: { 200: codeEnv() },
    tolerated: { 200: anyEnv(z.looseObject({}).optional()) },
  },
  {
    name: "activationReadiness",
    method: "GET",
    template: `${V}/{organizationId}/activation/readiness`,
    // Undocumented for organizations: only the envelope is checked.
    default: { 200: codeEnv(z.unknown()) },
    tolerated: { 200: anyEnv(z.unknown().optional()) },
  },
  {
    name: "activate",
    method: "POST",
    template: `${V}/{organizationId}/activation`,
    headers: ["x-user-id", "x-user-roles"],
    request: ActivationRequest,
    default: { 200: codeEnv(ActivationDefault) },
    tolerated: { 200: anyEnv(ActivationTolerated) },
  },
];

/** Error statuses of FinHub's error page, any operation. */
export const ERROR_STATUSES = [400, 401, 403, 404, 409, 422, 429, 500];
const RUNNER_HEADERS = ["x-forwarded-for", "x-forwarded-from", "platform", "deviceid"];

/** The operation for a method and path (with or without the sandbox's /finhub prefix), and its path parameters. */
export function matchOperation(method: string, path: string): { op: Operation; params: Record<string, string> } | undefined {
  const segs = path.replace(/^\/finhub(?=\/)/, "").split("?")[0].split("/").filter(Boolean);
  const candidates = OPERATIONS.filter((o) => o.method === method.toUpperCase())
    .map((op) => ({ op, parts: op.template.split("/").filter(Boolean) }))
    .filter(({ parts }) => parts.length === segs.length)
    // Literal segments first (`/registration` before `/{organizationId}`).
    .sort((a, b) => b.parts.filter((p) => !p.startsWith("{")).length - a.parts.filter((p) => !p.startsWith("{")).length);
  for (const { op, parts } of candidates) {
    const params: Record<string, string> = {};
    if (parts.every((p, i) => (p.startsWith("{") ? ((params[p.slice(1, -1)] = decodeURIComponent(segs[i])), true) : p === segs[i]))) return { op, params };
  }
  return undefined;
}

/** zod issues as short lines; for a union, the issues of the branch that came closest. */
function describe(err: z.ZodError, limit = 20): string {
  const lines: string[] = [];
  const walk = (issues: z.core.$ZodIssue[], prefix: (string | number | symbol)[]) => {
    for (const i of issues) {
      const path = [...prefix, ...i.path];
      if (i.code === "invalid_union" && i.errors.length) {
        const best = i.errors.reduce((a, b) => (b.length < a.length ? b : a));
        walk(best, path);
      } else lines.push(`${path.map(String).join(".") || "(root)"}: ${i.message}`);
    }
  };
  walk(err.issues, []);
  return lines.slice(0, limit).join("; ");
}

export interface CheckOptions {
  /** Check answers against the default (documented) shape only, not every tolerated alternative. */
  strict?: boolean;
  /** Also require the runner headers (X-Forwarded-For, X-Forwarded-From, platform, deviceId) on every call. */
  runnerHeaders?: boolean;
}

/** Problems with a request a client sends (headers: names lowercased); empty when it keeps the contract. */
export function validateRequest(method: string, path: string, body: unknown, headers: Record<string, string | undefined>, opts: CheckOptions = {}): string[] {
  const where = `${method} ${path}`;
  const found = matchOperation(method, path);
  if (!found) return [`${where}: no such operation in the FinHub contract`];
  const { op, params } = found;
  const problems: string[] = [];
  const h = (name: string) => (headers[name] ?? "").trim();
  if (!h("x-tenant-id")) problems.push(`${where}: X-Tenant-ID header missing`);
  if (!/^Bearer \S+/.test(h("authorization"))) problems.push(`${where}: Authorization: Bearer <JWT> missing`);
  if (!h("user-agent")) problems.push(`${where}: User-Agent header missing`);
  if (body !== undefined && !/^application\/json/i.test(h("content-type"))) problems.push(`${where}: Content-Type must be application/json`);
  for (const k of op.headers ?? []) if (!h(k)) problems.push(`${where}: ${k} header missing`);
  if (opts.runnerHeaders) for (const k of RUNNER_HEADERS) if (!h(k)) problems.push(`${where}: runner header ${k} missing`);
  if (params.organizationId !== undefined && !uuid.safeParse(params.organizationId).success) problems.push(`${where}: organizationId is not a UUID`);
  if (params.consentType !== undefined && !(CONSENT_TYPES as readonly string[]).includes(params.consentType)) problems.push(`${where}: consent type ${params.consentType} is not one of ${CONSENT_TYPES.join(", ")}`);
  if (op.request) {
    const r = op.request.safeParse(body);
    if (!r.success) problems.push(`${where}: request body: ${describe(r.error)}`);
  } else if (body !== undefined && body !== "") problems.push(`${where}: this operation takes no body`);
  return problems;
}

/** Problems with an answer; empty when it keeps the contract. */
export function validateAnswer(method: string, path: string, status: number, body: unknown, opts: CheckOptions = {}): string[] {
  const where = `${method} ${path} -> ${status}`;
  const found = matchOperation(method, path);
  if (!found) return [`${where}: no such operation in the FinHub contract`];
  const problems: string[] = [];
  if (body && typeof body === "object" && "code" in body && (body as { code: unknown }).code !== status) {
    problems.push(`${where}: envelope code ${String((body as { code: unknown }).code)} differs from the HTTP status`);
  }
  if (status >= 400) {
    if (!ERROR_STATUSES.includes(status)) problems.push(`${where}: status ${status} is not documented`);
    const r = (opts.strict ? ErrorEnvelopeDefault : ErrorEnvelopeTolerated).safeParse(body);
    if (!r.success) problems.push(`${where}: error body is not { code, message, data: { error, ... } }: ${describe(r.error)}`);
    return problems;
  }
  const answers = opts.strict ? found.op.default : found.op.tolerated;
  if (!(status in answers)) return [...problems, `${where}: status ${status} is not ${opts.strict ? "the documented one" : "documented or tolerated"} for ${found.op.name} (${Object.keys(answers).join(", ")})`];
  const schema = answers[status];
  if (schema === null) {
    if (body !== undefined && body !== "") problems.push(`${where}: a ${status} has no body`);
    return problems;
  }
  const r = schema.safeParse(body);
  if (!r.success) problems.push(`${where}: answer: ${describe(r.error)}`);
  return problems;
}

/**
 * Problems with one logged exchange (see LoggedRequest in sandbox/server.ts). The request half is not
 * checked when the sandbox refused it with 400 (a test sending a bad request on purpose).
 */
export function validateExchange(x: Pick<LoggedRequest, "method" | "path" | "requestBody" | "status" | "responseBody" | "requestHeaders">, opts: CheckOptions = {}): string[] {
  const request = x.status === 400 ? [] : validateRequest(x.method, x.path, x.requestBody, x.requestHeaders ?? {}, opts);
  const answer = validateAnswer(x.method, x.path, x.status, x.responseBody, opts);
  // One "no such operation" is enough.
  return request[0]?.endsWith("no such operation in the FinHub contract") ? request : [...request, ...answer];
}
