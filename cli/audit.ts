// The access review: what the stack declares set against what the vendors hold, per enterprise, wallet
// and organization, and the findings a custody auditor flags. Pure: it reads nothing, so every rule is
// tested on its own (tests/cli/audit.test.ts).
import type { Declared, DeclaredEnterprise, DeclaredFinhubOrganization, DeclaredOrganization, DeclaredPerson, DeclaredWallet } from "./declared";
import { BENEFICIAL_OWNER_PERCENT } from "./declared";
import type { Live, LiveApproval, LiveEnterprise, LiveFinhub, LiveFinhubPerson, LiveOrganization, LiveWallet } from "./live";

export const RULES = {
  "no-admin": "an enterprise with no active admin",
  "single-admin": "an enterprise with a single active admin (no one to approve or recover)",
  "no-video-approver": "no admin of the enterprise is an approved video approver (BitGo's video ID, needed for large withdrawals)",
  "undeclared-admin": "an admin permission or role held by someone the stack does not declare as admin",
  "undeclared-spend": "spend on a wallet held (or about to be, by a waiting share) by someone the stack does not declare with spend",
  "undeclared-approver": "a FinHub TRANSACTION_APPROVER the stack does not declare",
  "undeclared-beneficial-owner": `a FinHub shareholder at ${BENEFICIAL_OWNER_PERCENT} % or more the stack does not declare`,
  "stale-approval": "a pending approval older than the allowed age",
  unreadable: "part of the vendor could not be read: the review is incomplete",
} as const;
export type Rule = keyof typeof RULES;

export interface Finding {
  rule: Rule;
  /** The enterprise, wallet or organization, in words. */
  where: string;
  who?: string;
  message: string;
}

/** How a person stands against the stack. */
export type Standing = "declared" | "operator" | "kept" | "not declared";

export interface AccessRow {
  /** Email where known, else the user id. */
  user: string;
  userId?: string;
  /** What the vendor shows now ([] when absent). */
  permissions: string[];
  /** What a waiting share or invitation would give. */
  pending?: string[];
  /** False when only the admin flag was read, not the exact permissions. */
  exact: boolean;
  /** What the stack declares for this person, if anything. */
  declared?: string[];
  standing: Standing;
  /** active, invited (not signed up), waiting for the recipient, waiting for approval, rejected, missing, ... */
  status: string;
  videoApprover?: string;
  /** The resources that declare this person. */
  resources: string[];
}

export interface ApprovalRow extends LiveApproval {
  ageDays?: number;
}

export interface UnitReview {
  kind: "enterprise" | "wallet" | "organization" | "finhub";
  id: string;
  title: string;
  /** Short facts shown under the title (approvals required, managed by, status, ...). */
  facts: string[];
  rows: AccessRow[];
  approvals: ApprovalRow[];
  findings: Finding[];
}

export interface Review {
  stack: string;
  generatedAt: string;
  operator?: string;
  units: UnitReview[];
  findings: Finding[];
  ignored: Rule[];
  maxApprovalAgeDays: number;
}

export interface AuditOptions {
  now: Date;
  maxApprovalAgeDays: number;
  ignore: Rule[];
  stack: string;
}

export function audit(declared: Declared, live: Live, opts: AuditOptions): Review {
  const ctx: Ctx = { live, opts };
  const units = [
    ...[...declared.organizations.values()].map((d) => reviewOrganization(ctx, d, live.organizations.get(d.id))),
    ...[...declared.enterprises.values()].map((d) => reviewEnterprise(ctx, d, live.enterprises.get(d.id))),
    ...[...declared.wallets.values()].map((d) => reviewWallet(ctx, d, live.wallets.get(d.id))),
    ...[...declared.finhub.values()].map((d) => reviewFinhub(ctx, d, live.finhub.get(d.id))),
  ];
  const general: Finding[] = live.errors.map((message) => ({ rule: "unreadable", where: "BitGo", message }));
  for (const u of units) u.findings = u.findings.filter((f) => !opts.ignore.includes(f.rule));
  const findings = [...general.filter((f) => !opts.ignore.includes(f.rule)), ...units.flatMap((u) => u.findings)];
  return {
    stack: opts.stack,
    generatedAt: opts.now.toISOString(),
    operator: live.operator?.username,
    units,
    findings,
    ignored: opts.ignore,
    maxApprovalAgeDays: opts.maxApprovalAgeDays,
  };
}

interface Ctx {
  live: Live;
  opts: AuditOptions;
}

// ---- matching people ----

const same = (p: { username?: string; userId?: string }, userId: string, username?: string) =>
  (!!p.userId && p.userId === userId) || (!!p.username && !!username && p.username === username);

function standingOf(ctx: Ctx, declaredHere: unknown[], keep: string[], userId: string, username?: string): Standing {
  if (declaredHere.length) return "declared";
  if (ctx.live.operator && ctx.live.operator.userId === userId) return "operator";
  if (keep.includes(userId) || (username && keep.includes(username))) return "kept";
  return "not declared";
}

const union = (lists: string[][]) => [...new Set(lists.flat())].sort();
const label = (userId: string, username?: string) => username ?? userId;
/** Whether a standing covers a permission: the stack declares it, or the person is the stack's own identity or kept on purpose. */
const covered = (row: AccessRow, permission: string) => row.standing === "operator" || row.standing === "kept" || (row.declared ?? []).includes(permission);

function approvalRows(ctx: Ctx, where: string, approvals: LiveApproval[]): { rows: ApprovalRow[]; findings: Finding[] } {
  const rows = approvals.map((a): ApprovalRow => {
    const t = a.createdAt ? Date.parse(a.createdAt) : NaN;
    return Number.isFinite(t) ? { ...a, ageDays: Math.floor((ctx.opts.now.getTime() - t) / 86_400_000) } : { ...a };
  });
  const findings: Finding[] = rows
    .filter((a) => a.ageDays !== undefined && a.ageDays > ctx.opts.maxApprovalAgeDays)
    .map((a) => ({ rule: "stale-approval", where, message: `approval ${a.id} (${a.what}) has waited ${a.ageDays} days (more than ${ctx.opts.maxApprovalAgeDays})` }));
  return { rows, findings };
}

const unreadable = (where: string, errors: string[]): Finding[] => errors.map((message) => ({ rule: "unreadable", where, message }));

// ---- enterprises ----

function reviewEnterprise(ctx: Ctx, d: DeclaredEnterprise, l: LiveEnterprise | undefined): UnitReview {
  const where = `enterprise ${l?.name ?? d.name ?? ""} (${d.id})`.replace("  ", " ");
  const unit: UnitReview = { kind: "enterprise", id: d.id, title: `${d.child ? "Child enterprise" : "Enterprise"} ${l?.name ?? d.name ?? d.id}`, facts: [], rows: [], approvals: [], findings: [] };
  unit.facts.push(`id ${d.id}`);
  if (l?.organizationId ?? d.organizationId) unit.facts.push(`organization ${l?.organizationId ?? d.organizationId}`);
  if (l?.approvalsRequired !== undefined) unit.facts.push(`${l.approvalsRequired} approval(s) required for user changes`);
  unit.facts.push(managedBy(d.resources, d.authoritative));
  if (!l) return unit;
  const keep = d.authoritative?.keep ?? [];
  for (const m of l.members) {
    const mine = d.members.filter((p) => same(p, m.userId, m.username));
    const video = l.videoApprovers.find((v) => v.userId === m.userId)?.state;
    unit.rows.push({
      user: label(m.userId, m.username),
      userId: m.userId,
      permissions: m.permissions ?? (m.isAdmin ? ["admin"] : []),
      exact: !!m.permissions,
      declared: mine.length ? union(mine.map((p) => p.permissions)) : undefined,
      standing: standingOf(ctx, mine, keep, m.userId, m.username),
      status: m.active === false ? "invited (not signed up)" : "active",
      videoApprover: video,
      resources: mine.map((p) => p.resource),
    });
  }
  unit.rows.push(...missingPeople(d.members, unit.rows, l.approvals));
  const approvals = approvalRows(ctx, where, l.approvals);
  unit.approvals = approvals.rows;
  unit.findings.push(...unreadable(where, l.errors));
  if (l.membersRead) unit.findings.push(...adminFindings(where, unit.rows));
  unit.findings.push(...unit.rows.filter((r) => r.permissions.includes("admin") && !covered(r, "admin")).map((r) => undeclared("undeclared-admin", where, r, "admin")));
  unit.findings.push(...approvals.findings);
  return unit;
}

function adminFindings(where: string, rows: AccessRow[]): Finding[] {
  const admins = rows.filter((r) => r.permissions.includes("admin") && r.status === "active");
  if (admins.length === 0) return [{ rule: "no-admin", where, message: "no active admin: nobody can manage this enterprise's users or approve its changes" }];
  const out: Finding[] = [];
  if (admins.length === 1) out.push({ rule: "single-admin", where, who: admins[0].user, message: `${admins[0].user} is the only active admin` });
  const approved = admins.filter((a) => a.videoApprover === "approved");
  if (approved.length === 0) {
    const waiting = admins.filter((a) => a.videoApprover).map((a) => `${a.user}: ${a.videoApprover}`);
    out.push({
      rule: "no-video-approver",
      where,
      message: waiting.length ? `no admin's video ID is approved yet (${waiting.join("; ")})` : `none of the ${admins.length} admin(s) is a video approver`,
    });
  }
  return out;
}

/** Declared people the vendor does not show: waiting for an approval that names them, or missing. */
function missingPeople(declared: DeclaredPerson[], rows: AccessRow[], approvals: LiveApproval[]): AccessRow[] {
  const out: AccessRow[] = [];
  for (const p of declared) {
    if (rows.some((r) => same(p, r.userId ?? "", r.user)) || out.some((r) => same(p, r.userId ?? "", r.user))) continue;
    const user = p.username ?? p.userId ?? "?";
    const waiting = approvals.find((a) => a.what.includes(user));
    const mine = declared.filter((x) => (p.username && x.username === p.username) || (p.userId && x.userId === p.userId));
    out.push({
      user,
      userId: p.userId,
      permissions: [],
      exact: true,
      declared: union(mine.map((x) => x.permissions)),
      standing: "declared",
      status: waiting ? `waiting for approval ${waiting.id}` : "missing (declared, not on the vendor)",
      resources: mine.map((x) => x.resource),
    });
  }
  return out;
}

function undeclared(rule: Rule, where: string, r: AccessRow, permission: string, how = "holds"): Finding {
  const said = r.standing === "declared" ? `is declared with ${r.declared?.join(", ") || "no permission"} but ${how} ${permission}` : `${how} ${permission} and is not declared`;
  return { rule, where, who: r.user, message: `${r.user} ${said}` };
}

function managedBy(resources: string[], auth?: { resource: string; unmanaged: string; keep: string[] }): string {
  const names = [...new Set(resources)];
  const list = names.length > 4 ? `${names.slice(0, 4).join(", ")} and ${names.length - 4} more` : names.join(", ");
  if (!auth) return `declared by ${list} (per-member resources: undeclared people are not managed)`;
  return `authoritative: ${auth.resource} (unmanaged: ${auth.unmanaged}${auth.keep.length ? `; keep: ${auth.keep.join(", ")}` : ""})`;
}

// ---- wallets ----

const SHARE_STATUS: Record<string, string> = {
  active: "invited: waiting for the recipient to accept",
  pendingapproval: "share waiting for approval",
  rejected: "share rejected by the recipient",
  canceled: "share canceled",
  cancelled: "share canceled",
};

function reviewWallet(ctx: Ctx, d: DeclaredWallet, l: LiveWallet | undefined): UnitReview {
  const where = `wallet ${l?.label ?? d.label ?? ""} (${d.coin}/${d.id})`.replace("  ", " ");
  const unit: UnitReview = { kind: "wallet", id: d.id, title: `Wallet ${l?.label ?? d.label ?? d.id} (${d.coin})`, facts: [`id ${d.id}`], rows: [], approvals: [], findings: [] };
  if (l?.enterpriseId) unit.facts.push(`enterprise ${l.enterpriseId}`);
  unit.facts.push(managedBy(d.resources, d.authoritative));
  if (!l) return unit;
  const keep = d.authoritative?.keep ?? [];
  const row = (userId: string, username: string | undefined, permissions: string[], status: string): AccessRow => {
    const mine = d.users.filter((p) => same(p, userId, username));
    return {
      user: label(userId, username),
      userId,
      permissions,
      exact: true,
      declared: mine.length ? union(mine.map((p) => p.permissions)) : undefined,
      standing: standingOf(ctx, mine, keep, userId, username),
      status,
      resources: mine.map((p) => p.resource),
    };
  };
  for (const u of l.users) unit.rows.push(row(u.userId, u.username, u.permissions, "active"));
  for (const s of waitingShares(l)) {
    const r = row(s.userId, s.username, [], SHARE_STATUS[s.state] ?? `share ${s.state}`);
    // A refused share matters only for someone the stack declares (their access is not there).
    if (s.state === "active" || s.state === "pendingapproval" || r.standing === "declared") unit.rows.push({ ...r, pending: s.permissions });
  }
  unit.rows.push(...missingPeople(d.users, unit.rows, l.approvals));
  const approvals = approvalRows(ctx, where, l.approvals);
  unit.approvals = approvals.rows;
  unit.findings.push(...unreadable(where, l.errors));
  for (const r of unit.rows) {
    const pending = r.pending ?? [];
    if (r.permissions.includes("admin") && !covered(r, "admin")) unit.findings.push(undeclared("undeclared-admin", where, r, "admin"));
    if (r.permissions.includes("spend") && !covered(r, "spend")) unit.findings.push(undeclared("undeclared-spend", where, r, "spend"));
    const opening = r.status !== SHARE_STATUS.rejected && r.status !== SHARE_STATUS.canceled;
    if (opening && pending.includes("spend") && !covered(r, "spend")) unit.findings.push(undeclared("undeclared-spend", where, r, "spend", "has a waiting share that would give"));
    if (opening && pending.includes("admin") && !covered(r, "admin")) unit.findings.push(undeclared("undeclared-admin", where, r, "admin", "has a waiting share that would give"));
  }
  unit.findings.push(...approvals.findings);
  return unit;
}

/** One share per recipient not on the wallet: the open one first (several old ones may be listed). */
function waitingShares(l: LiveWallet): LiveWallet["shares"] {
  const order = (s: string) => (s === "active" || s === "pendingapproval" ? 0 : 1);
  const out = new Map<string, LiveWallet["shares"][number]>();
  for (const s of [...l.shares].sort((a, b) => order(a.state) - order(b.state))) {
    if (l.users.some((u) => u.userId === s.userId) || out.has(s.userId)) continue;
    out.set(s.userId, s);
  }
  return [...out.values()];
}

// ---- BitGo organizations ----

function reviewOrganization(ctx: Ctx, d: DeclaredOrganization, l: LiveOrganization | undefined): UnitReview {
  const where = `organization ${l?.name ?? ""} (${d.id})`.replace("  ", " ");
  const unit: UnitReview = { kind: "organization", id: d.id, title: `Organization ${l?.name ?? d.id}`, facts: [`id ${d.id}`], rows: [], approvals: [], findings: [] };
  if (d.children.length) unit.facts.push(`${d.children.length} child enterprise(s) made by the stack`);
  unit.facts.push(managedBy(d.resources, d.authoritative));
  if (!l) return unit;
  for (const u of l.users) {
    const mine = d.users.filter((p) => same(p, u.userId, u.username));
    unit.rows.push({
      user: u.username || u.userId,
      userId: u.userId,
      permissions: [u.role],
      exact: true,
      declared: mine.length ? mine.map((p) => p.role) : undefined,
      standing: standingOf(ctx, mine, d.authoritative?.keep ?? [], u.userId, u.username),
      status: "active",
      resources: mine.map((p) => p.resource),
    });
  }
  unit.rows.push(...missingPeople(d.users.map((u) => ({ ...u, permissions: [u.role] })), unit.rows, l.approvals));
  const approvals = approvalRows(ctx, where, l.approvals);
  unit.approvals = approvals.rows;
  unit.findings.push(...unreadable(where, l.errors));
  unit.findings.push(...unit.rows.filter((r) => r.permissions.includes("admin") && !covered(r, "admin")).map((r) => undeclared("undeclared-admin", where, r, "the admin role")));
  unit.findings.push(...approvals.findings);
  return unit;
}

// ---- FinHub organizations ----

function reviewFinhub(_ctx: Ctx, d: DeclaredFinhubOrganization, l: LiveFinhub | undefined): UnitReview {
  const where = `FinHub organization ${d.legalName ?? ""} (${d.id})`.replace("  ", " ");
  const unit: UnitReview = { kind: "finhub", id: d.id, title: `FinHub organization ${d.legalName ?? d.id}`, facts: [`id ${d.id}`], rows: [], approvals: [], findings: [] };
  if (l?.status ?? d.status) unit.facts.push(`status ${l?.status ?? d.status}`);
  unit.facts.push(managedBy(d.resources));
  if (!l) return unit;
  const kinds: [string, LiveFinhubPerson[], DeclaredFinhubOrganization["employees"]][] = [
    ["employee", l.employees, d.employees],
    ["director", l.directors, d.directors],
    ["shareholder", l.shareholders, d.shareholders],
  ];
  for (const [kind, people, declaredPeople] of kinds) {
    for (const p of people) {
      const mine = declaredPeople.filter((x) => x.email === p.email);
      const owner = (p.percentage ?? 0) >= BENEFICIAL_OWNER_PERCENT ? " (beneficial owner)" : "";
      const what = kind === "shareholder" ? [`shareholder${p.percentage !== undefined ? ` ${p.percentage} %${owner}` : ""}`] : [`${kind}${p.role ? ` ${p.role}` : ""}`];
      const declaredWhat = mine.map((x) => (kind === "shareholder" ? `shareholder${x.percentage !== undefined ? ` ${x.percentage} %` : ""}` : `${kind} ${(x.roles?.length ? x.roles : [x.role]).filter(Boolean).join(",")}`));
      unit.rows.push({ user: p.email, permissions: what, exact: true, declared: mine.length ? declaredWhat : undefined, standing: mine.length ? "declared" : "not declared", status: p.status ?? "listed", resources: mine.map((x) => x.resource) });
      if (kind === "employee") unit.findings.push(...employeeFindings(where, p, mine));
      if (mine.length) continue;
      if (kind === "shareholder" && (p.percentage ?? 0) >= BENEFICIAL_OWNER_PERCENT) {
        unit.findings.push({ rule: "undeclared-beneficial-owner", where, who: p.email, message: `${p.email} holds ${p.percentage} % (a beneficial owner) and is not declared` });
      }
    }
    for (const x of declaredPeople) {
      if (people.some((p) => p.email === x.email)) continue;
      unit.rows.push({ user: x.email, permissions: [], exact: true, declared: [kind], standing: "declared", status: "missing (declared, not listed by FinHub)", resources: [x.resource] });
    }
  }
  unit.findings.push(...unreadable(where, l.errors));
  return unit;
}

/** An employee holding ADMIN_USER or TRANSACTION_APPROVER that the stack does not declare with it. */
function employeeFindings(where: string, p: LiveFinhubPerson, mine: DeclaredFinhubOrganization["employees"]): Finding[] {
  const rule: Record<string, Rule> = { ADMIN_USER: "undeclared-admin", TRANSACTION_APPROVER: "undeclared-approver" };
  if (!p.role || !rule[p.role]) return [];
  const declaredRoles = mine.flatMap((x) => (x.roles?.length ? x.roles : x.role ? [x.role] : []));
  if (declaredRoles.includes(p.role)) return [];
  const said = mine.length ? `is declared as ${declaredRoles.join(", ") || "an employee"} but holds ${p.role}` : `is a ${p.role} employee and is not declared`;
  return [{ rule: rule[p.role], where, who: p.email, message: `${p.email} ${said}` }];
}
