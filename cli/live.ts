// The vendors as they are now, for everything a stack declares: each enterprise's members with their
// permissions, video approvers and open approvals; each wallet's users, waiting shares and approvals;
// each organization's users; each FinHub organization's people. Read through the provider's clients
// (the stack's settings, one login, the vendors' rate limits), reads only, with the fewest calls:
// lists shared between units, a user's own record only within a budget (BitGo allows 60 per 600 s).
//
// A read that fails is recorded on its unit (the review reports it as a finding: an incomplete review
// is never clean); the run goes on with the rest.
import * as bitgoApi from "../provider/bitgo/api";
import { BitGoClient, bitgoClient, bitgoSettings } from "../provider/bitgo/client";
import { bitgo as bitgoVendor } from "../provider/bitgo/vendor";
import * as finhubApi from "../provider/finhub/api";
import { FinHubClient, finhubClient, finhubSettings } from "../provider/finhub/client";
import { finhub as finhubVendor } from "../provider/finhub/vendor";
import { withConfig } from "../provider/config";
import { redact } from "../provider/kit/secrets";
import type { ConfigSource } from "../provider/types";
import { UsageError } from "./args";
import { DatedApproval, EnterpriseMember, enterpriseMembers } from "./bitgoReads";
import type { Declared } from "./declared";

export interface LiveApproval {
  id: string;
  state: string;
  /** What it asks for, in words ("add ops@acme.example as admin"). */
  what: string;
  createdAt?: string;
}

export interface LiveMember {
  userId: string;
  username?: string;
  isAdmin: boolean;
  /** Exact permissions when read (the organization's user list or the user's record). */
  permissions?: string[];
  active?: boolean;
}

export interface LiveEnterprise {
  id: string;
  name?: string;
  organizationId?: string;
  approvalsRequired?: number;
  /** Whether the member list was read (the enterprise's own, or its organization's). */
  membersRead: boolean;
  members: LiveMember[];
  /** BitGo's videoIdUsers: who is (or is becoming) a video approver, and the state of their video ID. */
  videoApprovers: { userId: string; state: string }[];
  approvals: LiveApproval[];
  errors: string[];
}

export interface LiveWallet {
  id: string;
  coin: string;
  label?: string;
  enterpriseId?: string;
  users: { userId: string; username?: string; permissions: string[] }[];
  /** Shares of the wallet that are not (yet) access: waiting for approval or the recipient, or refused. */
  shares: { shareId: string; userId: string; username?: string; permissions: string[]; state: string }[];
  approvals: LiveApproval[];
  errors: string[];
}

export interface LiveOrganization {
  id: string;
  name?: string;
  users: { userId: string; username: string; role: string }[];
  approvals: LiveApproval[];
  errors: string[];
}

export interface LiveFinhubPerson {
  email: string;
  name: string;
  role?: string;
  department?: string;
  status?: string;
  percentage?: number;
}

export interface LiveFinhub {
  id: string;
  status?: string;
  directors: LiveFinhubPerson[];
  shareholders: LiveFinhubPerson[];
  employees: LiveFinhubPerson[];
  errors: string[];
}

export interface Live {
  /** The user the stack (and so the review) acts as. */
  operator?: { userId: string; username: string };
  enterprises: Map<string, LiveEnterprise>;
  wallets: Map<string, LiveWallet>;
  organizations: Map<string, LiveOrganization>;
  finhub: Map<string, LiveFinhub>;
  errors: string[];
}

export interface LiveOptions {
  /** How many users' own records may be read to learn exact permissions (BitGo allows 60 per 600 s). */
  userReads: number;
}

const HEX32 = /^[0-9a-f]{32}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COIN = /^[a-z0-9][a-z0-9:_-]{0,39}$/;

/** A failed read in words, scrubbed of secrets. */
export function failure(what: string, e: unknown): string {
  return redact(`${what}: ${e instanceof Error ? e.message : String(e)}`);
}

/** The vendors' settings are checked before any call: missing credentials are a usage error. */
function checkSettings(config: ConfigSource, needs: { bitgo: boolean; finhub: boolean }): void {
  const failures = withConfig(config, () => [...(needs.bitgo ? bitgoVendor.settingsFailures!() : []), ...(needs.finhub ? finhubVendor.settingsFailures!() : [])]);
  if (failures.length) throw new UsageError(failures.map((f) => f.reason).join("\n"));
}

export async function readLive(declared: Declared, config: ConfigSource, opts: LiveOptions): Promise<Live> {
  const needs = { bitgo: declared.enterprises.size + declared.wallets.size + declared.organizations.size > 0, finhub: declared.finhub.size > 0 };
  checkSettings(config, needs);
  const live: Live = { enterprises: new Map(), wallets: new Map(), organizations: new Map(), finhub: new Map(), errors: [] };
  await Promise.all([needs.bitgo ? readBitGo(declared, bitgoClient(bitgoSettings(config)), live, opts) : undefined, needs.finhub ? readFinHub(declared, finhubClient(finhubSettings(config)), live) : undefined]);
  return live;
}

// ---- BitGo ----

async function readBitGo(declared: Declared, c: BitGoClient, live: Live, opts: LiveOptions): Promise<void> {
  try {
    live.operator = await bitgoApi.user(c, "me").then((u) => ({ userId: u.id, username: String(u.username ?? "").toLowerCase() }));
  } catch (e) {
    live.errors.push(failure("reading the user the stack acts as (GET /api/v2/user/me)", e));
  }
  await Promise.all([...declared.organizations.keys()].map(async (id) => live.organizations.set(id, await readOrganization(c, id))));
  await Promise.all([...declared.enterprises.keys()].map(async (id) => live.enterprises.set(id, await readEnterprise(c, id))));
  await Promise.all([...declared.wallets.values()].map(async (w) => live.wallets.set(w.id, await readWallet(c, w.coin, w.id))));
  const directory = await userDirectory(c, declared, live);
  const readUser = budgetedUserRead(c, { left: opts.userReads });
  await exactPermissions(c, live, directory, readUser);
  await nameUsers(live, directory, readUser);
}

async function readOrganization(c: BitGoClient, id: string): Promise<LiveOrganization> {
  const o: LiveOrganization = { id, users: [], approvals: [], errors: [] };
  if (!HEX32.test(id)) return { ...o, errors: [`organization id "${id}" is not 32 hex characters: not read`] };
  await Promise.all([
    bitgoApi.organization(c, id).then((x) => (o.name = x.name || undefined), (e) => o.errors.push(failure("reading the organization", e))),
    bitgoApi.orgUsers(c, id).then((list) => (o.users = list.map((u) => ({ userId: u.id, username: u.username, role: u.role })))).catch((e) => o.errors.push(failure("listing the organization's users", e))),
    bitgoApi.openApprovals(c, { organizationId: id }).then((a) => (o.approvals = a.map(describeApproval)), (e) => o.errors.push(failure("listing the organization's pending approvals", e))),
  ]);
  return o;
}

async function readEnterprise(c: BitGoClient, id: string): Promise<LiveEnterprise> {
  const e: LiveEnterprise = { id, membersRead: false, members: [], videoApprovers: [], approvals: [], errors: [] };
  if (!HEX32.test(id)) return { ...e, errors: [`enterprise id "${id}" is not 32 hex characters: not read`] };
  await Promise.all([
    bitgoApi.enterprise(c, id).then(
      (x) => {
        e.name = typeof x.name === "string" ? x.name : undefined;
        e.organizationId = typeof x.organizationId === "string" ? x.organizationId : undefined;
        e.approvalsRequired = typeof x.approvalsRequired === "number" ? x.approvalsRequired : undefined;
        e.videoApprovers = (x.videoIdUsers ?? []).filter((v) => v.userId).map((v) => ({ userId: String(v.userId), state: String(v.state ?? "") }));
      },
      (err) => e.errors.push(failure("reading the enterprise", err)),
    ),
    enterpriseMembers(c, id).then(
      (list) => {
        e.members = list.map((m: EnterpriseMember) => ({ userId: m.id, username: m.username || undefined, isAdmin: m.isAdmin, active: m.active }));
        e.membersRead = true;
      },
      (err) => e.errors.push(failure("listing the enterprise's users", err)),
    ),
    bitgoApi.openApprovals(c, { enterpriseId: id }).then((a) => (e.approvals = a.map(describeApproval)), (err) => e.errors.push(failure("listing the enterprise's pending approvals", err))),
  ]);
  // A child enterprise's own list may be closed to the operator: its organization's list shows it.
  if (!e.membersRead && e.organizationId) await membersFromOrganization(c, e);
  return e;
}

async function membersFromOrganization(c: BitGoClient, e: LiveEnterprise): Promise<void> {
  try {
    const users = await bitgoApi.orgUsers(c, e.organizationId!);
    e.members = users.flatMap((u) => {
      const m = u.enterprises.find((x) => x.id === e.id);
      return m ? [{ userId: u.id, username: u.username, isAdmin: m.permissions.includes("admin"), permissions: [...m.permissions].sort() }] : [];
    });
    e.membersRead = true;
    e.errors = e.errors.filter((x) => !x.startsWith("listing the enterprise's users"));
  } catch {
    /* the first error stands */
  }
}

async function readWallet(c: BitGoClient, coin: string, id: string): Promise<LiveWallet> {
  const w: LiveWallet = { id, coin, users: [], shares: [], approvals: [], errors: [] };
  if (!HEX32.test(id) || !COIN.test(coin)) return { ...w, errors: [`wallet "${coin}/${id}" is not a coin and a 32-hex wallet id: not read`] };
  await Promise.all([
    bitgoApi.wallet(c, coin, id).then(
      (x) => {
        w.label = x.label;
        w.enterpriseId = x.enterprise;
        w.users = (x.users ?? []).map((u) => ({ userId: String(u.user), permissions: [...(u.permissions ?? [])].map(String).sort() }));
      },
      (err) => w.errors.push(failure("reading the wallet", err)),
    ),
    bitgoApi.shares(c).then(
      (list) =>
        (w.shares = list
          .filter((s) => s.wallet === id && s.state !== "accepted")
          .map((s) => ({ shareId: s.id, userId: String(s.toUser), permissions: String(s.permissions ?? s.permission ?? "").split(",").filter(Boolean).sort(), state: s.state }))),
      (err) => w.errors.push(failure("listing wallet shares", err)),
    ),
    bitgoApi.openApprovals(c, { walletId: id }).then((a) => (w.approvals = a.map(describeApproval)), (err) => w.errors.push(failure("listing the wallet's pending approvals", err))),
  ]);
  return w;
}

function describeApproval(a: DatedApproval): LiveApproval {
  const ent = a.info?.updateEnterpriseRequest;
  const user = a.info?.userChangeRequest;
  const perms = (p: unknown) => (Array.isArray(p) ? p.join(",") : typeof p === "string" ? p : "");
  let what = a.info?.type ?? "approval";
  if (ent) what = `${ent.action ?? "change"} ${ent.email ?? ent.userId ?? "a user"}${perms(ent.permissions) ? ` as ${perms(ent.permissions)}` : ""}`;
  else if (user) what = `${user.action ?? "change"} user ${user.userChanged ?? ""}${perms(user.permissions) ? ` (${perms(user.permissions)})` : ""}`.trim();
  return { id: a.id, state: a.state, what, createdAt: typeof a.createDate === "string" ? a.createDate : undefined };
}

/** user id → email from every list already read, the state's declarations and the wallets' enterprises. */
async function userDirectory(c: BitGoClient, declared: Declared, live: Live): Promise<Map<string, string>> {
  const dir = new Map<string, string>();
  const note = (id?: string, name?: string) => id && name && !HEX32.test(name) && !dir.has(id) && dir.set(id, name);
  if (live.operator) note(live.operator.userId, live.operator.username);
  for (const o of live.organizations.values()) for (const u of o.users) note(u.userId, u.username);
  for (const e of live.enterprises.values()) for (const m of e.members) note(m.userId, m.username);
  for (const e of declared.enterprises.values()) for (const m of e.members) note(m.userId, m.username);
  for (const w of declared.wallets.values()) for (const u of w.users) note(u.userId, u.username);
  for (const o of declared.organizations.values()) for (const u of o.users) note(u.userId, u.username);
  // A wallet's users are mostly members of its enterprise: one list names them all.
  const unknown = (w: LiveWallet) => [...w.users, ...w.shares].some((u) => !dir.has(u.userId));
  const enterprises = new Set([...live.wallets.values()].filter(unknown).map((w) => w.enterpriseId).filter((id): id is string => !!id && HEX32.test(id)));
  await Promise.all([...enterprises].map((id) => enterpriseMembers(c, id).then((list) => list.forEach((m) => note(m.id, m.username)), () => undefined)));
  return dir;
}

type UserRead = (userId: string) => Promise<bitgoApi.User | undefined>;

/** A user's own record, while the budget lasts (shared by every caller); undefined when not read. */
function budgetedUserRead(c: BitGoClient, budget: { left: number }): UserRead {
  return async (userId) => {
    if (budget.left <= 0 || !HEX32.test(userId)) return undefined;
    budget.left--;
    return bitgoApi.user(c, userId).catch(() => undefined);
  };
}

/**
 * Exact permissions: the member list says only who is an admin. The organization's user list (one
 * paged read per organization) gives everyone's permissions; a member it does not show is read alone,
 * within the budget.
 */
async function exactPermissions(c: BitGoClient, live: Live, dir: Map<string, string>, readUser: UserRead): Promise<void> {
  for (const e of live.enterprises.values()) {
    if (!e.organizationId || !HEX32.test(e.organizationId)) continue;
    const users = await bitgoApi.orgUsers(c, e.organizationId).catch(() => [] as bitgoApi.OrgUser[]);
    for (const m of e.members) {
      const listed = users.find((u) => u.id === m.userId)?.enterprises.find((x) => x.id === e.id);
      if (listed) m.permissions = [...listed.permissions].sort();
    }
  }
  const missing = [...live.enterprises.values()].flatMap((e) => e.members.filter((m) => !m.permissions).map((m) => ({ e, m })));
  await Promise.all(
    missing.map(async ({ e, m }) => {
      const u = await readUser(m.userId);
      const membership = u?.enterprises?.find((x) => x.id === e.id);
      if (membership?.permissions) m.permissions = [...membership.permissions].map(String).sort();
      if (u?.username) dir.set(m.userId, String(u.username).toLowerCase());
    }),
  );
}

/** Emails for wallet users and share recipients (the wallet answer has ids only), and for members. */
async function nameUsers(live: Live, dir: Map<string, string>, readUser: UserRead): Promise<void> {
  const unnamed = new Set([...live.wallets.values()].flatMap((w) => [...w.users, ...w.shares].map((u) => u.userId)).filter((id) => !dir.has(id)));
  await Promise.all(
    [...unnamed].map(async (id) => {
      const u = await readUser(id);
      if (u?.username) dir.set(id, String(u.username).toLowerCase());
    }),
  );
  for (const w of live.wallets.values()) for (const u of [...w.users, ...w.shares]) u.username = dir.get(u.userId);
  for (const e of live.enterprises.values()) for (const m of e.members) m.username ??= dir.get(m.userId);
}

// ---- FinHub ----

async function readFinHub(declared: Declared, c: FinHubClient, live: Live): Promise<void> {
  await Promise.all([...declared.finhub.keys()].map(async (id) => live.finhub.set(id, await readFinhubOrganization(c, id))));
}

async function readFinhubOrganization(c: FinHubClient, id: string): Promise<LiveFinhub> {
  const o: LiveFinhub = { id, directors: [], shareholders: [], employees: [], errors: [] };
  if (!UUID.test(id)) return { ...o, errors: [`FinHub organization id "${id}" is not a UUID: not read`] };
  const person = (p: finhubApi.Listed): LiveFinhubPerson => ({
    email: p.email,
    name: [p.firstName, p.lastName].filter(Boolean).join(" ") || p.email,
    role: p.role,
    department: p.department,
    status: p.status,
    percentage: p.percentage,
  });
  await Promise.all([
    finhubApi.organization(c, id).then((x) => (x ? (o.status = x.status) : o.errors.push("FinHub has no such organization (404)")), (e) => o.errors.push(failure("reading the organization", e))),
    finhubApi.directors(c, id).then((l) => (o.directors = l.map(person)), (e) => o.errors.push(failure("listing directors", e))),
    finhubApi.shareholders(c, id).then((l) => (o.shareholders = l.map(person)), (e) => o.errors.push(failure("listing shareholders", e))),
    finhubApi.employees(c, id).then((l) => (o.employees = l.map(person)), (e) => o.errors.push(failure("listing employees", e))),
  ]);
  return o;
}
