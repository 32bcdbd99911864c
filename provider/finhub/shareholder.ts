// finhub:Shareholder: a shareholder of a FinHub organization (an organization record plus an
// individual customer with login credentials).
//
//   create  read-before-write (a shareholder with the same email is taken over; the email in use by
//           another kind of person is refused before any call). FinHub adds shareholders as an array,
//           so the creates of one organization that arrive within a short window (ORGSTACK_FINHUB_BATCH_MS,
//           default 250 ms) go out as ONE POST .../shareholders; each resource gets its own record back
//           (matched by email). When FinHub refuses the batch (one bad item refuses all), each item is
//           sent alone so that every resource gets its own error. A lost answer is followed by a re-read.
//   read    GET /api/v2/organizations/{id}/shareholders; gone out of band = empty id.
//   update  PUT /api/v2.1/shareholder/update/{shareholderId}: ownership, primary contact, addresses,
//           telephone numbers change in place.
//   delete  DELETE /api/v2/organizations/{id}/shareholders/{shareholderId}; 404 = already gone.
//
// Replaces: organizationId and the person (identity or name: FinHub has no route for them; deleted
// first when the email stays).
import { z } from "zod";
import { CheckResult, DiffResult, ResourceProvider, checkWith } from "../types";
import { FinHubClient, PersonRecord, VendorError } from "./client";
import {
  BENEFICIAL_OWNER_PERCENT,
  PersonOutputs,
  client,
  contactsChanged,
  credentialsOf,
  detailsChanged,
  findBeforeAdd,
  identityChanged,
  listOrGone,
  mayHaveHappened,
  organizationIdSchema,
  ownershipSchema,
  ownershipTotal,
  personBody,
  personFromRecord,
  personSchema,
  sameEmail,
  sameJson,
  settingsFailures,
  only,
} from "./person";

export const shareholderInputs = z
  .object({
    organizationId: organizationIdSchema,
    person: personSchema,
    ownershipPercentage: ownershipSchema(),
    primaryContact: z.boolean({ error: "primaryContact must be true or false" }).default(false),
  })
  .strict();

export type ShareholderInputs = z.infer<typeof shareholderInputs>;

export interface ShareholderOutputs extends ShareholderInputs, PersonOutputs {
  /** A shareholder at 25 % or more is a beneficial owner. */
  beneficialOwner: boolean;
}

const INPUT_KEYS = ["organizationId", "person", "ownershipPercentage", "primaryContact"] as const;

function itemBody(inputs: ShareholderInputs) {
  return { ...personBody(inputs.person), ownershipPercentage: inputs.ownershipPercentage, primaryContact: inputs.primaryContact };
}

function outputsOf(inputs: ShareholderInputs, r: PersonRecord, previous?: Partial<ShareholderOutputs>): ShareholderOutputs {
  return { ...inputs, ...credentialsOf(r, previous), beneficialOwner: inputs.ownershipPercentage >= BENEFICIAL_OWNER_PERCENT };
}

function current(r: PersonRecord, declared: ShareholderInputs): ShareholderInputs {
  return {
    organizationId: declared.organizationId,
    person: personFromRecord(r, declared.person),
    ownershipPercentage: Number(r.ownershipPercentage ?? 0),
    primaryContact: !!r.primaryContact,
  };
}

// ---- the batch: shareholder creates of one organization within a short window share one POST ----

interface Waiting {
  email: string;
  body: unknown;
  resolve(r: PersonRecord): void;
  reject(e: unknown): void;
}

const queues = new Map<string, { items: Waiting[]; timer: NodeJS.Timeout }>();
const MAX_BATCH = 50;

/** Statistics for tests and logs: how many POSTs carried how many shareholders. */
export const batchStats = { posts: 0, items: 0 };

function batchWindowMs(): number {
  const v = Number(process.env.ORGSTACK_FINHUB_BATCH_MS);
  return Number.isFinite(v) && v >= 0 ? v : 250;
}

export function enqueueShareholder(c: FinHubClient, organizationId: string, email: string, body: unknown): Promise<PersonRecord> {
  const key = `${c.settings.apiUrl}|${c.settings.tenantId}|${organizationId}`;
  return new Promise<PersonRecord>((resolve, reject) => {
    let q = queues.get(key);
    if (!q) {
      q = { items: [], timer: setTimeout(() => void flush(c, key, organizationId), batchWindowMs()) };
      queues.set(key, q);
    }
    q.items.push({ email, body, resolve, reject });
    if (q.items.length >= MAX_BATCH) {
      clearTimeout(q.timer);
      void flush(c, key, organizationId);
    }
  });
}

async function flush(c: FinHubClient, key: string, organizationId: string): Promise<void> {
  const q = queues.get(key);
  if (!q) return;
  queues.delete(key);
  await send(c, organizationId, q.items);
}

async function send(c: FinHubClient, organizationId: string, items: Waiting[]): Promise<void> {
  batchStats.posts++;
  batchStats.items += items.length;
  if (items.length > 1) console.log(`finhub: adding ${items.length} shareholders of organization ${organizationId} in one call`);
  let records: PersonRecord[];
  try {
    records = await c.addShareholders(organizationId, items.map((i) => i.body));
  } catch (e) {
    // FinHub refuses the whole array when one item is wrong: send each alone, so each resource gets
    // its own record or its own error. A lost answer (ambiguous) goes back to each create, which reads
    // before it writes again.
    const refused = (e as any)?.status >= 400 && (e as any)?.status < 500 && (e as any)?.status !== 429;
    if (items.length > 1 && refused) {
      console.log(`finhub: the batch of ${items.length} shareholders was refused; sending them one by one to tell which is wrong`);
      await Promise.all(items.map((i) => send(c, organizationId, [i])));
      return;
    }
    for (const i of items) i.reject(e);
    return;
  }
  items.forEach((item) => {
    const byEmail = records.find((r) => String(r.person?.email ?? (r as any).email ?? "").toLowerCase() === item.email);
    // Without an email to match by, only a lone item and a lone record surely belong together: the
    // order of a longer answer is not documented, and a wrong match would give a resource another's id.
    const r = byEmail ?? (items.length === 1 && records.length === 1 ? records[0] : undefined);
    if (r) item.resolve(r);
    else {
      // FinHub took the batch but its answer does not say which record is this person's: the add may
      // have happened, so create reads the shareholders (by email) before it writes again.
      item.reject(
        new VendorError({
          vendor: "FinHub",
          method: "POST",
          path: `/api/v2.1/customer/organization/${organizationId}/shareholders`,
          message: `finhub: FinHub answered the shareholder batch without a record that matches ${item.email}`,
          ambiguous: true,
        }),
      );
    }
  });
}

// ---- the resource ----

export const shareholder: ResourceProvider<ShareholderInputs, ShareholderOutputs> = {
  async check(_olds, news): Promise<CheckResult<ShareholderInputs>> {
    const failures = settingsFailures();
    const result = checkWith(shareholderInputs, news);
    if (failures.length) return { failures: [...failures, ...(result.failures ?? [])] };
    return result;
  },

  async diff(_id, olds, news): Promise<DiffResult> {
    const replaces: string[] = [];
    if (olds.organizationId !== news.organizationId) replaces.push("organizationId");
    if (identityChanged(olds.person, news.person) || detailsChanged(olds.person, news.person)) replaces.push("person");
    const inPlace =
      olds.ownershipPercentage !== news.ownershipPercentage || !!olds.primaryContact !== !!news.primaryContact || contactsChanged(olds.person, news.person);
    return { changes: replaces.length > 0 || inPlace, replaces, deleteBeforeReplace: replaces.length > 0 && sameEmail(olds.person, news.person) };
  },

  async create(raw) {
    const inputs = shareholderInputs.parse(only(raw, INPUT_KEYS));
    const c = client();
    const { organizationId } = inputs;
    for (let attempt = 1; ; attempt++) {
      const existing = await findBeforeAdd(c, organizationId, "shareholder", inputs.person.email);
      if (existing) {
        const now = current(existing, inputs);
        if (identityChanged(now.person, inputs.person) || detailsChanged(now.person, inputs.person)) {
          throw new Error(
            `finhub: ${inputs.person.email} is already a shareholder of organization ${organizationId} but its person differs from the stack ` +
              `(names, date of birth, nationality...), which FinHub cannot change: declare the person as FinHub has it so orgstack takes it over, ` +
              `or remove that shareholder in FinHub first.`,
          );
        }
        console.log(`finhub: shareholder ${inputs.person.email} is already in organization ${organizationId}; taking it over (its temporary password was issued earlier)`);
        const adopted = { ...outputsOf(now, existing), adopted: true };
        const outs = (await shareholder.update(String(existing.id), adopted, inputs)).outs!;
        return { id: String(existing.id), outs: { ...outs, adopted: true } };
      }
      try {
        const added = await enqueueShareholder(c, organizationId, inputs.person.email, itemBody(inputs));
        await warnAboutTotal(c, organizationId);
        return { id: String(added.id), outs: outputsOf(inputs, added) };
      } catch (e) {
        if (!mayHaveHappened(e) || attempt >= 3) throw e;
        console.log(`finhub: adding shareholder ${inputs.person.email} may or may not have happened (${(e as Error).message}); checking before trying again`);
      }
    }
  },

  async read(id, props) {
    const c = client();
    const found = (await listOrGone(() => c.listShareholders(props.organizationId, true)))?.find((r) => String(r.id) === id);
    if (!found) return { id: "" };
    const inputs = current(found, props);
    return { id, props: { ...props, ...outputsOf(inputs, found, props) }, inputs };
  },

  async update(id, olds, raw) {
    const news = shareholderInputs.parse(only(raw, INPUT_KEYS));
    const c = client();
    if (olds.organizationId !== news.organizationId || identityChanged(olds.person, news.person) || detailsChanged(olds.person, news.person)) {
      throw new Error("finhub: FinHub has no route to change a shareholder's organization or person; this change replaces it");
    }
    const changed =
      olds.ownershipPercentage !== news.ownershipPercentage || !!olds.primaryContact !== news.primaryContact || contactsChanged(olds.person, news.person);
    let record: PersonRecord | undefined;
    if (changed) {
      const { addresses, telephoneNumbers } = personBody(news.person);
      record = await c.updateShareholder(news.organizationId, id, {
        ownershipPercentage: news.ownershipPercentage,
        primaryContact: news.primaryContact,
        addresses,
        telephoneNumbers,
      });
      await warnAboutTotal(c, news.organizationId);
    }
    const base = { ...olds, ...news };
    return { outs: { ...base, ...credentialsOf(record ?? { id, ...olds, person: olds.person } as any, olds), beneficialOwner: news.ownershipPercentage >= BENEFICIAL_OWNER_PERCENT } };
  },

  async delete(id, props) {
    const status = await client().removeShareholder(props.organizationId, id);
    if (status === 404) console.log(`finhub: shareholder ${props.person?.email} was already gone from organization ${props.organizationId}`);
  },
};

/** FinHub calls a total other than 100 % a recommendation; activation refuses it (see Activation). */
async function warnAboutTotal(c: FinHubClient, organizationId: string): Promise<void> {
  try {
    const [directors, shareholders] = await Promise.all([c.listDirectors(organizationId, true), c.listShareholders(organizationId, true)]);
    const total = ownershipTotal([...directors, ...shareholders]);
    if (total > 100) console.log(`finhub: warning: the shareholdings of organization ${organizationId} now total ${total}%, above 100%; activation needs exactly 100%`);
  } catch {
    /* only a warning */
  }
}

export { INPUT_KEYS as SHAREHOLDER_INPUT_KEYS, sameJson };
