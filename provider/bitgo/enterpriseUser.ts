// bitgo:EnterpriseUser: one user of one BitGo enterprise, with its permissions.
//
//   create  read-before-write: a member already there is adopted; a pending approval to add the same
//           user is picked up; otherwise POST /api/v2/enterprise/{id}/user. 202 = pending approval.
//   read    GET /api/v1/enterprise/{id}/user for membership, GET /api/v2/user/{id} for exact permissions;
//           a member removed out of band comes back as gone (empty id) on refresh.
//   update  PUT /api/v2/enterprise/{id}/user?userId&role= (one role at a time: see diff).
//   delete  DELETE /api/v2/enterprise/{id}/user {username}; 404 = already gone; 202 = another admin must
//           approve, which is reported as an error until it is (a rerun finds the same approval).
//
// Replaces: enterpriseId, username (another user), videoApprover (BitGo takes it only when a user is
// added), and a change to two or more permissions at once (the role call sets one role).
import { z } from "zod";
import { bitgoClient, bitgoSettings, BitGoClient, PendingApproval, REJECTED_STATES, isVendorError } from "./client";
import { getConfig } from "../config";
import { CheckResult, DiffResult, ResourceProvider, UNKNOWN, checkWith } from "../types";
import { adoptExistingInput, approvalIdOf, isOpenApproval, settleApproval, waitForApprovalInput, waitForDecision } from "./approvals";

export const PERMISSIONS = ["admin", "auditor", "wallet.create"] as const;
export type Permission = (typeof PERMISSIONS)[number];

const hex32 = (field: string) =>
  z
    .string({ error: `${field} is required: a 32-character lowercase hex id` })
    .refine((v) => v === UNKNOWN || /^[0-9a-f]{32}$/.test(v), {
      message: `must be a 32-character lowercase hex id such as 62c5ae8174ac860007aff138a2d74df7 (copy it from the BitGo web UI or getEnterprise)`,
    });

export const enterpriseUserInputs = z
  .object({
    enterpriseId: hex32("enterpriseId"),
    username: z
      .string({ error: "username is required: the user's email address" })
      .trim()
      .toLowerCase()
      .refine((v) => v === UNKNOWN || z.email().safeParse(v).success, {
        message: "must be the user's email address, such as ops@acme.example",
      }),
    permissions: z
      .array(
        z.enum(PERMISSIONS, {
          error: (issue) => `"${String(issue.input)}" is not a BitGo enterprise permission: use admin, auditor or wallet.create`,
        }),
        { error: 'permissions is required: a list such as ["admin"]; use [] for a plain member' },
      )
      .refine((list) => new Set(list).size === list.length, { message: "lists a permission twice" })
      .transform((list) => [...list].sort()),
    videoApprover: z.boolean({ error: "videoApprover must be true or false" }).default(false),
    waitForApproval: waitForApprovalInput,
    adoptExisting: adoptExistingInput,
  })
  .strict();

export type EnterpriseUserInputs = z.infer<typeof enterpriseUserInputs>;

export interface EnterpriseUserOutputs extends EnterpriseUserInputs {
  userId: string;
  /** "active", or "pending" while another admin has to approve the change. */
  state: "active" | "pending";
  pendingApprovalId: string;
  /** True when create found the user already in the enterprise and took it over. */
  adopted: boolean;
}

const INPUT_KEYS = ["enterpriseId", "username", "permissions", "videoApprover", "waitForApproval", "adoptExisting"] as const;

function client(): BitGoClient {
  return bitgoClient(bitgoSettings(getConfig()));
}

export const resourceId = (enterpriseId: string, username: string) => `${enterpriseId}/${username}`;

/** The single role the update call can set for a permission set, or undefined if there is none. */
export function roleFor(permissions: string[]): string | undefined {
  if (permissions.length === 0) return "member";
  if (permissions.length === 1) return permissions[0];
  return undefined;
}

const samePermissions = (a: string[], b: string[]) => [...a].sort().join(",") === [...b].sort().join(",");

/**
 * Where the user stands in the enterprise right now, or undefined if not a member. The member list
 * only says who is an admin; exact permissions come from GET /api/v2/user/{id}, which BitGo limits
 * to 60 calls per 600 s. So that call is skipped right after our own write (`trust`: the list's admin
 * flag agrees with what we just set), and when it fails, permissions the list agrees with are kept
 * rather than guessed: a failed read must never show up as drift.
 */
async function findMember(c: BitGoClient, enterpriseId: string, username: string, expected?: Permission[], trust = false) {
  const members = await c.listEnterpriseUsers(enterpriseId);
  const member = members.find((m) => m.username.toLowerCase() === username);
  if (!member) return undefined;
  const flagAgrees = !!expected && expected.includes("admin") === member.isAdmin;
  if (trust && flagAgrees) return { userId: member.id, permissions: [...expected!].sort() as Permission[] };
  try {
    const user = await c.getUser(member.id);
    const membership = user.enterprises?.find((e) => e.id === enterpriseId);
    if (membership?.permissions) return { userId: member.id, permissions: [...membership.permissions].sort() as Permission[] };
  } catch (e) {
    if (!isVendorError(e)) throw e;
    console.log(`bitgo: could not read ${username}'s exact permissions (${e.message}); using the enterprise's member list`);
  }
  if (flagAgrees) return { userId: member.id, permissions: [...expected!].sort() as Permission[] };
  return { userId: member.id, permissions: (member.isAdmin ? ["admin"] : []) as Permission[] };
}

/** An open approval that would add, update or remove this user, so a retry waits on it instead of asking again. */
async function findOpenRequest(c: BitGoClient, enterpriseId: string, username: string, action: "add" | "update" | "remove") {
  const approvals = await c.listPendingApprovals({ enterpriseId });
  return approvals.find(
    (a) =>
      isOpenApproval(a.state) &&
      a.info?.type === "updateEnterpriseRequest" &&
      a.info.updateEnterpriseRequest?.action === action &&
      a.info.updateEnterpriseRequest.email?.toLowerCase() === username,
  );
}

/** After a change came back 202: wait if asked to, and say what happens next. */
function settle(c: BitGoClient, outs: EnterpriseUserOutputs, what: string): Promise<EnterpriseUserOutputs> {
  return settleApproval(c, outs, {
    id: resourceId(outs.enterpriseId, outs.username),
    what,
    who: `${outs.username} in enterprise ${outs.enterpriseId}`,
    onApproved: async (o) => {
      const member = await findMember(c, o.enterpriseId, o.username);
      return { ...o, state: "active", pendingApprovalId: "", userId: member?.userId ?? o.userId, permissions: member?.permissions ?? o.permissions };
    },
  });
}

function outputsOf(inputs: EnterpriseUserInputs, rest: Partial<EnterpriseUserOutputs>): EnterpriseUserOutputs {
  return { ...inputs, userId: "", state: "active", pendingApprovalId: "", adopted: false, ...rest };
}

export const enterpriseUser: ResourceProvider<EnterpriseUserInputs, EnterpriseUserOutputs> = {
  async check(olds, news): Promise<CheckResult<EnterpriseUserInputs>> {
    const result = checkWith(enterpriseUserInputs, news);
    if (result.inputs && result.inputs.permissions.length === 0) {
      const isNew = !olds || olds.username !== result.inputs.username || olds.enterpriseId !== result.inputs.enterpriseId;
      if (isNew) {
        return {
          failures: [
            {
              property: "permissions",
              reason:
                "permissions: BitGo adds a user with at least one of admin, auditor or wallet.create; " +
                "to keep someone as a plain member, add them with a permission and then change permissions to [] (an in-place update)",
            },
          ],
        };
      }
    }
    return result;
  },

  async diff(_id, olds, news): Promise<DiffResult> {
    const replaces: string[] = [];
    let deleteBeforeReplace = false;
    if (olds.enterpriseId !== news.enterpriseId) replaces.push("enterpriseId");
    if ((olds.username ?? "").toLowerCase() !== (news.username ?? "").toLowerCase()) replaces.push("username");
    const permissionsChanged = !samePermissions(olds.permissions ?? [], news.permissions ?? []);
    if (permissionsChanged && roleFor(news.permissions) === undefined) {
      replaces.push("permissions");
      deleteBeforeReplace = true; // the same user cannot be added twice
    }
    if (!!olds.videoApprover !== !!news.videoApprover) {
      replaces.push("videoApprover");
      deleteBeforeReplace = true;
    }
    const settingsChanged =
      JSON.stringify(olds.waitForApproval ?? null) !== JSON.stringify(news.waitForApproval ?? null) ||
      (olds.adoptExisting ?? "matching") !== (news.adoptExisting ?? "matching");
    // A change still waiting for approval is looked at again by update when the stack asks to wait.
    const stillPending = olds.state === "pending" && !!news.waitForApproval;
    return {
      changes: replaces.length > 0 || permissionsChanged || settingsChanged || stillPending,
      replaces,
      deleteBeforeReplace: replaces.length > 0 && deleteBeforeReplace && !replaces.includes("enterpriseId") && !replaces.includes("username"),
    };
  },

  async create(raw) {
    const inputs = enterpriseUserInputs.parse(raw);
    if (inputs.permissions.length === 0) throw new Error("permissions: BitGo adds a user with at least one permission");
    const c = client();
    const { enterpriseId, username } = inputs;
    const id = resourceId(enterpriseId, username);
    await c.requireScope("user_manage", `adding ${username} to enterprise ${enterpriseId}`);

    for (let attempt = 1; ; attempt++) {
      // Read before write: the user may be there already (out of band, or a lost answer last time).
      const member = await findMember(c, enterpriseId, username);
      if (member) {
        const matches = samePermissions(member.permissions, inputs.permissions);
        if (inputs.adoptExisting === "never" || (!matches && inputs.adoptExisting === "matching")) {
          throw new Error(
            `bitgo: ${username} is already a member of enterprise ${enterpriseId} with permissions [${member.permissions.join(", ")}], ` +
              `but the stack declares [${inputs.permissions.join(", ")}]. Declare the permissions it has so orgstack takes it over ` +
              `(dynamic resources cannot be imported), or set adoptExisting: "always" to take it over and change its role.`,
          );
        }
        console.log(`bitgo: ${username} is already in enterprise ${enterpriseId}; taking it over instead of adding it again`);
        let outs = outputsOf(inputs, { userId: member.userId, permissions: member.permissions, adopted: true });
        if (!matches) outs = (await enterpriseUser.update(id, outs, inputs)).outs!;
        return { id, outs: { ...outs, adopted: true } };
      }
      const pending = await findOpenRequest(c, enterpriseId, username, "add");
      if (pending) {
        console.log(`bitgo: an approval to add ${username} to ${enterpriseId} is already waiting (${pending.id}); using it`);
        const outs = outputsOf(inputs, { userId: pending.info?.updateEnterpriseRequest?.userId ?? "", state: "pending", pendingApprovalId: pending.id });
        return { id, outs: await settle(c, outs, "addition") };
      }

      try {
        const res = await c.addEnterpriseUser(enterpriseId, username, inputs.permissions, inputs.videoApprover);
        if (res.status === 202) {
          const outs = outputsOf(inputs, {
            userId: String((res.data as PendingApproval)?.info?.updateEnterpriseRequest?.userId ?? ""),
            state: "pending",
            pendingApprovalId: approvalIdOf(res.data),
          });
          return { id, outs: await settle(c, outs, "addition") };
        }
        const added = await findMember(c, enterpriseId, username, inputs.permissions, true);
        return { id, outs: outputsOf(inputs, { userId: added?.userId ?? "", permissions: added?.permissions ?? inputs.permissions }) };
      } catch (e) {
        // A lost answer may hide a user that was added: the next pass reads before it writes again.
        const retry = isVendorError(e) && (e.ambiguous || e.status === 409 || /already/i.test(`${e.code} ${e.message}`));
        if (!retry || attempt >= 3) throw e;
        console.log(`bitgo: adding ${username} may or may not have happened (${(e as Error).message}); checking before trying again`);
      }
    }
  },

  async read(id, props) {
    const c = client();
    const [enterpriseId, username] = props.enterpriseId && props.username ? [props.enterpriseId, props.username.toLowerCase()] : id.split("/");
    let outs: EnterpriseUserOutputs = { ...props, enterpriseId, username };

    if (props.state === "pending" && props.pendingApprovalId) {
      const approval = await c.getPendingApproval(props.pendingApprovalId);
      const state = approval?.state ?? "rejected";
      if (isOpenApproval(state)) return { id, props: outs, inputs: inputsOf(outs) };
      if (REJECTED_STATES.includes(state)) console.log(`bitgo: approval ${props.pendingApprovalId} for ${username} in ${enterpriseId} was ${state}`);
      outs = { ...outs, state: "active", pendingApprovalId: "" };
    }

    const member = await findMember(c, enterpriseId, username, props.permissions);
    if (!member) return { id: "" }; // removed out of band, or never approved: gone from state
    outs = { ...outs, userId: member.userId, permissions: member.permissions, state: outs.state ?? "active" };
    return { id, props: outs, inputs: inputsOf(outs) };
  },

  async update(id, olds, raw) {
    const news = enterpriseUserInputs.parse(pickInputs(raw));
    const c = client();
    let outs: EnterpriseUserOutputs = { ...olds, ...news, permissions: olds.permissions };

    if (olds.state === "pending" && olds.pendingApprovalId) {
      outs = await settle(c, { ...outs, waitForApproval: news.waitForApproval }, "change");
      if (outs.state === "pending") return { outs: { ...outs, ...news, permissions: olds.permissions } };
    }

    if (!samePermissions(outs.permissions, news.permissions)) {
      const role = roleFor(news.permissions);
      if (!role) throw new Error(`bitgo: [${news.permissions.join(", ")}] cannot be set in place; this change replaces the user`);
      let userId = outs.userId;
      if (!userId) userId = (await findMember(c, news.enterpriseId, news.username))?.userId ?? "";
      if (!userId) throw new Error(`bitgo: ${news.username} is no longer in enterprise ${news.enterpriseId}; run pulumi refresh, then pulumi up to add it again`);
      let res: { status: number; data: any };
      try {
        res = await c.setEnterpriseUserRole(news.enterpriseId, userId, role);
      } catch (e) {
        // The answer was lost: the role may be set, or an approval made. Look before asking again.
        if (!(isVendorError(e) && e.ambiguous)) throw e;
        const waiting = await findOpenRequest(c, news.enterpriseId, news.username, "update");
        const now = waiting ? undefined : await findMember(c, news.enterpriseId, news.username);
        if (!waiting && !(now && samePermissions(now.permissions, news.permissions))) throw e;
        res = waiting ? { status: 202, data: waiting } : { status: 200, data: {} };
      }
      if (res.status === 202) {
        outs = { ...outs, userId, state: "pending", pendingApprovalId: approvalIdOf(res.data) };
        outs = await settle(c, outs, `role change to ${role}`);
        if (outs.state === "pending") return { outs };
      }
      const member = await findMember(c, news.enterpriseId, news.username, news.permissions, true);
      outs = { ...outs, userId, permissions: member?.permissions ?? news.permissions, state: "active", pendingApprovalId: "" };
    }
    return { outs: { ...outs, ...pickInputs(news), permissions: outs.permissions } };
  },

  async delete(id, props) {
    const c = client();
    const { enterpriseId } = props;
    const username = props.username.toLowerCase();

    // An addition that was never approved: withdraw the request rather than remove a non-member.
    if (props.state === "pending" && props.pendingApprovalId) {
      const approval = await c.getPendingApproval(props.pendingApprovalId);
      const action = approval?.info?.updateEnterpriseRequest?.action;
      if (approval && action === "add" && isOpenApproval(approval.state)) {
        await c.setPendingApprovalState(approval.id, "rejected");
        console.log(`bitgo: withdrew pending approval ${approval.id} to add ${username}`);
        return;
      }
    }

    // A removal already waiting for approval (an earlier destroy): do not ask twice.
    let approvalId = (await findOpenRequest(c, enterpriseId, username, "remove"))?.id;
    for (let attempt = 1; !approvalId; attempt++) {
      try {
        const res = await c.removeEnterpriseUser(enterpriseId, username);
        if (res.status === 404) {
          console.log(`bitgo: ${username} was already gone from enterprise ${enterpriseId}`);
          return;
        }
        if (res.status !== 202) return;
        approvalId = approvalIdOf(res.data);
      } catch (e) {
        // The answer was lost: the user may be gone, or an approval made. Look before asking again.
        if (!(isVendorError(e) && e.ambiguous) || attempt >= 3) throw e;
        console.log(`bitgo: removing ${username} may or may not have happened (${(e as Error).message}); checking before trying again`);
        approvalId = (await findOpenRequest(c, enterpriseId, username, "remove"))?.id;
        if (!approvalId && !(await findMember(c, enterpriseId, username))) return;
      }
    }
    const decision = props.waitForApproval ? await waitForDecision(c, approvalId, props.waitForApproval) : undefined;
    if (decision === "approved") return;
    throw new Error(
      decision === "rejected"
        ? `bitgo: the removal of ${username} from enterprise ${enterpriseId} was rejected (approval ${approvalId}); the user stays`
        : `bitgo: removing ${username} from enterprise ${enterpriseId} needs another admin's approval (pending approval ${approvalId}). ` +
            `Approve it in BitGo, then run the same command again (it will not ask twice); or set waitForApproval to wait for it.`,
    );
  },
};

function pickInputs(o: Partial<EnterpriseUserOutputs>): EnterpriseUserInputs {
  const out: any = {};
  for (const k of INPUT_KEYS) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

function inputsOf(outs: EnterpriseUserOutputs): EnterpriseUserInputs {
  return pickInputs(outs);
}
