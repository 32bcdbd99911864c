// BitGo's endpoints as orgstack calls them (paths and shapes from ../shared/vendor-docs), each saying
// what a resend would do (transport.ts: CallKind) and owning its cache key: reads are shared by every
// resource of a run, and a write keeps the cache true by forgetting what it changed.
import type { BitGoClient } from "./client";

// ---- shapes (the fields orgstack reads) ----

export interface Enterprise {
  id: string;
  name: string;
  type?: string;
  organizationId?: string;
  freeze?: unknown;
  accountType?: string;
  /** How many admins must approve a user change (the requester counts as one). */
  approvalsRequired?: number;
  videoIdUsers?: { userId?: string; state?: string }[];
  [k: string]: unknown;
}
export interface Member {
  id: string;
  username: string;
  isAdmin: boolean;
}
export interface User {
  id: string;
  username: string;
  email?: { email?: string };
  enterprises?: { id: string; permissions?: string[] }[];
  organizations?: { id?: string; role?: string }[];
  [k: string]: unknown;
}
export interface Approval {
  id: string;
  state: string;
  creator?: string;
  enterprise?: string;
  organization?: string;
  wallet?: string;
  info?: {
    type?: string;
    updateEnterpriseRequest?: { action?: string; email?: string; permissions?: string | string[]; userId?: string };
    userChangeRequest?: { action?: string; userChanged?: string; permissions?: string | string[] };
  };
}
export interface OrgUser {
  id: string;
  username: string;
  role: string;
  /** The user's enterprises with permissions, as the organization's list shows them. */
  enterprises: { id: string; permissions: string[] }[];
}
export interface ChildEnterpriseSummary {
  id: string;
  name: string;
  accountType: string;
  frozen: boolean;
}
export interface Wallet {
  id: string;
  label?: string;
  enterprise?: string;
  keys?: string[];
  users?: { user: string; permissions: string[] }[];
  featureFlags?: string[];
  walletFlags?: { name: string; value?: string }[];
}
export interface Share {
  id: string;
  coin?: string;
  wallet: string;
  walletLabel?: string;
  fromUser?: string;
  toUser: string;
  permissions?: string;
  permission?: string;
  message?: string;
  state: string;
  pendingApprovalId?: string;
}

/** Approval states after which nothing more will happen. */
export const APPROVED_STATES = ["approved", "processing"];
export const REJECTED_STATES = ["rejected", "canceled", "cancelled", "failed"];
export const isOpenApproval = (state: string) => !APPROVED_STATES.includes(state) && !REJECTED_STATES.includes(state);

/** The approval id in a 202 answer: the approval itself, or `{ pendingApprovals: [...] }`. */
export function approvalIdOf(data: any): string {
  return String(data?.id ?? data?.pendingApprovals?.[0]?.id ?? data?.pendingApproval?.id ?? "");
}

/** Every page of a list BitGo pages with `prevId` / `nextBatchPrevId`. */
async function allPages<T>(c: BitGoClient, template: string, params: Record<string, string>, query: Record<string, any>, items: (data: any) => T[]): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let prevId: string | undefined;
  for (let page = 0; page < 10_000; page++) {
    const { data } = await c.call("GET", template, params, { kind: "read", query: { ...query, prevId } });
    out.push(...items(data));
    const next = data?.nextBatchPrevId;
    if (typeof next !== "string" || next === "" || seen.has(next)) break;
    seen.add(next);
    prevId = next;
  }
  return out;
}

/**
 * A cached read. `since`: only a read that started at or after that moment will do (a guard looking
 * for a lost write's effect, an approval being polled); concurrent callers share it.
 */
const read = (c: BitGoClient, key: string, since: number | undefined, load: () => Promise<any>) =>
  c.cache.get(key, load, { notBefore: since });

// ---- enterprises and their users ----

export function enterprise(c: BitGoClient, enterpriseId: string, since?: number): Promise<Enterprise> {
  return read(c, `enterprise:${enterpriseId}`, since, async () => (await c.call("GET", "/api/v2/enterprise/{id}", { id: enterpriseId })).data);
}

/** Members of an enterprise, admins flagged: GET /api/v1/enterprise/{id}/user. */
export function members(c: BitGoClient, enterpriseId: string, since?: number): Promise<Member[]> {
  return read(c, `members:${enterpriseId}`, since, async () => {
    const { data } = await c.call("GET", "/api/v1/enterprise/{id}/user", { id: enterpriseId }, { kind: "read", query: { allowInactiveUsers: true } });
    const map = (list: any[] | undefined, isAdmin: boolean): Member[] =>
      (list ?? []).map((u) => ({ id: String(u.id), username: String(u.username ?? u.email?.email ?? "").toLowerCase(), isAdmin }));
    return [...map(data?.adminUsers, true), ...map(data?.nonAdminUsers, false)];
  });
}

/**
 * Runs a write and keeps the read cache true. `stale` keys are forgotten whatever happens; `unsure`
 * keys are forgotten unless the vendor answered a plain success (200), after which `known` applies
 * the write's known effect to the cached lists. Reads that must see the vendor now (a guard looking for
 * a lost write, an approval just decided) ask for a fresh read anyway; the rest of a run keeps its lists.
 */
async function writing<T extends { status: number; data: any }>(
  c: BitGoClient,
  run: () => Promise<T>,
  keys: { stale?: string[]; unsure?: string[]; known?(res: T): void },
): Promise<T> {
  let res: T | undefined;
  // While the write is on its way, a fresh read of what it changes waits for it (cache.ts).
  const ended = c.cache.writing([...(keys.stale ?? []), ...(keys.unsure ?? [])]);
  try {
    res = await run();
    return res;
  } finally {
    try {
      for (const k of keys.stale ?? []) c.cache.forget(k);
      // A 200 can still carry an approval (a wallet user's removal does): that is no plain success.
      const plain = res?.status === 200 && !res.data?.pendingApproval && !res.data?.pendingApprovals?.length;
      if (plain) keys.known?.(res!);
      else for (const k of keys.unsure ?? []) c.cache.forget(k);
    } finally {
      ended();
    }
  }
}

/** POST /api/v2/enterprise/{id}/user: one or several users (`usernames`) with one permission set. */
export function addEnterpriseUsers(c: BitGoClient, enterpriseId: string, usernames: string[], permissions: string[], videoApprover: boolean) {
  const body: Record<string, unknown> = { permission: permissions.length === 1 ? permissions[0] : permissions, videoIdUser: videoApprover };
  if (usernames.length === 1) body.username = usernames[0];
  else body.usernames = usernames;
  return writing(c, () => c.call("POST", "/api/v2/enterprise/{id}/user", { id: enterpriseId }, { kind: "guarded", body }), {
    // After a plain success the batch reads the member list (and, for a video approver, the
    // enterprise) again at once; meanwhile the lists other resources look themselves up in stay.
    unsure: [`members:${enterpriseId}`, `approvals:enterprise:${enterpriseId}`, ...(videoApprover ? [`enterprise:${enterpriseId}`] : [])],
  });
}

export function setEnterpriseRole(c: BitGoClient, enterpriseId: string, userId: string, role: string) {
  return writing(c, () => c.call("PUT", "/api/v2/enterprise/{id}/user", { id: enterpriseId }, { kind: "guarded", query: { userId, role } }), {
    stale: [`user:${userId}`],
    unsure: [`approvals:enterprise:${enterpriseId}`],
    known: () => c.cache.update<Member[]>(`members:${enterpriseId}`, (l) => l.map((m) => (m.id === userId ? { ...m, isAdmin: role === "admin" } : m))),
  });
}

/** DELETE /api/v2/enterprise/{id}/user { username }; 404 (already gone) comes back as a status. */
export function removeEnterpriseUser(c: BitGoClient, enterpriseId: string, username: string) {
  return writing(c, () => c.call("DELETE", "/api/v2/enterprise/{id}/user", { id: enterpriseId }, { kind: "guarded", body: { username }, accept: [404] }), {
    unsure: [`members:${enterpriseId}`, `approvals:enterprise:${enterpriseId}`],
    known: () => c.cache.update<Member[]>(`members:${enterpriseId}`, (l) => l.filter((m) => m.username !== username.toLowerCase())),
  });
}

/** GET /api/v2/user/{id}: BitGo allows 60 of these per 600 s, so it is cached and counted apart. */
export function user(c: BitGoClient, userId: string, since?: number): Promise<User> {
  return read(c, `user:${userId}`, since, async () => (await c.call("GET", "/api/v2/user/{id}", { id: userId }, { kind: "read", buckets: ["all", "userRead"] })).data.user);
}

// ---- pending approvals ----

/** One approval, read fresh; undefined when it is gone. */
export async function approval(c: BitGoClient, approvalId: string): Promise<Approval | undefined> {
  const res = await c.call("GET", "/api/v2/pendingapprovals/{id}", { id: approvalId }, { kind: "read", accept: [404] });
  return res.status === 404 ? undefined : res.data;
}

export type ApprovalScope = { enterpriseId: string } | { organizationId: string } | { walletId: string };

/** The open approvals of an enterprise, organization or wallet (one list serves every resource of a run). */
export function openApprovals(c: BitGoClient, scope: ApprovalScope, since?: number): Promise<Approval[]> {
  const [kind, id] = Object.entries(scope)[0];
  return read(c, `approvals:${kind.replace("Id", "")}:${id}`, since, async () => {
    const list = await allPages<Approval>(c, "/api/v2/pendingapprovals", {}, { [kind]: id, limit: 500 }, (d) => d?.pendingApprovals ?? []);
    return list.filter((a) => isOpenApproval(a.state));
  });
}

/** Approves or rejects (a rejected or approved approval stays so: setting it again changes nothing). */
export function setApprovalState(c: BitGoClient, approvalId: string, state: "approved" | "rejected") {
  return c.call("PUT", "/api/v2/pendingapprovals/{id}", { id: approvalId }, { kind: "idempotent", body: { state }, accept: [400, 404] });
}

// ---- organizations ----

export interface Organization {
  id: string;
  name: string;
  businessModel: string;
  enterpriseIds: string[];
}

export function organization(c: BitGoClient, organizationId: string): Promise<Organization> {
  return c.cache.get(`organization:${organizationId}`, async () => {
    const { data } = await c.call("GET", "/api/v2/organization/{id}", { id: organizationId });
    const o = data?.organization ?? {};
    return {
      id: String(o.id ?? organizationId),
      name: String(o.name ?? ""),
      businessModel: o.businessModel == null ? "" : String(o.businessModel),
      enterpriseIds: Array.isArray(o.enterprises) ? o.enterprises.map(String) : [],
    };
  });
}

/** The organization's users with their roles (GET /api/org/users, every page). */
export function orgUsers(c: BitGoClient, organizationId: string, since?: number): Promise<OrgUser[]> {
  return read(c, `orgusers:${organizationId}`, since, () =>
    allPages<OrgUser>(c, "/api/org/users", {}, { organizationId, limit: 500 }, (d) =>
      (d?.users ?? []).flatMap((u: any) => {
        const role = (u.organizations ?? []).find((o: any) => o.id === organizationId)?.role;
        const enterprises = (u.enterprises ?? []).map((e: any) => ({ id: String(e.id), permissions: (e.permissions ?? []).map(String) }));
        return role ? [{ id: String(u.id), username: String(u.username ?? u.email?.email ?? "").toLowerCase(), role: String(role), enterprises }] : [];
      }),
    ),
  );
}

const orgKeys = (organizationId: string) => [`orgusers:${organizationId}`, `approvals:organization:${organizationId}`];

export function addOrgUser(c: BitGoClient, organizationId: string, username: string, role: string) {
  return writing(c, () => c.call("POST", "/api/v2/organization/{id}/user", { id: organizationId }, { kind: "guarded", body: { username, role } }), { unsure: orgKeys(organizationId) });
}

export function setOrgRole(c: BitGoClient, organizationId: string, userId: string, role: string) {
  return writing(c, () => c.call("PUT", "/api/v2/organization/{id}/user", { id: organizationId }, { kind: "guarded", query: { userId, role } }), {
    unsure: orgKeys(organizationId),
    known: () => c.cache.update<OrgUser[]>(`orgusers:${organizationId}`, (l) => l.map((u) => (u.id === userId ? { ...u, role } : u))),
  });
}

export function removeOrgUser(c: BitGoClient, organizationId: string, userId: string) {
  return writing(c, () => c.call("DELETE", "/api/v2/organization/{id}/user", { id: organizationId }, { kind: "guarded", query: { userId }, accept: [404] }), {
    unsure: orgKeys(organizationId),
    known: () => c.cache.update<OrgUser[]>(`orgusers:${organizationId}`, (l) => l.filter((u) => u.id !== userId)),
  });
}

/** Child enterprises (every page); `idempotencyKey` narrows to the one created with it. */
export function childEnterprises(c: BitGoClient, organizationId: string, opts: { idempotencyKey?: string; pageSize?: number; since?: number } = {}): Promise<ChildEnterpriseSummary[]> {
  const load = () =>
    allPages<ChildEnterpriseSummary>(c, "/api/v2/organization/{id}/enterprise", { id: organizationId }, { limit: opts.pageSize ?? 500, idempotencyKey: opts.idempotencyKey }, (d) =>
      (d?.enterprises ?? []).map((e: any) => ({ id: String(e.id), name: String(e.name ?? ""), accountType: String(e.accountType ?? ""), frozen: !!e.freeze })),
    );
  // A lookup by key must see the vendor now; the full list is shared by a run.
  if (opts.idempotencyKey || opts.pageSize) return load();
  return read(c, `children:${organizationId}`, opts.since, load);
}

/** POST .../enterprise with BitGo's idempotency key: a resend finds the same enterprise. */
export function createChildEnterprise(c: BitGoClient, organizationId: string, body: Record<string, unknown>) {
  return writing(c, () => c.call("POST", "/api/v2/organization/{id}/enterprise", { id: organizationId }, { kind: "keyed", body }), {
    stale: [`children:${organizationId}`],
    unsure: orgKeys(organizationId), // the end user may be new to the organization
  });
}

export function addChildEnterpriseAdmin(c: BitGoClient, organizationId: string, enterpriseId: string, email: string) {
  return writing(c, () => c.call("POST", "/api/v2/organization/{org}/enterprise/{ent}/user", { org: organizationId, ent: enterpriseId }, { kind: "guarded", body: { email, permissions: ["admin"] } }), {
    stale: [`members:${enterpriseId}`, `orgusers:${organizationId}`], // the organization's list shows each user's enterprises
  });
}

/** Freezing twice leaves it frozen: safe to resend. */
export function freezeEnterprise(c: BitGoClient, enterpriseId: string, seconds: number) {
  return writing(c, () => c.call("POST", "/api/v2/enterprise/{id}/freeze", { id: enterpriseId }, { kind: "idempotent", body: { duration: String(seconds) }, accept: [404] }), {
    stale: [`enterprise:${enterpriseId}`, "children:"], // every organization's list of children shows the freeze
  });
}

// ---- wallets and shares ----

export function wallet(c: BitGoClient, coin: string, walletId: string, since?: number): Promise<Wallet> {
  return read(c, `wallet:${coin}:${walletId}`, since, async () => (await c.call("GET", "/api/v2/{coin}/wallet/{id}", { coin, id: walletId })).data);
}

/** Every share the token can see, incoming and outgoing (one list serves every share of a run). */
export function shares(c: BitGoClient, since?: number): Promise<Share[]> {
  return read(c, "walletshares", since, async () => {
    const { data } = await c.call("GET", "/api/v2/walletshares", {});
    return [...(data?.outgoing ?? []), ...(data?.incoming ?? [])];
  });
}

export async function share(c: BitGoClient, coin: string, shareId: string): Promise<Share | undefined> {
  const res = await c.call("GET", "/api/v2/{coin}/walletshare/{id}", { coin, id: shareId }, { kind: "read", query: { skipUnlock: true }, accept: [404] });
  return res.status === 404 ? undefined : res.data;
}

const shareKeys = (walletId: string) => ["walletshares", `approvals:wallet:${walletId}`];

/** POST .../share: a second share is a second invitation; never resent here (the kit looks first). */
export function createShare(c: BitGoClient, coin: string, walletId: string, body: Record<string, unknown>) {
  return writing(c, () => c.call("POST", "/api/v2/{coin}/wallet/{id}/share", { coin, id: walletId }, { kind: "guarded", body }), {
    unsure: shareKeys(walletId),
    known: (res) => c.cache.update<Share[]>("walletshares", (l) => [...l.filter((x) => x.id !== res.data?.id), res.data as Share]),
  });
}

/** Cancels a share not yet accepted; cancelling again finds nothing to cancel, so a resend is harmless. */
export function cancelShare(c: BitGoClient, coin: string, walletId: string, shareId: string) {
  return writing(c, () => c.call("DELETE", "/api/v2/{coin}/walletshare/{id}", { coin, id: shareId }, { kind: "idempotent", accept: [400, 404] }), {
    unsure: shareKeys(walletId),
    known: () => c.cache.update<Share[]>("walletshares", (l) => l.map((x) => (x.id === shareId ? { ...x, state: "canceled" } : x))),
  });
}

/** Resends the invitation e-mail: a resend would be a second e-mail, and nobody can look for the first. */
export function resendShareEmail(c: BitGoClient, coin: string, shareId: string) {
  return c.call("POST", "/api/v2/{coin}/walletshare/{id}/resendemail", { coin, id: shareId }, { kind: "once" });
}

/** Takes a user off a wallet (after acceptance); may wait for another wallet admin's approval. */
export function removeWalletUser(c: BitGoClient, coin: string, walletId: string, userId: string) {
  return writing(c, () => c.call("DELETE", "/api/v2/{coin}/wallet/{id}/user/{user}", { coin, id: walletId, user: userId }, { kind: "guarded", accept: [404] }), {
    stale: [`wallet:${coin}:${walletId}`],
    unsure: shareKeys(walletId),
  });
}

/** A recipient's sharing key (a read, by POST); BitGo allows 5 per 300 s, so once per email per run. */
export function sharingKey(c: BitGoClient, email: string): Promise<{ userId: string; pubkey: string; path: string }> {
  return c.cache.get(`sharingkey:${email}`, async () => (await c.call("POST", "/api/v2/user/sharingkey", {}, { kind: "read", buckets: ["all", "sharingKey"], body: { email } })).data);
}

/** A wallet key (GET /api/v2/{coin}/key/{id}: not in the spec subset; BitGo's SDK uses it). */
export function walletKey(c: BitGoClient, coin: string, keyId: string): Promise<{ pub?: string; encryptedPrv?: string }> {
  return c.cache.get(`key:${coin}:${keyId}`, async () => (await c.call("GET", "/api/v2/{coin}/key/{id}", { coin, id: keyId })).data);
}
