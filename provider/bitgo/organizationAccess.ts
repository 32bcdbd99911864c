// bitgo:OrganizationAccess: an organization's complete list of admins and members (authoritative).
// BitGo documents both halves: GET /api/org/users lists an organization's users with their roles
// (paged), and POST/PUT/DELETE /api/v2/organization/{id}/user add, change and remove them. Customers
// (the end users of a BitGo-as-a-Service organization's child enterprises) and the service user are
// BitGo's to manage: the list never reads, counts or touches them.
//
//   read    GET /api/org/users?organizationId=&role=admin&role=member, 500 a page: only admins and
//           members, so an organization with thousands of customers still reads in a page or two;
//           and the organization's open approvals.
//   up      additions (POST {username, role}), role changes (PUT ?userId&role), removals (DELETE
//           ?userId); each guarded (after a lost answer the list and the open approvals are looked at
//           first), an open approval for the same change reused. BitGo's set-up guide says only BitGo
//           support makes organization admins: a refused admin role ends the run with what to ask
//           support, after every other change is made.
//   destroy onDelete "leave" (default) changes nothing; "remove" takes the declared users away.
import { z } from "zod";
import { CheckFailure } from "../kit/check";
import { email, field, hex32, oneOf } from "../kit/fields";
import { vendorId } from "../kit/ids";
import { defineResource, partialFailure } from "../kit/resource";
import { log } from "../kit/secrets";
import { Outcome, done, pending } from "../kit/writes";
import * as access from "./access";
import { Operator, StaffUser, decisions, isOperator, operator, organizationStaff } from "./accessApi";
import * as api from "./api";
import { BitGoClient, isVendorError } from "./client";
import { ORGANIZATION_USER_ROLES, supportOnlyError } from "./organizationUser";
import { bitgo } from "./vendor";

const id = vendorId("bitgo:OrganizationAccess", "organizationId", /^[0-9a-f]{32}$/);
const PARALLEL = 4;
type Role = (typeof ORGANIZATION_USER_ROLES)[number];
const roleField = () => oneOf(ORGANIZATION_USER_ROLES, "role orgstack can set (serviceUser and customer are given by BitGo)");

export const orgUserSchema = z
  .object({
    username: email("the user's email address, such as ops@acme.example"),
    role: roleField(),
    ...access.entryOutputs,
    requested: z.object({ role: roleField() }).strict().optional(),
  })
  .strict();
export const declaredOrgUserSchema = orgUserSchema.pick({ username: true, role: true });
export type OrgEntry = z.output<typeof orgUserSchema>;

interface OView {
  organizationId: string;
  users: StaffUser[];
  open: api.Approval[];
  decided: Record<string, "approved" | "rejected">;
  operator: Operator;
  /** Usernames of the users open approvals name by id (an addition names the new user's id only). */
  named: Map<string, string>;
  recorded: OrgEntry[];
}

const declaredOf = (users: OrgEntry[] | undefined) => (users ?? []).filter((u) => !u.source || u.source === "declared");
const change = (a: api.Approval) => a.info?.userChangeRequest;

/** The open approval for this change: adding or removing a user, or changing it to `role`. */
function openFor(v: OView, action: "add" | "update" | "remove", username: string, role?: string): api.Approval | undefined {
  const userId = v.users.find((u) => u.username === username)?.id;
  return v.open.find((a) => {
    const req = change(a);
    if (req?.action !== action) return false;
    if (role && ![req.permissions ?? []].flat().includes(role)) return false;
    const who = String(req.userChanged ?? "");
    return who === userId || v.named.get(who) === username;
  });
}

async function readView(c: BitGoClient, organizationId: string, o: { since?: number; recorded: OrgEntry[] }): Promise<OView | undefined> {
  let users: StaffUser[];
  try {
    users = await organizationStaff(c, organizationId, o.since);
  } catch (e) {
    if (isVendorError(e, 404)) return undefined;
    throw e;
  }
  const [open, op] = await Promise.all([api.openApprovals(c, { organizationId }, o.since), operator(c)]);
  const mine = open.filter((a) => !!change(a));
  // An addition names its user by id, and the user is not in the list yet: their record says who (few, cached).
  const named = new Map<string, string>();
  for (const a of mine.filter((x) => change(x)?.action === "add")) {
    const who = String(change(a)?.userChanged ?? "");
    if (!/^[0-9a-f]{32}$/.test(who) || named.has(who)) continue;
    const u = await api.user(c, who).catch((e) => (isVendorError(e) ? undefined : Promise.reject(e)));
    if (u) named.set(who, String(u.username ?? u.email?.email ?? "").toLowerCase());
  }
  const stale = o.recorded.filter((r) => r.approvalId && !open.some((a) => a.id === r.approvalId)).map((r) => r.approvalId!);
  return { organizationId, users, open: mine, decided: stale.length ? await decisions(c, stale) : {}, operator: op, named, recorded: o.recorded };
}

function sourceOf(v: OView, u: StaffUser, i: { keep?: string[]; unmanaged?: string }): access.Source {
  if (isOperator(v.operator, { id: u.id, username: u.username })) return "operator";
  if ((i.keep ?? []).includes(u.username)) return "keep";
  return i.unmanaged === "report" ? "reported" : "unmanaged";
}

function entries(v: OView, i: { users?: OrgEntry[]; keep?: string[]; unmanaged?: string }): OrgEntry[] {
  const declared = declaredOf(i.users);
  const out: OrgEntry[] = [];
  for (const d of declared) {
    const live = v.users.find((u) => u.username === d.username);
    if (live) {
      const entry: OrgEntry = { username: d.username, role: live.role, userId: live.id, status: "active", source: "declared" };
      const removal = openFor(v, "remove", d.username);
      const changing = openFor(v, "update", d.username, d.role);
      if (removal) Object.assign(entry, { status: "pendingRemoval", approvalId: removal.id, requested: { role: d.role } });
      else if (changing && live.role !== d.role) Object.assign(entry, { status: "pendingApproval", approvalId: changing.id, requested: { role: d.role } });
      out.push(entry);
      continue;
    }
    const add = openFor(v, "add", d.username, d.role);
    if (add) {
      out.push({ ...d, userId: String(change(add)?.userChanged ?? ""), status: "pendingApproval", source: "declared", approvalId: add.id });
      continue;
    }
    const was = v.recorded.find((r) => r.username === d.username && r.status === "pendingApproval" && r.approvalId);
    if (was && v.decided[was.approvalId!] === "rejected") out.push({ ...d, userId: was.userId ?? "", status: "rejected", source: "declared", approvalId: was.approvalId });
    else out.push({ ...d, userId: "", status: "missing", source: "declared" }); // the next up adds it
  }
  for (const u of v.users) {
    if (declared.some((d) => d.username === u.username)) continue;
    const removal = openFor(v, "remove", u.username);
    out.push({ username: u.username, role: u.role, userId: u.id, status: removal ? "pendingRemoval" : "active", source: sourceOf(v, u, i), ...(removal ? { approvalId: removal.id } : {}) });
  }
  return out;
}

function outputsOf(v: OView, i: { users?: OrgEntry[]; keep?: string[]; unmanaged?: string }) {
  const users = entries(v, i);
  const pendingApprovalIds = [...new Set(users.filter((u) => u.approvalId && (u.status === "pendingApproval" || u.status === "pendingRemoval")).map((u) => u.approvalId!))];
  const short = (u: OrgEntry) => ({ username: u.username, userId: u.userId ?? "", role: u.role, status: u.status ?? "active" });
  return {
    organizationId: v.organizationId,
    users,
    unmanagedUsers: users.filter((u) => u.source === "unmanaged" || u.source === "reported").map(short),
    leftAlone: users.filter((u) => u.source === "keep" || u.source === "operator").map((u) => ({ ...short(u), reason: u.source as string })),
    operator: v.operator.usernames[0] ?? v.users.find((u) => v.operator.ids.includes(u.id))?.username ?? v.operator.ids[0] ?? "",
    state: pendingApprovalIds.length ? "pending" : "active",
    pendingApprovalIds,
  };
}

// ---- plan and writes ----

type Inputs = {
  organizationId: string;
  users: OrgEntry[];
  unmanaged: "remove" | "report";
  keep: string[];
  onDelete: "leave" | "remove";
  waitForApproval?: { timeoutSeconds: number; pollSeconds: number };
};
interface Plan {
  adds: OrgEntry[];
  roles: { username: string; userId: string; role: Role }[];
  removals: { username: string; userId: string }[];
  waiting: string[];
  refusals: string[];
}

function planFor(v: OView, i: Inputs): Plan {
  const plan: Plan = { adds: [], roles: [], removals: [], waiting: [], refusals: [] };
  for (const d of i.users) {
    const live = v.users.find((u) => u.username === d.username);
    if (!live) {
      const add = openFor(v, "add", d.username, d.role);
      if (add) plan.waiting.push(add.id);
      else plan.adds.push(d);
      continue;
    }
    if (live.role === d.role) continue;
    if (isOperator(v.operator, { id: live.id, username: live.username })) {
      plan.refusals.push(`users: ${d.username} is the identity orgstack runs as, and orgstack never changes its own role: declare it as ${live.role}, or leave it out of users (the operator is always left alone)`);
      continue;
    }
    const changing = openFor(v, "update", d.username, d.role);
    if (changing) plan.waiting.push(changing.id);
    else plan.roles.push({ username: d.username, userId: live.id, role: d.role as Role });
  }
  for (const u of v.users) {
    if (i.users.some((d) => d.username === u.username) || sourceOf(v, u, i) !== "unmanaged") continue;
    const removal = openFor(v, "remove", u.username);
    if (removal) plan.waiting.push(removal.id);
    else plan.removals.push({ username: u.username, userId: u.id });
  }
  const admins = v.users.filter((u) => u.role === "admin");
  const leaving = new Set([...plan.removals.map((r) => r.userId), ...plan.roles.filter((r) => r.role !== "admin").map((r) => r.userId)]);
  if (admins.length > 0 && admins.every((a) => leaving.has(a.id))) plan.refusals.push(`users: this change would leave organization ${v.organizationId} with no admin; declare at least one admin who stays`);
  return plan;
}

type Ctx = access.AccessCtx;
const outcomeOf = (res: { status: number; data: any }): Outcome<boolean> => (res.status === 202 ? pending(api.approvalIdOf(res.data)) : done(true));
const freshOpen = async (ctx: Ctx, v: OView, since: number) => ({ ...v, open: (await api.openApprovals(ctx.c, { organizationId: v.organizationId }, since)).filter((a) => !!change(a)) });

/** A write BitGo may refuse for an admin role: the refusal says whom to ask. */
async function unlessSupportOnly(ctx: Ctx, v: OView, role: string, username: string, write: () => Promise<Outcome<boolean>>) {
  try {
    return await write();
  } catch (e) {
    if (role === "admin" && isVendorError(e, 403)) throw supportOnlyError(username, v.organizationId, "", e);
    throw e;
  }
}

function addWrite(ctx: Ctx, v: OView, d: OrgEntry) {
  const O = v.organizationId;
  return unlessSupportOnly(ctx, v, d.role, d.username, () =>
    ctx.write({
      what: `adding ${d.username} to organization ${O} as ${d.role}`,
      send: async () => outcomeOf(await api.addOrgUser(ctx.c, O, d.username, d.role)),
      effect: async (since) => ((await organizationStaff(ctx.c, O, since)).some((u) => u.username === d.username && u.role === d.role) ? true : undefined),
      approval: async (since) => {
        const fresh = await freshOpen(ctx, v, since);
        return (await readNamed(ctx, fresh), openFor(fresh, "add", d.username, d.role)?.id);
      },
    }),
  );
}

/** Names the users of new addition approvals (their records), for a guard looking for its approval. */
async function readNamed(ctx: Ctx, v: OView) {
  for (const a of v.open.filter((x) => change(x)?.action === "add")) {
    const who = String(change(a)?.userChanged ?? "");
    if (/^[0-9a-f]{32}$/.test(who) && !v.named.has(who)) {
      const u = await api.user(ctx.c, who).catch(() => undefined);
      if (u) v.named.set(who, String(u.username ?? "").toLowerCase());
    }
  }
}

function roleWrite(ctx: Ctx, v: OView, r: Plan["roles"][number]) {
  const O = v.organizationId;
  return unlessSupportOnly(ctx, v, r.role, r.username, () =>
    ctx.write({
      what: `changing ${r.username}'s role in organization ${O} to ${r.role}`,
      send: async () => outcomeOf(await api.setOrgRole(ctx.c, O, r.userId, r.role)),
      effect: async (since) => ((await organizationStaff(ctx.c, O, since)).some((u) => u.id === r.userId && u.role === r.role) ? true : undefined),
      approval: async (since) => openFor(await freshOpen(ctx, v, since), "update", r.username, r.role)?.id,
    }),
  );
}

function removeWrite(ctx: Ctx, v: OView, r: { username: string; userId: string }) {
  const O = v.organizationId;
  return ctx.write({
    what: `removing ${r.username} from organization ${O}`,
    send: async () => outcomeOf(await api.removeOrgUser(ctx.c, O, r.userId)),
    effect: async (since) => ((await organizationStaff(ctx.c, O, since)).some((u) => u.id === r.userId) ? undefined : true),
    approval: async (since) => openFor(await freshOpen(ctx, v, since), "remove", r.username)?.id,
  });
}

async function execute(ctx: Ctx, v: OView, plan: Plan) {
  const out = { approvals: [...plan.waiting], errors: [] as string[], wrote: false };
  const jobs = [
    ...plan.adds.map((d) => ({ what: `adding ${d.username}`, run: () => addWrite(ctx, v, d) })),
    ...plan.roles.map((r) => ({ what: `changing ${r.username}'s role`, run: () => roleWrite(ctx, v, r) })),
    ...plan.removals.map((r) => ({ what: `removing ${r.username}`, run: () => removeWrite(ctx, v, r) })),
  ];
  if (jobs.length === 0) return out;
  await ctx.c.requireScope("user_manage", `changing the users of organization ${v.organizationId}`);
  out.wrote = true;
  (await access.eachLimited(jobs, PARALLEL, (j) => j.run())).forEach((r, k) => {
    if (r.status === "rejected") out.errors.push(`${jobs[k].what}: ${access.errorText(r.reason)}`);
    else if (!r.value.done) out.approvals.push(r.value.approvalId);
  });
  return out;
}

const shownId = (organizationId: string) => id.build({ organizationId });

const readKeys = (organizationId: string) => [`orgstaff:${organizationId}`, `approvals:organization:${organizationId}`];

async function apply(ctx: Ctx, i: Inputs, before: OView | undefined, recorded: OrgEntry[]): Promise<OView> {
  try {
    return await applyOnce(ctx, i, before, recorded);
  } finally {
    access.forgetReads(ctx.c, readKeys(i.organizationId));
  }
}

async function applyOnce(ctx: Ctx, i: Inputs, before: OView | undefined, recorded: OrgEntry[]): Promise<OView> {
  const read = (since?: number) => readView(ctx.c, i.organizationId, { since, recorded });
  let v = before ?? (await read());
  if (!v) throw new Error(`bitgo: organization ${i.organizationId} was not found (404): check organizationId, and that the identity orgstack runs as is one of its admins`);
  const approvals: string[] = [];
  for (let pass = 1; pass <= 2; pass++) {
    const plan = planFor(v, i);
    if (plan.refusals.length) throw new Error(`bitgo: organization ${i.organizationId}: ${plan.refusals.join("; ")}. Nothing was changed.`);
    const applied = await execute(ctx, v, plan);
    approvals.push(...applied.approvals);
    // After the last write: a guard's look during the writes must not stand for the result.
    if (applied.wrote || applied.approvals.length) v = (await read(Date.now()))!;
    if (applied.errors.length) {
      throw partialFailure(
        `bitgo: ${applied.errors.length} change(s) to the users of organization ${i.organizationId} failed: ${applied.errors.join("; ")}. The others were made; run pulumi up again (it looks first and never asks for an approval twice).`,
        shownId(i.organizationId),
        { ...i, ...outputsOf(v, i), adopted: false },
      );
    }
    const open = [...new Set(applied.approvals)];
    if (open.length === 0 || !i.waitForApproval) break;
    const decided = await access.waitForDecisions(ctx.c, open, i.waitForApproval, `the users of organization ${i.organizationId}`);
    v = (await read(Date.now()))!;
    access.unlessAllApproved(decided, i.waitForApproval, `the users of organization ${i.organizationId}`, shownId(i.organizationId), { ...i, ...outputsOf(v, i), adopted: false });
  }
  if (approvals.length && !i.waitForApproval) log(`bitgo: ${[...new Set(approvals)].length} change(s) to the users of organization ${i.organizationId} await another admin's approval; recorded as pending: pulumi refresh or up picks up the decision, and nothing is asked twice`);
  return v;
}

async function removeDeclared(ctx: Ctx, olds: Inputs, v: OView): Promise<void> {
  if (olds.onDelete !== "remove") {
    log(`bitgo: destroying the access list of organization ${olds.organizationId} leaves its users as they are (onDelete "leave")`);
    return;
  }
  const plan: Plan = { adds: [], roles: [], removals: [], waiting: [], refusals: [] };
  for (const d of declaredOf(olds.users)) {
    const live = v.users.find((u) => u.username === d.username);
    if (!live || isOperator(v.operator, { id: live.id, username: live.username }) || olds.keep.includes(live.username)) continue;
    const removal = openFor(v, "remove", live.username);
    if (removal) plan.waiting.push(removal.id);
    else plan.removals.push({ username: live.username, userId: live.id });
  }
  const applied = await execute(ctx, v, plan);
  if (applied.errors.length) throw new Error(`bitgo: removing the declared users of organization ${olds.organizationId}: ${applied.errors.join("; ")}. Run pulumi destroy again (it looks first).`);
  await access.settleRemovals(ctx.c, [...new Set(applied.approvals)], plan.waiting.length > 0, olds.waitForApproval, `removing the users of organization ${olds.organizationId}`, `organization ${olds.organizationId}`);
}

// ---- the resource ----

const summary = z.object({ username: z.string(), userId: z.string(), role: z.string(), status: z.string() });

const resource = defineResource<OView>()({
  type: "bitgo:OrganizationAccess",
  doc: "An organization's complete list of admins and members (authoritative): undeclared ones are drift, removed on up or reported. Customers and the service user are never touched.",
  vendor: bitgo,
  inputs: {
    organizationId: field(hex32("the organization's id", "62c5ae8174ac860007aff1555ffb960d"), { replaceOnChange: true, doc: "The organization (32 hex)." }),
    users: field(access.keyedList(orgUserSchema, "username", { max: 1000, hint: 'a list such as [{ username: "ops@acme.example", role: "admin" }]' }), {
      doc:
        "Every admin and member of the organization: username (email) and role (admin | member; BitGo support makes organization admins). " +
        "In the outputs each entry also says userId, status, source and approvalId.",
    }),
    unmanaged: access.unmanagedField,
    keep: access.keepField(email("an email address such as svc@acme.example"), "usernames (emails)"),
    onDelete: access.onDeleteField,
    waitForApproval: access.waitForApprovalField,
  },
  outputs: {
    unmanagedUsers: field(z.array(summary), { doc: "Live admins and members the list does not declare and keep does not name." }),
    leftAlone: field(z.array(summary.extend({ reason: z.string() })), { doc: "Live users never touched: the operator, and those in keep." }),
    ...access.accessOutputs,
  },
  id,
  adopt: "own",

  rules(i) {
    const failures: CheckFailure[] = [];
    if (!i.users.some((u) => u.role === "admin")) {
      failures.push({ property: "users", reason: 'users: lists no admin, and the list is authoritative: an organization needs at least one admin. Give at least one user role "admin" (BitGo support makes organization admins: declare the ones it has)' });
    }
    for (const u of i.users) if (i.keep.includes(u.username)) failures.push({ property: "keep", reason: `keep: ${u.username} is also in users; keep is for users the stack never touches: remove it from one of the two` });
    return failures;
  },

  idOf: (cur, i) => shownId(cur?.organizationId ?? i.organizationId!),

  async find(ctx, ref, since) {
    if (!ref.id && !ref.olds) return undefined; // an access list is never "already there": create applies it
    const organizationId = ref.inputs?.organizationId ?? ref.olds?.organizationId ?? id.parse(ref.id!).organizationId;
    return readView(ctx.c, organizationId, { since, recorded: (ref.olds?.users ?? []) as OrgEntry[] });
  },

  flatten: (v, declared) => outputsOf(v, declared as any),

  async create(ctx, i) {
    return done(await apply(ctx, i as Inputs, undefined, []));
  },

  async update(ctx, olds, news, _changed, cur) {
    return done(await apply(ctx, news as Inputs, cur, (olds.users ?? []) as OrgEntry[]));
  },

  async remove(ctx, olds, cur) {
    try {
      await removeDeclared(ctx, olds as unknown as Inputs, cur);
    } finally {
      access.forgetReads(ctx.c, readKeys(olds.organizationId));
    }
    return done();
  },
});

export const organizationAccess = access.withPlanInPreview(resource, {
  list: "users",
  key: (e) => e.username,
  value: (e) => String(e.role ?? ""),
});
