// bitgo:WalletAccess: a wallet's complete user list with permissions, shares followed through
// acceptance. Authoritative: a live wallet user (or a share still waiting) the list does not declare is
// drift, taken away on up or only reported with unmanaged: "report"; the operator and keep are left alone.
//
//   read    the wallet (its users and their permissions, every one in one answer: the spec gives the
//           route no paging), the share list (GET /api/v2/walletshares: BitGo lists only wallets the
//           token's user may spend from, so a recorded share missing from it is read by its id), the
//           wallet's open approvals, and the wallet's enterprise's member list (emails of user ids).
//           A declared email is matched to its user id once (the enterprise's members, else the
//           recipient's sharing key, 5 per 300 s) and the id is recorded.
//   up      a user to add: a share (pending shares are state: never sent again while they wait for the
//           recipient or an approval); new permissions: BitGo has no call that changes them, so the
//           user is taken off the wallet (may need another admin's approval) and shared again; a share
//           with other permissions still waiting: cancelled and shared again; an undeclared user:
//           taken off the wallet, an undeclared share still waiting: cancelled. Spend shares carry the
//           wallet key (walletPassphrase), or skip it (skipKeychain), as bitgo:WalletShare does.
//   destroy onDelete "leave" (default) changes nothing; "remove" takes the declared users' access away.
import { z } from "zod";
import { CheckFailure } from "../kit/check";
import { bool, email, field, list, oneOf } from "../kit/fields";
import { compositeId } from "../kit/ids";
import { defineResource, partialFailure } from "../kit/resource";
import { log } from "../kit/secrets";
import { Outcome, done } from "../kit/writes";
import * as access from "./access";
import { Operator, decisions, enterpriseRoster, isOperator, operator } from "./accessApi";
import * as api from "./api";
import { BitGoClient, isVendorError } from "./client";
import { bitgo } from "./vendor";
import { WALLET_PERMISSIONS, WalletPermission, postShare, recipient, walletInputs } from "./walletShare";

const HEX32 = /^[0-9a-f]{32}$/;
const LIVE = ["pendingapproval", "active"];
const PARALLEL = 4;
/** Member records read per view at most (BitGo allows 60 per 600 s per user, across runs). */
const MAX_USER_READS = 30;
const id = compositeId("bitgo:WalletAccess", ["coin", "walletId"], { walletId: HEX32 });

const userField = () =>
  z.union([z.string().max(32).regex(HEX32), email()], { error: "must be the user's email (auditor@acme.example) or 32-character hex BitGo user id" });
const permissionList = () =>
  list(oneOf(WALLET_PERMISSIONS, "wallet permission"), { min: 1, max: 4, sorted: true, hint: 'a list such as ["view"] or ["spend", "view"] (to take access away, leave the user out)' });

export const walletUserSchema = z
  .object({
    user: userField(),
    permissions: permissionList(),
    ...access.entryOutputs,
    /** The user's email, when BitGo says it (output). */
    email: z.string().max(254).optional(),
    shareId: z.string().max(32).optional(),
    requested: z.object({ permissions: permissionList() }).strict().optional(),
  })
  .strict();
export const declaredWalletUserSchema = walletUserSchema.pick({ user: true, permissions: true });
export type WalletUser = z.output<typeof walletUserSchema>;

const splitPermissions = (p: unknown): WalletPermission[] =>
  (Array.isArray(p) ? p.map(String) : typeof p === "string" ? p.split(",") : []).map((x) => x.trim()).filter(Boolean).sort() as WalletPermission[];
const declaredOf = (users: WalletUser[] | undefined) => (users ?? []).filter((u) => !u.source || u.source === "declared");

interface WView {
  coin: string;
  walletId: string;
  label: string;
  enterpriseId: string;
  /** Users on the wallet (accepted), with their permissions. */
  members: { userId: string; permissions: WalletPermission[] }[];
  /** The wallet's shares BitGo shows (the outgoing list, and recorded ones read by id). */
  shares: api.Share[];
  open: api.Approval[];
  decided: Record<string, "approved" | "rejected">;
  operator: Operator;
  /** Emails of user ids (the wallet's enterprise's members, and the declaration). */
  emails: Map<string, string>;
  /** The user id of each declared `user`. */
  ids: Map<string, string>;
  recorded: WalletUser[];
}

const removalOf = (v: WView, userId: string) =>
  v.open.find((a) => a.info?.type === "userChangeRequest" && a.info.userChangeRequest?.action === "remove" && a.info.userChangeRequest.userChanged === userId);

/** The share that still grants or waits for something for this user (the newest). */
function liveShare(v: WView, userId: string): api.Share | undefined {
  return v.shares.filter((s) => s.toUser === userId && LIVE.includes(s.state) && !(s.state === "pendingapproval" && v.decided[s.pendingApprovalId ?? ""] === "rejected")).pop();
}

interface ReadOptions {
  since?: number;
  declared: WalletUser[];
  recorded: WalletUser[];
  /** Resolve declared emails BitGo's lists do not show (a sharing-key lookup): on up, not on refresh. */
  lookUp?: boolean;
}

async function readView(c: BitGoClient, coin: string, walletId: string, o: ReadOptions): Promise<WView | undefined> {
  let wallet: api.Wallet;
  try {
    wallet = await api.wallet(c, coin, walletId, o.since);
  } catch (e) {
    if (isVendorError(e, 404)) return undefined; // the wallet is gone, or no longer visible
    throw e;
  }
  const [all, open, op, roster] = await Promise.all([
    api.shares(c, o.since),
    api.openApprovals(c, { walletId }, o.since),
    operator(c),
    wallet.enterprise ? enterpriseRoster(c, wallet.enterprise).catch((e) => (isVendorError(e) ? [] : Promise.reject(e))) : Promise.resolve([]),
  ]);
  const shares = all.filter((s) => s.wallet === walletId);
  // Shares recorded before that the list does not show (the token's user may not spend from this wallet).
  const missing = o.recorded.filter((r) => r.shareId && !shares.some((s) => s.id === r.shareId));
  for (const s of await Promise.all(missing.map((r) => api.share(c, coin, r.shareId!)))) if (s) shares.push(s);
  const emails = new Map(roster.map((m) => [m.id, m.username]));
  const ids = new Map<string, string>();
  for (const d of o.declared) {
    const key = d.user.toLowerCase();
    const known = HEX32.test(key) ? key : d.userId || o.recorded.find((r) => r.user.toLowerCase() === key && r.userId)?.userId || roster.find((m) => m.username === key)?.id;
    if (known) ids.set(key, known);
    else if (o.lookUp) ids.set(key, (await recipient(c, key, wallet)).id);
    if (!HEX32.test(key) && ids.get(key)) emails.set(ids.get(key)!, key);
  }
  // Emails of the other users on the wallet or invited to it (a member record each, at most 30 a read:
  // BitGo allows 60 per 600 s), so keep and the outputs can name them.
  const unnamed = [...new Set([...(wallet.users ?? []).map((u) => String(u.user)), ...shares.filter((s) => LIVE.includes(s.state)).map((s) => s.toUser)])].filter((u) => !emails.has(u) && ![...ids.values()].includes(u));
  await Promise.all(unnamed.slice(0, MAX_USER_READS).map(async (u) => {
    const email = await api.user(c, u).then((x) => String(x.username ?? x.email?.email ?? "").toLowerCase(), (e) => (isVendorError(e) ? "" : Promise.reject(e)));
    if (email) emails.set(u, email);
  }));
  const waiting = shares.filter((s) => s.state === "pendingapproval" && s.pendingApprovalId && !open.some((a) => a.id === s.pendingApprovalId)).map((s) => s.pendingApprovalId!);
  const stale = o.recorded.filter((r) => r.approvalId && !open.some((a) => a.id === r.approvalId)).map((r) => r.approvalId!);
  return {
    coin,
    walletId,
    label: String(wallet.label ?? ""),
    enterpriseId: String(wallet.enterprise ?? ""),
    members: (wallet.users ?? []).map((u) => ({ userId: String(u.user), permissions: splitPermissions(u.permissions) })),
    shares,
    open: open.filter((a) => a.info?.type === "userChangeRequest"),
    decided: waiting.length || stale.length ? await decisions(c, [...waiting, ...stale]) : {},
    operator: op,
    emails,
    ids,
    recorded: o.recorded,
  };
}

function sourceOf(v: WView, userId: string, i: { keep?: string[]; unmanaged?: string }): access.Source {
  if (isOperator(v.operator, { id: userId, username: v.emails.get(userId) })) return "operator";
  const keep = i.keep ?? [];
  if (keep.includes(userId) || keep.includes(v.emails.get(userId) ?? "")) return "keep";
  return i.unmanaged === "report" ? "reported" : "unmanaged";
}

/** The live list as the outputs show it. */
function entries(v: WView, i: { users?: WalletUser[]; keep?: string[]; unmanaged?: string }): WalletUser[] {
  const declared = declaredOf(i.users);
  const out: WalletUser[] = [];
  const declaredIds = new Set<string>();
  for (const d of declared) {
    const userId = v.ids.get(d.user.toLowerCase());
    if (!userId) {
      out.push({ user: d.user, permissions: d.permissions, status: "missing", source: "declared" }); // not resolved yet: the next up shares
      continue;
    }
    declaredIds.add(userId);
    const base = { user: d.user, userId, email: v.emails.get(userId), source: "declared" as const };
    const member = v.members.find((m) => m.userId === userId);
    const removal = removalOf(v, userId);
    if (member) {
      out.push({ ...base, permissions: member.permissions, status: removal ? "pendingRemoval" : "active", ...(removal ? { approvalId: removal.id, requested: { permissions: d.permissions } } : {}) });
      continue;
    }
    const share = liveShare(v, userId);
    if (share) {
      const waiting = share.state === "pendingapproval" && v.decided[share.pendingApprovalId ?? ""] !== "approved";
      out.push({ ...base, permissions: splitPermissions(share.permissions ?? share.permission), status: waiting ? "pendingApproval" : "invited", shareId: share.id, ...(waiting ? { approvalId: share.pendingApprovalId } : {}) });
      continue;
    }
    const was = v.recorded.find((r) => r.user.toLowerCase() === d.user.toLowerCase() && r.shareId);
    const dead = was && v.shares.find((s) => s.id === was.shareId);
    if (dead && (dead.state === "rejected" || dead.state === "canceled" || dead.state === "pendingapproval")) {
      out.push({ ...base, permissions: splitPermissions(dead.permissions ?? dead.permission), status: dead.state === "canceled" ? "canceled" : "rejected", shareId: dead.id });
    } else out.push({ ...base, permissions: d.permissions, status: "missing" }); // nothing yet: the next up shares
  }
  for (const m of v.members) {
    if (declaredIds.has(m.userId)) continue;
    const removal = removalOf(v, m.userId);
    out.push({
      user: v.emails.get(m.userId) ?? m.userId,
      permissions: m.permissions,
      userId: m.userId,
      email: v.emails.get(m.userId),
      status: removal ? "pendingRemoval" : "active",
      source: sourceOf(v, m.userId, i),
      ...(removal ? { approvalId: removal.id } : {}),
    });
  }
  // Shares waiting for someone the list does not declare (an invitation made in the web UI).
  for (const s of v.shares) {
    if (declaredIds.has(s.toUser) || v.members.some((m) => m.userId === s.toUser) || liveShare(v, s.toUser) !== s) continue;
    const waiting = s.state === "pendingapproval" && v.decided[s.pendingApprovalId ?? ""] !== "approved";
    out.push({ user: v.emails.get(s.toUser) ?? s.toUser, permissions: splitPermissions(s.permissions ?? s.permission), userId: s.toUser, email: v.emails.get(s.toUser), status: waiting ? "pendingApproval" : "invited", source: sourceOf(v, s.toUser, i), shareId: s.id });
  }
  return out.map((e) => Object.fromEntries(Object.entries(e).filter(([, x]) => x !== undefined)) as WalletUser);
}

function outputsOf(v: WView, i: { users?: WalletUser[]; keep?: string[]; unmanaged?: string }) {
  const users = entries(v, i);
  const pendingApprovalIds = [...new Set(users.filter((u) => u.approvalId && (u.status === "pendingApproval" || u.status === "pendingRemoval")).map((u) => u.approvalId!))];
  const short = (u: WalletUser) => ({ user: u.user, userId: u.userId ?? "", permissions: u.permissions as string[], status: u.status ?? "active" });
  const opId = v.operator.ids[0] ?? [...v.emails].find(([, e]) => v.operator.usernames.includes(e))?.[0];
  return {
    coin: v.coin,
    walletId: v.walletId,
    users,
    unmanagedUsers: users.filter((u) => u.source === "unmanaged" || u.source === "reported").map(short),
    leftAlone: users.filter((u) => u.source === "keep" || u.source === "operator").map((u) => ({ ...short(u), reason: u.source as string })),
    walletLabel: v.label,
    enterpriseId: v.enterpriseId,
    operator: v.operator.usernames[0] ?? (opId ? v.emails.get(opId) ?? opId : ""),
    state: pendingApprovalIds.length ? "pending" : "active",
    pendingApprovalIds,
  };
}

// ---- the plan ----

type Inputs = {
  coin: string;
  walletId: string;
  users: WalletUser[];
  unmanaged: "remove" | "report";
  keep: string[];
  walletPassphrase?: string;
  skipKeychain: boolean;
  message: string;
  onDelete: "leave" | "remove";
  waitForApproval?: { timeoutSeconds: number; pollSeconds: number };
};

interface Plan {
  shares: { user: WalletUser; userId: string }[];
  /** Users on the wallet with other permissions: taken off, then shared again. */
  changes: { user: WalletUser; userId: string }[];
  /** Shares still waiting with other permissions: cancelled, then shared again. */
  reshares: { user: WalletUser; userId: string; shareId: string }[];
  removals: { label: string; userId: string }[];
  cancels: { label: string; shareId: string; userId: string }[];
  waiting: string[];
  refusals: string[];
}

function planFor(v: WView, i: Inputs): Plan {
  const plan: Plan = { shares: [], changes: [], reshares: [], removals: [], cancels: [], waiting: [], refusals: [] };
  const declaredIds = new Set<string>();
  for (const d of i.users) {
    const userId = v.ids.get(d.user.toLowerCase())!;
    declaredIds.add(userId);
    const member = v.members.find((m) => m.userId === userId);
    if (member) {
      if (member.permissions.join() === d.permissions.join()) continue;
      if (isOperator(v.operator, { id: userId, username: v.emails.get(userId) })) {
        plan.refusals.push(`users: ${d.user} is the identity orgstack runs as, and orgstack never changes its own access: declare its permissions as BitGo has them ([${member.permissions.join(", ")}]), or leave it out of users (the operator is always left alone)`);
        continue;
      }
      const removal = removalOf(v, userId);
      if (removal) plan.waiting.push(removal.id);
      else plan.changes.push({ user: d, userId });
      continue;
    }
    const share = liveShare(v, userId);
    if (share && splitPermissions(share.permissions ?? share.permission).join() === d.permissions.join()) {
      if (share.state === "pendingapproval" && share.pendingApprovalId && v.decided[share.pendingApprovalId] !== "approved") plan.waiting.push(share.pendingApprovalId);
      continue; // a pending invitation is state: never sent again
    }
    if (share) plan.reshares.push({ user: d, userId, shareId: share.id });
    else plan.shares.push({ user: d, userId });
  }
  for (const m of v.members) {
    if (declaredIds.has(m.userId) || sourceOf(v, m.userId, i) !== "unmanaged") continue;
    const removal = removalOf(v, m.userId);
    if (removal) plan.waiting.push(removal.id);
    else plan.removals.push({ label: v.emails.get(m.userId) ?? m.userId, userId: m.userId });
  }
  for (const s of v.shares) {
    if (declaredIds.has(s.toUser) || v.members.some((m) => m.userId === s.toUser) || liveShare(v, s.toUser) !== s) continue;
    if (sourceOf(v, s.toUser, i) === "unmanaged") plan.cancels.push({ label: v.emails.get(s.toUser) ?? s.toUser, shareId: s.id, userId: s.toUser });
  }
  return plan;
}

// ---- applying it ----

type Ctx = access.AccessCtx;

async function share(ctx: Ctx, v: WView, i: Inputs, d: WalletUser, userId: string): Promise<Outcome<boolean>> {
  const inputs = { coin: i.coin, walletId: i.walletId, user: d.user, permissions: d.permissions as WalletPermission[], message: i.message, disableEmail: false, skipKeychain: i.skipKeychain, walletPassphrase: i.walletPassphrase };
  const { share: made } = await postShare(ctx, inputs, { id: userId, email: v.emails.get(userId) }, false);
  return made.state === "pendingapproval" && made.pendingApprovalId ? { done: false, approvalId: made.pendingApprovalId } : done(true);
}

function removeUser(ctx: Ctx, v: WView, label: string, userId: string): Promise<Outcome<boolean>> {
  return ctx.write({
    what: `taking ${label} off wallet ${v.walletId}`,
    send: async () => {
      const res = await api.removeWalletUser(ctx.c, v.coin, v.walletId, userId);
      const approval = res.data?.pendingApproval ?? res.data?.pendingApprovals?.[0];
      return res.status === 202 || approval ? { done: false, approvalId: String(approval?.id ?? api.approvalIdOf(res.data)) } : done(true);
    },
    effect: async (since) => ((await api.wallet(ctx.c, v.coin, v.walletId, since)).users?.some((u) => u.user === userId) ? undefined : true),
    approval: async (since) => removalOf({ ...v, open: await api.openApprovals(ctx.c, { walletId: v.walletId }, since) }, userId)?.id,
  });
}

/**
 * Cancels a share not yet accepted (cancelling again finds nothing to cancel: safe to resend). Accepted
 * meanwhile (the recipient was quicker): the user is taken off the wallet instead.
 */
async function cancel(ctx: Ctx, v: WView, shareId: string, label: string, userId: string): Promise<Outcome<boolean>> {
  const res = await api.cancelShare(ctx.c, v.coin, v.walletId, shareId);
  if (res.status !== 400) return done(true);
  if (!/accepted/i.test(`${res.data?.name} ${res.data?.error}`)) throw new Error(`bitgo: cancelling share ${shareId} failed: ${res.data?.error ?? res.status}`);
  return removeUser(ctx, v, label, userId);
}

interface Applied {
  approvals: string[];
  errors: string[];
  wrote: boolean;
}

async function execute(ctx: Ctx, v: WView, i: Inputs, plan: Plan): Promise<Applied> {
  const out: Applied = { approvals: [...plan.waiting], errors: [], wrote: false };
  const jobs: { what: string; run: () => Promise<Outcome<boolean>> }[] = [
    ...plan.shares.map((s) => ({ what: `sharing wallet ${v.walletId} with ${s.user.user}`, run: () => share(ctx, v, i, s.user, s.userId) })),
    ...plan.reshares.map((s) => ({
      what: `sharing wallet ${v.walletId} with ${s.user.user} again with [${s.user.permissions.join(", ")}]`,
      run: async () => {
        const cancelled = await cancel(ctx, v, s.shareId, s.user.user, s.userId);
        return cancelled.done ? share(ctx, v, i, s.user, s.userId) : cancelled;
      },
    })),
    ...plan.changes.map((s) => ({
      what: `changing ${s.user.user}'s access to wallet ${v.walletId} to [${s.user.permissions.join(", ")}]`,
      run: async () => {
        log(`bitgo: ${s.user.user} is taken off wallet ${v.walletId} and shared again with [${s.user.permissions.join(", ")}]: BitGo has no call that changes a wallet user's permissions (the recipient accepts again)`);
        const removed = await removeUser(ctx, v, s.user.user, s.userId);
        return removed.done ? share(ctx, v, i, s.user, s.userId) : removed;
      },
    })),
    ...plan.removals.map((r) => ({ what: `taking ${r.label} off wallet ${v.walletId}`, run: () => removeUser(ctx, v, r.label, r.userId) })),
    ...plan.cancels.map((r) => ({ what: `cancelling the share of wallet ${v.walletId} with ${r.label}`, run: () => cancel(ctx, v, r.shareId, r.label, r.userId) })),
  ];
  if (jobs.length === 0) return out;
  out.wrote = true;
  (await access.eachLimited(jobs, PARALLEL, (j) => j.run())).forEach((r, k) => {
    if (r.status === "rejected") out.errors.push(`${jobs[k].what}: ${access.errorText(r.reason)}`);
    else if (!r.value.done) out.approvals.push(r.value.approvalId);
  });
  return out;
}

const shownId = (i: { coin: string; walletId: string }) => id.build({ coin: i.coin, walletId: i.walletId });
/** What a partial state records: never the wallet passphrase (write-only). */
const recordable = (i: Inputs, v: WView) => {
  const { walletPassphrase: _secret, ...rest } = i;
  return { ...rest, ...outputsOf(v, i), adopted: false };
};

const readKeys = (i: { coin: string; walletId: string }) => [`wallet:${i.coin}:${i.walletId}`, "walletshares", `approvals:wallet:${i.walletId}`];

async function apply(ctx: Ctx, i: Inputs, before: WView | undefined, recorded: WalletUser[]): Promise<WView> {
  try {
    return await applyOnce(ctx, i, before, recorded);
  } finally {
    access.forgetReads(ctx.c, readKeys(i));
  }
}

async function applyOnce(ctx: Ctx, i: Inputs, before: WView | undefined, recorded: WalletUser[]): Promise<WView> {
  const read = (since?: number) => readView(ctx.c, i.coin, i.walletId, { since, declared: i.users, recorded, lookUp: true });
  let v = before && i.users.every((d) => before.ids.has(d.user.toLowerCase())) ? before : await read();
  if (!v) throw new Error(`bitgo: wallet ${i.walletId} (${i.coin}) was not found (404): check coin and walletId, and that the identity orgstack runs as is one of its admins`);
  const approvals: string[] = [];
  for (let pass = 1; pass <= 2; pass++) {
    const plan = planFor(v, i);
    if (plan.refusals.length) throw new Error(`bitgo: wallet ${i.walletId}: ${plan.refusals.join("; ")}. Nothing was changed.`);
    const applied = await execute(ctx, v, i, plan);
    approvals.push(...applied.approvals);
    // After the last write: a guard's look during the writes must not stand for the result.
    if (applied.wrote || applied.approvals.length) v = (await read(Date.now()))!;
    if (applied.errors.length) {
      throw partialFailure(
        `bitgo: ${applied.errors.length} change(s) to the users of wallet ${i.walletId} failed: ${applied.errors.join("; ")}. The others were made; run pulumi up again (it looks at the wallet first and never asks for an approval twice).`,
        shownId(i),
        recordable(i, v),
      );
    }
    const open = [...new Set(applied.approvals)];
    if (open.length === 0 || !i.waitForApproval) break;
    const decided = await access.waitForDecisions(ctx.c, open, i.waitForApproval, `the users of wallet ${i.walletId}`);
    v = (await read(Date.now()))!;
    access.unlessAllApproved(decided, i.waitForApproval, `the users of wallet ${i.walletId}`, shownId(i), recordable(i, v));
  }
  if (approvals.length && !i.waitForApproval) log(`bitgo: ${[...new Set(approvals)].length} change(s) to the users of wallet ${i.walletId} await another admin's approval; recorded as pending: pulumi refresh or up picks up the decision, and nothing is asked twice`);
  return v;
}

async function removeDeclared(ctx: Ctx, olds: Inputs, v: WView): Promise<void> {
  if (olds.onDelete !== "remove") {
    log(`bitgo: destroying the access list of wallet ${olds.walletId} leaves its users as they are (onDelete "leave")`);
    return;
  }
  const plan: Plan = { shares: [], changes: [], reshares: [], removals: [], cancels: [], waiting: [], refusals: [] };
  for (const d of declaredOf(olds.users)) {
    const userId = v.ids.get(d.user.toLowerCase());
    if (!userId || isOperator(v.operator, { id: userId, username: v.emails.get(userId) }) || olds.keep.includes(d.user.toLowerCase())) continue;
    if (v.members.some((m) => m.userId === userId)) {
      const removal = removalOf(v, userId);
      if (removal) plan.waiting.push(removal.id);
      else plan.removals.push({ label: d.user, userId });
    } else {
      const s = liveShare(v, userId);
      if (s) plan.cancels.push({ label: d.user, shareId: s.id, userId });
    }
  }
  const applied = await execute(ctx, v, olds, plan);
  if (applied.errors.length) throw new Error(`bitgo: taking the declared users off wallet ${olds.walletId}: ${applied.errors.join("; ")}. Run pulumi destroy again (it looks first).`);
  await access.settleRemovals(ctx.c, [...new Set(applied.approvals)], plan.waiting.length > 0, olds.waitForApproval, `taking the users off wallet ${olds.walletId}`, `wallet ${olds.walletId}`);
}

// ---- the resource ----

const summary = z.object({ user: z.string(), userId: z.string(), permissions: z.array(z.string()), status: z.string() });

const resource = defineResource<WView>()({
  type: "bitgo:WalletAccess",
  doc: "A wallet's complete user list with permissions (authoritative), shares followed through acceptance: undeclared users are drift, taken away on up or reported.",
  vendor: bitgo,
  inputs: {
    ...walletInputs,
    users: field(access.keyedList(walletUserSchema, "user", { max: 1000, hint: 'a list such as [{ user: "auditor@acme.example", permissions: ["view"] }]', extraOutputKeys: ["email", "shareId"] }), {
      doc:
        "Every user of the wallet: user (an email or a 32-hex BitGo user id) and permissions (view | spend | admin | trade). " +
        "In the outputs each entry also says userId, email, status (active, invited, pendingApproval, pendingRemoval, rejected, canceled), source, shareId and approvalId.",
    }),
    unmanaged: access.unmanagedField,
    keep: access.keepField(userField(), "users (emails or user ids)"),
    walletPassphrase: field(z.string({ error: "must be text (a secret)" }).min(1).max(1000).optional(), {
      secret: true,
      writeOnly: true,
      doc: "Spend shares: the wallet passphrase; the wallet's user key is re-encrypted for each recipient (or handed to BitGo Express). Secret; never recorded, logged or shown in an error.",
    }),
    skipKeychain: field(bool().default(false), { doc: "Spend shares: share without a key (the recipients get one later)." }),
    message: field(z.string({ error: "must be text" }).max(1000, { message: "must be at most 1000 characters" }).default(""), { doc: "Shown to each recipient with the invitation." }),
    onDelete: access.onDeleteField,
    waitForApproval: access.waitForApprovalField,
  },
  outputs: {
    unmanagedUsers: field(z.array(summary), { doc: "Live users (and waiting shares) the list does not declare and keep does not name." }),
    leftAlone: field(z.array(summary.extend({ reason: z.string() })), { doc: "Live users never touched: the operator, and those in keep." }),
    walletLabel: field(z.string(), { doc: "The wallet's label." }),
    enterpriseId: field(z.string(), { doc: "The wallet's enterprise." }),
    ...access.accessOutputs,
  },
  id,
  adopt: "own",

  rules(i) {
    const failures: CheckFailure[] = [];
    const spend = i.users.filter((u) => u.permissions.includes("spend"));
    if (spend.length && !i.walletPassphrase && !i.skipKeychain) {
      failures.push({
        property: "walletPassphrase",
        reason: `walletPassphrase: ${spend.map((u) => u.user).join(", ")} get spend, and a spend share carries the wallet key: set walletPassphrase (a secret; the key is re-encrypted for each recipient), or skipKeychain: true (they get spend without a key and are sent one later)`,
      });
    }
    if (i.walletPassphrase && i.skipKeychain) failures.push({ property: "skipKeychain", reason: "skipKeychain: give only one of walletPassphrase and skipKeychain" });
    for (const u of i.users) if (i.keep.includes(u.user.toLowerCase())) failures.push({ property: "keep", reason: `keep: ${u.user} is also in users; keep is for users the stack never touches: remove it from one of the two` });
    return failures;
  },

  idOf: (cur, i) => shownId(cur ?? (i as { coin: string; walletId: string })),

  async find(ctx, ref, since) {
    if (!ref.id && !ref.olds) return undefined; // an access list is never "already there": create applies it
    const key = ref.inputs?.walletId ? ref.inputs : ref.olds?.walletId ? ref.olds : id.parse(ref.id!);
    const recorded = (ref.olds?.users ?? []) as WalletUser[];
    return readView(ctx.c, key.coin!, key.walletId!, { since, declared: declaredOf((ref.inputs?.users ?? recorded) as WalletUser[]), recorded });
  },

  flatten: (v, declared) => outputsOf(v, declared as any),

  async create(ctx, i) {
    return done(await apply(ctx, i as Inputs, undefined, []));
  },

  async update(ctx, olds, news, _changed, cur) {
    return done(await apply(ctx, news as Inputs, cur, (olds.users ?? []) as WalletUser[]));
  },

  async remove(ctx, olds, cur) {
    try {
      await removeDeclared(ctx, olds as unknown as Inputs, cur);
    } finally {
      access.forgetReads(ctx.c, readKeys(olds));
    }
    return done();
  },
});

export const walletAccess = access.withPlanInPreview(resource, {
  list: "users",
  key: (e) => e.user,
  value: (e) => (e.permissions ?? []).join(", "),
});
