// What directors, shareholders and employees share: the PersonDto schema (with the person's addresses
// and telephone numbers, which the vendor's add calls take beside `person`), the request body, the
// dual-record outputs (organization record + individual customer with generated credentials), reading
// a record back, the tenant-wide email rule, and the settings check every FinHub resource runs.
import { z } from "zod";
import { getConfig } from "../config";
import { CheckFailure, UNKNOWN } from "../types";
import { isVendorError } from "../transport";
import { FinHubClient, PersonRecord, finhubClient, finhubSettings, missingSettings, rememberSecret } from "./client";

export const EMPLOYEE_ROLES = ["ADMIN_USER", "TRANSACTION_APPROVER", "COMPLIANCE_OFFICER", "EMPLOYEE"] as const;
export const DIRECTOR_ROLES = ["MANAGING_DIRECTOR", "EXECUTIVE_DIRECTOR", "NON_EXECUTIVE_DIRECTOR", "BOARD_MEMBER"] as const;
/** A shareholder (or director) at this ownership or above is a beneficial owner. */
export const BENEFICIAL_OWNER_PERCENT = 25;

export function client(): FinHubClient {
  return finhubClient(finhubSettings(getConfig()));
}

/** Check failures for missing settings (tenant, token): found at preview, before any call. */
export function settingsFailures(): CheckFailure[] {
  return missingSettings(finhubSettings(getConfig())).map((reason) => ({ property: "finhub", reason }));
}

const known = (v: unknown) => v === UNKNOWN;

export const organizationIdSchema = z
  .string({ error: "organizationId is required: the organization's UUID (pass org.id of a finhub.Organization)" })
  .refine((v) => known(v) || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v), {
    message: "must be the organization's UUID, such as 2f6ddd86-9ef1-45b6-a16d-058b3ccf29e4 (pass org.id of a finhub.Organization)",
  });

export const addressSchema = z
  .object({
    addressLine1: z.string({ error: "addressLine1 is required" }).min(1, { message: "addressLine1 must not be empty" }),
    addressLine2: z.string().optional(),
    city: z.string({ error: "city is required" }).min(1, { message: "city must not be empty" }),
    state: z.string().optional(),
    country: z
      .string({ error: "country is required: an ISO 3166-1 alpha-2 code such as GB" })
      .transform((v) => v.toUpperCase())
      .refine((v) => /^[A-Z]{2}$/.test(v), { message: "country must be an ISO 3166-1 alpha-2 code such as GB" }),
    postalCode: z.string().optional(),
    addressType: z.string().optional(),
  })
  .strict();

export const telephoneSchema = z
  .object({
    number: z
      .string({ error: "number is required: the telephone number, such as +44 20 7946 0000" })
      .refine((v) => /^\+?[0-9 ()-]{5,20}$/.test(v), { message: "number must be a telephone number such as +44 20 7946 0000" }),
    type: z.string().optional(),
    countryCode: z.string().optional(),
    isPrimary: z.boolean().optional(),
  })
  .strict();

const PERSON_KEYS = ["firstName", "middleName", "lastName", "fullName", "email", "dateOfBirth", "nationality", "gender", "phoneNumber", "countryCode"] as const;

export const personSchema = z
  .object({
    firstName: z.string({ error: "person.firstName is required" }).trim().min(1, { message: "firstName must not be empty" }),
    middleName: z.string().optional(),
    lastName: z.string({ error: "person.lastName is required" }).trim().min(1, { message: "lastName must not be empty" }),
    fullName: z.string().optional(),
    email: z
      .string({ error: "person.email is required: unique within the tenant" })
      .trim()
      .toLowerCase()
      .refine((v) => known(v) || z.email().safeParse(v).success, { message: "email must be an email address such as ada@acme.example" }),
    dateOfBirth: z
      .string({ error: "person.dateOfBirth is required: YYYY-MM-DD" })
      .refine((v) => known(v) || (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) && Date.parse(v) < Date.now()), {
        message: "dateOfBirth must be a date in the past, written YYYY-MM-DD (such as 1985-02-01)",
      }),
    nationality: z
      .string({ error: "person.nationality is required: an ISO 3166-1 alpha-2 code such as GB" })
      .transform((v) => (v === UNKNOWN ? v : v.toUpperCase()))
      .refine((v) => known(v) || /^[A-Z]{2}$/.test(v), { message: "nationality must be an ISO 3166-1 alpha-2 code such as GB" }),
    gender: z.string().optional(),
    phoneNumber: z.string().optional(),
    countryCode: z.string().optional(),
    addresses: z.array(addressSchema).default([]),
    telephoneNumbers: z.array(telephoneSchema).default([]),
  })
  .strict();

export type Person = z.infer<typeof personSchema>;

export const ownershipSchema = (field = "ownershipPercentage") =>
  z
    .number({ error: `${field} must be a number from 0 to 100` })
    .min(0, { message: `${field} must be from 0 to 100 (a percentage of the shares)` })
    .max(100, { message: `${field} must be from 0 to 100 (a percentage of the shares)` });

/** The vendor's body: PersonDto core fields in `person`, addresses and telephone numbers beside it. */
export function personBody(person: Person): { person: Record<string, unknown>; addresses: unknown[]; telephoneNumbers: unknown[] } {
  const core: Record<string, unknown> = {};
  for (const k of PERSON_KEYS) if (person[k] !== undefined) core[k] = person[k];
  return { person: core, addresses: person.addresses ?? [], telephoneNumbers: person.telephoneNumbers ?? [] };
}

/** The person as FinHub holds it now, in the shape of the inputs (for refresh). */
export function personFromRecord(r: PersonRecord, declared?: Person): Person {
  const out: any = {};
  for (const k of PERSON_KEYS) {
    const v = r.person?.[k];
    // Fields FinHub derives (fullName) are kept only when the stack declares them.
    if (v !== undefined && v !== null && (k !== "fullName" || declared?.fullName !== undefined)) out[k] = k === "email" ? String(v).toLowerCase() : v;
  }
  out.addresses = stripNulls(r.addresses ?? []);
  out.telephoneNumbers = stripNulls(r.telephoneNumbers ?? []);
  return out as Person;
}

function stripNulls(list: any[]): any[] {
  return list.map((x) => Object.fromEntries(Object.entries(x ?? {}).filter(([, v]) => v !== null && v !== undefined)));
}

export const sameJson = (a: unknown, b: unknown) => JSON.stringify(canon(a)) === JSON.stringify(canon(b));
function canon(v: any): any {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => [k, canon(v[k])]));
  return v;
}

/** A person's identity: a change to any of these is another person. */
export function identityChanged(a: Person | undefined, b: Person | undefined): boolean {
  return (a?.email ?? "").toLowerCase() !== (b?.email ?? "").toLowerCase() || a?.dateOfBirth !== b?.dateOfBirth;
}

/** Person fields other than contact details (names, nationality...): no FinHub route changes them. */
export function detailsChanged(a: Person | undefined, b: Person | undefined): boolean {
  const pick = (p: any) => Object.fromEntries(PERSON_KEYS.map((k) => [k, p?.[k]]));
  return !sameJson(pick(a), pick(b));
}

export function contactsChanged(a: Person | undefined, b: Person | undefined): boolean {
  return !sameJson(a?.addresses ?? [], b?.addresses ?? []) || !sameJson(a?.telephoneNumbers ?? [], b?.telephoneNumbers ?? []);
}

/** The outputs every person carries: both records' ids and the generated credentials. */
export interface PersonOutputs {
  organizationRecordId: string;
  individualCustomerId: string;
  username: string;
  /** Shown once by FinHub; secret (additionalSecretOutputs); "" when the record was taken over. */
  temporaryPassword: string;
  status: string;
  /** True when create found the person already there (a lost answer, or added out of band). */
  adopted: boolean;
}

export function credentialsOf(r: PersonRecord, previous?: Partial<PersonOutputs>): PersonOutputs {
  const temporaryPassword = r.temporaryPassword ?? previous?.temporaryPassword ?? "";
  rememberSecret(temporaryPassword);
  return {
    organizationRecordId: String(r.id),
    individualCustomerId: String(r.individualCustomerId ?? (r as any).individualCustomer?.id ?? previous?.individualCustomerId ?? ""),
    username: String(r.username ?? (r as any).individualCustomer?.username ?? previous?.username ?? ""),
    temporaryPassword,
    status: String(r.status ?? previous?.status ?? "ACTIVE"),
    adopted: previous?.adopted ?? false,
  };
}

export type PersonKind = "director" | "shareholder" | "employee";

/** Every person of the organization, by kind (the tenant-wide email rule is checked on these). */
export async function everyone(c: FinHubClient, organizationId: string, fresh = false) {
  const [directors, shareholders, employees] = await Promise.all([
    c.listDirectors(organizationId, fresh),
    c.listShareholders(organizationId, fresh),
    c.listEmployees(organizationId, fresh),
  ]);
  return { director: directors, shareholder: shareholders, employee: employees };
}

/**
 * Before an add: the person may already be there as the same kind (a lost answer, or added out of
 * band: taken over), or as another kind (the email is taken: FinHub would refuse).
 */
export async function findBeforeAdd(c: FinHubClient, organizationId: string, kind: PersonKind, email: string): Promise<PersonRecord | undefined> {
  const all = await everyone(c, organizationId, true);
  const key = email.toLowerCase();
  const same = all[kind].find((r) => String(r.person?.email ?? "").toLowerCase() === key);
  if (same) return same;
  for (const other of ["director", "shareholder", "employee"] as PersonKind[]) {
    if (other === kind) continue;
    if (all[other].some((r) => String(r.person?.email ?? "").toLowerCase() === key)) {
      throw new Error(
        `finhub: person.email ${email} is already used by a ${other} of organization ${organizationId}; FinHub needs each person's email ` +
          `to be unique within the tenant. A director's ownership counts toward the shareholding, so a director who owns shares needs ` +
          `no Shareholder record: set ownershipPercentage on the Director instead, or use another email.`,
      );
    }
  }
  return undefined;
}

/** Whether an error may hide an add that happened: the next pass reads before it writes again. */
export function mayHaveHappened(e: unknown): boolean {
  return isVendorError(e) && e.ambiguous;
}

/** An error that still records the resource (Pulumi's partial state), so a rerun picks it up. */
export function partialFailure(message: string, id: string, outs: unknown): Error {
  return Object.assign(new Error(message), { id, properties: outs, reasons: [message] });
}

export function ownershipTotal(records: PersonRecord[]): number {
  return Math.round(records.reduce((s, r) => s + (Number(r.ownershipPercentage) || 0), 0) * 1000) / 1000;
}

export function sameEmail(a: Person | undefined, b: Person | undefined): boolean {
  return (a?.email ?? "").toLowerCase() === (b?.email ?? "").toLowerCase();
}

/** A list of the organization's personnel, or undefined when the organization itself is gone (404). */
export async function listOrGone<T>(load: () => Promise<T>): Promise<T | undefined> {
  try {
    return await load();
  } catch (e) {
    if (isVendorError(e, 404)) return undefined;
    throw e;
  }
}

/** The input keys of a resource from what the engine passed (outputs such as username are dropped). */
export function only(raw: unknown, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const r = (raw ?? {}) as Record<string, unknown>;
  for (const k of keys) if (r[k] !== undefined) out[k] = r[k];
  return out;
}
