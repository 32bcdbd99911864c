// bitgo:ChildEnterprise: a child enterprise of a BitGo-as-a-Service organization, one per end customer.
//
//   find    by id (GET /api/v2/enterprise/{id}; 404 = gone), or before a create by the idempotency
//           key (GET /api/v2/organization/{id}/enterprise?idempotencyKey=): an enterprise found so is
//           this resource's own, made by an earlier attempt whose answer was lost. Declared
//           additionalAdmins are read back (drift) from the child's member list, or from the
//           organization's user list when the child's list is closed to a non-member.
//   create  every additionalAdmins entry must be a user of the organization (checked before any
//           write); POST /api/v2/organization/{id}/enterprise with the idempotency key: BitGo makes
//           one enterprise per key, so the call may be resent.
//   update  additionalAdmins: an added admin through POST .../enterprise/{eid}/user, a removed one
//           through DELETE /api/v2/enterprise/{eid}/user; a removal answered 202 keeps the admin in
//           state (partial state) and the next run finds the open approval instead of asking again.
//   remove  BitGo has no endpoint that deletes an enterprise: onDelete "leave" (default) leaves it and
//           says so; "freeze" freezes it.
//
// The idempotency key: given, or derived from what makes this enterprise this one (the organization,
// the resource's logical name, the email, the account type, the third-party identifiers).
import * as crypto from "crypto";
import { z } from "zod";
import { bool, email, field, hex32, int, list, oneOf, text } from "../kit/fields";
import { vendorId } from "../kit/ids";
import { defineResource, partialFailure } from "../kit/resource";
import { log } from "../kit/secrets";
import { done } from "../kit/writes";
import * as api from "./api";
import { BitGoClient, isVendorError } from "./client";
import { bitgo } from "./vendor";

/** Ten years: BitGo's freeze takes a duration; orgstack freezes "for good" unless told otherwise. */
export const DEFAULT_FREEZE_SECONDS = 10 * 365 * 86_400;

const id = vendorId("bitgo:ChildEnterprise", "enterpriseId", /^[0-9a-f]{32}$/);

interface Current {
  enterpriseId: string;
  name: string;
  organizationId: string;
  frozen: boolean;
  accountType?: string;
  /** The end user, when the create answer named them. */
  userId?: string;
  /** Found by its idempotency key: made by an earlier attempt whose answer was lost. */
  foundByKey?: boolean;
  /** The enterprise's admins, read when additionalAdmins are declared (drift on refresh). */
  admins?: string[];
}

/** The key BitGo uses to make one enterprise per request, derived stably from the resource. */
export function deriveIdempotencyKey(i: { organizationId: string; logicalName: string; email: string; accountType: string; thirdPartyIdentifier?: { id: string; label: string }[] }): string {
  const textKey = JSON.stringify(["orgstack:ChildEnterprise:v1", i.organizationId, i.logicalName, i.email.toLowerCase(), i.accountType, i.thirdPartyIdentifier ?? []]);
  const h = crypto.createHash("sha256").update(textKey).digest("hex");
  // UUID-shaped (the spec titles the field uuid), version nibble 5 as for a name-based UUID.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function onDeleteNote(onDelete: string, enterpriseId: string): string {
  return onDelete === "freeze"
    ? `destroying this resource freezes enterprise ${enterpriseId} (BitGo has no endpoint that deletes an enterprise)`
    : `destroying this resource leaves enterprise ${enterpriseId} in place: BitGo has no endpoint that deletes an enterprise; set onDelete: "freeze" to freeze it instead`;
}

/** Emails of the given users, each of whom must be a user of the organization (not a customer). */
async function organizationEmails(c: BitGoClient, organizationId: string, userIds: string[]): Promise<Map<string, string>> {
  const users = await api.orgUsers(c, organizationId);
  const emails = new Map<string, string>();
  const bad: string[] = [];
  for (const userId of userIds) {
    let hit = users.find((u) => u.id === userId);
    if (!hit) {
      // The service user shows only on its own record.
      const u = await api.user(c, userId).catch((e) => (isVendorError(e, 404) ? undefined : Promise.reject(e)));
      const role = u?.organizations?.find((o) => o.id === organizationId)?.role;
      if (u && role) hit = { id: userId, username: String(u.username).toLowerCase(), role, enterprises: [] };
    }
    if (!hit || hit.role === "customer") bad.push(userId);
    else emails.set(userId, hit.username);
  }
  if (bad.length) {
    throw new Error(
      `additionalAdmins: ${bad.join(", ")} ${bad.length === 1 ? "is not a user" : "are not users"} of organization ${organizationId} ` +
        `(an admin, member or the service user). Add them to the organization first (bitgo.OrganizationUser), or remove them from additionalAdmins. Nothing was changed.`,
    );
  }
  return emails;
}

/**
 * The enterprise's name, account type and freeze: from the organization's list of child enterprises
 * (one paged read serves every child of a run: refresh and destroy read no enterprise one by one), or
 * from the enterprise itself when its organization is not known (an import) or it is not listed.
 */
async function enterpriseOf(c: BitGoClient, enterpriseId: string, organizationId: string | undefined, since?: number): Promise<Omit<Current, "enterpriseId"> | undefined> {
  const listed = organizationId ? (await api.childEnterprises(c, organizationId, { since })).find((x) => x.id === enterpriseId) : undefined;
  if (listed) return { name: listed.name, organizationId: organizationId!, frozen: listed.frozen, accountType: listed.accountType || undefined };
  try {
    const e = await api.enterprise(c, enterpriseId, since);
    return { name: String(e.name ?? ""), organizationId: String(e.organizationId ?? ""), frozen: !!e.freeze, accountType: e.accountType };
  } catch (err) {
    if (isVendorError(err, 404)) return undefined;
    throw err;
  }
}

const keyOf = (i: { idempotencyKey?: string; organizationId: string; logicalName: string; email: string; accountType: string; thirdPartyIdentifier?: { id: string; label: string }[] }) =>
  i.idempotencyKey ?? deriveIdempotencyKey(i);

export const childEnterprise = defineResource<Current>()({
  type: "bitgo:ChildEnterprise",
  doc: "A child enterprise of a BitGo-as-a-Service organization (POST /api/v2/organization/{id}/enterprise), made exactly once by its idempotency key.",
  vendor: bitgo,
  inputs: {
    organizationId: field(hex32("the organization's id", "62c5ae8174ac860007aff1555ffb960d"), { replaceOnChange: true, doc: "The BitGo-as-a-Service organization (32 hex)." }),
    email: field(email("the end customer's email address, such as jane@customer.example"), { replaceOnChange: true, doc: "The end customer's email: BitGo makes (or finds) the end user." }),
    additionalAdmins: field(list(hex32("a BitGo user id of a user of the organization"), { max: 50, sorted: true }).default([]), {
      doc: "User ids (32 hex) of organization users to make admins of the child enterprise; changes in place.",
    }),
    accountType: field(oneOf(["individual", "entity"], "account type").default("individual"), { replaceOnChange: true, doc: '"individual" (default) or "entity".' }),
    thirdPartyIdentifier: field(
      list(z.object({ id: text({ max: 200 }), label: text({ max: 100 }) }).strict(), { max: 20, sorted: true }).default([]),
      { replaceOnChange: true, doc: "Your own identifiers of the end customer; their order does not matter." },
    ),
    isCaaS: field(bool().optional(), { replaceOnChange: true, doc: "BitGo's isCaaS flag." }),
    logicalName: field(text({ max: 300, hint: "set by the ChildEnterprise class: the resource's name" }), {
      behaviour: true,
      doc: "The resource's logical name (project/stack/name), set by the SDK class; it feeds the derived idempotency key.",
    }),
    idempotencyKey: field(text({ max: 200 }).optional(), {
      computedWhenOmitted: true,
      replaceOnChange: true,
      doc: "BitGo's idempotency key; derived from the resource when left out (a retry finds the same enterprise).",
    }),
    onDelete: field(oneOf(["leave", "freeze"], "onDelete value").default("leave"), { behaviour: true, doc: 'What destroy does: "leave" (default: BitGo cannot delete an enterprise) or "freeze".' }),
    freezeSeconds: field(int(1, 100 * 365 * 86_400, " seconds").default(DEFAULT_FREEZE_SECONDS), { behaviour: true, doc: "How long a freeze lasts (default ten years)." }),
  },
  outputs: {
    enterpriseId: field(z.string(), { doc: "The child enterprise's id." }),
    userId: field(z.string(), { doc: "The end user BitGo made (or found) for the email." }),
    name: field(z.string(), { doc: "The enterprise's name." }),
    frozen: field(bool(), { doc: "Whether the enterprise is frozen." }),
    onDeleteNote: field(z.string(), { doc: "What destroying this resource does, in words." }),
  },
  id,
  adopt: "own",

  idOf: (cur) => id.build({ enterpriseId: cur!.enterpriseId }),
  // An enterprise imported by its id alone has no email or logical name: no key can be derived.
  derive: (o) => ({
    idempotencyKey: o.idempotencyKey ?? (o.email && o.logicalName ? keyOf(o) : undefined),
    onDeleteNote: o.enterpriseId ? onDeleteNote(o.onDelete ?? "leave", o.enterpriseId) : undefined,
  }),

  async find(ctx, ref, since): Promise<Current | undefined> {
    let enterpriseId = ref.id ?? ref.olds?.enterpriseId;
    if (!enterpriseId) {
      // Before a create nothing is looked up: the idempotency key makes the POST itself exactly-once
      // (BitGo answers a second POST with the key 409). A lost answer or a 409 is looked up by the key.
      if (since === undefined) return undefined;
      const i = ref.inputs!;
      const made = await api.childEnterprises(ctx.c, i.organizationId, { idempotencyKey: keyOf(i) });
      if (!made[0]) return undefined;
      enterpriseId = made[0].id;
    }
    const foundByKey = !ref.id && !ref.olds?.enterpriseId;
    const e = await enterpriseOf(ctx.c, enterpriseId, ref.olds?.organizationId ?? ref.inputs?.organizationId, since);
    if (!e) return undefined;
    const declared = ref.olds?.additionalAdmins ?? [];
    const admins = declared.length > 0 ? await adminsOf(ctx.c, enterpriseId, e.organizationId, declared, since) : undefined;
    return { ...e, enterpriseId, admins, foundByKey };
  },

  flatten: (cur, declared) => ({
    adopted: cur.foundByKey || undefined,
    enterpriseId: cur.enterpriseId,
    // An additional admin who is no longer an admin of the enterprise shows as drift.
    additionalAdmins: cur.admins && declared.additionalAdmins ? declared.additionalAdmins.filter((a) => cur.admins!.includes(a)) : undefined,
    name: cur.name,
    frozen: cur.frozen,
    organizationId: cur.organizationId || undefined,
    accountType: cur.accountType === "individual" || cur.accountType === "entity" ? (cur.accountType as "individual" | "entity") : undefined,
    userId: cur.userId,
  }),

  async create(ctx, i) {
    await organizationEmails(ctx.c, i.organizationId, i.additionalAdmins);
    const body: Record<string, unknown> = { email: i.email, idempotencyKey: keyOf(i), additionalAdmins: i.additionalAdmins, accountType: i.accountType };
    if (i.thirdPartyIdentifier.length > 0) body.thirdPartyIdentifier = i.thirdPartyIdentifier;
    if (i.isCaaS !== undefined) body.isCaaS = i.isCaaS;
    const outcome = await ctx.guarded(`creating a child enterprise for ${i.email} in organization ${i.organizationId}`, async () => {
      const { data } = await api.createChildEnterprise(ctx.c, i.organizationId, body);
      const enterpriseId = String(data?.enterpriseId ?? "");
      if (!/^[0-9a-f]{32}$/.test(enterpriseId)) throw new Error(`bitgo: creating a child enterprise for ${i.email} answered without an enterpriseId`);
      // Its name from the organization's list, one read for every enterprise made at about the same time.
      const listed = (await api.childEnterprises(ctx.c, i.organizationId, { since: Date.now() })).find((x) => x.id === enterpriseId);
      return done({ enterpriseId, name: listed?.name ?? "", organizationId: i.organizationId, frozen: !!listed?.frozen, accountType: listed?.accountType || i.accountType, userId: String(data?.userId ?? "") });
    });
    if (outcome.done && outcome.value && !outcome.value.userId) {
      // Found again after a lost answer: the end user comes from the organization's users.
      const endUser = (await api.orgUsers(ctx.c, i.organizationId, Date.now())).find((u) => u.username === i.email);
      outcome.value.userId = endUser?.id ?? "";
    }
    return outcome;
  },

  async update(ctx, olds, news) {
    const enterpriseId = olds.enterpriseId;
    const before = new Set(olds.additionalAdmins ?? []);
    const added = news.additionalAdmins.filter((x) => !before.has(x));
    const removed = [...before].filter((x) => !news.additionalAdmins.includes(x));
    let admins = [...before];
    const emails = await organizationEmails(ctx.c, news.organizationId, added);
    for (const userId of added) {
      await ctx.write({
        what: `making ${emails.get(userId)} an admin of enterprise ${enterpriseId}`,
        send: async () => {
          await api.addChildEnterpriseAdmin(ctx.c, news.organizationId, enterpriseId, emails.get(userId)!);
          return done();
        },
        // The organization's user list shows each user's enterprises (the child's own list is for its members only).
        effect: async (since) => ((await api.orgUsers(ctx.c, news.organizationId, since)).some((u) => u.id === userId && u.enterprises.some((e) => e.id === enterpriseId && e.permissions.includes("admin"))) ? true : undefined),
      });
      admins.push(userId);
    }
    const waiting: string[] = [];
    for (const userId of removed) {
      const username = await usernameOf(ctx.c, news.organizationId, userId);
      if (!username) {
        admins = admins.filter((x) => x !== userId);
        continue;
      }
      await ctx.c.requireScope("user_manage", `removing ${username} from enterprise ${enterpriseId}`);
      const openRemoval = async (since?: number) =>
        (await api.openApprovals(ctx.c, { enterpriseId }, since)).find((a) => {
          const req = a.info?.updateEnterpriseRequest;
          return req?.action === "remove" && (req.userId === userId || req.email?.toLowerCase() === username);
        })?.id;
      const asked = await openRemoval();
      const outcome = asked
        ? { done: false as const, approvalId: asked }
        : await ctx.write({
            what: `removing ${username} from enterprise ${enterpriseId}`,
            send: async () => {
              const res = await api.removeEnterpriseUser(ctx.c, enterpriseId, username); // 404: already gone
              return res.status === 202 ? { done: false as const, approvalId: api.approvalIdOf(res.data) } : done();
            },
            effect: async (since) => ((await api.members(ctx.c, enterpriseId, since)).some((m) => m.id === userId) ? undefined : true),
            approval: openRemoval,
          });
      if (outcome.done) admins = admins.filter((x) => x !== userId);
      else waiting.push(`removing ${username} from enterprise ${enterpriseId} needs another admin's approval (pending approval ${outcome.approvalId})`);
    }
    const cur = { enterpriseId, name: olds.name, organizationId: olds.organizationId, frozen: olds.frozen, userId: olds.userId };
    if (waiting.length) {
      // Until approved the user stays an admin, and stays in additionalAdmins in the state.
      throw partialFailure(
        `bitgo: ${waiting.join("; ")}. Approve it in BitGo, then run pulumi up again (it will not ask twice).`,
        enterpriseId,
        { ...olds, ...news, additionalAdmins: [...admins].sort(), idempotencyKey: olds.idempotencyKey, onDeleteNote: onDeleteNote(news.onDelete, enterpriseId) },
      );
    }
    return done(cur);
  },

  async remove(ctx, olds) {
    if ((olds.onDelete ?? "leave") !== "freeze") {
      log(
        `bitgo: WARNING: enterprise ${olds.enterpriseId}${olds.name ? ` (${olds.name})` : ""} is NOT deleted: BitGo has no endpoint that deletes an enterprise. ` +
          `It stays in organization ${olds.organizationId} with its users and wallets; orgstack only forgets it. ` +
          `Set onDelete: "freeze" on the resource (and pulumi up) before destroying to freeze it instead, or close it through BitGo support.`,
      );
      return done();
    }
    const res = await api.freezeEnterprise(ctx.c, olds.enterpriseId, olds.freezeSeconds ?? DEFAULT_FREEZE_SECONDS);
    if (res.status !== 404) log(`bitgo: froze enterprise ${olds.enterpriseId}${olds.name ? ` (${olds.name})` : ""} until ${res.data?.expires ?? "further notice"}; it is NOT deleted (BitGo cannot delete an enterprise)`);
    return done();
  },
});

/**
 * The enterprise's admins among those declared: from its member list, or, when that list is closed to
 * the token's user (not a member of the child), from the organization's user list, which shows each
 * user's enterprises. A user neither shows (the service user) keeps its place; a list that cannot be
 * read invents no drift (undefined).
 */
async function adminsOf(c: BitGoClient, enterpriseId: string, organizationId: string, declared: string[], since?: number): Promise<string[] | undefined> {
  try {
    return (await api.members(c, enterpriseId, since)).filter((m) => m.isAdmin).map((m) => m.id);
  } catch (err) {
    if (!isVendorError(err)) throw err;
    if (err.status !== 403 && err.status !== 404) return undefined;
  }
  try {
    const users = await api.orgUsers(c, organizationId, since);
    return declared.filter((a) => {
      const u = users.find((x) => x.id === a);
      return !u || u.enterprises.some((x) => x.id === enterpriseId && x.permissions.includes("admin"));
    });
  } catch (err) {
    if (!isVendorError(err)) throw err;
    return undefined;
  }
}

/** The email of an admin to remove: from the organization's users, else the user record (it may have left the organization). */
async function usernameOf(c: BitGoClient, organizationId: string, userId: string): Promise<string | undefined> {
  const hit = (await api.orgUsers(c, organizationId)).find((u) => u.id === userId);
  if (hit) return hit.username;
  try {
    return String((await api.user(c, userId)).username ?? "").toLowerCase() || undefined;
  } catch (e) {
    if (isVendorError(e, 404)) return undefined; // no such user: nothing left to remove
    throw e;
  }
}
