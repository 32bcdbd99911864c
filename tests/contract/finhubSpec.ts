// FinHub publishes no OpenAPI file: this is the contract written from the vendor's page
// (../shared/vendor-docs/org-management-personnel-api.txt) and API-NOTES.md, as zod schemas per
// operation: path, required request headers, request body, and the `{ code, message, data }` envelope
// of every answer. `validateExchange` checks one logged sandbox exchange against it.
//
// Where the vendor is silent the contract says what orgstack assumes (and docs/finhub.md repeats it):
// the organization GET/DELETE, the employee DELETE, the readiness answer's fields, TelephoneNumberDto.
import { z } from "zod";
import type { LoggedRequest } from "../../sandbox/server";

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
const EMPLOYEE_ROLES = ["ADMIN_USER", "TRANSACTION_APPROVER", "COMPLIANCE_OFFICER", "EMPLOYEE"] as const;
const DIRECTOR_ROLES = ["MANAGING_DIRECTOR", "EXECUTIVE_DIRECTOR", "NON_EXECUTIVE_DIRECTOR", "BOARD_MEMBER"] as const;

export const AddressDto = z
  .object({
    addressLine1: z.string(),
    addressLine2: z.string().optional(),
    city: z.string(),
    state: z.string().optional(),
    country: z.string().regex(/^[A-Z]{2}$/),
    postalCode: z.string().optional(),
    addressType: z.string().optional(),
  })
  .strict();
export const TelephoneNumberDto = z.object({ number: z.string(), type: z.string().optional(), countryCode: z.string().optional(), isPrimary: z.boolean().optional() }).strict();
export const PersonDto = z
  .object({
    firstName: z.string().min(1),
    middleName: z.string().optional(),
    lastName: z.string().min(1),
    fullName: z.string().optional(),
    email: z.email(),
    dateOfBirth: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
    nationality: z.string().regex(/^[A-Z]{2}$/).optional(),
    gender: z.string().optional(),
    phoneNumber: z.string().optional(),
    countryCode: z.string().optional(),
    addresses: z.array(AddressDto).optional(),
    contacts: z.array(z.object({ type: z.string(), value: z.string(), isPrimary: z.boolean().optional() })).optional(),
  })
  .strict();

const percent = z.number().min(0).max(100);
const personFields = { person: PersonDto, addresses: z.array(AddressDto).optional(), telephoneNumbers: z.array(TelephoneNumberDto).optional() };

const DirectorRequest = z.object({ ...personFields, role: z.enum(DIRECTOR_ROLES), ownershipPercentage: percent.optional(), primaryContact: z.boolean().optional() }).strict();
const ShareholderItem = z.object({ ...personFields, ownershipPercentage: percent, primaryContact: z.boolean().optional() }).strict();
const EmployeeRequest = z
  .object({ ...personFields, role: z.enum(EMPLOYEE_ROLES), roles: z.array(z.enum(EMPLOYEE_ROLES)), department: z.string().optional() })
  .strict();
const RegistrationRequest = z
  .object({
    legalName: z.string().min(1),
    tradingName: z.string().optional(),
    registrationNumber: z.string().min(1),
    country: z.string().regex(/^[A-Z]{2}$/),
    email: z.email(),
    businessType: z.string().optional(),
    incorporationDate: z.string().optional(),
    website: z.string().optional(),
    address: AddressDto.optional(),
  })
  .strict();

/** A person record as the add calls answer it: both records' ids and the credentials. */
const PersonRecord = z.object({
  id: uuid,
  organizationId: uuid,
  individualCustomerId: uuid,
  username: z.string().min(1),
  person: PersonDto,
  status: z.literal("ACTIVE"),
});
const Director = PersonRecord.extend({ role: z.enum(DIRECTOR_ROLES), ownershipPercentage: percent, primaryContact: z.boolean() });
const Shareholder = PersonRecord.extend({ ownershipPercentage: percent, primaryContact: z.boolean() });
const Employee = PersonRecord.extend({ role: z.enum(EMPLOYEE_ROLES), roles: z.array(z.enum(EMPLOYEE_ROLES)) });
const Organization = z.object({ id: uuid, organizationId: uuid, tenantId: z.string(), email: z.email(), status: z.enum(["REGISTERED", "ACTIVATING", "ACTIVE"]), adminEmployees: z.array(z.any()) });

const envelope = (code: number, data: z.ZodType) => z.object({ code: z.literal(code), message: z.string(), data }).strict();
export const ErrorEnvelope = z.object({ code: z.number().int().min(400), message: z.string(), data: z.object({ error: z.string() }) }).strict();

interface Operation {
  method: string;
  template: string;
  compliance?: boolean;
  request?: z.ZodType;
  /** Success answers by status; 204 has no body. */
  answers: Record<number, z.ZodType | null>;
  /** Error statuses the vendor documents for it. */
  errors: number[];
}

const V = "/finhub/api/v2.1/customer/organization";
const COMMON_ERRORS = [400, 401, 403, 404, 429, 500];

export const OPERATIONS: Operation[] = [
  { method: "POST", template: `${V}/registration`, request: RegistrationRequest, answers: { 201: envelope(201, Organization) }, errors: COMMON_ERRORS },
  { method: "GET", template: `${V}/{organizationId}`, answers: { 200: envelope(200, Organization) }, errors: COMMON_ERRORS },
  { method: "DELETE", template: `${V}/{organizationId}`, answers: { 204: null }, errors: COMMON_ERRORS },
  { method: "POST", template: `${V}/{organizationId}/director`, request: DirectorRequest, answers: { 201: envelope(201, Director.extend({ temporaryPassword: z.string().min(8) })) }, errors: COMMON_ERRORS },
  { method: "GET", template: `${V}/{organizationId}/directors`, answers: { 200: envelope(200, z.array(Director)) }, errors: COMMON_ERRORS },
  { method: "DELETE", template: `${V}/{organizationId}/directors/{directorId}`, answers: { 204: null }, errors: COMMON_ERRORS },
  { method: "POST", template: `${V}/{organizationId}/shareholders`, request: z.array(ShareholderItem).min(1), answers: { 201: envelope(201, z.array(Shareholder.extend({ temporaryPassword: z.string().min(8) }))) }, errors: COMMON_ERRORS },
  { method: "GET", template: "/finhub/api/v2/organizations/{organizationId}/shareholders", answers: { 200: envelope(200, z.array(Shareholder)) }, errors: COMMON_ERRORS },
  { method: "DELETE", template: "/finhub/api/v2/organizations/{organizationId}/shareholders/{shareholderId}", answers: { 204: null }, errors: COMMON_ERRORS },
  {
    method: "PUT",
    template: "/finhub/api/v2.1/shareholder/update/{shareholderId}",
    request: z.object({ ownershipPercentage: percent.optional(), primaryContact: z.boolean().optional(), addresses: z.array(AddressDto).optional(), telephoneNumbers: z.array(TelephoneNumberDto).optional() }).strict(),
    answers: { 200: envelope(200, Shareholder) },
    errors: COMMON_ERRORS,
  },
  { method: "POST", template: `${V}/{organizationId}/employee`, request: EmployeeRequest, answers: { 201: envelope(201, Employee.extend({ temporaryPassword: z.string().min(8) })) }, errors: COMMON_ERRORS },
  { method: "GET", template: `${V}/{organizationId}/employees`, answers: { 200: envelope(200, z.array(Employee)) }, errors: COMMON_ERRORS },
  {
    method: "PUT",
    template: `${V}/{organizationId}/employees/{employeeId}/roles`,
    request: z.object({ role: z.enum(EMPLOYEE_ROLES), roles: z.array(z.enum(EMPLOYEE_ROLES)) }).strict(),
    answers: { 200: envelope(200, Employee) },
    errors: COMMON_ERRORS,
  },
  { method: "DELETE", template: `${V}/{organizationId}/employees/{employeeId}`, answers: { 204: null }, errors: COMMON_ERRORS },
  {
    method: "POST",
    template: `${V}/{organizationId}/verify`,
    compliance: true,
    answers: { 200: envelope(200, z.object({ verificationId: uuid, status: z.enum(["PENDING", "APPROVED", "REJECTED"]), verificationType: z.literal("KYB") })) },
    errors: COMMON_ERRORS,
  },
  {
    method: "POST",
    template: `${V}/{organizationId}/consents/{consentType}`,
    request: z.object({ accepted: z.literal(true), version: z.string().min(1) }).strict(),
    answers: { 200: envelope(200, z.object({ consentType: z.enum(["terms", "privacy", "data-processing"]), accepted: z.literal(true), version: z.string() })) },
    errors: COMMON_ERRORS,
  },
  {
    method: "GET",
    template: `${V}/{organizationId}/activation/readiness`,
    answers: { 200: envelope(200, z.object({ ready: z.boolean(), missing: z.array(z.string()), status: z.string(), kybStatus: z.string(), consents: z.record(z.string(), z.boolean()) })) },
    errors: COMMON_ERRORS,
  },
  {
    method: "POST",
    template: `${V}/{organizationId}/activation`,
    compliance: true,
    answers: {
      200: envelope(200, z.object({ organizationId: uuid, status: z.literal("ACTIVE") })),
      202: envelope(202, z.object({ organizationId: uuid, status: z.literal("ACTIVATING") })),
    },
    errors: COMMON_ERRORS,
  },
];

function match(method: string, path: string): { op: Operation; params: Record<string, string> } | undefined {
  const segs = path.split("/").filter(Boolean);
  const candidates = OPERATIONS.filter((o) => o.method === method)
    .map((op) => ({ op, parts: op.template.split("/").filter(Boolean) }))
    .filter(({ parts }) => parts.length === segs.length)
    .sort((a, b) => b.parts.filter((p) => !p.startsWith("{")).length - a.parts.filter((p) => !p.startsWith("{")).length);
  for (const { op, parts } of candidates) {
    const params: Record<string, string> = {};
    if (parts.every((p, i) => (p.startsWith("{") ? ((params[p.slice(1, -1)] = segs[i]), true) : p === segs[i]))) return { op, params };
  }
  return undefined;
}

/** Problems with one exchange; empty when it keeps the contract. */
export function validateExchange(x: Pick<LoggedRequest, "method" | "path" | "requestBody" | "status" | "responseBody" | "requestHeaders">): string[] {
  const where = `${x.method} ${x.path} -> ${x.status}`;
  const found = match(x.method, x.path);
  if (!found) return [`${where}: no such operation in the FinHub contract`];
  const { op, params } = found;
  const problems: string[] = [];
  const h = x.requestHeaders ?? {};
  if (!h["x-tenant-id"]) problems.push(`${where}: X-Tenant-ID header missing`);
  if (!/^Bearer \S+/.test(h.authorization ?? "")) problems.push(`${where}: Authorization: Bearer <JWT> missing`);
  if (!h["user-agent"]) problems.push(`${where}: User-Agent header missing`);
  if (x.requestBody !== undefined && !/^application\/json/.test(h["content-type"] ?? "")) problems.push(`${where}: Content-Type must be application/json`);
  if (op.compliance) for (const k of ["x-user-id", "x-user-roles", "x-forwarded-for"]) if (!h[k]) problems.push(`${where}: compliance header ${k} missing`);
  for (const [k, v] of Object.entries(params)) {
    if (/Id$/.test(k) && !uuid.safeParse(v).success && x.status < 400) problems.push(`${where}: path parameter ${k} is not a UUID`);
  }
  if (op.request && x.status < 400) {
    const r = op.request.safeParse(x.requestBody);
    if (!r.success) problems.push(`${where}: request body: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  if (x.status >= 400) {
    if (!op.errors.includes(x.status)) problems.push(`${where}: status ${x.status} is not documented`);
    const e = ErrorEnvelope.safeParse(x.responseBody);
    if (!e.success) problems.push(`${where}: error body is not { code, message, data: { error } }`);
    else if (e.data.code !== x.status) problems.push(`${where}: error code ${e.data.code} differs from the status`);
    return problems;
  }
  if (!(x.status in op.answers)) return [...problems, `${where}: status ${x.status} is not documented for this operation`];
  const schema = op.answers[x.status];
  if (schema === null) {
    if (x.responseBody !== undefined && x.responseBody !== "") problems.push(`${where}: a 204 has no body`);
  } else {
    const r = schema.safeParse(x.responseBody);
    if (!r.success) problems.push(`${where}: answer: ${r.error.issues.slice(0, 5).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return problems;
}
