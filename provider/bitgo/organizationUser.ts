// bitgo:OrganizationUser: one user's role (admin or member) in a BitGo organization.
//
//   mode "manage" (default)
//     create  read-before-write: a user already in the organization is adopted (adoptExisting); a
//             pending approval to add the same user is picked up; otherwise
//             POST /api/v2/organization/{id}/user { username, role }. 202 = pending approval.
//     update  PUT /api/v2/organization/{id}/user?userId=&role= (the role changes in place).
//     delete  DELETE /api/v2/organization/{id}/user?userId=; 404 = already gone; 202 = pending approval.
//   mode "assert": never writes. create, update and refresh check that the user holds the role and fail
//     with what to ask BitGo support for when not; delete leaves the user as is.
//
// BitGo's set-up guide: organization admins are made by BitGo support only. When BitGo refuses to make
// an admin, the error says so and what to ask support for; `mode: "assert"` then lets a stack depend on
// an admin that support made.
//
// Replaces: organizationId, username. In place: role, mode, waitForApproval, adoptExisting.
import { z } from "zod";
import { bitgoClient, bitgoSettings, BitGoClient, isVendorError } from "./client";
import { getConfig } from "../config";
import { CheckResult, DiffResult, ResourceProvider, UNKNOWN, checkWith } from "../types";
import { adoptExistingInput, approvalIdOf, isOpenApproval, settleApproval, waitForApprovalInput, waitForDecision } from "./approvals";
import { forgetOrganizationUsers, getOrganizationRecord, organizationRoleOf } from "./organizations";

export const ORGANIZATION_USER_ROLES = ["admin", "member"] as const;

const hex32 = (field: string) =>
  z
    .string({ error: `${field} is required: a 32-character lowercase hex id` })
    .refine((v) => v === UNKNOWN || /^[0-9a-f]{32}$/.test(v), {
      message: `must be a 32-character lowercase hex id such as 62c5ae8174ac860007aff1555ffb960d (getOrganization or getEnterprise gives it)`,
    });

export const organizationUserInputs = z
  .object({
    organizationId: hex32("organizationId"),
    username: z
      .string({ error: "username is required: the user's email address" })
      .trim()
      .toLowerCase()
      .refine((v) => v === UNKNOWN || z.email().safeParse(v).success, { message: "must be the user's email address, such as ops@acme.example" }),
    role: z.enum(ORGANIZATION_USER_ROLES, {
      error: (issue) =>
        `"${String(issue.input)}" is not an organization role orgstack can set: use admin or member (serviceUser and customer are given by BitGo)`,
    }),
    mode: z.enum(["manage", "assert"], { error: 'mode must be "manage" (default) or "assert" (read-only: check the user holds the role)' }).default("manage"),
    waitForApproval: waitForApprovalInput,
    adoptExisting: adoptExistingInput,
  })
  .strict();

export type OrganizationUserInputs = z.infer<typeof organizationUserInputs>;

export interface OrganizationUserOutputs extends OrganizationUserInputs {
  userId: string;
  /** "active", or "pending" while another admin has to approve the change. */
  state: "active" | "pending";
  pendingApprovalId: string;
  adopted: boolean;
}

const INPUT_KEYS = ["organizationId", "username", "role", "mode", "waitForApproval", "adoptExisting"] as const;

function client(): BitGoClient {
  return bitgoClient(bitgoSettings(getConfig()));
}

export const organizationUserId = (organizationId: string, username: string) => `${organizationId}/${username}`;

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

function isSupportRefusal(e: unknown): boolean {
  return isVendorError(e, 403);
}

async function orgName(c: BitGoClient, organizationId: string): Promise<string> {
  try {
    return (await getOrganizationRecord(c, organizationId)).name;
  } catch {
    return "";
  }
}

function outputsOf(inputs: OrganizationUserInputs, rest: Partial<OrganizationUserOutputs>): OrganizationUserOutputs {
  return { ...inputs, userId: "", state: "active", pendingApprovalId: "", adopted: false, ...rest };
}


/** Fails unless the user holds the role (assert mode), saying what to do. */
async function assertRole(c: BitGoClient, inputs: OrganizationUserInputs) {
  const current = await organizationRoleOf(c, inputs.organizationId, { username: inputs.username });
  if (current?.role === inputs.role) return current;
  const name = await orgName(c, inputs.organizationId);
  const holds = current ? `holds the role ${current.role}` : "is not a user of it";
  const fix =
    inputs.role === "admin"
      ? `Organization admins are made by BitGo support only: email support@bitgo.com and ask them to make ${inputs.username} an organization admin of organization ${inputs.organizationId}.`
      : `Add the user as a member (mode: "manage"), or ask an organization admin to.`;
  throw new Error(`bitgo: the stack asserts that ${inputs.username} is an organization ${inputs.role} of ${inputs.organizationId}${name ? ` (${name})` : ""}, but the user ${holds}. ${fix}`);
}

/** After a change came back 202: wait if asked to, and say what happens next. */
function settle(c: BitGoClient, outs: OrganizationUserOutputs, what: string): Promise<OrganizationUserOutputs> {
  return settleApproval(c, outs, {
    id: organizationUserId(outs.organizationId, outs.username),
    what,
    who: `${outs.username} in organization ${outs.organizationId}`,
    onApproved: async (o) => {
      forgetOrganizationUsers(c, o.organizationId);
      const now = await organizationRoleOf(c, o.organizationId, { username: o.username });
      return { ...o, state: "active", pendingApprovalId: "", userId: now?.userId ?? o.userId };
    },
  });
}

async function setRole(c: BitGoClient, outs: OrganizationUserOutputs, role: string): Promise<OrganizationUserOutputs> {
  try {
    const res = await c.call("PUT", `/api/v2/organization/${outs.organizationId}/user`, { query: { userId: outs.userId, role } });
    forgetOrganizationUsers(c, outs.organizationId);
    if (res.status === 202) return settle(c, { ...outs, role: role as any, state: "pending", pendingApprovalId: approvalIdOf(res.data) }, `role change to ${role}`);
    return { ...outs, role: role as any, state: "active", pendingApprovalId: "" };
  } catch (e) {
    if (role === "admin" && isSupportRefusal(e)) throw supportOnlyError(outs.username, outs.organizationId, await orgName(c, outs.organizationId), e);
    throw e;
  }
}

export const organizationUser: ResourceProvider<OrganizationUserInputs, OrganizationUserOutputs> = {
  async check(_olds, news): Promise<CheckResult<OrganizationUserInputs>> {
    return checkWith(organizationUserInputs, news);
  },

  async diff(_id, olds, news): Promise<DiffResult> {
    const replaces: string[] = [];
    if (olds.organizationId !== news.organizationId) replaces.push("organizationId");
    if ((olds.username ?? "").toLowerCase() !== (news.username ?? "").toLowerCase()) replaces.push("username");
    const changed =
      olds.role !== news.role ||
      (olds.mode ?? "manage") !== (news.mode ?? "manage") ||
      (olds.adoptExisting ?? "matching") !== (news.adoptExisting ?? "matching") ||
      JSON.stringify(olds.waitForApproval ?? null) !== JSON.stringify(news.waitForApproval ?? null);
    const stillPending = olds.state === "pending" && !!news.waitForApproval;
    return { changes: replaces.length > 0 || changed || stillPending, replaces, deleteBeforeReplace: false };
  },

  async create(raw) {
    const inputs = organizationUserInputs.parse(raw);
    const c = client();
    const { organizationId, username } = inputs;
    const id = organizationUserId(organizationId, username);

    if (inputs.mode === "assert") {
      const current = await assertRole(c, inputs);
      return { id, outs: outputsOf(inputs, { userId: current.userId, adopted: true }) };
    }

    await c.requireScope("user_manage", `adding ${username} to organization ${organizationId}`);
    for (let attempt = 1; ; attempt++) {
      const current = await organizationRoleOf(c, organizationId, { username });
      if (current) {
        const matches = current.role === inputs.role;
        if (inputs.adoptExisting === "never" || (!matches && inputs.adoptExisting === "matching")) {
          throw new Error(
            `bitgo: ${username} is already a user of organization ${organizationId} with the role ${current.role}, but the stack declares ${inputs.role}. ` +
              `Declare the role it has so orgstack takes it over (dynamic resources cannot be imported), or set adoptExisting: "always" to take it over and change its role.`,
          );
        }
        console.log(`bitgo: ${username} is already in organization ${organizationId} (${current.role}); taking it over instead of adding it again`);
        let outs = outputsOf(inputs, { userId: current.userId, role: current.role as any, adopted: true });
        if (!matches) outs = await setRole(c, outs, inputs.role);
        return { id, outs: { ...outs, adopted: true } };
      }
      const pending = await findPendingAdd(c, organizationId, username);
      if (pending) {
        console.log(`bitgo: an approval to add ${username} to organization ${organizationId} is already waiting (${pending.id}); using it`);
        const outs = outputsOf(inputs, { userId: pending.userId, state: "pending", pendingApprovalId: pending.id });
        return { id, outs: await settle(c, outs, "addition") };
      }
      try {
        const res = await c.call("POST", `/api/v2/organization/${organizationId}/user`, { body: { username, role: inputs.role } });
        forgetOrganizationUsers(c, organizationId);
        c.forgetUser(username);
        if (res.status === 202) {
          const userId = String(res.data?.info?.userChangeRequest?.userChanged ?? "");
          return { id, outs: await settle(c, outputsOf(inputs, { userId, state: "pending", pendingApprovalId: approvalIdOf(res.data) }), "addition") };
        }
        const added = await organizationRoleOf(c, organizationId, { username });
        return { id, outs: outputsOf(inputs, { userId: added?.userId ?? "", role: (added?.role as any) ?? inputs.role }) };
      } catch (e) {
        if (inputs.role === "admin" && isSupportRefusal(e)) throw supportOnlyError(username, organizationId, await orgName(c, organizationId), e);
        forgetOrganizationUsers(c, organizationId);
        const retry = isVendorError(e) && (e.ambiguous || e.status === 409);
        if (!retry || attempt >= 3) throw e;
        console.log(`bitgo: adding ${username} to organization ${organizationId} may or may not have happened (${(e as Error).message}); checking before trying again`);
      }
    }
  },

  async read(id, props) {
    const c = client();
    const [organizationId, username] = props.organizationId && props.username ? [props.organizationId, props.username.toLowerCase()] : id.split("/");
    let outs: OrganizationUserOutputs = { ...props, organizationId, username };
    if (props.state === "pending" && props.pendingApprovalId) {
      const approval = await c.getPendingApproval(props.pendingApprovalId);
      const state = approval?.state ?? "rejected";
      if (isOpenApproval(state)) return { id, props: outs, inputs: pickInputs(outs) };
      outs = { ...outs, state: "active", pendingApprovalId: "" };
    }
    forgetOrganizationUsers(c, organizationId);
    const current = await organizationRoleOf(c, organizationId, { username });
    if (!current) {
      if (outs.mode === "assert") console.log(`bitgo: ${username} is no longer a user of organization ${organizationId}; the asserted role is gone`);
      return { id: "" };
    }
    // A role outside what the resource can declare (serviceUser, customer) shows as drift all the same.
    outs = { ...outs, userId: current.userId, role: current.role as any, state: outs.state ?? "active" };
    return { id, props: outs, inputs: pickInputs(outs) };
  },

  async update(id, olds, raw) {
    const news = organizationUserInputs.parse(pickInputs(raw));
    const c = client();
    let outs: OrganizationUserOutputs = { ...olds, ...news, role: olds.role };
    if (news.mode === "assert") {
      const current = await assertRole(c, news);
      return { outs: { ...outs, userId: current.userId, role: news.role, state: "active", pendingApprovalId: "" } };
    }
    if (olds.state === "pending" && olds.pendingApprovalId) {
      outs = await settle(c, { ...outs, waitForApproval: news.waitForApproval }, "change");
      if (outs.state === "pending") return { outs: { ...outs, ...news, role: olds.role } };
    }
    const current = await organizationRoleOf(c, news.organizationId, { username: news.username });
    if (!current) throw new Error(`bitgo: ${news.username} is no longer in organization ${news.organizationId}; run pulumi refresh, then pulumi up to add it again`);
    outs = { ...outs, userId: current.userId, role: current.role as any };
    if (current.role !== news.role) {
      await c.requireScope("user_manage", `changing ${news.username}'s role in organization ${news.organizationId}`);
      outs = await setRole(c, outs, news.role);
      if (outs.state === "pending") return { outs: { ...outs, role: olds.role } };
    }
    return { outs: { ...outs, ...news } };
  },

  async delete(_id, props) {
    const c = client();
    const { organizationId } = props;
    const username = props.username.toLowerCase();
    if (props.mode === "assert") {
      console.log(`bitgo: ${username} keeps its role in organization ${organizationId} (mode "assert" never changes it)`);
      return;
    }
    if (props.state === "pending" && props.pendingApprovalId) {
      const approval = await c.getPendingApproval(props.pendingApprovalId);
      if (approval && isOpenApproval(approval.state) && (approval.info as any)?.userChangeRequest?.action === "add") {
        await c.setPendingApprovalState(approval.id, "rejected");
        console.log(`bitgo: withdrew pending approval ${approval.id} to add ${username} to organization ${organizationId}`);
        return;
      }
    }
    const current = await organizationRoleOf(c, organizationId, { username });
    if (!current) {
      console.log(`bitgo: ${username} was already gone from organization ${organizationId}`);
      return;
    }
    const waiting = (await c.listPendingApprovals({ organizationId })).find(
      (a) => isOpenApproval(a.state) && (a.info as any)?.userChangeRequest?.action === "remove" && (a.info as any)?.userChangeRequest?.userChanged === current.userId,
    );
    let pendingId = waiting?.id;
    if (!pendingId) {
      await c.requireScope("user_manage", `removing ${username} from organization ${organizationId}`);
      const res = await c.call("DELETE", `/api/v2/organization/${organizationId}/user`, { query: { userId: current.userId }, accept: [404] });
      forgetOrganizationUsers(c, organizationId);
      if (res.status === 404) return;
      if (res.status !== 202) return;
      pendingId = approvalIdOf(res.data);
    }
    const decision = props.waitForApproval ? await waitForDecision(c, pendingId, props.waitForApproval) : undefined;
    if (decision === "approved") return;
    throw new Error(
      decision === "rejected"
        ? `bitgo: the removal of ${username} from organization ${organizationId} was rejected (approval ${pendingId}); the user stays`
        : `bitgo: removing ${username} from organization ${organizationId} needs another admin's approval (pending approval ${pendingId}). ` +
            `Approve it in BitGo, then run the same command again (it will not ask twice); or set waitForApproval to wait for it.`,
    );
  },
};

/** A pending approval that would add this user to the organization. */
async function findPendingAdd(c: BitGoClient, organizationId: string, username: string) {
  const open = (await c.listPendingApprovals({ organizationId })).filter(
    (a) => isOpenApproval(a.state) && (a.info as any)?.userChangeRequest?.action === "add",
  );
  for (const a of open) {
    const userId = String((a.info as any)?.userChangeRequest?.userChanged ?? "");
    if (!/^[0-9a-f]{32}$/.test(userId)) continue;
    try {
      if (String((await c.getUser(userId)).username ?? "").toLowerCase() === username) return { id: a.id, userId };
    } catch (e) {
      if (!isVendorError(e)) throw e;
    }
  }
  return undefined;
}

function pickInputs(o: Partial<OrganizationUserOutputs>): OrganizationUserInputs {
  const out: any = {};
  for (const k of INPUT_KEYS) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
