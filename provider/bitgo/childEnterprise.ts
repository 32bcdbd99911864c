// bitgo:ChildEnterprise: a child enterprise of a BitGo-as-a-Service organization, one per end customer.
//
//   create  checks every additionalAdmins entry is a user of the organization (before any write), then
//           looks for an enterprise made earlier with the same idempotency key
//           (GET /api/v2/organization/{id}/enterprise?idempotencyKey=) and takes it over; otherwise
//           POST /api/v2/organization/{id}/enterprise { email, idempotencyKey, additionalAdmins, accountType?,
//           thirdPartyIdentifier? }. A lost answer (timeout, reset, 5xx) or a 409 is followed by the same
//           lookup, never by a second POST: BitGo makes one enterprise per key.
//   read    GET /api/v2/enterprise/{id}: name, organization, freeze; gone (404) drops it from state.
//           GET /api/v1/enterprise/{id}/user: an additional admin no longer an admin shows as drift (a failed
//           listing keeps additionalAdmins as they were).
//   update  onDelete, freezeSeconds: state only. additionalAdmins: an added admin goes in through
//           POST /api/v2/organization/{id}/enterprise/{eid}/user { email, permissions: [admin] }; a removed one
//           through DELETE /api/v2/enterprise/{eid}/user { username } (also after it left the organization); a
//           removal answered 202 fails the update with the approval id and keeps the admin in state (partial
//           state), and the next run finds that open approval instead of asking again.
//   delete  BitGo has no endpoint that deletes an enterprise. onDelete "leave" (default) leaves it and says
//           so; onDelete "freeze" freezes it (POST /api/v2/enterprise/{eid}/freeze { duration }).
//
// Replaces (a NEW enterprise; the old one is left or frozen per onDelete): organizationId, email,
// accountType, thirdPartyIdentifier, idempotencyKey. BitGo has no call that changes them.
//
// The idempotency key: given, or derived from what makes this enterprise this one: the organization, the
// resource's logical name (project/stack/name, passed by the SDK class), the end user's email, the account
// type and the third-party identifiers. A retry with the same inputs finds the same enterprise; a replace
// (one of those changed) gets a new one.
import * as crypto from "crypto";
import { z } from "zod";
import { bitgoClient, bitgoSettings, BitGoClient, PendingApproval, isVendorError } from "./client";
import { getConfig } from "../config";
import { CheckResult, DiffResult, ResourceProvider, UNKNOWN, checkWith } from "../types";
import { forgetOrganizationUsers, listChildEnterprises, listOrganizationUsers, organizationRoleOf } from "./organizations";
import { approvalIdOf, isOpenApproval, partialFailure } from "./approvals";

const hex32 = (field: string) =>
  z
    .string({ error: `${field} is required: a 32-character lowercase hex id` })
    .refine((v) => v === UNKNOWN || /^[0-9a-f]{32}$/.test(v), {
      message: `must be a 32-character lowercase hex id such as 62c5ae8174ac860007aff1555ffb960d`,
    });

/** Ten years: BitGo's freeze takes a duration; orgstack freezes "for good" unless told otherwise. */
export const DEFAULT_FREEZE_SECONDS = 10 * 365 * 86_400;

export const childEnterpriseInputs = z
  .object({
    organizationId: hex32("organizationId"),
    email: z
      .string({ error: "email is required: the end customer's email address" })
      .trim()
      .toLowerCase()
      .refine((v) => v === UNKNOWN || z.email().safeParse(v).success, { message: "must be the end customer's email address, such as jane@customer.example" }),
    additionalAdmins: z
      .array(
        z.string().refine((v) => v === UNKNOWN || /^[0-9a-f]{32}$/.test(v), {
          message: "must be a BitGo user id (32 lowercase hex) of a user of the organization",
        }),
        { error: "additionalAdmins must be a list of BitGo user ids" },
      )
      .default([])
      .refine((l) => new Set(l).size === l.length, { message: "lists a user twice" })
      .transform((l) => [...l].sort()),
    accountType: z.enum(["individual", "entity"], { error: 'accountType must be "individual" (default) or "entity"' }).default("individual"),
    thirdPartyIdentifier: z
      .array(z.object({ id: z.string().min(1, { message: "id must not be empty" }), label: z.string().min(1, { message: "label must not be empty" }) }).strict())
      .default([]),
    isCaaS: z.boolean().optional(),
    /** The resource's logical name (project/stack/name), passed by the SDK class. */
    logicalName: z.string().min(1, { message: "logicalName is set by the ChildEnterprise class; pass the resource's name" }),
    idempotencyKey: z.string().min(1).max(200).optional(),
    onDelete: z.enum(["leave", "freeze"], { error: 'onDelete must be "leave" (default: BitGo cannot delete an enterprise) or "freeze"' }).default("leave"),
    freezeSeconds: z.number().int().min(1).default(DEFAULT_FREEZE_SECONDS),
  })
  .strict();

export type ChildEnterpriseInputs = z.infer<typeof childEnterpriseInputs>;

export interface ChildEnterpriseOutputs extends Omit<ChildEnterpriseInputs, "idempotencyKey"> {
  idempotencyKey: string;
  enterpriseId: string;
  /** The end user BitGo made (or found) for the email. */
  userId: string;
  name: string;
  frozen: boolean;
  /** True when create found the enterprise an earlier attempt made (same idempotency key). */
  adopted: boolean;
  /** What destroying this resource does, in words. */
  onDeleteNote: string;
}

const INPUT_KEYS = [
  "organizationId", "email", "additionalAdmins", "accountType", "thirdPartyIdentifier", "isCaaS",
  "logicalName", "idempotencyKey", "onDelete", "freezeSeconds",
] as const;

function client(): BitGoClient {
  return bitgoClient(bitgoSettings(getConfig()));
}

/** The key BitGo uses to make one enterprise per request, derived stably from the resource. */
export function deriveIdempotencyKey(i: Pick<ChildEnterpriseInputs, "organizationId" | "logicalName" | "email" | "accountType" | "thirdPartyIdentifier">): string {
  const text = JSON.stringify(["orgstack:ChildEnterprise:v1", i.organizationId, i.logicalName, i.email.toLowerCase(), i.accountType, i.thirdPartyIdentifier ?? []]);
  const h = crypto.createHash("sha256").update(text).digest("hex");
  // UUID-shaped (the spec titles the field uuid), version nibble 5 as for a name-based UUID.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function onDeleteNote(onDelete: string, enterpriseId: string): string {
  return onDelete === "freeze"
    ? `destroying this resource freezes enterprise ${enterpriseId} (BitGo has no endpoint that deletes an enterprise)`
    : `destroying this resource leaves enterprise ${enterpriseId} in place: BitGo has no endpoint that deletes an enterprise; set onDelete: "freeze" to freeze it instead`;
}

/** Every additionalAdmins entry must be a user of the organization (not a customer): checked before any write. */
async function checkAdmins(c: BitGoClient, organizationId: string, ids: string[]): Promise<Map<string, string>> {
  const emails = new Map<string, string>();
  if (ids.length === 0) return emails;
  const users = await listOrganizationUsers(c, organizationId);
  const bad: string[] = [];
  for (const id of ids) {
    let hit: { userId: string; username: string; role: string } | undefined = users.find((u) => u.id === id) && {
      userId: id,
      username: users.find((u) => u.id === id)!.username,
      role: users.find((u) => u.id === id)!.role,
    };
    if (!hit) hit = await organizationRoleOf(c, organizationId, { userId: id }); // a serviceUser shows only on its own record
    if (!hit || hit.role === "customer") bad.push(id);
    else emails.set(id, hit.username);
  }
  if (bad.length > 0) {
    throw new Error(
      `additionalAdmins: ${bad.join(", ")} ${bad.length === 1 ? "is not a user" : "are not users"} of organization ${organizationId} ` +
        `(an admin, member or the service user). Add them to the organization first (bitgo.OrganizationUser), or remove them from additionalAdmins. Nothing was created.`,
    );
  }
  return emails;
}

async function findByKey(c: BitGoClient, organizationId: string, key: string) {
  const found = await listChildEnterprises(c, organizationId, { idempotencyKey: key });
  return found[0];
}

async function endUserId(c: BitGoClient, organizationId: string, email: string): Promise<string> {
  const hit = await organizationRoleOf(c, organizationId, { username: email });
  return hit?.userId ?? "";
}

/** The email of an admin to remove: from the organization's users, else the user record (it may have left the organization). */
async function usernameOf(c: BitGoClient, organizationId: string, userId: string): Promise<string | undefined> {
  const hit = await organizationRoleOf(c, organizationId, { userId });
  if (hit) return hit.username;
  try {
    const username = String((await c.getUser(userId)).username ?? "").toLowerCase();
    return username || undefined;
  } catch (e) {
    if (isVendorError(e, 404)) return undefined; // no such user: nothing left to remove
    throw e;
  }
}

async function describe(c: BitGoClient, enterpriseId: string) {
  c.invalidate(`enterprise:${enterpriseId}`);
  const e = await c.getEnterprise(enterpriseId);
  return { name: String(e.name ?? ""), organizationId: String(e.organizationId ?? ""), frozen: !!(e as any).freeze, accountType: (e as any).accountType as string | undefined };
}

export const childEnterprise: ResourceProvider<ChildEnterpriseInputs, ChildEnterpriseOutputs> = {
  async check(_olds, news): Promise<CheckResult<ChildEnterpriseInputs>> {
    return checkWith(childEnterpriseInputs, news);
  },

  async diff(_id, olds, news): Promise<DiffResult> {
    const replaces: string[] = [];
    if (olds.organizationId !== news.organizationId) replaces.push("organizationId");
    if ((olds.email ?? "").toLowerCase() !== (news.email ?? "").toLowerCase()) replaces.push("email");
    if ((olds.accountType ?? "individual") !== (news.accountType ?? "individual")) replaces.push("accountType");
    if (identifiers(olds.thirdPartyIdentifier) !== identifiers(news.thirdPartyIdentifier)) replaces.push("thirdPartyIdentifier");
    if (news.idempotencyKey !== undefined && news.idempotencyKey !== olds.idempotencyKey) replaces.push("idempotencyKey");
    const inPlace =
      JSON.stringify([...(olds.additionalAdmins ?? [])].sort()) !== JSON.stringify([...(news.additionalAdmins ?? [])].sort()) ||
      (olds.onDelete ?? "leave") !== (news.onDelete ?? "leave") ||
      (olds.freezeSeconds ?? DEFAULT_FREEZE_SECONDS) !== (news.freezeSeconds ?? DEFAULT_FREEZE_SECONDS) ||
      (olds.isCaaS ?? null) !== (news.isCaaS ?? null);
    // logicalName only feeds a key that is already made: renaming the resource is Pulumi's business (aliases).
    return { changes: replaces.length > 0 || inPlace, replaces, deleteBeforeReplace: false };
  },

  async create(raw) {
    const inputs = childEnterpriseInputs.parse(raw);
    const c = client();
    const { organizationId, email } = inputs;
    const key = inputs.idempotencyKey ?? deriveIdempotencyKey(inputs);
    await checkAdmins(c, organizationId, inputs.additionalAdmins);

    const outsFor = async (enterpriseId: string, userId: string, adopted: boolean): Promise<ChildEnterpriseOutputs> => {
      const d = await describe(c, enterpriseId);
      return {
        ...inputs,
        idempotencyKey: key,
        enterpriseId,
        userId: userId || (await endUserId(c, organizationId, email)),
        name: d.name,
        frozen: d.frozen,
        adopted,
        onDeleteNote: onDeleteNote(inputs.onDelete, enterpriseId),
      };
    };

    const earlier = await findByKey(c, organizationId, key);
    if (earlier) {
      console.log(`bitgo: enterprise ${earlier.id} was already made in organization ${organizationId} with this resource's idempotency key; taking it over instead of making a second`);
      return { id: earlier.id, outs: await outsFor(earlier.id, "", true) };
    }
    const body: Record<string, unknown> = { email, idempotencyKey: key, additionalAdmins: inputs.additionalAdmins, accountType: inputs.accountType };
    if (inputs.thirdPartyIdentifier.length > 0) body.thirdPartyIdentifier = inputs.thirdPartyIdentifier;
    if (inputs.isCaaS !== undefined) body.isCaaS = inputs.isCaaS;
    try {
      const { data } = await c.call("POST", `/api/v2/organization/${organizationId}/enterprise`, { body });
      forgetOrganizationUsers(c, organizationId); // the end user may be new to the organization
      const enterpriseId = String(data?.enterpriseId ?? "");
      if (!/^[0-9a-f]{32}$/.test(enterpriseId)) throw new Error(`bitgo: creating a child enterprise for ${email} answered without an enterpriseId`);
      return { id: enterpriseId, outs: await outsFor(enterpriseId, String(data?.userId ?? ""), false) };
    } catch (e) {
      if (!(isVendorError(e) && (e.ambiguous || e.status === 409))) throw e;
      forgetOrganizationUsers(c, organizationId); // the lost answer may have made the end user; the cached list predates it
      console.log(`bitgo: creating the child enterprise for ${email} may or may not have happened (${(e as Error).message}); looking it up by its idempotency key`);
      const made = await findByKey(c, organizationId, key);
      if (!made) throw e;
      console.log(`bitgo: found enterprise ${made.id} made by that request; no second enterprise was made`);
      return { id: made.id, outs: await outsFor(made.id, "", true) };
    }
  },

  async read(id, props) {
    const c = client();
    let d;
    try {
      d = await describe(c, id);
    } catch (e) {
      if (isVendorError(e, 404)) return { id: "" };
      throw e;
    }
    const outs: ChildEnterpriseOutputs = { ...props, enterpriseId: id, name: d.name, frozen: d.frozen, organizationId: d.organizationId || props.organizationId };
    if (d.accountType === "individual" || d.accountType === "entity") outs.accountType = d.accountType;
    // additionalAdmins that are no longer admins of the enterprise show as drift. A member list that cannot
    // be read (no right to it, a failure) changes nothing: no drift is made up from a failed call.
    if ((props.additionalAdmins ?? []).length > 0) {
      c.invalidate(`members:${id}`);
      try {
        const admins = new Set((await c.listEnterpriseUsers(id)).filter((m) => m.isAdmin).map((m) => m.id));
        outs.additionalAdmins = props.additionalAdmins.filter((a) => admins.has(a));
      } catch (e) {
        if (!isVendorError(e)) throw e;
        console.log(`bitgo: could not read the users of enterprise ${id} (${(e as Error).message}); additionalAdmins left as they were`);
      }
    }
    return { id, props: outs, inputs: pickInputs(outs) };
  },

  async update(id, olds, raw) {
    const news = childEnterpriseInputs.parse(pickInputs(raw));
    const c = client();
    const before = new Set(olds.additionalAdmins ?? []);
    const after = new Set(news.additionalAdmins);
    const added = [...after].filter((x) => !before.has(x));
    const removed = [...before].filter((x) => !after.has(x));
    let admins = [...(olds.additionalAdmins ?? [])];
    if (added.length > 0) {
      const emails = await checkAdmins(c, news.organizationId, added);
      for (const userId of added) {
        try {
          await c.call("POST", `/api/v2/organization/${news.organizationId}/enterprise/${id}/user`, {
            body: { email: emails.get(userId), permissions: ["admin"] },
            idempotent: true, // a second add answers 409: already a member
          });
        } catch (e) {
          if (!isVendorError(e, 409)) throw e;
        }
        admins.push(userId);
      }
    }
    const waiting: { username: string; approvalId: string }[] = [];
    let open: PendingApproval[] | undefined;
    for (const userId of removed) {
      const username = await usernameOf(c, news.organizationId, userId);
      if (username) {
        // A removal already waiting for approval (an earlier run): do not ask twice.
        open ??= (await c.listPendingApprovals({ enterpriseId: id })).filter((a) => isOpenApproval(a.state));
        const req = (a: PendingApproval) => a.info?.updateEnterpriseRequest;
        let approvalId = open.find((a) => req(a)?.action === "remove" && (req(a)?.userId === userId || req(a)?.email?.toLowerCase() === username))?.id;
        if (!approvalId) {
          await c.requireScope("user_manage", `removing ${username} from enterprise ${id}`);
          const res = await c.removeEnterpriseUser(id, username); // 404: already gone
          if (res.status === 202) approvalId = approvalIdOf(res.data) || "(id not given)";
        }
        if (approvalId) {
          waiting.push({ username, approvalId });
          continue; // still an admin until approved: it stays in state so the next run looks again
        }
      }
      admins = admins.filter((x) => x !== userId);
    }
    const key = olds.idempotencyKey;
    const outs: ChildEnterpriseOutputs = {
      ...olds,
      ...news,
      additionalAdmins: [...admins].sort(),
      idempotencyKey: key,
      onDeleteNote: onDeleteNote(news.onDelete, id),
    };
    if (waiting.length > 0) {
      const what = waiting.map((w) => `removing ${w.username} from enterprise ${id} needs another admin's approval (pending approval ${w.approvalId})`).join("; ");
      throw partialFailure(
        `bitgo: ${what}. Until it is approved the user stays an admin and stays in additionalAdmins in the state; ` +
          `approve it in BitGo, then run pulumi up again (it will not ask twice).`,
        id,
        outs,
      );
    }
    return { outs };
  },

  async delete(id, props) {
    const c = client();
    if ((props.onDelete ?? "leave") !== "freeze") {
      console.log(
        `bitgo: WARNING: enterprise ${id}${props.name ? ` (${props.name})` : ""} is NOT deleted: BitGo has no endpoint that deletes an enterprise. ` +
          `It stays in organization ${props.organizationId} with its users and wallets; orgstack only forgets it. ` +
          `Set onDelete: "freeze" on the resource (and pulumi up) before destroying to freeze it instead, or close it through BitGo support.`,
      );
      return;
    }
    const res = await c.call("POST", `/api/v2/enterprise/${id}/freeze`, {
      body: { duration: String(props.freezeSeconds ?? DEFAULT_FREEZE_SECONDS) },
      accept: [404],
      idempotent: true, // freezing twice leaves it frozen
    });
    if (res.status === 404) {
      console.log(`bitgo: enterprise ${id} was already gone`);
      return;
    }
    console.log(`bitgo: froze enterprise ${id}${props.name ? ` (${props.name})` : ""} until ${res.data?.expires ?? "further notice"}; it is NOT deleted (BitGo cannot delete an enterprise)`);
  },
};

/** The identifiers as a set: their order means nothing and must not make a new enterprise. */
function identifiers(list: { id: string; label: string }[] | undefined): string {
  return JSON.stringify((list ?? []).map((t) => JSON.stringify([t.id, t.label])).sort());
}

function pickInputs(o: Partial<ChildEnterpriseOutputs>): ChildEnterpriseInputs {
  const out: any = {};
  for (const k of INPUT_KEYS) if ((o as any)[k] !== undefined) out[k] = (o as any)[k];
  return out;
}
