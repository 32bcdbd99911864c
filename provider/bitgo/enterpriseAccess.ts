// bitgo:EnterpriseAccess: an enterprise's complete user list with permissions. Authoritative: a live
// member the list does not declare is drift (refresh shows it, up removes it, or only reports it with
// unmanaged: "report"); the operator (the identity orgstack runs as) and `keep` are left alone.
//
//   read    four reads whatever the enterprise's size: the member list (GET /api/v1/enterprise/{id}/user,
//           every member in one answer, the spec gives it no paging; inactive members are invitations
//           still waiting), the enterprise (video approvers), the organization's user list (GET
//           /api/org/users, 500 a page: exact permissions per enterprise) and the open approvals.
//           A member's own record (GET /api/v2/user/{id}, 60 per 600 s) only where no list says its
//           permissions and it matters: a member the list does not declare, or one whose admin flag
//           disagrees with the declaration (at most 30 per read).
//   up      additions (one POST per permission set, `usernames`; one per user where approvals are
//           needed, as an approval names one user), role changes (PUT ?userId&role), re-additions
//           (BitGo sets videoIdUser and several permissions only when a user is added: remove, then
//           add), then removals. Each is guarded: after a lost answer the member list and the open
//           approvals are looked at before anything is sent again; an open approval for the same
//           change is reused, never asked for again.
//   destroy onDelete "leave" (default) changes nothing; "remove" takes the declared members away.
//
// Safety: refused at preview, a list with no admin, or with no video approver among its admins; at
// up, taking admin away from the operator. The operator and everyone in keep are never removed; a
// removal that would leave the enterprise without a live video-approving admin waits for the declared
// one to be live.
import { z } from "zod";
import { CheckFailure } from "../kit/check";
import { bool, email, field, hex32, list, oneOf } from "../kit/fields";
import { vendorId } from "../kit/ids";
import { defineResource, partialFailure } from "../kit/resource";
import { log } from "../kit/secrets";
import { Outcome, done, pending } from "../kit/writes";
import * as access from "./access";
import { Operator, decisions, enterpriseRoster, isOperator, operator } from "./accessApi";
import * as api from "./api";
import { BitGoClient, isVendorError } from "./client";
import { PERMISSIONS, Permission, roleFor } from "./enterpriseUser";
import { bitgo } from "./vendor";

const id = vendorId("bitgo:EnterpriseAccess", "enterpriseId", /^[0-9a-f]{32}$/);
/** Member records read per view at most (BitGo allows 60 per 600 s per user, across runs). */
const MAX_USER_READS = 30;
/** Writes in flight at once. */
const PARALLEL = 4;

const permissionList = () => list(oneOf(PERMISSIONS, "BitGo enterprise permission"), { max: 3, sorted: true, hint: 'a list such as ["admin"]; [] for a plain member' });

/** One member: the declared fields, and the ones the live list adds (output only). */
export const memberSchema = z
  .object({
    username: email("the member's email address, such as ops@acme.example"),
    permissions: permissionList(),
    videoApprover: bool().default(false),
    ...access.entryOutputs,
    videoIdState: z.string().max(40).optional(),
    requested: z.object({ permissions: permissionList() }).strict().optional(),
  })
  .strict();
/** What a program declares of a member (the SDK's Args). */
export const declaredMemberSchema = memberSchema.pick({ username: true, permissions: true, videoApprover: true });
export type Member = z.output<typeof memberSchema>;

interface Live {
  userId: string;
  username: string;
  isAdmin: boolean;
  active: boolean;
  /** Exact permissions, when a list or the member's record said them. */
  permissions?: Permission[];
  videoIdState: string;
}

/** The enterprise's users as BitGo has them now, and what the stack recorded before. */
interface View {
  enterpriseId: string;
  organizationId: string;
  approvalsRequired: number;
  members: Live[];
  /** Open user-change approvals of the enterprise. */
  open: api.Approval[];
  /** Where recorded approvals that are no longer open ended. */
  decided: Record<string, "approved" | "rejected">;
  operator: Operator;
  /** The entries recorded before (their approval ids); empty on create. */
  recorded: Member[];
}

const request = (a: api.Approval) => (a.info?.type === "updateEnterpriseRequest" ? a.info.updateEnterpriseRequest : undefined);
const videoStateOf = (e: api.Enterprise, userId: string) => String(e.videoIdUsers?.find((v) => v.userId === userId)?.state ?? "");
/** A video ID entry BitGo has not turned down counts as a video approver. */
const isVideoApprover = (state: string) => !!state && !["rejected", "archived"].includes(state);
const declaredOf = (members: Member[] | undefined) => (members ?? []).filter((m) => !m.source || m.source === "declared");

/** The open approval that would make this change: an addition, a removal, or a role change to `role`. */
function openFor(v: View, action: "add" | "update" | "remove", username: string, role?: string): api.Approval | undefined {
  return v.open.find((a) => {
    const req = request(a);
    if (req?.action !== action || req.email?.toLowerCase() !== username) return false;
    if (action !== "update" || role === undefined) return true;
    const asked = [req.permissions ?? []].flat();
    return role === "member" ? asked.length === 0 : asked.includes(role);
  });
}

/** Each user's permissions in this enterprise, as the organization's user list shows them. */
async function listedPermissions(c: BitGoClient, organizationId: string, enterpriseId: string): Promise<Map<string, Permission[]>> {
  try {
    const users = await api.orgUsers(c, organizationId);
    const out = new Map<string, Permission[]>();
    for (const u of users) {
      const e = u.enterprises.find((x) => x.id === enterpriseId);
      if (e) out.set(u.id, [...e.permissions].sort() as Permission[]);
    }
    return out;
  } catch (e) {
    if (!isVendorError(e)) throw e;
    return new Map(); // no right to the organization's list: the member records and the declaration stand
  }
}

async function recordPermissions(c: BitGoClient, enterpriseId: string, userId: string): Promise<Permission[] | undefined> {
  try {
    const e = (await api.user(c, userId)).enterprises?.find((x) => x.id === enterpriseId);
    return e?.permissions ? ([...e.permissions].sort() as Permission[]) : undefined;
  } catch (e) {
    if (!isVendorError(e)) throw e;
    return undefined; // unread is unknown, never drift
  }
}

interface ReadOptions {
  /** Only reads that started at or after this moment (after writes); the organization's list is not re-read. */
  since?: number;
  declared: Member[];
  recorded: Member[];
  /** Permissions this run set (a plain 200): they stand over the lists read before the writes. */
  known?: Map<string, Permission[]>;
}

async function readView(c: BitGoClient, enterpriseId: string, o: ReadOptions): Promise<View | undefined> {
  let e: api.Enterprise;
  try {
    e = await api.enterprise(c, enterpriseId, o.since);
  } catch (err) {
    if (isVendorError(err, 404)) return undefined;
    throw err;
  }
  const [roster, open, op, listed] = await Promise.all([
    enterpriseRoster(c, enterpriseId, o.since),
    api.openApprovals(c, { enterpriseId }, o.since),
    operator(c),
    e.organizationId ? listedPermissions(c, e.organizationId, enterpriseId) : Promise.resolve(new Map<string, Permission[]>()),
  ]);
  const declared = new Map(o.declared.map((m) => [m.username, m]));
  const members: Live[] = roster.map((m) => ({
    userId: m.id,
    username: m.username,
    isAdmin: m.isAdmin,
    active: m.active,
    permissions: o.known?.get(m.username) ?? listed.get(m.id),
    videoIdState: videoStateOf(e, m.id),
  }));
  // Exact permissions where no list says them and it matters: a member the list does not declare, one
  // whose admin flag disagrees with the declaration, and one whose declared permissions changed.
  const recordedPermissions = new Map(o.recorded.filter((r) => r.source === "declared" && r.status !== "missing").map((r) => [r.username, r.permissions.join()]));
  const unclear = members.filter((m) => {
    if (m.permissions) return false;
    const d = declared.get(m.username);
    return !d || d.permissions.includes("admin") !== m.isAdmin || (recordedPermissions.has(m.username) && recordedPermissions.get(m.username) !== d.permissions.join());
  });
  if (unclear.length > MAX_USER_READS) {
    log(`bitgo: the permissions of ${unclear.length - MAX_USER_READS} member(s) of enterprise ${enterpriseId} are shown from the admin flag alone: no list says them, and BitGo allows 60 user reads per 10 minutes`);
  }
  await Promise.all(unclear.slice(0, MAX_USER_READS).map(async (m) => (m.permissions = await recordPermissions(c, enterpriseId, m.userId))));
  const stale = o.recorded.filter((r) => r.approvalId && !open.some((a) => a.id === r.approvalId)).map((r) => r.approvalId!);
  return {
    enterpriseId,
    organizationId: e.organizationId ?? "",
    approvalsRequired: e.approvalsRequired ?? 1,
    members,
    open: open.filter((a) => !!request(a)),
    decided: stale.length ? await decisions(c, stale) : {},
    operator: op,
    recorded: o.recorded,
  };
}

/** A declared member's permissions as shown: exact when read; the declared ones when the admin flag agrees (unknown is not drift). */
function shownPermissions(live: Live, declared: Member): Permission[] {
  if (live.permissions) return live.permissions;
  if (declared.permissions.includes("admin") === live.isAdmin) return declared.permissions;
  return live.isAdmin ? ["admin"] : [];
}

function sourceOf(v: View, live: Live, i: { keep?: string[]; unmanaged?: string }): access.Source {
  if (isOperator(v.operator, { id: live.userId, username: live.username })) return "operator";
  if ((i.keep ?? []).includes(live.username)) return "keep";
  return i.unmanaged === "report" ? "reported" : "unmanaged";
}

/** The live list as the outputs show it (see access.ts for how it is compared with the declared one). */
function entries(v: View, i: { members?: Member[]; keep?: string[]; unmanaged?: string }): Member[] {
  const declared = declaredOf(i.members);
  const out: Member[] = [];
  for (const m of declared) {
    const live = v.members.find((x) => x.username === m.username);
    if (live) {
      // A declared video approver BitGo has no video ID entry for is drift; an entry the list does not ask
      // for is BitGo's (no call takes it away), and BitGo's own decision on one is shown in videoIdState.
      const videoApprover = m.videoApprover && !!live.videoIdState;
      const entry: Member = { username: m.username, permissions: shownPermissions(live, m), videoApprover, userId: live.userId, status: live.active ? "active" : "invited", source: "declared", videoIdState: live.videoIdState };
      const removal = openFor(v, "remove", m.username);
      const change = openFor(v, "update", m.username, roleFor(m.permissions));
      if (removal) Object.assign(entry, { status: "pendingRemoval", approvalId: removal.id, requested: { permissions: m.permissions } });
      else if (change) Object.assign(entry, { status: "pendingApproval", approvalId: change.id, requested: { permissions: m.permissions } });
      out.push(entry);
      continue;
    }
    const add = openFor(v, "add", m.username);
    if (add) {
      out.push({ ...m, userId: request(add)?.userId ?? "", status: "pendingApproval", source: "declared", approvalId: add.id });
      continue;
    }
    const was = v.recorded.find((r) => r.username === m.username && r.status === "pendingApproval" && r.approvalId);
    if (was && v.decided[was.approvalId!] === "rejected") out.push({ ...m, userId: was.userId ?? "", status: "rejected", source: "declared", approvalId: was.approvalId });
    else out.push({ ...m, userId: "", status: "missing", source: "declared" }); // the next up adds it
  }
  for (const live of v.members) {
    if (declared.some((m) => m.username === live.username)) continue;
    const removal = openFor(v, "remove", live.username);
    out.push({
      username: live.username,
      permissions: live.permissions ?? (live.isAdmin ? ["admin"] : []),
      videoApprover: isVideoApprover(live.videoIdState),
      userId: live.userId,
      status: removal ? "pendingRemoval" : live.active ? "active" : "invited",
      source: sourceOf(v, live, i),
      videoIdState: live.videoIdState,
      ...(removal ? { approvalId: removal.id } : {}),
    });
  }
  return out;
}

function operatorName(v: View): string {
  const byId = v.members.find((m) => v.operator.ids.includes(m.userId))?.username;
  return v.operator.usernames[0] ?? byId ?? v.operator.ids[0] ?? "";
}

function outputsOf(v: View, i: { members?: Member[]; keep?: string[]; unmanaged?: string }) {
  const members = entries(v, i);
  const pendingApprovalIds = [...new Set(members.filter((m) => m.approvalId && (m.status === "pendingApproval" || m.status === "pendingRemoval")).map((m) => m.approvalId!))];
  const short = (m: Member) => ({ username: m.username, userId: m.userId ?? "", permissions: m.permissions, status: m.status ?? "active" });
  return {
    enterpriseId: v.enterpriseId,
    members,
    unmanagedMembers: members.filter((m) => m.source === "unmanaged" || m.source === "reported").map(short),
    leftAlone: members.filter((m) => m.source === "keep" || m.source === "operator").map((m) => ({ ...short(m), reason: m.source as string })),
    organizationId: v.organizationId,
    operator: operatorName(v),
    state: pendingApprovalIds.length ? "pending" : "active",
    pendingApprovalIds,
  };
}

// ---- the plan ----

interface Plan {
  adds: Member[];
  roles: { username: string; userId: string; role: string; permissions: Permission[] }[];
  /** Changes BitGo makes only by adding the user again: remove, then add. */
  readds: { member: Member; userId: string; why: string }[];
  removals: { username: string; userId: string }[];
  /** Open approvals for changes this plan wants: reused, never asked for again. */
  waiting: string[];
  /** Removals held back this run, and why. */
  held: string[];
  /** Changes refused outright (nothing is sent). */
  refusals: string[];
}

function planFor(v: View, i: Inputs): Plan {
  const plan: Plan = { adds: [], roles: [], readds: [], removals: [], waiting: [], held: [], refusals: [] };
  for (const m of i.members) {
    const live = v.members.find((x) => x.username === m.username);
    const op = live ? isOperator(v.operator, { id: live.userId, username: live.username }) : isOperator(v.operator, { username: m.username });
    if (!live) {
      const add = openFor(v, "add", m.username);
      if (add) plan.waiting.push(add.id);
      else if (m.permissions.length === 0) plan.refusals.push(`members: ${m.username} is not in enterprise ${v.enterpriseId}, and BitGo adds a user with at least one permission: declare one (such as ["auditor"]), and change it to [] once the user is in`);
      else plan.adds.push(m);
      continue;
    }
    if (op && !m.permissions.includes("admin")) {
      plan.refusals.push(`members: ${m.username} is the identity orgstack runs as; orgstack never takes admin away from itself (only admins manage users): declare it with "admin", or leave it out of members (the operator is always left alone)`);
      continue;
    }
    const removal = openFor(v, "remove", m.username);
    if (removal) {
      plan.waiting.push(removal.id); // someone (a re-addition of an earlier run?) is taking it away: the next up adds it again
      continue;
    }
    // Unread permissions: the last ones recorded, else the declared ones where the admin flag agrees.
    const recordedEntry = v.recorded.find((r) => r.username === m.username && r.source === "declared" && r.status !== "missing" && r.status !== "rejected");
    const current = live.permissions ?? recordedEntry?.permissions ?? (m.permissions.includes("admin") === live.isAdmin ? m.permissions : undefined);
    const differs = current !== undefined && current.join() !== m.permissions.join();
    const needsVideo = m.videoApprover && !live.videoIdState;
    const role = roleFor(m.permissions);
    if (needsVideo || (differs && role === undefined)) {
      const why = needsVideo ? "BitGo makes a video approver only when it adds the user" : "BitGo's role call sets one permission, and several are declared";
      if (op) plan.refusals.push(`members: ${m.username} is the identity orgstack runs as, and orgstack never removes it, but ${why}: make the change in BitGo's web UI, or declare what it has (${needsVideo ? "videoApprover: false" : `permissions [${current?.join(", ")}]`})`);
      else plan.readds.push({ member: m, userId: live.userId, why });
    } else if (differs) {
      const change = openFor(v, "update", m.username, role);
      if (change) plan.waiting.push(change.id);
      else plan.roles.push({ username: m.username, userId: live.userId, role: role!, permissions: m.permissions });
    }
  }
  for (const live of v.members) {
    if (i.members.some((m) => m.username === live.username) || sourceOf(v, live, i) !== "unmanaged") continue;
    const removal = openFor(v, "remove", live.username);
    if (removal) plan.waiting.push(removal.id);
    else plan.removals.push({ username: live.username, userId: live.userId });
  }
  holdLastVideoApprover(v, plan);
  return plan;
}

/** Never leave the enterprise without an admin, or without a live video-approving admin while it has one. */
function holdLastVideoApprover(v: View, plan: Plan): void {
  const leaving = new Set([...plan.removals.map((r) => r.userId), ...plan.readds.map((r) => r.userId), ...plan.roles.filter((r) => r.role !== "admin").map((r) => r.userId)]);
  const admins = v.members.filter((m) => m.isAdmin);
  if (admins.length > 0 && admins.every((m) => leaving.has(m.userId))) {
    plan.refusals.push(`members: this change would leave enterprise ${v.enterpriseId} with no admin; declare at least one admin who stays`);
  }
  const video = admins.filter((m) => isVideoApprover(m.videoIdState));
  if (video.length === 0 || video.some((m) => !leaving.has(m.userId))) return;
  const coming = plan.adds.filter((m) => m.videoApprover).map((m) => m.username);
  for (const r of plan.removals.filter((r) => video.some((m) => m.userId === r.userId))) {
    plan.removals = plan.removals.filter((x) => x !== r);
    plan.held.push(
      `${r.username} stays for now: it is the only video-approving admin of enterprise ${v.enterpriseId}` +
        (coming.length ? ` until ${coming.join(", ")} is in (the next up removes it then)` : "; declare an admin with videoApprover: true to replace it"),
    );
  }
}

// ---- applying it ----

type Inputs = {
  enterpriseId: string;
  members: Member[];
  unmanaged: "remove" | "report";
  keep: string[];
  onDelete: "leave" | "remove";
  waitForApproval?: { timeoutSeconds: number; pollSeconds: number };
};
type Ctx = access.AccessCtx;

const outcomeOf = (res: { status: number; data: any }): Outcome<boolean> => (res.status === 202 ? pending(api.approvalIdOf(res.data)) : done(true));

function addWrite(ctx: Ctx, v: View, group: Member[]): Promise<Outcome<boolean>> {
  const E = v.enterpriseId;
  const { permissions, videoApprover } = group[0];
  const usernames = group.map((m) => m.username);
  return ctx.write({
    what: `adding ${usernames.join(", ")} to enterprise ${E} with [${permissions.join(", ")}]${videoApprover ? " as video approver" : ""}`,
    send: async () => outcomeOf(await api.addEnterpriseUsers(ctx.c, E, usernames, permissions, videoApprover)),
    effect: async (since) => ((await enterpriseRoster(ctx.c, E, since)).filter((m) => usernames.includes(m.username)).length === usernames.length ? true : undefined),
    approval: async (since) => openFor({ ...v, open: await api.openApprovals(ctx.c, { enterpriseId: E }, since) }, "add", usernames[0])?.id,
  });
}

function roleWrite(ctx: Ctx, v: View, r: Plan["roles"][number]): Promise<Outcome<boolean>> {
  const E = v.enterpriseId;
  return ctx.write({
    what: `changing ${r.username}'s role in enterprise ${E} to ${r.role}`,
    send: async () => outcomeOf(await api.setEnterpriseRole(ctx.c, E, r.userId, r.role)),
    effect: async (since) => {
      const e = (await api.user(ctx.c, r.userId, since)).enterprises?.find((x) => x.id === E);
      return e && [...(e.permissions ?? [])].sort().join() === r.permissions.join() ? true : undefined;
    },
    approval: async (since) => openFor({ ...v, open: await api.openApprovals(ctx.c, { enterpriseId: E }, since) }, "update", r.username, r.role)?.id,
  });
}

function removeWrite(ctx: Ctx, v: View, r: { username: string }): Promise<Outcome<boolean>> {
  const E = v.enterpriseId;
  return ctx.write({
    what: `removing ${r.username} from enterprise ${E}`,
    send: async () => outcomeOf(await api.removeEnterpriseUser(ctx.c, E, r.username)),
    effect: async (since) => ((await enterpriseRoster(ctx.c, E, since)).some((m) => m.username === r.username) ? undefined : true),
    approval: async (since) => openFor({ ...v, open: await api.openApprovals(ctx.c, { enterpriseId: E }, since) }, "remove", r.username)?.id,
  });
}

/** The adds in calls: one per permission set (and video flag), one per user where approvals are needed. */
function addGroups(v: View, adds: Member[]): Member[][] {
  if (v.approvalsRequired > 1) return adds.map((m) => [m]);
  const groups: Member[][] = [];
  const filling = new Map<string, Member[]>();
  for (const m of adds) {
    const key = `${m.permissions.join(",")}|${m.videoApprover}`;
    let g = filling.get(key);
    if (!g || g.length >= 50) groups.push((g = [])), filling.set(key, g); // 50 a call, as the kit's batches
    g.push(m);
  }
  return groups;
}

interface Applied {
  approvals: string[];
  errors: string[];
  known: Map<string, Permission[]>;
  wrote: boolean;
}

async function execute(ctx: Ctx, v: View, plan: Plan): Promise<Applied> {
  const out: Applied = { approvals: [...plan.waiting], errors: [], known: new Map(), wrote: false };
  const writes = plan.adds.length + plan.roles.length + plan.readds.length + plan.removals.length;
  for (const h of plan.held) log(`bitgo: ${h}`);
  if (writes === 0) return out;
  await ctx.c.requireScope("user_manage", `changing the users of enterprise ${v.enterpriseId}`);
  out.wrote = true;
  const settle = (r: PromiseSettledResult<Outcome<boolean>>, what: string, onDone?: () => void) => {
    if (r.status === "rejected") out.errors.push(`${what}: ${access.errorText(r.reason)}`);
    else if (!r.value.done) out.approvals.push(r.value.approvalId);
    else onDone?.();
  };
  const groups = addGroups(v, plan.adds);
  (await access.eachLimited(groups, PARALLEL, (g) => addWrite(ctx, v, g))).forEach((r, k) =>
    settle(r, `adding ${groups[k].map((m) => m.username).join(", ")}`, () => groups[k].forEach((m) => out.known.set(m.username, m.permissions))),
  );
  (await access.eachLimited(plan.roles, PARALLEL, (r) => roleWrite(ctx, v, r))).forEach((r, k) =>
    settle(r, `changing ${plan.roles[k].username}'s role`, () => out.known.set(plan.roles[k].username, plan.roles[k].permissions)),
  );
  (await access.eachLimited(plan.readds, PARALLEL, async (r) => {
    log(`bitgo: ${r.member.username} is removed and added again to enterprise ${v.enterpriseId}: ${r.why}`);
    const removed = await removeWrite(ctx, v, r.member);
    return removed.done ? addWrite(ctx, v, [r.member]) : removed;
  })).forEach((r, k) =>
    settle(r, `adding ${plan.readds[k].member.username} again`, () => {
      out.known.set(plan.readds[k].member.username, plan.readds[k].member.permissions);
      ctx.c.cache.forget(`user:${plan.readds[k].userId}`); // its record changed: a later read must not see the old one
    }),
  );
  (await access.eachLimited(plan.removals, PARALLEL, (r) => removeWrite(ctx, v, r))).forEach((r, k) => settle(r, `removing ${plan.removals[k].username}`));
  return out;
}

const shownId = (enterpriseId: string) => id.build({ enterpriseId });

/** Makes the enterprise's users what the inputs declare; the view after it (approvals may still be open). */
const readKeys = (enterpriseId: string) => [`roster:${enterpriseId}`, `enterprise:${enterpriseId}`, `approvals:enterprise:${enterpriseId}`];

async function apply(ctx: Ctx, i: Inputs, before: View | undefined, recorded: Member[]): Promise<View> {
  try {
    return await applyOnce(ctx, i, before, recorded);
  } finally {
    access.forgetReads(ctx.c, readKeys(i.enterpriseId));
  }
}

async function applyOnce(ctx: Ctx, i: Inputs, before: View | undefined, recorded: Member[]): Promise<View> {
  const read = (since?: number, known?: Map<string, Permission[]>) => readView(ctx.c, i.enterpriseId, { since, declared: i.members, recorded, known });
  let v = before ?? (await read());
  if (!v) throw new Error(`bitgo: enterprise ${i.enterpriseId} was not found (404): check enterpriseId, and that the identity orgstack runs as is one of its admins`);
  const known = new Map<string, Permission[]>();
  const approvals: string[] = [];
  for (let pass = 1; pass <= 2; pass++) {
    const plan = planFor(v, i);
    if (plan.refusals.length) throw new Error(`bitgo: enterprise ${i.enterpriseId}: ${plan.refusals.join("; ")}. Nothing was changed.`);
    const applied = await execute(ctx, v, plan);
    applied.known.forEach((p, u) => known.set(u, p));
    approvals.push(...applied.approvals);
    // After the last write: a guard's look during the writes must not stand for the result.
    if (applied.wrote || applied.approvals.length) v = (await read(Date.now(), known))!;
    if (applied.errors.length) {
      throw partialFailure(
        `bitgo: ${applied.errors.length} change(s) to the users of enterprise ${i.enterpriseId} failed: ${applied.errors.join("; ")}. The others were made; run pulumi up again (it looks at the enterprise first and never asks for an approval twice).`,
        shownId(i.enterpriseId),
        { ...i, ...outputsOf(v, i), adopted: false },
      );
    }
    const open = [...new Set(applied.approvals)];
    if (open.length === 0 || !i.waitForApproval) break;
    const decided = await access.waitForDecisions(ctx.c, open, i.waitForApproval, `the users of enterprise ${i.enterpriseId}`);
    v = (await read(Date.now(), known))!;
    access.unlessAllApproved(decided, i.waitForApproval, `the users of enterprise ${i.enterpriseId}`, shownId(i.enterpriseId), { ...i, ...outputsOf(v, i), adopted: false });
    // Everything approved: a second pass makes what only follows an approval (a re-addition's add).
  }
  if (approvals.length && !i.waitForApproval) log(`bitgo: ${[...new Set(approvals)].length} change(s) to the users of enterprise ${i.enterpriseId} await another admin's approval (${[...new Set(approvals)].join(", ")}); recorded as pending: pulumi refresh or up picks up the decision, and nothing is asked twice`);
  return v;
}

async function removeDeclared(ctx: Ctx, olds: Inputs & { members: Member[] }, v: View): Promise<void> {
  if (olds.onDelete !== "remove") {
    log(`bitgo: destroying the access list of enterprise ${olds.enterpriseId} leaves its users as they are (onDelete "leave")`);
    return;
  }
  const declared = declaredOf(olds.members);
  const plan: Plan = { adds: [], roles: [], readds: [], removals: [], waiting: [], held: [], refusals: [] };
  for (const live of v.members) {
    if (!declared.some((m) => m.username === live.username)) continue;
    if (isOperator(v.operator, { id: live.userId, username: live.username }) || olds.keep.includes(live.username)) continue;
    const removal = openFor(v, "remove", live.username);
    if (removal) plan.waiting.push(removal.id);
    else plan.removals.push({ username: live.username, userId: live.userId });
  }
  // Additions this stack asked for and nobody decided: withdrawn, as the stack no longer wants them.
  for (const m of declared) {
    const add = !v.members.some((x) => x.username === m.username) && openFor(v, "add", m.username);
    if (add) await api.setApprovalState(ctx.c, add.id, "rejected");
  }
  const applied = await execute(ctx, v, plan);
  if (applied.errors.length) throw new Error(`bitgo: removing the declared users of enterprise ${olds.enterpriseId}: ${applied.errors.join("; ")}. Run pulumi destroy again (it looks first).`);
  await access.settleRemovals(ctx.c, [...new Set(applied.approvals)], plan.waiting.length > 0, olds.waitForApproval, `removing the users of enterprise ${olds.enterpriseId}`, `enterprise ${olds.enterpriseId}`);
}

// ---- the resource ----

const inputs = {
  enterpriseId: field(hex32("the enterprise's id"), { replaceOnChange: true, doc: "The enterprise (32 hex). Changing it manages another enterprise's list (a replacement)." }),
  members: field(access.keyedList(memberSchema, "username", { max: 1000, hint: 'a list such as [{ username: "ops@acme.example", permissions: ["admin"], videoApprover: true }]', extraOutputKeys: ["videoIdState"] }), {
    doc:
      "Every user of the enterprise: username (email), permissions (admin | auditor | wallet.create; [] a plain member), videoApprover (admins only). " +
      "In the outputs each entry also says userId, status (active, invited, pendingApproval, pendingRemoval, rejected), source (declared, unmanaged, reported, keep, operator), approvalId and BitGo's videoIdState.",
  }),
  unmanaged: access.unmanagedField,
  keep: access.keepField(email("an email address such as svc@acme.example"), "usernames (emails)"),
  onDelete: access.onDeleteField,
  waitForApproval: access.waitForApprovalField,
};

const summary = z.object({ username: z.string(), userId: z.string(), permissions: z.array(z.string()), status: z.string() });
const outputs = {
  unmanagedMembers: field(z.array(summary), { doc: "Live members the list does not declare and keep does not name (removed on up unless unmanaged is \"report\")." }),
  leftAlone: field(z.array(summary.extend({ reason: z.string() })), { doc: "Live members never touched: the operator, and those in keep." }),
  organizationId: field(z.string(), { doc: "The enterprise's organization." }),
  ...access.accessOutputs,
};

const resource = defineResource<View>()({
  type: "bitgo:EnterpriseAccess",
  doc: "An enterprise's complete user list with permissions (authoritative): undeclared users are drift, removed on up or reported.",
  vendor: bitgo,
  inputs,
  outputs,
  id,
  adopt: "own",

  rules(i) {
    const failures: CheckFailure[] = [];
    const admins = i.members.filter((m) => m.permissions.includes("admin"));
    if (admins.length === 0) {
      failures.push({ property: "members", reason: 'members: lists no admin, and the list is authoritative: an enterprise needs at least one admin. Give at least one member permissions ["admin"] (and videoApprover: true)' });
    } else if (!admins.some((m) => m.videoApprover)) {
      failures.push({
        property: "members",
        reason: `members: none of the admins (${admins.map((m) => m.username).join(", ")}) is a video approver; BitGo requires video approval for withdrawals above $250,000 USD: set videoApprover: true on at least one admin`,
      });
    }
    for (const m of i.members) {
      if (m.videoApprover && !m.permissions.includes("admin")) failures.push({ property: "members", reason: `members: ${m.username} has videoApprover but is no admin; only admins approve by video: add "admin" to its permissions, or remove videoApprover` });
      if (i.keep.includes(m.username)) failures.push({ property: "keep", reason: `keep: ${m.username} is also in members; keep is for users the stack never touches: remove it from one of the two` });
    }
    return failures;
  },

  idOf: (cur, i) => shownId(cur?.enterpriseId ?? i.enterpriseId!),

  async find(ctx, ref, since) {
    // An access list is never "already there": create applies it.
    if (!ref.id && !ref.olds) return undefined;
    const enterpriseId = ref.inputs?.enterpriseId ?? ref.olds?.enterpriseId ?? id.parse(ref.id!).enterpriseId;
    const recorded = (ref.olds?.members ?? []) as Member[];
    return readView(ctx.c, enterpriseId, { since, declared: declaredOf((ref.inputs?.members ?? recorded) as Member[]), recorded });
  },

  flatten: (v, declared) => outputsOf(v, declared as any),

  async create(ctx, i) {
    return done(await apply(ctx, i as Inputs, undefined, []));
  },

  async update(ctx, olds, news, _changed, cur) {
    return done(await apply(ctx, news as Inputs, cur, (olds.members ?? []) as Member[]));
  },

  async remove(ctx, olds, cur) {
    try {
      await removeDeclared(ctx, olds as any, cur);
    } finally {
      access.forgetReads(ctx.c, readKeys(olds.enterpriseId));
    }
    return done();
  },
});

export const enterpriseAccess = access.withPlanInPreview(resource, {
  list: "members",
  key: (e) => e.username,
  value: (e) => `${(e.permissions ?? []).join(", ") || "member"}${e.videoApprover ? ", video approver" : ""}`,
});
