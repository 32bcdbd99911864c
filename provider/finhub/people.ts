// What directors, shareholders and employees share: the person (FinHub's PersonDto, with the
// addresses and telephone numbers its add calls take beside it), the id `<organizationId>/<recordId>`,
// finding a person in the organization's documented list, and the credentials outputs.
//
// FinHub's lists are flat ({ directorId | employeeId | shareholderId, firstName, lastName, email, role,
// status, ... }): a field a list does not carry (date of birth, nationality, addresses, ownership) is
// unknown, keeps its declared value, and is never drift. A record id always comes from FinHub (the
// add answer, or the list matched by email): never from a missing value.
import { z } from "zod";
import { countryCode, email, field, isoDate, list, text, uuid } from "../kit/fields";
import { compositeId } from "../kit/ids";
import type { Ctx, Ref } from "../kit/resource";
import * as api from "./api";
import type { FinHubClient } from "./client";

export const EMPLOYEE_ROLES = ["ADMIN_USER", "TRANSACTION_APPROVER", "COMPLIANCE_OFFICER", "EMPLOYEE"] as const;
export const DIRECTOR_ROLES = ["MANAGING_DIRECTOR", "EXECUTIVE_DIRECTOR", "NON_EXECUTIVE_DIRECTOR", "BOARD_MEMBER"] as const;
/** A shareholder at this ownership or above is a beneficial owner (shareholders page). */
export const BENEFICIAL_OWNER_PERCENT = 25;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const organizationIdInput = field(uuid("the organization's UUID (pass org.id of a finhub.Organization)"), {
  replaceOnChange: true,
  doc: "The organization's UUID (org.id). Changing it replaces the record.",
});

const address = z
  .object({
    addressLine1: text({ max: 200 }),
    addressLine2: text({ max: 200 }).optional(),
    city: text({ max: 100 }),
    state: text({ max: 100 }).optional(),
    country: countryCode(),
    postalCode: text({ max: 20 }).optional(),
    addressType: text({ max: 40 }).optional(),
  })
  .strict();
export const addressInput = address;

const telephone = z
  .object({
    number: z.string({ error: "is required: a telephone number such as +44 20 7946 0000" }).max(20, { message: "must be a telephone number such as +44 20 7946 0000" }).regex(/^\+?[0-9 ()-]{5,20}$/, { message: "must be a telephone number such as +44 20 7946 0000" }),
    type: text({ max: 40 }).optional(),
    countryCode: text({ max: 8 }).optional(),
    isPrimary: z.boolean({ error: "must be true or false" }).optional(),
  })
  .strict();

export const personInput = field(
  z
    .object({
      firstName: text({ max: 100 }),
      middleName: text({ max: 100 }).optional(),
      lastName: text({ max: 100 }),
      fullName: text({ max: 300 }).optional(),
      email: email("the person's email address, unique within the tenant"),
      dateOfBirth: isoDate({ past: true }),
      nationality: countryCode(),
      gender: text({ max: 20 }).optional(),
      phoneNumber: text({ max: 30 }).optional(),
      countryCode: text({ max: 8 }).optional(),
      addresses: list(address, { max: 10 }).default([]),
      telephoneNumbers: list(telephone, { max: 10 }).default([]),
    })
    .strict(),
  { replaceOnChange: true, doc: "The person (FinHub's PersonDto) with addresses and telephone numbers. FinHub has no route to change a person: a change replaces the record (a new login)." },
);

export type Person = z.output<typeof personInput>;
const PERSON_CORE = ["firstName", "middleName", "lastName", "fullName", "email", "dateOfBirth", "nationality", "gender", "phoneNumber", "countryCode"] as const;

/** The add body: PersonDto core fields in `person`, addresses and telephone numbers beside it. */
export function personBody(p: Person): { person: Record<string, unknown>; addresses: unknown[]; telephoneNumbers: unknown[] } {
  const core: Record<string, unknown> = {};
  for (const k of PERSON_CORE) if (p[k] !== undefined) core[k] = p[k];
  return { person: core, addresses: p.addresses ?? [], telephoneNumbers: p.telephoneNumbers ?? [] };
}

/** The credentials outputs every person has. */
export const credentialOutputs = {
  organizationRecordId: field(z.string(), { doc: "The person's organization record id (directorId, shareholderId or employeeId)." }),
  userId: field(z.string(), { doc: "The individual customer's user id FinHub returned (data.individual.userId); empty when FinHub did not return it." }),
  username: field(z.string(), { doc: "The generated login name, when FinHub returned it." }),
  temporaryPassword: field(z.string(), { secret: true, doc: "The temporary password for the first login, when FinHub returned it (secret)." }),
  credentialStatus: field(z.string(), {
    doc: 'Whether the login credentials were captured: "captured", "not returned" (FinHub\'s answer had none), "lost" (the answer was lost; the person exists) or "issued earlier" (taken over). Without them, reset the person\'s password in FinHub.',
  }),
  status: field(z.string(), { doc: "The record's status as FinHub lists it." }),
};

export type Kind = api.Kind;

export function personId(kind: Kind) {
  return compositeId(`finhub:${kind[0].toUpperCase()}${kind.slice(1)}`, ["organizationId", "recordId"], { organizationId: UUID });
}

/** A person as found: the list item, and what an add in this run answered. */
export interface Found extends api.Listed {
  organizationId: string;
  added?: api.Added;
  credentialStatus?: string;
}

/** Finds a person: by record id (read, delete, import) or, before an add and after a lost one, by email. */
export async function findPerson(ctx: Ctx<FinHubClient, Found>, kind: Kind, ref: Ref<any, any>, since?: number): Promise<Found | undefined> {
  const idFormat = personId(kind);
  const recordId: string | undefined = ref.olds?.organizationRecordId ?? (ref.id && ref.id.includes("/") ? idFormat.parse(ref.id).recordId : ref.id);
  const organizationId: string = ref.olds?.organizationId ?? ref.inputs?.organizationId ?? idFormat.parse(ref.id!).organizationId;
  let list: api.Listed[];
  try {
    list = await api.people(ctx.c, kind, organizationId, since);
  } catch (e) {
    if ((e as any)?.status === 404) return undefined; // the organization itself is gone
    throw e;
  }
  const email = ref.inputs?.person?.email;
  const hit = recordId ? list.find((x) => x.recordId === recordId) : email ? list.find((x) => x.email === email) : undefined;
  // Imported (the id alone): its credentials were issued when someone else added the person.
  const imported = !!ref.id && !ref.inputs && !ref.olds?.organizationRecordId;
  return hit ? { ...hit, organizationId, ...(imported ? { credentialStatus: "issued earlier" } : {}) } : undefined;
}

/**
 * A role as a list shows it, when it is one of the add body's values. FinHub's pages name other
 * vocabularies (a director listed as "CEO", employees as ADMIN|OPERATOR|...): such a value says nothing
 * about the declared role, so it is unknown rather than drift (which would replace the person every run).
 */
export function listedRole<const R extends readonly string[]>(roles: R, value: string | undefined): R[number] | undefined {
  return value !== undefined && (roles as readonly string[]).includes(value) ? (value as R[number]) : undefined;
}

/** The outputs a found person gives: the listed fields, known values only. */
export function flattenPerson(cur: Found, declared: { person?: Person }): Record<string, unknown> {
  const person = declared.person
    ? { ...declared.person, ...(cur.firstName ? { firstName: cur.firstName } : {}), ...(cur.lastName ? { lastName: cur.lastName } : {}), email: cur.email }
    : { firstName: cur.firstName, lastName: cur.lastName, email: cur.email }; // an import: the rest is for the program to declare
  return {
    organizationId: cur.organizationId,
    person,
    organizationRecordId: cur.recordId,
    status: cur.status,
    userId: cur.added?.userId,
    username: cur.added?.username,
    temporaryPassword: cur.added?.temporaryPassword,
    credentialStatus: cur.credentialStatus,
  };
}

/** Credentials outputs that always say something: never silently empty. */
export function deriveCredentials(o: Record<string, any>): Record<string, string> {
  return {
    userId: o.userId ?? "",
    username: o.username ?? "",
    temporaryPassword: o.temporaryPassword ?? "",
    credentialStatus: o.credentialStatus ?? (o.temporaryPassword ? "captured" : o.adopted ? "issued earlier" : "not returned"),
  };
}

/** What an add answered, as the person found right after: the record id from the answer, else the list (by email). */
export async function afterAdd(ctx: Ctx<FinHubClient, Found>, kind: Kind, organizationId: string, personEmail: string, added: api.Added): Promise<Found> {
  const list = await api.people(ctx.c, kind, organizationId, Date.now());
  const hit = (added.recordId && list.find((x) => x.recordId === added.recordId)) || list.find((x) => x.email === personEmail);
  if (!hit) {
    throw new Error(
      `finhub: FinHub accepted the ${kind} ${personEmail} for organization ${organizationId} but its answer has no record id and its list does not show the person yet; ` +
        `nothing was recorded: run pulumi up again (it looks the person up by email before adding)`,
    );
  }
  return { ...hit, organizationId, added, credentialStatus: added.temporaryPassword ? "captured" : "not returned" };
}

/** After a lost add, the person found by email: the credentials went with the answer. */
export const lostAnswer = (cur: Found): Found => ({ ...cur, credentialStatus: cur.credentialStatus ?? "lost" });

export const sameEmail = (a?: { email?: string }, b?: { email?: string }) => (a?.email ?? "").toLowerCase() === (b?.email ?? "").toLowerCase();
