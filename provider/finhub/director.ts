// finhub:Director: a director of a FinHub organization (an organization record and an individual
// customer with login credentials).
//
//   find    GET .../directors (one list per organization per run), by record id or by email.
//   create  POST .../director; the record id is data.organization.id; credentials where FinHub gives them.
//   remove  DELETE .../directors/{directorId}; 404 = already gone.
//
// FinHub has no route to change a director: every change replaces it, removed first when the email
// stays (FinHub keeps emails unique in a tenant). A director's ownershipPercentage is sent as FinHub's
// add body takes it, but counts toward no rule: the 100 % rule names shareholders only.
import { bool, field, oneOf, percentage } from "../kit/fields";
import { defineResource } from "../kit/resource";
import { done } from "../kit/writes";
import * as api from "./api";
import { DIRECTOR_ROLES, Found, credentialOutputs, deriveCredentials, findPerson, flattenPerson, afterAdd, listedRole, organizationIdInput, personBody, personId, personInput, sameEmail } from "./people";
import { finhub } from "./vendor";

const id = personId("director");

export const director = defineResource<Found>()({
  type: "finhub:Director",
  doc: "A director of a FinHub organization (POST .../director); every change replaces it.",
  vendor: finhub,
  inputs: {
    organizationId: organizationIdInput,
    person: personInput,
    role: field(oneOf(DIRECTOR_ROLES, "director role FinHub takes (its \"Director Types\" table's EXECUTIVE is EXECUTIVE_DIRECTOR, NON_EXECUTIVE and INDEPENDENT are NON_EXECUTIVE_DIRECTOR)"), {
      replaceOnChange: true,
      doc: "MANAGING_DIRECTOR | EXECUTIVE_DIRECTOR | NON_EXECUTIVE_DIRECTOR | BOARD_MEMBER.",
    }),
    ownershipPercentage: field(percentage().default(0), {
      replaceOnChange: true,
      doc: "0-100 (default 0), as FinHub's add body takes it. It does not count toward the 100 % shareholding: declare a director who owns shares as a Shareholder too.",
    }),
    primaryContact: field(bool().default(false), { replaceOnChange: true, doc: "Whether this director is the organization's primary contact." }),
  },
  outputs: credentialOutputs,
  id,
  adopt: "input",
  deleteBeforeReplace: (olds, news) => sameEmail(olds.person, news.person),

  idOf: (cur, i) => id.build({ organizationId: cur?.organizationId ?? i.organizationId!, recordId: cur!.recordId }),
  find: (ctx, ref, since): Promise<Found | undefined> => findPerson(ctx, "director", ref, since),
  flatten: (cur, declared) => ({ ...flattenPerson(cur, declared), role: listedRole(DIRECTOR_ROLES, cur.role) }),
  derive: deriveCredentials,

  async create(ctx, i) {
    const outcome = await ctx.guarded(`adding director ${i.person.email} to organization ${i.organizationId}`, async () => {
      const added = await api.addDirector(ctx.c, i.organizationId, { ...personBody(i.person), role: i.role, ownershipPercentage: i.ownershipPercentage, primaryContact: i.primaryContact });
      return done(await afterAdd(ctx, "director", i.organizationId, i.person.email, added));
    });
    if (outcome.done && outcome.value && !outcome.value.credentialStatus) outcome.value.credentialStatus = "lost";
    return outcome;
  },

  async remove(ctx, olds, cur) {
    await api.removePerson(ctx.c, "director", cur.organizationId, cur.recordId);
    return done();
  },
});
