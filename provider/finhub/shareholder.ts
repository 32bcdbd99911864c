// finhub:Shareholder: a shareholder of a FinHub organization.
//
//   find    GET /api/v2/organizations/{id}/shareholders (one list per organization per run), by record
//           id or by email; the percentage where the list shows one (FinHub leaves this list undocumented).
//   create  POST .../shareholders takes an array: the creates of one organization within a short window
//           go out as one call. Its answer carries no email, so each resource finds its record in the
//           list by email afterwards (never by position).
//   update  PUT /api/v2.1/shareholder/update/{id} with FinHub's flat body and its required fields
//           (phone, address, identity document): a percentage changes in place when the person has
//           them; without them FinHub cannot update it, so the change replaces the shareholder.
//   remove  DELETE /api/v2/organizations/{id}/shareholders/{id}; 404 = already gone.
//
// Replacements remove the old record first (the email stays, and FinHub keeps emails unique), so old
// and new never count toward the 100 % at once.
import { z } from "zod";
import { Batcher, Entry } from "../kit/batch";
import { bool, field, isoDate, oneOf, percentage, text } from "../kit/fields";
import { defineResource } from "../kit/resource";
import { log } from "../kit/secrets";
import { done } from "../kit/writes";
import * as api from "./api";
import { FinHubClient } from "./client";
import { BENEFICIAL_OWNER_PERCENT, Found, Person, credentialOutputs, deriveCredentials, findPerson, flattenPerson, organizationIdInput, personBody, personId, personInput, sameEmail } from "./people";
import { finhub } from "./vendor";

const id = personId("shareholder");

const identityDocument = z
  .object({
    type: text({ max: 40, hint: "PASSPORT, ID_CARD, ..." }),
    number: text({ max: 60 }),
    expiryDate: isoDate({ example: "2031-05-30" }),
  })
  .strict();

/** The update route's flat body, or undefined when the shareholder lacks a field FinHub requires for it. */
function updateBody(organizationId: string, i: { person: Person; ownershipPercentage: number; shareholderType: string; identityDocument?: z.output<typeof identityDocument> }) {
  const home = i.person.addresses[0];
  const phone = i.person.phoneNumber ?? i.person.telephoneNumbers[0]?.number;
  if (!home?.postalCode || !phone || !i.identityDocument) return undefined;
  return {
    organizationId,
    firstName: i.person.firstName,
    lastName: i.person.lastName,
    email: i.person.email,
    phoneNumber: phone,
    dateOfBirth: i.person.dateOfBirth,
    nationality: i.person.nationality,
    address: [home.addressLine1, home.addressLine2].filter(Boolean).join(", "),
    city: home.city,
    country: home.country,
    postalCode: home.postalCode,
    sharePercentage: i.ownershipPercentage,
    shareholderType: i.shareholderType,
    idDocumentType: i.identityDocument.type,
    idDocumentNumber: i.identityDocument.number,
    idDocumentExpiryDate: i.identityDocument.expiryDate,
    isUbo: i.ownershipPercentage >= BENEFICIAL_OWNER_PERCENT,
  };
}

// ---- the batch: shareholder adds of one organization share one POST ----

interface Add {
  c: FinHubClient;
  organizationId: string;
  email: string;
  body: unknown;
}
const adds = new Batcher<Add, Found>(sendAdds);

async function sendAdds(_key: string, entries: Entry<Add, Found>[]): Promise<void> {
  const { c, organizationId } = entries[0].item;
  try {
    await api.addShareholders(c, organizationId, entries.map((e) => e.item.body));
  } catch (e) {
    const refusedOutright = (e as any)?.status >= 400 && (e as any)?.status < 500 && (e as any)?.status !== 429;
    if (entries.length > 1 && refusedOutright) {
      // FinHub refuses the whole array when one item is wrong (a 409 names one duplicate email): send each
      // alone, so each gets its own answer. One FinHub did add anyway answers 409 and its guard finds it.
      await Promise.all(entries.map((entry) => sendAdds("", [entry])));
      return;
    }
    throw e; // a lost answer: each resource's guard looks for its own record by email
  }
  const list = await api.shareholders(c, organizationId, Date.now());
  for (const entry of entries) {
    const hit = list.find((x) => x.email === entry.item.email);
    if (hit) entry.resolve({ ...hit, organizationId, credentialStatus: "not returned" });
    else entry.reject(new Error(`finhub: FinHub accepted shareholder ${entry.item.email} of organization ${organizationId} but does not list the person; nothing was recorded: run pulumi up again`));
  }
}

export const shareholder = defineResource<Found>()({
  type: "finhub:Shareholder",
  doc: "A shareholder of a FinHub organization (POST .../shareholders, batched per organization).",
  vendor: finhub,
  inputs: {
    organizationId: organizationIdInput,
    person: personInput,
    ownershipPercentage: field(percentage(), {
      doc: "0-100. The shareholders of an organization must total 100 % before activation (directors do not count). Changes in place when identityDocument, a phone number and an address with a postal code are declared; otherwise a change replaces the shareholder.",
    }),
    primaryContact: field(bool().default(false), { replaceOnChange: true, doc: "Whether this shareholder is the organization's primary contact." }),
    shareholderType: field(oneOf(["INDIVIDUAL", "CORPORATE"], "shareholder type").default("INDIVIDUAL"), { replaceOnChange: true, doc: "INDIVIDUAL (default) or CORPORATE." }),
    identityDocument: field(identityDocument.optional(), { doc: "The identity document FinHub's update route requires (type, number, expiryDate)." }),
  },
  outputs: { ...credentialOutputs, beneficialOwner: field(bool(), { doc: "A shareholder at 25 % or more is a beneficial owner." }) },
  id,
  adopt: "input",

  replaces: (olds, news) => (olds.ownershipPercentage !== news.ownershipPercentage && !updateBody(news.organizationId, news) ? ["ownershipPercentage"] : []),
  deleteBeforeReplace: (olds, news) => sameEmail(olds.person, news.person),

  idOf: (cur, i) => id.build({ organizationId: cur?.organizationId ?? i.organizationId!, recordId: cur!.recordId }),
  find: (ctx, ref, since): Promise<Found | undefined> => findPerson(ctx, "shareholder", ref, since),
  flatten: (cur, declared) => ({ ...flattenPerson(cur, declared), ownershipPercentage: cur.percentage }),
  derive: (o) => ({ ...deriveCredentials(o), beneficialOwner: (o.ownershipPercentage ?? 0) >= BENEFICIAL_OWNER_PERCENT }),

  async create(ctx, i) {
    const body = { ...personBody(i.person), ownershipPercentage: i.ownershipPercentage, primaryContact: i.primaryContact };
    const outcome = await ctx.guarded(`adding shareholder ${i.person.email} to organization ${i.organizationId}`, async () =>
      done(await adds.add(`${ctx.c.id}|${i.organizationId}`, { c: ctx.c, organizationId: i.organizationId, email: i.person.email, body })),
    );
    if (outcome.done && outcome.value && !outcome.value.credentialStatus) outcome.value.credentialStatus = "lost";
    return outcome;
  },

  async update(ctx, olds, news, changed) {
    const body = updateBody(news.organizationId, news);
    if (!body && changed.every((k) => k === "identityDocument")) {
      // FinHub takes an identity document only through its update route, which this person cannot use yet: recorded, nothing sent.
      log(`finhub: shareholder ${news.person.email}: identityDocument recorded, nothing sent (FinHub's update route, the only one that takes it, also needs a phone number and an address with a postal code)`);
      return done();
    }
    if (!body) throw new Error(`finhub: ${changed.join(", ")} of shareholder ${news.person.email} cannot change in place without identityDocument, a phone number and an address with a postal code; this change replaces the shareholder`);
    await api.updateShareholder(ctx.c, news.organizationId, olds.organizationRecordId, body);
    return done();
  },

  async remove(ctx, _olds, cur) {
    await api.removePerson(ctx.c, "shareholder", cur.organizationId, cur.recordId);
    return done();
  },
});

/** For tests and the benchmark: how many POSTs carried how many shareholders. */
export const shareholderBatches = adds.stats;
