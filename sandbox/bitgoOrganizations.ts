// The BitGo half of the sandbox, organizations part (BitGo-as-a-Service): organizations and their
// users with roles (serviceUser, admin, member, customer), child enterprises created with an
// idempotency key and listed page by page (`limit`, `prevId`, `nextBatchPrevId`), users added to a
// child enterprise through the organization route, freezing an enterprise, and BitGo's admin route
// for a user summary. Shapes follow ../shared/vendor-docs/bitgo-openapi-subset.yaml.
//
// Sandbox rules (documented in docs/organizations.md):
//   - The seeded organization is the core seed's "Acme Holdings" (SEED.organization): the operator and
//     the second admin are its admins, ops@ a member. This module adds, the first time any of its
//     routes runs, a service user, a BitGo admin (for the summary route), an end customer, and
//     ORG_SEED.seededChildren child enterprises, so listing them takes more than one page (25).
//   - Organization admins can only be made by BitGo support (BitGo's set-up guide): POST/PUT of role
//     admin (or serviceUser) answers 403 `OrganizationAdminRequiresSupport` unless the caller is the
//     organization's serviceUser, who stands in for BitGo support here.
//   - Organization managers (admin, serviceUser) add, change and remove users and create child
//     enterprises. The spec: "Multiple enterprises with the same organizationId and idempotencyKey
//     will not be created": a second create with the same key keeps the one enterprise and answers
//     409 DuplicateIdempotencyKey (context: enterpriseId, userId); a new key makes a new enterprise.
//     idempotencyKey is required (400 without it), as the spec has it.
//   - Every change that needs approval makes a new pending approval, even when the same change is
//     already waiting (BitGo does not deduplicate them).
//   - GET /api/org/users pages (limit, prevId → nextBatchPrevId); the spec gives no default or
//     maximum for its limit, so the sandbox uses BitGo's usual 25 and 500. GET
//     /api/v2/organization/{id}/enterprise pages as the spec says (limit 1-500, default 25).
//   - An organization with approvalsRequired > 1 (control route PATCH
//     /__sandbox/bitgo/organizations/{id}) answers user changes with 202 and a pending approval.
//   - GET /api/v2/admin/user/{id}/summary needs a BitGo admin role (ORG_SEED.tokens.bitgoAdmin);
//     without maxEnterprises it returns at most 10 enterprises and sets hasMoreEnterprises.
import * as crypto from "crypto";
import { Ctx, Json, Router, SandboxError, SandboxModule, SandboxState, hexId, nowIso, pageById } from "./server";
import {
  BitGoEnterprise,
  BitGoUser,
  SEED,
  approvalBody,
  authenticate,
  bitgoModule,
  bitgoState,
  createApproval,
  enterpriseBody,
  findEnterprise,
  findUser,
  limitParam,
  onApproval,
  recordEmail,
  userForEmail,
} from "./bitgo";

const idFor = (label: string) => crypto.createHash("sha256").update(`orgstack-sandbox:${label}`).digest("hex").slice(0, 32);

export const ORG_SEED = {
  /** The BitGo-as-a-Service organization (the core seed's organization). */
  organization: SEED.organization,
  serviceUser: { id: "a0c1d2e3f405162738495a6b7c8d9e0f", email: "baas-service@acme.example" },
  /** A BitGo employee with an admin role: the only caller of the admin summary route. */
  bitgoAdmin: { id: "b0c1d2e3f405162738495a6b7c8d9e0f", email: "support-admin@bitgo.example" },
  /** An end customer (organization role `customer`) with a seeded child enterprise. */
  customer: { id: "c0c1d2e3f405162738495a6b7c8d9e0f", email: "first-customer@example.com" },
  tokens: {
    serviceUser: "sandbox-service-user-token",
    bitgoAdmin: "sandbox-bitgo-admin-token",
  },
  /** Child enterprises seeded in the organization: more than one page at the default limit of 25. */
  seededChildren: 30,
  pageSize: 25,
  /** The summary route's enterprise cap when maxEnterprises is not given. */
  summaryDefaultMaxEnterprises: 10,
  childEnterpriseId: (n: number) => idFor(`child-${n}`),
};

interface OrgExtra {
  approvalsRequired: number;
  businessModel: string | null;
}

interface OrgModuleState {
  merged: boolean;
  organizations: Record<string, OrgExtra>;
  bitgoAdminRoles: Record<string, string[]>;
}

function seed(): OrgModuleState {
  return {
    merged: false,
    organizations: { [SEED.organization.id]: { approvalsRequired: 1, businessModel: "cryptoAsAService" } },
    bitgoAdminRoles: { [ORG_SEED.bitgoAdmin.id]: ["userSummary"] },
  };
}

function own(state: SandboxState): OrgModuleState {
  if (!state.bitgoOrganizations) state.bitgoOrganizations = seed();
  return state.bitgoOrganizations as OrgModuleState;
}

/**
 * Adds this module's users, sessions and child enterprises to the core BitGo state, once per seed.
 * Every route of this module calls it first; tests may call it directly.
 */
export function ensureOrganizationSeed(state: SandboxState): void {
  const mine = own(state);
  if (mine.merged) return;
  mine.merged = true;
  const st = bitgoState(state);
  const orgId = SEED.organization.id;
  const user = (id: string, email: string, first: string, last: string, organizations: BitGoUser["organizations"]): BitGoUser => ({
    id,
    email,
    firstName: first,
    lastName: last,
    isActive: true,
    organizations,
  });
  const add = (u: BitGoUser) => {
    if (!st.users.some((x) => x.id === u.id)) st.users.push(u);
  };
  add(user(ORG_SEED.serviceUser.id, ORG_SEED.serviceUser.email, "Acme", "Service", [{ id: orgId, role: "serviceUser" }]));
  add(user(ORG_SEED.bitgoAdmin.id, ORG_SEED.bitgoAdmin.email, "Bea", "Support", []));
  add(user(ORG_SEED.customer.id, ORG_SEED.customer.email, "Fiona", "First", [{ id: orgId, role: "customer" }]));
  const session = (token: string, userId: string, scope: string[]) => {
    if (st.sessions.some((s) => s.token === token)) return;
    st.sessions.push({ token, id: hexId(), userId, scope, created: nowIso(), expires: new Date(Date.now() + 365 * 86400_000).toISOString() });
  };
  session(ORG_SEED.tokens.serviceUser, ORG_SEED.serviceUser.id, ["user_manage", "enterprise_view_all", "enterprise_manage_all", "wallet_view_all", "pending_approval_update"]);
  session(ORG_SEED.tokens.bitgoAdmin, ORG_SEED.bitgoAdmin.id, ["enterprise_view_all"]);
  for (let n = 1; n <= ORG_SEED.seededChildren; n++) {
    const id = ORG_SEED.childEnterpriseId(n);
    if (st.enterprises.some((e) => e.id === id)) continue;
    const members: BitGoEnterprise["members"] = [{ userId: ORG_SEED.serviceUser.id, permissions: ["admin"] }];
    if (n === 1) members.push({ userId: ORG_SEED.customer.id, permissions: ["admin"] });
    st.enterprises.push({
      id,
      name: `Seeded Customer ${String(n).padStart(2, "0")}`,
      type: "enterprise",
      organizationId: orgId,
      approvalsRequired: 1,
      members,
      createdAt: new Date(Date.UTC(2026, 0, 6, 0, n)).toISOString(),
      accountType: n % 2 ? "individual" : "entity",
      idempotencyKey: `seeded-${n}`,
    });
  }
}

// ---- helpers ----

const HEX = /^[0-9a-f]{32}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const MANAGERS = ["admin", "serviceUser"];
const ROLES = ["serviceUser", "admin", "member", "customer"];

function org(ctx: Ctx, id: string) {
  if (!HEX.test(id)) throw new SandboxError(400, `invalid organization id ${id}: expected 32 hex characters`, "InvalidOrganizationId", { organizationId: id });
  const o = bitgoState(ctx.state).organizations.find((x) => x.id === id);
  if (!o) throw new SandboxError(404, "organization not found", "OrganizationNotFound", { organizationId: id });
  const extra = own(ctx.state).organizations[id] ?? { approvalsRequired: 1, businessModel: null };
  return { o, extra };
}

const roleIn = (u: BitGoUser, orgId: string) => u.organizations.find((x) => x.id === orgId)?.role;

/** The caller and its role in the organization; 403 when it holds none of `roles`. */
function caller(ctx: Ctx, orgId: string, roles: string[], what: string, scope?: string) {
  const { user } = authenticate(ctx, scope);
  const role = roleIn(user, orgId);
  if (!role || !roles.includes(role)) {
    throw new SandboxError(
      403,
      `${what} needs an organization role of ${roles.join(" or ")}; this user's role is ${role ?? "none"}`,
      "NotOrganizationManager",
      { organizationId: orgId, role: role ?? null },
    );
  }
  return { user, role };
}

function childrenOf(ctx: Ctx, orgId: string): BitGoEnterprise[] {
  return bitgoState(ctx.state)
    .enterprises.filter((e) => e.organizationId === orgId)
    .sort((a, b) => (a.createdAt === b.createdAt ? a.id.localeCompare(b.id) : a.createdAt.localeCompare(b.createdAt)));
}

function stubBody(e: BitGoEnterprise): Json {
  return {
    id: e.id,
    name: e.name,
    organization: e.organizationId,
    type: e.type,
    createdAt: e.createdAt,
    ...(e.accountType ? { accountType: e.accountType } : {}),
    ...(e.frozen ? { freeze: e.frozen } : {}),
  };
}

function supportOnly(role: string) {
  return new SandboxError(
    403,
    `only BitGo support can make a user an organization ${role}: email support@bitgo.com and ask them to make the enterprise admin an organization ${role}`,
    "OrganizationAdminRequiresSupport",
    { role },
  );
}

function orgUserBody(state: SandboxState, u: BitGoUser, orgId: string): Json {
  const st = bitgoState(state);
  return {
    id: u.id,
    username: u.email,
    name: { first: u.firstName, last: u.lastName, full: `${u.firstName} ${u.lastName}`.trim() },
    email: { email: u.email, verified: u.isActive },
    isActive: u.isActive,
    enterprises: st.enterprises
      .filter((e) => e.organizationId === orgId && e.members.some((m) => m.userId === u.id))
      .map((e) => ({ id: e.id, name: e.name, permissions: e.members.find((m) => m.userId === u.id)!.permissions })),
    organizations: u.organizations
      .filter((o) => o.role !== "serviceUser") // the spec's /api/org/users role list has no serviceUser
      .map((o) => ({ id: o.id, role: o.role, permissions: o.role === "admin" ? ["admin"] : [] })),
    agreements: { patriotAct: 1, termsOfUse: 1 },
    allowedCoins: [],
    bitgoEmployee: false,
    currency: { bitcoinUnit: "BTC", currency: "USD" },
    disableReset2FA: false,
    featureFlags: [],
    forceResetPassword: false,
    identity: { verified: true },
    otpDevices: [],
    phone: { phone: null, verified: false },
    timezone: "UTC",
  };
}

/** Makes an organization user change, or a pending approval for it when the organization needs more than one. */
function orgChange(ctx: Ctx, orgId: string, extra: OrgExtra, creator: string, change: { action: "add" | "update" | "remove"; userId: string; role?: string }) {
  if (extra.approvalsRequired > 1) {
    const approval = createApproval(ctx, {
      creator,
      scope: "organization",
      organization: orgId,
      approvalsRequired: extra.approvalsRequired,
      info: {
        type: "updateOrganizationRequest",
        userChangeRequest: { action: change.action, userChanged: change.userId, permissions: change.role ? [change.role] : [] },
        sandbox: { organizationId: orgId, ...change },
      },
    });
    return { status: 202, body: approvalBody(approval) };
  }
  applyOrgChange(ctx.state, orgId, change);
  return { status: 200, body: {} };
}

function applyOrgChange(state: SandboxState, orgId: string, change: { action: string; userId: string; role?: string }) {
  const u = findUser(state, change.userId);
  if (!u) return;
  if (change.action === "remove") u.organizations = u.organizations.filter((o) => o.id !== orgId);
  else {
    const m = u.organizations.find((o) => o.id === orgId);
    if (m) m.role = change.role!;
    else u.organizations.push({ id: orgId, role: change.role! });
  }
}

onApproval("updateOrganizationRequest", (ctx, a) => {
  const s = a.info.sandbox;
  applyOrgChange(ctx.state, s.organizationId, s);
});

// ---- routes ----

function routes(r: Router) {
  const add = (method: string, path: string, handler: (ctx: Ctx) => Json) =>
    r.add(method, path, (ctx) => {
      ensureOrganizationSeed(ctx.state);
      return handler(ctx);
    });

  add("GET", "/api/v2/organization", (ctx) => {
    const { user } = authenticate(ctx);
    const wanted = ctx.query.role ? ([] as string[]).concat(ctx.query.role) : undefined;
    const list = user.organizations
      .filter((m) => !wanted || wanted.includes(m.role))
      .map((m) => {
        const o = bitgoState(ctx.state).organizations.find((x) => x.id === m.id);
        return {
          id: m.id,
          name: o?.name ?? "",
          enterpriseCount: childrenOf(ctx, m.id).length,
          role: m.role,
          businessModel: own(ctx.state).organizations[m.id]?.businessModel ?? null,
        };
      });
    return { status: 200, body: { organizations: list } };
  });

  add("GET", "/api/v2/organization/:id", (ctx) => {
    const { o, extra } = org(ctx, ctx.params.id);
    caller(ctx, o.id, ROLES, "reading an organization");
    return {
      status: 200,
      body: {
        organization: {
          id: o.id,
          name: o.name,
          enterprises: childrenOf(ctx, o.id).map((e) => e.id),
          businessModel: extra.businessModel,
        },
      },
    };
  });

  add("GET", "/api/v2/organization/:organizationId/enterprise", (ctx) => {
    const { o } = org(ctx, ctx.params.organizationId);
    caller(ctx, o.id, ["serviceUser", "admin", "member"], "listing an organization's enterprises");
    const q = ctx.query;
    const limit = q.limit === undefined ? ORG_SEED.pageSize : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new SandboxError(400, "limit must be a whole number from 1 to 500", "InvalidLimit", { limit: q.limit });
    if (q.prevId !== undefined && !HEX.test(String(q.prevId))) throw new SandboxError(400, "prevId must be 32 hex characters", "InvalidPrevId");
    if (q.search !== undefined && (q.prevId !== undefined || q.idempotencyKey !== undefined)) {
      throw new SandboxError(400, "search cannot be combined with idempotencyKey or prevId", "InvalidQuery");
    }
    let list = childrenOf(ctx, o.id);
    if (q.idempotencyKey !== undefined) list = list.filter((e) => e.idempotencyKey === String(q.idempotencyKey));
    if (q.search !== undefined) {
      const s = String(q.search).toLowerCase();
      list = list.filter((e) => e.id === s || e.name.toLowerCase().includes(s));
    }
    if (q.accountType !== undefined) list = list.filter((e) => e.accountType === q.accountType);
    let start = 0;
    if (q.prevId !== undefined) {
      const i = list.findIndex((e) => e.id === q.prevId);
      if (i < 0) throw new SandboxError(400, "prevId is not an enterprise of this listing", "InvalidPrevId");
      start = i + 1;
    }
    const page = list.slice(start, start + limit);
    const more = start + limit < list.length;
    return { status: 200, body: { enterprises: page.map(stubBody), ...(more ? { nextBatchPrevId: page[page.length - 1].id } : {}) } };
  });

  add("POST", "/api/v2/organization/:organizationId/enterprise", (ctx) => {
    const { o } = org(ctx, ctx.params.organizationId);
    const { user } = caller(ctx, o.id, MANAGERS, "creating a child enterprise");
    const b = ctx.body ?? {};
    if (typeof b.email !== "string" || !EMAIL.test(b.email)) throw new SandboxError(400, "email is required and must be an email address", "InvalidEmail", { field: "email" });
    if (typeof b.idempotencyKey !== "string" || !b.idempotencyKey) throw new SandboxError(400, "idempotencyKey is required", "InvalidIdempotencyKey", { field: "idempotencyKey" });
    if (!Array.isArray(b.additionalAdmins)) throw new SandboxError(400, "additionalAdmins is required (an array of user ids)", "InvalidAdditionalAdmins", { field: "additionalAdmins" });
    if (b.accountType !== undefined && !["individual", "entity"].includes(b.accountType)) {
      throw new SandboxError(400, "accountType must be individual or entity", "InvalidAccountType", { field: "accountType" });
    }
    const admins: BitGoUser[] = [];
    for (const id of b.additionalAdmins) {
      const u = typeof id === "string" ? findUser(ctx.state, id) : undefined;
      const role = u && roleIn(u, o.id);
      if (!u || !role || role === "customer") {
        throw new SandboxError(400, `additionalAdmins: ${id} is not a user of organization ${o.id}`, "InvalidAdditionalAdmin", { field: "additionalAdmins", userId: id });
      }
      admins.push(u);
    }
    const existing = childrenOf(ctx, o.id).find((e) => e.idempotencyKey === b.idempotencyKey);
    if (existing) {
      throw new SandboxError(409, "an enterprise was already created in this organization with this idempotencyKey", "DuplicateIdempotencyKey", {
        enterpriseId: existing.id,
        userId: existing.endUserId ?? null,
      });
    }
    const endUser = userForEmail(ctx, b.email);
    if (!roleIn(endUser, o.id)) endUser.organizations.push({ id: o.id, role: "customer" });
    const members: BitGoEnterprise["members"] = [{ userId: endUser.id, permissions: ["admin"] }];
    for (const a of admins) if (!members.some((m) => m.userId === a.id)) members.push({ userId: a.id, permissions: ["admin"] });
    const e: BitGoEnterprise = {
      id: hexId(),
      name: b.email.toLowerCase(),
      type: "enterprise",
      organizationId: o.id,
      approvalsRequired: 1,
      members,
      createdAt: nowIso(),
      accountType: b.accountType ?? "individual",
      idempotencyKey: b.idempotencyKey,
      thirdPartyIdentifier: b.thirdPartyIdentifier ?? [],
      createdBy: user.id,
      endUserId: endUser.id,
    };
    bitgoState(ctx.state).enterprises.push(e);
    for (const m of members) {
      const u = findUser(ctx.state, m.userId)!;
      recordEmail(ctx, { kind: "enterpriseInvitation", to: u.email, userId: u.id, enterpriseId: e.id, permissions: m.permissions });
    }
    return { status: 200, body: { enterpriseId: e.id, userId: endUser.id } };
  });

  add("POST", "/api/v2/organization/:organizationId/enterprise/:enterpriseId/user", (ctx) => {
    const { o } = org(ctx, ctx.params.organizationId);
    caller(ctx, o.id, MANAGERS, "adding a user to a child enterprise");
    const e = findEnterprise(ctx.state, ctx.params.enterpriseId);
    if (e.organizationId !== o.id) throw new SandboxError(404, "enterprise not found in this organization", "EnterpriseNotFound", { enterpriseId: e.id });
    const b = ctx.body ?? {};
    if (typeof b.email !== "string" || !EMAIL.test(b.email)) throw new SandboxError(400, "email is required and must be an email address", "InvalidEmail", { field: "email" });
    const permissions: string[] = b.permissions ?? ["admin"];
    if (!Array.isArray(permissions) || permissions.some((p) => !["admin", "auditor", "wallet.create"].includes(p))) {
      throw new SandboxError(400, "permissions must be a list of admin, auditor, wallet.create", "InvalidPermission", { field: "permissions" });
    }
    const u = userForEmail(ctx, b.email);
    if (e.members.some((m) => m.userId === u.id)) throw new SandboxError(409, `${u.email} is already a member of this enterprise`, "UserAlreadyInEnterprise", { userId: u.id });
    const perms = [...new Set(permissions)].sort();
    e.members.push({ userId: u.id, permissions: perms });
    recordEmail(ctx, { kind: "enterpriseInvitation", to: u.email, userId: u.id, enterpriseId: e.id, permissions: perms });
    return { status: 200, body: { userId: u.id } };
  });

  add("POST", "/api/v2/organization/:organizationId/user", (ctx) => {
    const { o, extra } = org(ctx, ctx.params.organizationId);
    const { user, role: callerRole } = caller(ctx, o.id, MANAGERS, "adding a user to an organization", "user_manage");
    const b = ctx.body ?? {};
    if (typeof b.username !== "string" || !EMAIL.test(b.username)) throw new SandboxError(400, "username is required and must be an email address", "InvalidUsername", { field: "username" });
    if (!["admin", "member"].includes(b.role)) throw new SandboxError(400, "role must be admin or member", "InvalidRole", { field: "role", role: b.role ?? null });
    if (b.role === "admin" && callerRole !== "serviceUser") throw supportOnly("admin");
    const u = userForEmail(ctx, b.username);
    if (roleIn(u, o.id)) throw new SandboxError(409, `${u.email} is already a user of this organization (role ${roleIn(u, o.id)})`, "UserAlreadyInOrganization", { userId: u.id });
    return orgChange(ctx, o.id, extra, user.id, { action: "add", userId: u.id, role: b.role });
  });

  add("PUT", "/api/v2/organization/:organizationId/user", (ctx) => {
    const { o, extra } = org(ctx, ctx.params.organizationId);
    const { user, role: callerRole } = caller(ctx, o.id, MANAGERS, "changing a user's organization role", "user_manage");
    const userId = String(ctx.query.userId ?? "");
    const role = String(ctx.query.role ?? "");
    if (!HEX.test(userId)) throw new SandboxError(400, "userId must be 32 hex characters", "InvalidUserId", { field: "userId" });
    if (!ROLES.includes(role)) throw new SandboxError(400, `role must be one of ${ROLES.join(", ")}`, "InvalidRole", { field: "role", role });
    const u = findUser(ctx.state, userId);
    if (!u || !roleIn(u, o.id)) throw new SandboxError(404, "user is not in this organization", "UserNotFound", { userId });
    if ((role === "admin" || role === "serviceUser") && callerRole !== "serviceUser") throw supportOnly(role);
    return orgChange(ctx, o.id, extra, user.id, { action: "update", userId, role });
  });

  add("DELETE", "/api/v2/organization/:organizationId/user", (ctx) => {
    const { o, extra } = org(ctx, ctx.params.organizationId);
    const { user } = caller(ctx, o.id, MANAGERS, "removing a user from an organization", "user_manage");
    const userId = String(ctx.query.userId ?? "");
    if (!HEX.test(userId)) throw new SandboxError(400, "userId must be 32 hex characters", "InvalidUserId", { field: "userId" });
    const u = findUser(ctx.state, userId);
    if (!u || !roleIn(u, o.id)) throw new SandboxError(404, "user is not in this organization", "UserNotFound", { userId });
    return orgChange(ctx, o.id, extra, user.id, { action: "remove", userId });
  });

  add("POST", "/api/v2/enterprise/:enterpriseId/freeze", (ctx) => {
    const { user } = authenticate(ctx);
    const e = findEnterprise(ctx.state, ctx.params.enterpriseId);
    const isAdmin = e.members.some((m) => m.userId === user.id && m.permissions.includes("admin"));
    const orgRole = roleIn(user, e.organizationId);
    if (!isAdmin && !(orgRole && MANAGERS.includes(orgRole))) {
      throw new SandboxError(403, "only an enterprise admin or an organization manager may freeze an enterprise", "Forbidden", { enterpriseId: e.id });
    }
    const seconds = Number(ctx.body?.duration ?? 3600);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new SandboxError(400, "duration must be a positive number of seconds", "InvalidDuration");
    const time = nowIso();
    e.frozen = { time, expires: new Date(Date.now() + seconds * 1000).toISOString(), reason: "frozen by orgstack", frozenBy: user.id } as any;
    return { status: 200, body: e.frozen };
  });

  add("GET", "/api/org/users", (ctx) => {
    const orgId = String(ctx.query.organizationId ?? "");
    const { o } = org(ctx, orgId);
    caller(ctx, o.id, ROLES, "listing an organization's users");
    const roles = ctx.query.role ? ([] as string[]).concat(ctx.query.role) : undefined;
    let users = bitgoState(ctx.state).users.filter((u) => {
      const role = roleIn(u, o.id);
      return role && role !== "serviceUser" && (!roles || roles.includes(role));
    });
    if (ctx.query.userId) users = users.filter((u) => u.id === ctx.query.userId);
    if (ctx.query.username) users = users.filter((u) => u.email === String(ctx.query.username).toLowerCase());
    if (ctx.query.search) {
      const s = String(ctx.query.search).toLowerCase();
      users = users.filter((u) => u.id === s || u.email.includes(s) || `${u.firstName} ${u.lastName}`.toLowerCase().includes(s));
    }
    // Paged: limit (the spec gives no default or maximum: BitGo's usual 25 and 500 here), prevId.
    const limit = limitParam(ctx, ORG_SEED.pageSize, 500);
    const { page, nextBatchPrevId } = pageById(users, limit, ctx.query.prevId === undefined ? undefined : String(ctx.query.prevId));
    return { status: 200, body: { users: page.map((u) => orgUserBody(ctx.state, u, o.id)), ...(nextBatchPrevId ? { nextBatchPrevId } : {}) } };
  });

  add("GET", "/api/v2/admin/user/:userId/summary", (ctx) => {
    const { user } = authenticate(ctx);
    const roles = own(ctx.state).bitgoAdminRoles[user.id] ?? [];
    if (roles.length === 0) {
      throw new SandboxError(403, "this route needs a BitGo admin role; the caller has none", "BitGoAdminRoleRequired", { route: "admin user summary" });
    }
    const u = findUser(ctx.state, ctx.params.userId);
    if (!u) throw new SandboxError(404, "user not found", "UserNotFound", { userId: ctx.params.userId });
    const max = ctx.query.maxEnterprises === undefined ? ORG_SEED.summaryDefaultMaxEnterprises : Number(ctx.query.maxEnterprises);
    if (!Number.isInteger(max) || max < 1) throw new SandboxError(400, "maxEnterprises must be a positive whole number", "InvalidMaxEnterprises");
    const st = bitgoState(ctx.state);
    const all = st.enterprises.filter((e) => e.members.some((m) => m.userId === u.id));
    const excludeCounts = String(ctx.query.excludeWalletCounts) === "true";
    const body: Json = {
      id: u.id,
      username: u.email,
      name: { first: u.firstName, last: u.lastName, full: `${u.firstName} ${u.lastName}`.trim() },
      email: { email: u.email, verified: u.isActive },
      enterprises: all.slice(0, max).map((e) => ({ id: e.id, name: e.name, permissions: e.members.find((m) => m.userId === u.id)!.permissions })),
      hasMoreEnterprises: all.length > max,
      organizations: u.organizations.map((o) => ({ id: o.id, role: o.role, permissions: o.role === "admin" ? ["admin"] : [] })),
      bitgoAdminRoles: own(ctx.state).bitgoAdminRoles[u.id] ?? [],
      identity: { kyc: { available: true, required: false }, verified: true },
      shardKey: "unset",
      agreements: { patriotAct: 1, termsOfUse: 1 },
      allowedCoins: [],
      bitgoEmployee: (own(ctx.state).bitgoAdminRoles[u.id] ?? []).length > 0,
      currency: { bitcoinUnit: "BTC", currency: "USD" },
      disableReset2FA: false,
      featureFlags: [],
      forceResetPassword: false,
      otpDevices: [],
      phone: { phone: null, verified: false },
      timezone: "UTC",
      country: "US",
      isActive: u.isActive,
      isFrozen: false,
      ...(excludeCounts ? {} : { walletCounts: { total: 0 } }),
    };
    return { status: 200, body: { user: body } };
  });

  // ---- control routes (not BitGo's API) ----
  /** Organization settings the web UI or BitGo would change: { approvalsRequired?, businessModel? }. */
  add("PATCH", "/__sandbox/bitgo/organizations/:id", (ctx) => {
    const { o, extra } = org(ctx, ctx.params.id);
    own(ctx.state).organizations[o.id] = { ...extra, ...ctx.body };
    return { status: 200, body: own(ctx.state).organizations[o.id] };
  });
  /** Sets a user's organization role out of band (as BitGo support would): { role } or { role: null } to remove. */
  add("PUT", "/__sandbox/bitgo/organizations/:id/users/:user", (ctx) => {
    const { o } = org(ctx, ctx.params.id);
    const u = findUser(ctx.state, ctx.params.user);
    if (!u) throw new SandboxError(404, "no such user");
    applyOrgChange(ctx.state, o.id, ctx.body?.role ? { action: "update", userId: u.id, role: ctx.body.role } : { action: "remove", userId: u.id });
    return { status: 200, body: { organizations: u.organizations } };
  });
  /** Merges this module's seed now (users, sessions, child enterprises). */
  add("POST", "/__sandbox/bitgo/organizations/seed", () => ({ status: 200, body: {} }));
}

export const bitgoOrganizationsModule: SandboxModule = {
  name: "bitgoOrganizations",
  // Its routes live under /api/v2/ and /api/org/ and are logged as module "bitgo" (the contract tests
  // check them as BitGo's API).
  prefixes: [],
  seed,
  // Adds the service user, the support admin, the customer and the seeded children to the core seed.
  afterSeed: ensureOrganizationSeed,
  routes,
  errorBody: bitgoModule.errorBody,
  answerHeaders: bitgoModule.answerHeaders,
};
