// bitgo:EnterpriseUser: one user of one BitGo enterprise, with its permissions.
//
//   find    the enterprise's member list (one read per enterprise per run) says who is a member and
//           who is an admin; exact permissions come from the user's record (GET /api/v2/user/{id}, 60
//           per 600 s), read where the list cannot answer: when the list disagrees with what is
//           declared, when a lost write is being looked for, and otherwise as long as BitGo's window
//           has room. A permission the list cannot show keeps its declared value (unknown, not drift).
//   create  POST /api/v2/enterprise/{id}/user; the adds of one enterprise with the same permissions
//           go out as one call (`usernames`, BitGo's set-up guide), except where an addition needs
//           approval (each then asks alone: an approval names one user). 202 = a pending approval.
//   update  PUT /api/v2/enterprise/{id}/user?userId&role= (one role at a time); an open approval is
//           reused only when it asks for the declared role.
//   remove  DELETE /api/v2/enterprise/{id}/user {username}; 404 = gone; 202 = a pending approval.
//
// Replaces: enterpriseId, username, videoApprover (BitGo takes it only when a user is added), and
// permissions that name two or more roles (the role call sets one).
import { z } from "zod";
import { Batcher, Entry } from "../kit/batch";
import { CheckFailure } from "../kit/check";
import { bool, email, field, hex32, list, oneOf } from "../kit/fields";
import { compositeId } from "../kit/ids";
import { defineResource } from "../kit/resource";
import { log } from "../kit/secrets";
import { done, pending } from "../kit/writes";
import * as api from "./api";
import { BitGoClient, isVendorError } from "./client";
import { bitgo } from "./vendor";

export const PERMISSIONS = ["admin", "auditor", "wallet.create"] as const;
export type Permission = (typeof PERMISSIONS)[number];

const id = compositeId("bitgo:EnterpriseUser", ["enterpriseId", "username"], { enterpriseId: /^[0-9a-f]{32}$/, username: /@/ });

/** The single role the role call can set for a permission set, or undefined when there is none. */
export function roleFor(permissions: readonly string[]): string | undefined {
  if (permissions.length === 0) return "member";
  return permissions.length === 1 ? permissions[0] : undefined;
}

interface Current {
  enterpriseId: string;
  username: string;
  userId: string;
  isAdmin: boolean;
  /** Exact permissions, when read; undefined when only the admin flag is known. */
  permissions?: Permission[];
  videoIdState: string;
}

const inputs = {
  enterpriseId: field(hex32("the enterprise's id"), { replaceOnChange: true, doc: "The enterprise (32 hex). Changing it replaces the user." }),
  username: field(email("the user's email address, such as ops@acme.example"), { replaceOnChange: true, doc: "The user's email (BitGo's username). Changing it replaces the user." }),
  permissions: field(list(oneOf(PERMISSIONS, "BitGo enterprise permission"), { max: 3, sorted: true, hint: 'a list such as ["admin"]; [] keeps a plain member' }), {
    doc: "admin | auditor | wallet.create; order does not matter. One permission (or none, a plain member) changes in place; two or more at once replace the user.",
  }),
  videoApprover: field(bool().default(false), {
    replaceOnChange: true,
    doc: "Make this admin a video approver (BitGo's videoIdUser; needed for withdrawals above $250,000). BitGo takes it only when a user is added, so a change replaces the user.",
  }),
};

const outputs = {
  userId: field(z.string(), { doc: "The BitGo user id (32 hex); empty while an addition waits for approval and BitGo has not said it." }),
  videoIdState: field(z.string(), { doc: "BitGo's video ID state for this user (awaitingApproval, approved, ...), empty when the user is no video approver." }),
};

function keyOf(ref: { id?: string; inputs?: { enterpriseId?: string; username?: string }; olds?: { enterpriseId?: string; username?: string } }) {
  const known = ref.inputs?.enterpriseId ? ref.inputs : ref.olds?.enterpriseId ? ref.olds : undefined;
  return known ? { enterpriseId: known.enterpriseId!, username: known.username!.toLowerCase() } : id.parse(ref.id!);
}

/** BitGo's video ID state of a user in an enterprise, "" when the user is no video approver. */
const videoStateOf = (e: api.Enterprise, userId: string) => String(e.videoIdUsers?.find((v) => v.userId === userId)?.state ?? "");

/** The user's exact permissions in the enterprise from their record, or undefined when unreadable. */
async function readPermissions(c: BitGoClient, enterpriseId: string, userId: string, since?: number): Promise<Permission[] | undefined> {
  try {
    const user = await api.user(c, userId, since);
    const membership = user.enterprises?.find((e) => e.id === enterpriseId);
    return membership?.permissions ? ([...membership.permissions].sort() as Permission[]) : undefined;
  } catch (e) {
    if (!isVendorError(e)) throw e;
    return undefined; // a failed read must never show up as drift
  }
}

/** A user's permissions in the enterprise as the organization's user list shows them, or undefined. */
async function listedPermissions(c: BitGoClient, organizationId: string, enterpriseId: string, userId: string, since?: number): Promise<Permission[] | undefined> {
  try {
    const u = (await api.orgUsers(c, organizationId, since)).find((x) => x.id === userId);
    const e = u?.enterprises.find((x) => x.id === enterpriseId);
    return e ? ([...e.permissions].sort() as Permission[]) : undefined;
  } catch (err) {
    if (!isVendorError(err)) throw err;
    return undefined; // no right to the organization's list: the member list and the declaration stand
  }
}

// ---- the batch: adds to one enterprise with the same permissions share one POST ----

interface Add {
  c: BitGoClient;
  enterpriseId: string;
  username: string;
  permissions: string[];
  videoApprover: boolean;
}
type AddResult = ReturnType<typeof done<Current>> | ReturnType<typeof pending>;

// Under BitGo's rate limit a batch waits for room with its door open: later additions ride along.
const adds = new Batcher<Add, AddResult>(sendAdds, { readyIn: (entries) => entries[0].item.c.pacer.waitFor(["all"], Date.now()) });

async function sendAdds(_key: string, entries: Entry<Add, AddResult>[]): Promise<void> {
  const { c, enterpriseId, permissions, videoApprover } = entries[0].item;
  if (entries.length > 1 && ((await api.enterprise(c, enterpriseId)).approvalsRequired ?? 1) > 1) {
    // One approval would cover the batch but name only its first user: the others could not find it
    // again (a rerun or a lost answer would ask twice). Where approvals are needed, each asks alone.
    await Promise.all(entries.map((entry) => sendAdds("", [entry]).catch((e) => entry.reject(e))));
    return;
  }
  const usernames = entries.map((e) => e.item.username);
  if (usernames.length > 1) log(`bitgo: adding ${usernames.length} users to enterprise ${enterpriseId} in one call`);
  let res;
  try {
    res = await api.addEnterpriseUsers(c, enterpriseId, usernames, permissions, videoApprover);
  } catch (e) {
    const refusedOutright = (e as any)?.status >= 400 && (e as any)?.status < 500 && (e as any)?.status !== 409;
    if (entries.length > 1 && refusedOutright) {
      // One wrong username refuses the whole call: send each alone, so each resource gets its own answer.
      await Promise.all(entries.map((entry) => sendAdds("", [entry]).catch((err) => entry.reject(err))));
      return;
    }
    throw e; // a lost answer: each resource's guard looks for its own effect
  }
  if (res.status === 202) {
    for (const entry of entries) entry.resolve(pending(api.approvalIdOf(res.data)));
    return;
  }
  // One read of the member list tells every resource of the batch its user id (no user read right
  // after our own write: the permissions are the ones just set).
  const list = await api.members(c, enterpriseId, Date.now());
  const e = videoApprover ? await api.enterprise(c, enterpriseId, Date.now()) : undefined;
  for (const entry of entries) {
    const m = list.find((x) => x.username === entry.item.username);
    if (!m) entry.reject(new Error(`bitgo: BitGo accepted ${entry.item.username} for enterprise ${enterpriseId} but does not list the user; run pulumi refresh`));
    else entry.resolve(done({ enterpriseId, username: m.username, userId: m.id, isAdmin: m.isAdmin, permissions: [...permissions].sort() as Permission[], videoIdState: e ? videoStateOf(e, m.id) : "" }));
  }
}

export const enterpriseUser = defineResource<Current>()({
  type: "bitgo:EnterpriseUser",
  doc: "A user of a BitGo enterprise with its permissions (POST/PUT/DELETE /api/v2/enterprise/{id}/user).",
  vendor: bitgo,
  inputs,
  outputs,
  id,
  adopt: "input",
  approvals: true,

  rules(news, olds) {
    const failures: CheckFailure[] = [];
    const isNew = !olds || olds.username !== news.username || olds.enterpriseId !== news.enterpriseId;
    if (isNew && news.permissions.length === 0) {
      failures.push({
        property: "permissions",
        reason:
          "permissions: BitGo adds a user with at least one of admin, auditor or wallet.create; to keep someone as a plain member, add them with a permission and then change permissions to [] (an in-place update)",
      });
    }
    return failures;
  },
  replaces: (olds, news) => (roleFor(news.permissions) === undefined && (olds.permissions ?? []).join() !== news.permissions.join() ? ["permissions"] : []),
  // The same user cannot be in the enterprise twice: a replacement of the same user removes first.
  deleteBeforeReplace: (_olds, _news, replaces) => !replaces.includes("enterpriseId") && !replaces.includes("username"),

  idOf: (_cur, i) => id.build({ enterpriseId: i.enterpriseId!, username: i.username! }),

  async find(ctx, ref, since): Promise<Current | undefined> {
    const { enterpriseId, username } = keyOf(ref);
    const m = (await api.members(ctx.c, enterpriseId, since)).find((x) => x.username === username);
    if (!m) return undefined;
    const declared = (ref.inputs?.permissions ?? ref.olds?.permissions) as Permission[] | undefined;
    const agrees = !!declared && declared.includes("admin") === m.isAdmin;
    const e = await api.enterprise(ctx.c, enterpriseId, since);
    // Exact permissions where a list shows them: the organization's user list (one paged list serves
    // every user of a run) carries each listed user's permissions per enterprise.
    let exact = e.organizationId ? await listedPermissions(ctx.c, e.organizationId, enterpriseId, m.id, since) : undefined;
    // The user's own record only where no list answers and it matters: the member list disagrees with
    // the declaration, an import, a lost write being looked for. BitGo allows 60 of these per 600 s per
    // user across every run, so a refresh or destroy of many users never reads them one by one.
    if (!exact && (!agrees || since !== undefined)) exact = await readPermissions(ctx.c, enterpriseId, m.id, since);
    const videoIdState = videoStateOf(e, m.id);
    return { enterpriseId, username, userId: m.id, isAdmin: m.isAdmin, permissions: exact ?? (agrees ? undefined : m.isAdmin ? ["admin"] : []), videoIdState };
  },

  flatten: (cur, declared) => ({
    enterpriseId: cur.enterpriseId,
    username: cur.username,
    userId: cur.userId,
    permissions: cur.permissions,
    videoIdState: cur.videoIdState,
    // Known from BitGo only on import; afterwards the declared value stands (it cannot change in place).
    videoApprover: declared.videoApprover === undefined ? !!cur.videoIdState && !["rejected", "archived"].includes(cur.videoIdState) : undefined,
  }),
  // Documented as empty while an addition waits for approval (BitGo has not said them yet).
  derive: (o) => ({ userId: o.userId ?? "", videoIdState: o.videoIdState ?? "" }),

  async openApproval(ctx, ref, action, _cur, since) {
    const { enterpriseId, username } = keyOf(ref);
    const verb = { create: "add", update: "update", delete: "remove" }[action];
    // A role change waiting for approval is this one only if it asks for the declared role.
    const role = action === "update" ? roleFor(ref.inputs?.permissions ?? []) : undefined;
    const asks = (req: { permissions?: string | string[] }) => role === undefined || (role === "member" ? [req.permissions ?? []].flat().length === 0 : [req.permissions ?? []].flat().includes(role));
    const open = await api.openApprovals(ctx.c, { enterpriseId }, since);
    return open.find((a) => {
      const req = a.info?.type === "updateEnterpriseRequest" ? a.info.updateEnterpriseRequest : undefined;
      return req?.action === verb && req.email?.toLowerCase() === username && asks(req);
    })?.id;
  },

  async create(ctx, i) {
    await ctx.c.requireScope("user_manage", `adding ${i.username} to enterprise ${i.enterpriseId}`);
    return ctx.guarded(`adding ${i.username} to enterprise ${i.enterpriseId}`, () =>
      adds.add(`${ctx.c.id}|${i.enterpriseId}|${i.permissions.join(",")}|${i.videoApprover}`, { c: ctx.c, enterpriseId: i.enterpriseId, username: i.username, permissions: i.permissions, videoApprover: i.videoApprover }),
    );
  },

  async update(ctx, _olds, news, _changed, cur) {
    const role = roleFor(news.permissions);
    if (!role) {
      throw new Error(
        `bitgo: ${news.username} has other permissions in enterprise ${news.enterpriseId}, and [${news.permissions.join(", ")}] cannot be set in place (BitGo's role call sets one permission). ` +
          "Declare what the user has, or remove the user in BitGo first so orgstack adds it with these permissions.",
      );
    }
    await ctx.c.requireScope("user_manage", `changing ${news.username}'s role in enterprise ${news.enterpriseId}`);
    const userId = cur?.userId;
    if (!userId) throw new Error(`bitgo: ${news.username} is no longer in enterprise ${news.enterpriseId}; run pulumi refresh, then pulumi up to add it again`);
    return ctx.guarded(`changing ${news.username}'s role in enterprise ${news.enterpriseId} to ${role}`, async () => {
      const res = await api.setEnterpriseRole(ctx.c, news.enterpriseId, userId, role);
      return res.status === 202 ? pending(api.approvalIdOf(res.data)) : done();
    });
  },

  async remove(ctx, olds) {
    await ctx.c.requireScope("user_manage", `removing ${olds.username} from enterprise ${olds.enterpriseId}`);
    return ctx.guarded(`removing ${olds.username} from enterprise ${olds.enterpriseId}`, async () => {
      const res = await api.removeEnterpriseUser(ctx.c, olds.enterpriseId, olds.username);
      return res.status === 202 ? pending(api.approvalIdOf(res.data)) : done();
    });
  },
});

/** For tests and the benchmark: how many POSTs carried how many additions. */
export const enterpriseUserBatches = adds.stats;
