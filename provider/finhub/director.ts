// finhub:Director: a director of a FinHub organization (an organization record plus an individual
// customer with login credentials).
//
//   create  read-before-write: the directors, shareholders and employees of the organization are listed
//           first; a director with the same email is taken over (a lost answer never adds the person
//           twice); the email in use by another kind is refused before any call. Then
//           POST /api/v2.1/customer/organization/{id}/director.
//   read    GET .../directors; a director removed out of band comes back as gone (empty id).
//   update  none: FinHub has no route to change a director, so every change replaces it.
//   delete  DELETE .../directors/{directorId}; 404 = already gone.
//
// Replaces (delete first when the email stays, as FinHub keeps emails unique): everything.
import { z } from "zod";
import { CheckResult, DiffResult, ResourceProvider, checkWith } from "../types";
import { PersonRecord } from "./client";
import {
  BENEFICIAL_OWNER_PERCENT,
  DIRECTOR_ROLES,
  PersonOutputs,
  client,
  credentialsOf,
  findBeforeAdd,
  listOrGone,
  sameEmail,
  mayHaveHappened,
  organizationIdSchema,
  ownershipSchema,
  personBody,
  personFromRecord,
  personSchema,
  sameJson,
  settingsFailures,
  only,
} from "./person";

/** The director types table of the vendor's page names other values than the add endpoint takes. */
const TYPE_TABLE_HINT: Record<string, string> = {
  EXECUTIVE: "EXECUTIVE_DIRECTOR",
  NON_EXECUTIVE: "NON_EXECUTIVE_DIRECTOR",
  INDEPENDENT: "NON_EXECUTIVE_DIRECTOR (an independent director is a non-executive one) or BOARD_MEMBER",
};

export const directorInputs = z
  .object({
    organizationId: organizationIdSchema,
    person: personSchema,
    role: z.enum(DIRECTOR_ROLES, {
      error: (issue) => {
        const v = String(issue.input);
        const hint = TYPE_TABLE_HINT[v.toUpperCase()];
        return (
          `"${v}" is not a director role FinHub takes: use ${DIRECTOR_ROLES.join(", ")}` +
          (hint ? ` (the vendor's "Director Types" table says ${v.toUpperCase()}; the add-director endpoint wants ${hint})` : "")
        );
      },
    }),
    ownershipPercentage: ownershipSchema().default(0),
    primaryContact: z.boolean({ error: "primaryContact must be true or false" }).default(false),
  })
  .strict();

export type DirectorInputs = z.infer<typeof directorInputs>;

export interface DirectorOutputs extends DirectorInputs, PersonOutputs {
  /** At 25 % or more a director who owns shares is a beneficial owner. */
  beneficialOwner: boolean;
}

const INPUT_KEYS = ["organizationId", "person", "role", "ownershipPercentage", "primaryContact"] as const;

function body(inputs: DirectorInputs) {
  return { ...personBody(inputs.person), role: inputs.role, ownershipPercentage: inputs.ownershipPercentage, primaryContact: inputs.primaryContact };
}

function outputsOf(inputs: DirectorInputs, r: PersonRecord, previous?: Partial<DirectorOutputs>): DirectorOutputs {
  return { ...inputs, ...credentialsOf(r, previous), beneficialOwner: inputs.ownershipPercentage >= BENEFICIAL_OWNER_PERCENT };
}

/** The declared director as FinHub holds it now. */
function current(r: PersonRecord, declared: DirectorInputs): DirectorInputs {
  return {
    organizationId: declared.organizationId,
    person: personFromRecord(r, declared.person),
    role: (r.role ?? declared.role) as DirectorInputs["role"],
    ownershipPercentage: Number(r.ownershipPercentage ?? 0),
    primaryContact: !!r.primaryContact,
  };
}

export const director: ResourceProvider<DirectorInputs, DirectorOutputs> = {
  async check(_olds, news): Promise<CheckResult<DirectorInputs>> {
    const failures = settingsFailures();
    const result = checkWith(directorInputs, news);
    if (failures.length) return { failures: [...failures, ...(result.failures ?? [])] };
    return result;
  },

  async diff(_id, olds, news): Promise<DiffResult> {
    const replaces: string[] = [];
    for (const k of INPUT_KEYS) if (!sameJson(olds[k], news[k])) replaces.push(k);
    // The same email cannot be held twice in a tenant: remove the old director before adding the new.
    return { changes: replaces.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 && sameEmail(olds.person, news.person) };
  },

  async create(raw) {
    const inputs = directorInputs.parse(only(raw, INPUT_KEYS));
    const c = client();
    const { organizationId } = inputs;
    for (let attempt = 1; ; attempt++) {
      const existing = await findBeforeAdd(c, organizationId, "director", inputs.person.email);
      if (existing) {
        const now = current(existing, inputs);
        if (!sameJson(now, inputs)) {
          throw new Error(
            `finhub: ${inputs.person.email} is already a director of organization ${organizationId} but differs from the stack ` +
              `(FinHub has ${JSON.stringify({ role: now.role, ownershipPercentage: now.ownershipPercentage, primaryContact: now.primaryContact })}). ` +
              `FinHub cannot change a director in place: declare what it has so orgstack takes it over, or remove that director in FinHub first.`,
          );
        }
        console.log(`finhub: director ${inputs.person.email} is already in organization ${organizationId}; taking it over (its temporary password was issued earlier)`);
        return { id: String(existing.id), outs: { ...outputsOf(inputs, existing), adopted: true } };
      }
      try {
        const added = await c.addDirector(organizationId, body(inputs));
        return { id: String(added.id), outs: outputsOf(inputs, added) };
      } catch (e) {
        if (!mayHaveHappened(e) || attempt >= 3) throw e;
        console.log(`finhub: adding director ${inputs.person.email} may or may not have happened (${(e as Error).message}); checking before trying again`);
      }
    }
  },

  async read(id, props) {
    const c = client();
    const found = (await listOrGone(() => c.listDirectors(props.organizationId, true)))?.find((r) => String(r.id) === id);
    if (!found) return { id: "" };
    const inputs = current(found, props);
    const outs = { ...props, ...outputsOf(inputs, found, props) };
    return { id, props: outs, inputs };
  },

  async update(_id, olds, raw) {
    const news = directorInputs.parse(only(raw, INPUT_KEYS));
    if (!sameJson(pick(olds), news)) throw new Error("finhub: FinHub has no route to change a director; this change replaces it");
    return { outs: { ...olds, ...news } };
  },

  async delete(id, props) {
    const status = await client().removeDirector(props.organizationId, id);
    if (status === 404) console.log(`finhub: director ${props.person?.email} was already gone from organization ${props.organizationId}`);
  },
};

function pick(o: Partial<DirectorOutputs>): Partial<DirectorInputs> {
  const out: any = {};
  for (const k of INPUT_KEYS) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
