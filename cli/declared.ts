// What a stack declares, read from its state: the BitGo organizations, enterprises and wallets it
// names and who it says holds what there, and the FinHub organizations with their people. Both ways
// of declaring access are read: one resource per member (EnterpriseUser, OrganizationUser,
// ChildEnterprise, WalletShare) and the authoritative lists (EnterpriseAccess, WalletAccess).
//
// Only plain values are read: a secret in the state (`{ 4dabf18193072939515e22adb298388d: ..., ciphertext }`)
// is treated as unknown, so nothing secret can reach a report or a chart.
import type { StateResource } from "./stackSource";

export interface DeclaredPerson {
  /** Email (BitGo's username), lowercased; undefined when only an id is declared. */
  username?: string;
  userId?: string;
  permissions: string[];
  videoApprover?: boolean;
  /** The resource that declares it (its Pulumi name). */
  resource: string;
  /** What the state last saw of it (a share's state: active, accepted, pendingapproval, ...). */
  state?: string;
}

export interface Authoritative {
  resource: string;
  /** "remove" (up removes the undeclared) or "report" (they are only listed). */
  unmanaged: string;
  keep: string[];
  /** The undeclared people the resource saw at its last refresh or up (its outputs). */
  seenUnmanaged: { username?: string; userId?: string; permissions: string[] }[];
}

export interface DeclaredEnterprise {
  id: string;
  organizationId?: string;
  name?: string;
  /** A child enterprise the stack made (ChildEnterprise). */
  child: boolean;
  members: DeclaredPerson[];
  authoritative?: Authoritative;
  resources: string[];
}

export interface DeclaredWallet {
  id: string;
  coin: string;
  label?: string;
  users: DeclaredPerson[];
  authoritative?: Authoritative;
  resources: string[];
}

export interface DeclaredOrganization {
  id: string;
  users: { username?: string; userId?: string; role: string; mode: string; resource: string }[];
  authoritative?: Authoritative;
  /** Child enterprises the stack made in it. */
  children: string[];
  resources: string[];
}

export interface DeclaredFinhubPerson {
  email: string;
  name: string;
  resource: string;
  role?: string;
  roles?: string[];
  department?: string;
  percentage?: number;
  beneficialOwner?: boolean;
  status?: string;
}

export interface DeclaredFinhubOrganization {
  id: string;
  legalName?: string;
  status?: string;
  directors: DeclaredFinhubPerson[];
  shareholders: DeclaredFinhubPerson[];
  employees: DeclaredFinhubPerson[];
  resources: string[];
}

export interface Declared {
  organizations: Map<string, DeclaredOrganization>;
  enterprises: Map<string, DeclaredEnterprise>;
  wallets: Map<string, DeclaredWallet>;
  finhub: Map<string, DeclaredFinhubOrganization>;
  /** Resources of orgstack's types this reader does not know (a newer package). */
  unknownKinds: string[];
  /** User id → email, wherever the state gives both (a user declared by email, its id an output). */
  directory: Map<string, string>;
}

/** A shareholder at this ownership or above is a beneficial owner (FinHub's shareholders page). */
export const BENEFICIAL_OWNER_PERCENT = 25;

/** `bitgo:EnterpriseUser` from a dynamic type (`pulumi-nodejs:dynamic/bitgo:EnterpriseUser`) or a plugin's (`orgstack:bitgo:EnterpriseUser`). */
export function kindOf(type: string): string | undefined {
  const m = /(?:^|[/:])(bitgo|finhub):([A-Za-z]+)$/.exec(type);
  return m ? `${m[1]}:${m[2]}` : undefined;
}

/** The resource's Pulumi name (the URN's last part). */
export function nameOf(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

const isSecret = (v: unknown) => !!v && typeof v === "object" && "4dabf18193072939515e22adb298388d" in (v as object);

/** A plain string of the state, or undefined (missing, empty, secret or not text). */
export function text(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const objects = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter((x) => x && typeof x === "object" && !isSecret(x)) : []);
const lower = (v: unknown) => text(v)?.toLowerCase();
const HEX32 = /^[0-9a-f]{32}$/;

/** An email or a user id, as a declaration gives a user. */
function who(v: unknown): { username?: string; userId?: string } {
  const s = lower(v);
  if (!s) return {};
  return HEX32.test(s) ? { userId: s } : { username: s };
}

function emptyDeclared(): Declared {
  return { organizations: new Map(), enterprises: new Map(), wallets: new Map(), finhub: new Map(), unknownKinds: [], directory: new Map() };
}

export function readDeclared(resources: StateResource[]): Declared {
  const d = emptyDeclared();
  for (const r of resources) {
    const kind = kindOf(r.type);
    if (!kind) continue;
    const reader = READERS[kind];
    if (reader) reader(d, r, nameOf(r.urn), plain(r.inputs), plain(r.outputs));
    else if (!d.unknownKinds.includes(kind)) d.unknownKinds.push(kind);
  }
  const people: { username?: string; userId?: string }[] = [
    ...[...d.enterprises.values()].flatMap((e) => e.members),
    ...[...d.wallets.values()].flatMap((w) => w.users),
    ...[...d.organizations.values()].flatMap((o) => o.users),
  ];
  for (const p of people) if (p.userId && p.username) d.directory.set(p.userId, p.username);
  return d;
}

/** The email of a declared person where the state knows it, else the id. */
export function personName(d: Declared, p: { username?: string; userId?: string }): string {
  return p.username ?? (p.userId ? d.directory.get(p.userId) ?? p.userId : "?");
}

/** The record without secret values (they become absent). */
function plain(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([k, v]) => k !== "__provider" && !isSecret(v)));
}

type Reader = (d: Declared, r: StateResource, name: string, i: Record<string, unknown>, o: Record<string, unknown>) => void;

function enterprise(d: Declared, id: string): DeclaredEnterprise {
  let e = d.enterprises.get(id);
  if (!e) d.enterprises.set(id, (e = { id, child: false, members: [], resources: [] }));
  return e;
}

function wallet(d: Declared, id: string, coin: string): DeclaredWallet {
  let w = d.wallets.get(id);
  if (!w) d.wallets.set(id, (w = { id, coin, users: [], resources: [] }));
  return w;
}

function organization(d: Declared, id: string): DeclaredOrganization {
  let o = d.organizations.get(id);
  if (!o) d.organizations.set(id, (o = { id, users: [], children: [], resources: [] }));
  return o;
}

function finhubOrganization(d: Declared, id: string): DeclaredFinhubOrganization {
  let o = d.finhub.get(id);
  if (!o) d.finhub.set(id, (o = { id, directors: [], shareholders: [], employees: [], resources: [] }));
  return o;
}

function authoritative(name: string, i: Record<string, unknown>, unmanagedOut: unknown): Authoritative {
  // Items as `{ username | user | userId, permissions }`, or a bare email or id.
  const seen = (Array.isArray(unmanagedOut) ? unmanagedOut : []).flatMap((u) => {
    if (typeof u === "string") return [{ ...who(u), permissions: [] }];
    if (!u || typeof u !== "object" || isSecret(u)) return [];
    const x = u as Record<string, unknown>;
    const permissions = strings(x.permissions).length ? strings(x.permissions) : text(x.role) ? [text(x.role)!] : [];
    return [{ ...who(x.username ?? x.user), ...(lower(x.userId) ? { userId: lower(x.userId) } : {}), permissions }];
  });
  return { resource: name, unmanaged: text(i.unmanaged) ?? "remove", keep: strings(i.keep).map((k) => k.toLowerCase()), seenUnmanaged: seen };
}

function finhubPerson(name: string, i: Record<string, unknown>, o: Record<string, unknown>): DeclaredFinhubPerson | undefined {
  const p = (i.person && typeof i.person === "object" ? i.person : {}) as Record<string, unknown>;
  const email = lower(p.email);
  if (!email) return undefined;
  return { email, name: [text(p.firstName), text(p.lastName)].filter(Boolean).join(" ") || email, resource: name, status: text(o.status) };
}

const READERS: Record<string, Reader> = {
  "bitgo:EnterpriseUser"(d, _r, name, i, o) {
    const id = lower(i.enterpriseId);
    if (!id) return;
    const e = enterprise(d, id);
    e.resources.push(name);
    e.members.push({ ...who(i.username), userId: lower(o.userId), permissions: strings(i.permissions), videoApprover: i.videoApprover === true, resource: name });
  },
  "bitgo:EnterpriseAccess"(d, _r, name, i, o) {
    const id = lower(i.enterpriseId);
    if (!id) return;
    const e = enterprise(d, id);
    e.resources.push(name);
    e.authoritative = authoritative(name, i, o.unmanagedMembers);
    for (const m of objects(i.members)) e.members.push({ ...who(m.username), permissions: strings(m.permissions), videoApprover: m.videoApprover === true, resource: name });
  },
  "bitgo:ChildEnterprise"(d, _r, name, i, o) {
    const id = lower(o.enterpriseId);
    const orgId = lower(i.organizationId);
    if (orgId) {
      const org = organization(d, orgId);
      org.resources.push(name);
      if (id) org.children.push(id);
    }
    if (!id) return; // not made yet: nothing to review
    const e = enterprise(d, id);
    Object.assign(e, { child: true, organizationId: orgId, name: text(o.name) ?? e.name });
    e.resources.push(name);
    // BitGo makes the end user an admin of the child, with every additional admin.
    e.members.push({ ...who(i.email), userId: lower(o.userId), permissions: ["admin"], resource: name });
    for (const admin of strings(i.additionalAdmins)) e.members.push({ ...who(admin), permissions: ["admin"], resource: name });
  },
  "bitgo:OrganizationUser"(d, _r, name, i, o) {
    const id = lower(i.organizationId);
    if (!id) return;
    const org = organization(d, id);
    org.resources.push(name);
    org.users.push({ ...who(i.username), userId: lower(o.userId), role: text(i.role) ?? "", mode: text(i.mode) ?? "manage", resource: name });
  },
  "bitgo:OrganizationAccess"(d, _r, name, i, o) {
    const id = lower(i.organizationId);
    if (!id) return;
    const org = organization(d, id);
    org.resources.push(name);
    org.authoritative = authoritative(name, i, o.unmanagedUsers);
    for (const u of objects(i.users)) org.users.push({ ...who(u.username), role: text(u.role) ?? "", mode: "manage", resource: name });
  },
  "bitgo:WalletShare"(d, _r, name, i, o) {
    const id = lower(i.walletId);
    if (!id) return;
    const w = wallet(d, id, text(i.coin) ?? "");
    w.label ??= text(o.walletLabel);
    w.resources.push(name);
    const user = who(i.user);
    w.users.push({ ...user, userId: user.userId ?? lower(o.toUser), permissions: strings(i.permissions), resource: name, state: text(o.state) });
  },
  "bitgo:WalletAccess"(d, _r, name, i, o) {
    const id = lower(i.walletId);
    if (!id) return;
    const w = wallet(d, id, text(i.coin) ?? "");
    w.label ??= text(o.walletLabel);
    w.resources.push(name);
    w.authoritative = authoritative(name, i, o.unmanagedUsers);
    for (const u of objects(i.users)) w.users.push({ ...who(u.user), permissions: strings(u.permissions), resource: name });
  },
  "finhub:Organization"(d, r, name, i, o) {
    const id = lower(o.organizationId) ?? lower(r.id);
    if (!id) return;
    const org = finhubOrganization(d, id);
    org.resources.push(name);
    org.legalName = text(i.legalName);
    org.status ??= text(o.status);
  },
  "finhub:Activation"(d, _r, name, i, o) {
    const id = lower(i.organizationId);
    if (!id) return;
    const org = finhubOrganization(d, id);
    org.resources.push(name);
    if (text(o.status)) org.status = text(o.status);
  },
  "finhub:Director"(d, _r, name, i, o) {
    const id = lower(i.organizationId);
    const p = finhubPerson(name, i, o);
    if (!id || !p) return;
    const org = finhubOrganization(d, id);
    org.resources.push(name);
    org.directors.push({ ...p, role: text(i.role), percentage: num(i.ownershipPercentage) });
  },
  "finhub:Shareholder"(d, _r, name, i, o) {
    const id = lower(i.organizationId);
    const p = finhubPerson(name, i, o);
    if (!id || !p) return;
    const org = finhubOrganization(d, id);
    org.resources.push(name);
    const percentage = num(i.ownershipPercentage);
    org.shareholders.push({ ...p, percentage, beneficialOwner: percentage !== undefined && percentage >= BENEFICIAL_OWNER_PERCENT });
  },
  "finhub:Employee"(d, _r, name, i, o) {
    const id = lower(i.organizationId);
    const p = finhubPerson(name, i, o);
    if (!id || !p) return;
    const org = finhubOrganization(d, id);
    org.resources.push(name);
    const role = text(i.role);
    const roles = strings(i.roles);
    org.employees.push({ ...p, role, roles: roles.length ? roles : role ? [role] : [], department: text(i.department) });
  },
};
