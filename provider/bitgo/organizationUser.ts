// bitgo:OrganizationUser: a user's role (admin or member) in a BitGo organization.
//
//   find    the organization's users (GET /api/org/users, every page, one list per run); a user the
//           list does not show (the service user) is looked up by id when it is known.
//   create  POST /api/v2/organization/{id}/user {username, role}; 202 = a pending approval. BitGo's
//           set-up guide says organization admins are made by BitGo support: a refusal becomes an
//           error that says whom to ask. mode "assert" never writes: it checks the role is held.
//   update  PUT /api/v2/organization/{id}/user?userId&role= (in place). An open approval (to add or
//           change the user) is taken up only when it asks for the declared role.
//   remove  DELETE /api/v2/organization/{id}/user?userId=; 404 = gone; 202 = a pending approval.
//
// Replaces: organizationId, username.
import { z } from "zod";
import { email, field, hex32, oneOf } from "../kit/fields";
import { compositeId } from "../kit/ids";
import { defineResource } from "../kit/resource";
import { log } from "../kit/secrets";
import { done, pending } from "../kit/writes";
import * as api from "./api";
import { BitGoClient, isVendorError } from "./client";
import { bitgo } from "./vendor";

export const ORGANIZATION_USER_ROLES = ["admin", "member"] as const;

const id = compositeId("bitgo:OrganizationUser", ["organizationId", "username"], { organizationId: /^[0-9a-f]{32}$/, username: /@/ });

interface Current {
  organizationId: string;
  userId: string;
  username: string;
  role: string;
}

/** The error for an admin role BitGo will not grant through the API. */
export function supportOnlyError(username: string, organizationId: string, orgName: string, cause?: unknown): Error {
  const said = cause instanceof Error ? ` BitGo said: ${cause.message}` : "";
  return new Error(
    `bitgo: BitGo refused to make ${username} an admin of organization ${organizationId}${orgName ? ` (${orgName})` : ""}. ` +
      `BitGo's set-up guide says organization admins are made by BitGo support only: email support@bitgo.com and ask them to make ` +
      `${username} (an admin of one of the organization's enterprises) an organization admin of organization ${organizationId}. ` +
      `Once they have, declare this resource with mode: "assert" so the stack depends on the role without trying to grant it.${said}`,
  );
}

async function orgName(c: BitGoClient, organizationId: string): Promise<string> {
  return api.organization(c, organizationId).then((o) => o.name, () => "");
}

/** A write that BitGo may refuse for an admin: the refusal says to ask BitGo support. */
async function unlessSupportOnly<T>(c: BitGoClient, role: string, username: string, organizationId: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (role === "admin" && isVendorError(e, 403)) throw supportOnlyError(username, organizationId, await orgName(c, organizationId), e);
    throw e;
  }
}

/** Why mode "assert" fails: what the user holds, and whom to ask. */
function assertError(i: { organizationId: string; username: string; role: string }, cur: Current | undefined, name = ""): Error {
  const holds = cur ? `holds the role ${cur.role}` : "is not a user of it";
  const fix =
    i.role === "admin"
      ? `Organization admins are made by BitGo support only: email support@bitgo.com and ask them to make ${i.username} an organization admin of organization ${i.organizationId}.`
      : `Add the user as a member (mode: "manage"), or ask an organization admin to.`;
  return new Error(`bitgo: the stack asserts that ${i.username} is an organization ${i.role} of ${i.organizationId}${name ? ` (${name})` : ""}, but the user ${holds}. ${fix}`);
}

async function assertRole(c: BitGoClient, i: { organizationId: string; username: string; role: string }, cur: Current | undefined): Promise<never> {
  throw assertError(i, cur, await orgName(c, i.organizationId));
}

export const organizationUser = defineResource<Current>()({
  type: "bitgo:OrganizationUser",
  doc: "A user's role in a BitGo organization (POST/PUT/DELETE /api/v2/organization/{id}/user).",
  vendor: bitgo,
  inputs: {
    organizationId: field(hex32("the organization's id", "62c5ae8174ac860007aff1555ffb960d"), { replaceOnChange: true, doc: "The organization (32 hex). Changing it replaces the user." }),
    username: field(email("the user's email address"), { replaceOnChange: true, doc: "The user's email. Changing it replaces the user." }),
    role: field(oneOf(ORGANIZATION_USER_ROLES, "role orgstack can set (serviceUser and customer are given by BitGo)"), { doc: "admin or member; changes in place." }),
    mode: field(oneOf(["manage", "assert"], 'mode ("assert" is read-only)').default("manage"), {
      behaviour: true,
      doc: '"manage" (default) adds, changes and removes the role; "assert" only checks the user holds it (organization admins are made by BitGo support).',
    }),
  },
  outputs: { userId: field(z.string(), { doc: "The BitGo user id." }) },
  id,
  adopt: "input",
  approvals: true,

  idOf: (_cur, i) => id.build({ organizationId: i.organizationId!, username: i.username! }),

  async find(ctx, ref, since): Promise<Current | undefined> {
    const key = ref.inputs?.organizationId ? ref.inputs : ref.olds?.organizationId ? ref.olds : id.parse(ref.id!);
    const username = key.username!.toLowerCase();
    const hit = (await api.orgUsers(ctx.c, key.organizationId!, since)).find((u) => u.username === username);
    if (hit) return { organizationId: key.organizationId!, userId: hit.id, username, role: hit.role };
    // The service user shows only on its own record (GET /api/v2/user/{id}: by id, as the spec's pattern asks).
    const userId = ref.olds?.userId;
    if (!userId) return undefined;
    try {
      const u = await api.user(ctx.c, userId, since);
      const role = u.organizations?.find((o) => o.id === key.organizationId)?.role;
      return role ? { organizationId: key.organizationId!, userId, username, role } : undefined;
    } catch (e) {
      if (isVendorError(e, 404)) return undefined;
      throw e;
    }
  },

  flatten: (cur) => ({ organizationId: cur.organizationId, username: cur.username, userId: cur.userId, role: cur.role as "admin" | "member" }),

  adoptable(cur, i) {
    if (cur.role === i.role) return undefined;
    // "assert" never changes a role, whatever adoptExisting says: the error says whom to ask instead.
    if (i.mode === "assert") throw assertError(i, cur);
    return `the role is ${cur.role} there, ${i.role} here`;
  },

  async openApproval(ctx, ref, action, cur, since) {
    if ((ref.olds?.mode ?? ref.inputs?.mode) === "assert") return undefined;
    const key = ref.inputs?.organizationId ? ref.inputs : ref.olds?.organizationId ? ref.olds : id.parse(ref.id!);
    const verb = { create: "add", update: "update", delete: "remove" }[action];
    // An addition or a role change waiting for approval is this one only if it asks for the declared role.
    const role = action === "delete" ? undefined : ref.inputs?.role;
    const asks = (req: { action?: string; permissions?: string | string[] }) => req.action === verb && (!role || [req.permissions ?? []].flat().includes(role));
    const open = (await api.openApprovals(ctx.c, { organizationId: key.organizationId! }, since)).filter((a) => a.info?.userChangeRequest && asks(a.info.userChangeRequest));
    const userId = cur?.userId ?? ref.olds?.userId;
    if (userId) return open.find((a) => a.info?.userChangeRequest?.userChanged === userId)?.id;
    // An addition names the user by id only: read each candidate's record (few, and cached).
    for (const a of open) {
      const changed = String(a.info?.userChangeRequest?.userChanged ?? "");
      if (!/^[0-9a-f]{32}$/.test(changed)) continue;
      const u = await api.user(ctx.c, changed).catch(() => undefined);
      if (String(u?.username ?? "").toLowerCase() === key.username!.toLowerCase()) return a.id;
    }
    return undefined;
  },

  async create(ctx, i) {
    if (i.mode === "assert") return assertRole(ctx.c, i, undefined);
    await ctx.c.requireScope("user_manage", `adding ${i.username} to organization ${i.organizationId}`);
    return ctx.guarded(`adding ${i.username} to organization ${i.organizationId} as ${i.role}`, () =>
      unlessSupportOnly(ctx.c, i.role, i.username, i.organizationId, async () => {
        const res = await api.addOrgUser(ctx.c, i.organizationId, i.username, i.role);
        return res.status === 202 ? pending(api.approvalIdOf(res.data)) : done();
      }),
    );
  },

  async update(ctx, _olds, news, _changed, cur) {
    if (news.mode === "assert") {
      if (cur?.role === news.role) return done(cur);
      return assertRole(ctx.c, news, cur);
    }
    if (!cur) throw new Error(`bitgo: ${news.username} is no longer in organization ${news.organizationId}; run pulumi refresh, then pulumi up to add it again`);
    await ctx.c.requireScope("user_manage", `changing ${news.username}'s role in organization ${news.organizationId}`);
    return ctx.guarded(`changing ${news.username}'s role in organization ${news.organizationId} to ${news.role}`, () =>
      unlessSupportOnly(ctx.c, news.role, news.username, news.organizationId, async () => {
        const res = await api.setOrgRole(ctx.c, news.organizationId, cur.userId, news.role);
        return res.status === 202 ? pending(api.approvalIdOf(res.data)) : done();
      }),
    );
  },

  async remove(ctx, olds, cur) {
    if (olds.mode === "assert") {
      log(`bitgo: ${olds.username} keeps its role in organization ${olds.organizationId} (mode "assert" never changes it)`);
      return done();
    }
    await ctx.c.requireScope("user_manage", `removing ${olds.username} from organization ${olds.organizationId}`);
    return ctx.guarded(`removing ${olds.username} from organization ${olds.organizationId}`, async () => {
      const res = await api.removeOrgUser(ctx.c, olds.organizationId, cur.userId);
      return res.status === 202 ? pending(api.approvalIdOf(res.data)) : done();
    });
  },
});
