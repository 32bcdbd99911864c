// The BitGo half of the sandbox, core part: login and sessions, users, enterprises with their
// organization, enterprise users with roles, and pending approvals. Shapes follow
// ../shared/vendor-docs/bitgo-openapi-subset.yaml (the contract tests check every answer against it).
// Other BitGo modules (wallets, organizations) build on the helpers exported here: `authenticate`,
// `findUser`, `createApproval`, `onApproval` and `recordEmail`.
//
// As an honest vendor it absorbs nothing the real one would not: every request that needs approval
// makes a new pending approval, even when the same one is already waiting (a resent PUT or DELETE
// makes a second one); every e-mail BitGo would send is recorded (GET /__sandbox/bitgo/emails).
import * as crypto from "crypto";
import { Ctx, Json, Router, SandboxError, SandboxModule, SandboxState, hexId, nowIso, pageById } from "./server";

// ---- the seed: fixed ids so tests, the demo and the examples can name them ----

const TOTP_SECRET = "JBSWY3DPEHPK3PXP"; // a well-known example secret: the sandbox's, not anyone's

export const SEED = {
  organization: { id: "62c5ae8174ac860007aff1555ffb960d", name: "Acme Holdings" },
  enterprises: {
    /** One approval: changes apply at once. */
    custody: { id: "62c5ae8174ac860007aff138a2d74df7", name: "Acme Custody" },
    /** Two approvals: user changes wait for a second admin. */
    treasury: { id: "62c5ae8174ac860007aff1390f0c2a11", name: "Acme Treasury" },
  },
  operator: {
    id: "5a1b2c3d4e5f60718293a4b5c6d7e8f9",
    email: "ops-lead@acme.example",
    password: "sandbox-password",
    totpSecret: TOTP_SECRET,
    otp: "000000",
  },
  secondAdmin: { id: "6b2c3d4e5f60718293a4b5c6d7e8f90a", email: "second-admin@acme.example", password: "sandbox-password" },
  users: {
    ops: { id: "7c3d4e5f60718293a4b5c6d7e8f90a1b", email: "ops@acme.example" },
    auditor: { id: "8d4e5f60718293a4b5c6d7e8f90a1b2c", email: "auditor@acme.example" },
    treasury: { id: "9e5f60718293a4b5c6d7e8f90a1b2c3d", email: "treasury@acme.example" },
  },
  tokens: {
    /** A long-lived API token: reads fine, but lacks user_manage (as on the real BitGo). */
    longLived: "sandbox-long-lived-token-without-user-manage",
    /** A token of the second admin, for tests that play the other approver. */
    secondAdmin: "sandbox-second-admin-token",
  },
};

// ---- state ----

export interface BitGoUser {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  /** sha256 of the plain password; the sandbox accepts it plain or HMAC-hashed as BitGo's SDK sends it. */
  password?: string;
  totpSecret?: string;
  isActive: boolean;
  /** Organization roles: serviceUser | admin | member | customer. */
  organizations: { id: string; role: string }[];
}

export interface BitGoEnterprise {
  id: string;
  name: string;
  type: string;
  organizationId: string;
  approvalsRequired: number;
  members: { userId: string; permissions: string[]; videoIdUser?: boolean }[];
  createdAt: string;
  frozen?: { time: string; expires: string; reason: string };
  accountType?: string;
  [k: string]: Json;
}

export interface BitGoOrganization {
  id: string;
  name: string;
  [k: string]: Json;
}

export interface BitGoSession {
  token: string;
  id: string;
  userId: string;
  scope: string[];
  expires: string;
  created: string;
}

export interface BitGoApproval {
  id: string;
  creator: string;
  createDate: string;
  state: string;
  scope: "enterprise" | "wallet" | "organization";
  enterprise?: string;
  organization?: string;
  wallet?: string;
  coin?: string;
  info: Json;
  approvalsRequired: number;
  approvers: string[];
  resolvers?: { user: string; date: string; resolutionType: string }[];
}

/** An e-mail BitGo would send: recorded, never sent. */
export interface BitGoEmail {
  id: string;
  date: string;
  /** enterpriseInvitation (a user added to an enterprise), walletShareInvitation, walletShareResend. */
  kind: string;
  to: string;
  userId: string;
  enterpriseId?: string;
  walletId?: string;
  shareId?: string;
  permissions?: string[];
}

export interface BitGoState {
  users: BitGoUser[];
  enterprises: BitGoEnterprise[];
  organizations: BitGoOrganization[];
  sessions: BitGoSession[];
  approvals: BitGoApproval[];
  emails: BitGoEmail[];
}

const sha = (s: string) => crypto.createHash("sha256").update(s).digest("hex");

function seed(): BitGoState {
  const user = (id: string, email: string, first: string, last: string, extra: Partial<BitGoUser> = {}): BitGoUser => ({
    id,
    email,
    firstName: first,
    lastName: last,
    isActive: true,
    organizations: [],
    ...extra,
  });
  const orgId = SEED.organization.id;
  const ent = (id: string, name: string, approvalsRequired: number, members: BitGoEnterprise["members"]): BitGoEnterprise => ({
    id,
    name,
    type: "enterprise",
    organizationId: orgId,
    approvalsRequired,
    members,
    createdAt: "2026-01-05T10:00:00.000Z",
  });
  return {
    users: [
      user(SEED.operator.id, SEED.operator.email, "Olivia", "Lead", {
        password: sha(SEED.operator.password),
        totpSecret: TOTP_SECRET,
        organizations: [{ id: orgId, role: "admin" }],
      }),
      user(SEED.secondAdmin.id, SEED.secondAdmin.email, "Sam", "Second", {
        password: sha(SEED.secondAdmin.password),
        organizations: [{ id: orgId, role: "admin" }],
      }),
      user(SEED.users.ops.id, SEED.users.ops.email, "Omar", "Ops", { organizations: [{ id: orgId, role: "member" }] }),
      user(SEED.users.auditor.id, SEED.users.auditor.email, "Ada", "Auditor"),
      user(SEED.users.treasury.id, SEED.users.treasury.email, "Theo", "Treasury"),
    ],
    organizations: [{ id: orgId, name: SEED.organization.name }],
    enterprises: [
      ent(SEED.enterprises.custody.id, SEED.enterprises.custody.name, 1, [{ userId: SEED.operator.id, permissions: ["admin"] }]),
      ent(SEED.enterprises.treasury.id, SEED.enterprises.treasury.name, 2, [
        { userId: SEED.operator.id, permissions: ["admin"] },
        { userId: SEED.secondAdmin.id, permissions: ["admin"] },
      ]),
    ],
    sessions: [
      session(SEED.tokens.longLived, SEED.operator.id, ["wallet_view_all", "enterprise_view_all", "wallet_spend_all", "pending_approval_update"], 365 * 86400),
      session(SEED.tokens.secondAdmin, SEED.secondAdmin.id, ["user_manage", "wallet_view_all", "enterprise_view_all", "pending_approval_update"], 365 * 86400),
    ],
    approvals: [],
    emails: [],
  };
}

function session(token: string, userId: string, scope: string[], seconds: number): BitGoSession {
  return { token, id: hexId(), userId, scope, created: nowIso(), expires: new Date(Date.now() + seconds * 1000).toISOString() };
}

export function bitgoState(state: SandboxState): BitGoState {
  const st = state.bitgo as BitGoState;
  st.emails ??= []; // a state file from before e-mails were recorded
  return st;
}

/** Records an e-mail BitGo would send (and counts it in GET /__sandbox/stats). */
export function recordEmail(ctx: Ctx, email: Omit<BitGoEmail, "id" | "date">): BitGoEmail {
  const e: BitGoEmail = { id: hexId(), date: nowIso(), ...email };
  bitgoState(ctx.state).emails.push(e);
  ctx.sandbox.countEvent("emails");
  return e;
}

// ---- helpers other BitGo modules use ----

/** The session of the bearer token; 401 as BitGo answers it when missing or expired. */
export function authenticate(ctx: Ctx, scope?: string): { user: BitGoUser; session: BitGoSession } {
  const header = String(ctx.headers.authorization ?? "");
  const token = header.startsWith("Bearer ") ? header.slice(7) : "";
  const st = bitgoState(ctx.state);
  const s = st.sessions.find((x) => x.token === token);
  if (!s || Date.parse(s.expires) < Date.now()) {
    throw new SandboxError(401, "unauthorized", "Unauthorized", {}, { "x-auth-required": "true" });
  }
  const user = st.users.find((u) => u.id === s.userId)!;
  // BitGo's documented per-user limit on authenticated calls.
  ctx.sandbox.rateLimit(`auth:${user.id}`, { limit: 360, windowMs: 60_000 });
  if (scope && !s.scope.includes(scope)) {
    throw new SandboxError(403, `this token does not have the required scope: ${scope}`, "InsufficientScope", { requiredScope: scope });
  }
  return { user, session: s };
}

/** A user by id or email (case-insensitive), or undefined. */
export function findUser(state: SandboxState, idOrEmail: string): BitGoUser | undefined {
  const key = idOrEmail.toLowerCase();
  return bitgoState(state).users.find((u) => u.id === key || u.email.toLowerCase() === key);
}

export function findEnterprise(state: SandboxState, id: string): BitGoEnterprise {
  if (!/^[0-9a-f]{32}$/.test(id)) throw new SandboxError(400, `invalid enterprise id ${id}`, "InvalidEnterpriseId", { enterpriseId: id });
  const e = bitgoState(state).enterprises.find((x) => x.id === id);
  if (!e) throw new SandboxError(404, "enterprise not found", "EnterpriseNotFound", { enterpriseId: id });
  return e;
}

export function isEnterpriseAdmin(e: BitGoEnterprise, userId: string): boolean {
  return e.members.some((m) => m.userId === userId && m.permissions.includes("admin"));
}

/** What runs when an approval of a given kind is approved (each module registers its own). */
type ApprovalEffect = (ctx: Ctx, approval: BitGoApproval) => void;
const approvalEffects = new Map<string, ApprovalEffect>();

/** Registers what happens when an approval whose `info.type` (or `info.kind`) is `kind` is approved. */
export function onApproval(kind: string, effect: ApprovalEffect): void {
  approvalEffects.set(kind, effect);
}

export function createApproval(ctx: Ctx, a: Omit<BitGoApproval, "id" | "createDate" | "state" | "approvers">): BitGoApproval {
  const approval: BitGoApproval = { id: hexId(), createDate: nowIso(), state: "pending", approvers: [], ...a };
  bitgoState(ctx.state).approvals.push(approval);
  return approval;
}

/** The PendingApproval answer shape. */
export function approvalBody(a: BitGoApproval): Json {
  const out: Json = {
    id: a.id,
    creator: a.creator,
    createDate: a.createDate,
    info: infoBody(a.info),
    state: a.state,
    scope: a.scope,
    approvalsRequired: a.approvalsRequired,
    userIds: a.approvers,
  };
  if (a.enterprise) out.enterprise = a.enterprise;
  if (a.organization) out.organization = a.organization;
  if (a.wallet) out.wallet = a.wallet;
  if (a.coin) out.coin = a.coin;
  // The spec's resolver: resolutionType is the (pending) state the approval was in when resolved,
  // resolutionAction what the resolver did.
  if (a.resolvers) {
    out.resolvers = a.resolvers.map((r) => ({
      user: r.user,
      date: r.date,
      resolutionType: "pending",
      resolutionAction: r.resolutionType === "rejected" ? "reject" : "approve",
    }));
  }
  return out;
}

/**
 * PendingApprovalInfo as the spec has it: `updateEnterpriseRequest.permissions` is ONE permission (a
 * string), absent for a change to a plain member. The stored request keeps the list (its effect needs
 * it); an answer shows the first one. `sandbox` bookkeeping stays out of answers.
 */
function infoBody(info: Json): Json {
  if (!info || typeof info !== "object") return info;
  const { sandbox: _bookkeeping, ...rest } = info;
  const req = rest.updateEnterpriseRequest;
  if (req && Array.isArray(req.permissions)) {
    const { permissions, ...other } = req;
    rest.updateEnterpriseRequest = permissions.length > 0 ? { ...other, permissions: permissions[0] } : other;
  }
  return rest;
}

/** Applies an approve or reject by `userId` to an approval, running its effect once approved. */
export function resolveApproval(ctx: Ctx, approval: BitGoApproval, userId: string, decision: "approved" | "rejected"): void {
  if (approval.state !== "pending") throw new SandboxError(400, `pending approval is already ${approval.state}`, "ApprovalNotPending");
  approval.resolvers = [...(approval.resolvers ?? []), { user: userId, date: nowIso(), resolutionType: decision === "approved" ? "approved" : "rejected" }];
  if (decision === "rejected") {
    approval.state = "rejected";
    return;
  }
  if (approval.creator === userId) throw new SandboxError(400, "the creator of a pending approval cannot approve it", "CannotApproveOwnRequest");
  if (!approval.approvers.includes(userId)) approval.approvers.push(userId);
  // The creator counts as the first approval.
  if (approval.approvers.length + 1 >= approval.approvalsRequired) {
    const effect = approvalEffects.get(approval.info?.kind ?? approval.info?.type);
    effect?.(ctx, approval);
    approval.state = "approved";
  }
}

// ---- answer shapes ----

function userSummary(state: SandboxState, u: BitGoUser): Json {
  const st = bitgoState(state);
  return {
    id: u.id,
    username: u.email,
    name: { first: u.firstName, last: u.lastName, full: `${u.firstName} ${u.lastName}` },
    email: { email: u.email, verified: u.isActive },
    isActive: u.isActive,
    isFrozen: false,
    phone: { verified: false }, // GET /api/v2/user/{id}: phone.phone is a string when set, never null
    country: "US",
    kycStatus: "approved",
    enterprises: st.enterprises
      .filter((e) => e.members.some((m) => m.userId === u.id))
      .map((e) => ({ id: e.id, permissions: e.members.find((m) => m.userId === u.id)!.permissions })),
    organizations: u.organizations.map((o) => ({ id: o.id, role: o.role, permissions: o.role === "admin" ? ["admin"] : [] })),
  };
}

function loginUser(state: SandboxState, u: BitGoUser): Json {
  return {
    ...userSummary(state, u),
    agreements: { patriotAct: 1, termsOfUse: 1 },
    allowedCoins: [],
    bitgoEmployee: false,
    currency: { bitcoinUnit: "BTC", currency: "USD" },
    disableReset2FA: false,
    featureFlags: [],
    forceResetPassword: false,
    identity: { verified: true },
    phone: { phone: null, verified: false }, // LoginResponse.user: phone.phone is required and nullable
    otpDevices: u.totpSecret ? [{ id: "6f1a2b3c4d5e6f708192a3b4c5d6e7f8", createDate: "2026-01-05T10:00:00.000Z", type: "totp", label: "sandbox" }] : [],
    timezone: "UTC",
  };
}

/** The enterprise as GET /api/v2/enterprise/{id} answers it; `users` name its video approvers (the spec requires their email). */
export function enterpriseBody(e: BitGoEnterprise, users: BitGoUser[] = []): Json {
  return {
    id: e.id,
    name: e.name,
    type: e.type,
    organizationId: e.organizationId,
    organization: e.organizationId,
    approvalsRequired: e.approvalsRequired,
    wallets: [],
    tags: [],
    hasScimClient: false,
    bitgoOrg: "BitGo Trust",
    kycState: "approved",
    legalIdentifiers: { legalPersonNameIdentifierType: "LEGL", legalPersonName: e.name },
    latestSAVersionSigned: 1,
    travelRule: false,
    productLicenses: [],
    canAccessBorrowing: false,
    canAccessLending: false,
    canAccessSettlement: false,
    canAccessTrading: false,
    canCreateColdWallet: true,
    canCreateHotWallet: true,
    canCreateCustodialWallet: true,
    canCreateOffchainWallet: false,
    oneTimeFees: [],
    upfrontPaymentStatus: "none",
    ethAlwaysUseHop: false,
    usersViewAllWallets: false,
    videoIdWaived: false,
    createdAt: e.createdAt,
    videoIdUsers: e.members
      .filter((m) => m.videoIdUser)
      // A video approver just designated waits for BitGo's video ID (the spec's state "awaitingApproval").
      .map((m) => ({ email: users.find((u) => u.id === m.userId)?.email ?? m.userId, userId: m.userId, inviter: e.members[0]?.userId ?? m.userId, state: "awaitingApproval" })),
    ...(e.accountType ? { accountType: e.accountType } : {}),
    ...(e.frozen ? { freeze: e.frozen } : {}),
  };
}

function memberBody(u: BitGoUser): Json {
  return {
    id: u.id,
    username: u.email,
    firstName: u.firstName,
    lastName: u.lastName,
    fullName: `${u.firstName} ${u.lastName}`,
    isActive: u.isActive,
    email: { email: u.email, verified: u.isActive },
    verified: u.isActive,
  };
}

// ---- login ----

function checkPassword(u: BitGoUser, email: string, password: string): boolean {
  if (!u.password) return false;
  // Plain text, or HMAC-SHA256 keyed by the lowercased email (BitGo's SDK): the sandbox stores sha256
  // of the plain password, so it checks the hashed form against the seed's known plain passwords.
  if (sha(password) === u.password) return true;
  for (const plain of [SEED.operator.password, SEED.secondAdmin.password]) {
    if (sha(plain) === u.password && crypto.createHmac("sha256", email.toLowerCase()).update(plain).digest("hex") === password) return true;
  }
  return false;
}

function totpAt(secret: string, step: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of secret.toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac("sha1", key).update(counter).digest();
  const o = mac[mac.length - 1] & 0xf;
  return ((mac.readUInt32BE(o) & 0x7fffffff) % 1_000_000).toString().padStart(6, "0");
}

function checkOtp(u: BitGoUser, otp: string): boolean {
  if (otp === "000000") return true; // testnet: the OTP is always 000000
  if (!u.totpSecret) return false;
  const step = Math.floor(Date.now() / 30_000);
  return [step - 1, step, step + 1].some((s) => totpAt(u.totpSecret!, s) === otp);
}

function login(ctx: Ctx) {
  const { email, password, otp } = ctx.body ?? {};
  if (typeof email !== "string" || typeof password !== "string" || typeof otp !== "string") {
    throw new SandboxError(400, "email, password and otp are required", "InvalidBody");
  }
  ctx.sandbox.rateLimit(`login:${email.toLowerCase()}`, { limit: 15, windowMs: 300_000 });
  const u = findUser(ctx.state, email);
  if (!u || !checkPassword(u, email, password)) throw new SandboxError(401, "incorrect email or password", "InvalidCredentials");
  if (!checkOtp(u, otp)) throw new SandboxError(401, "incorrect otp", "InvalidOTP", {}, {});
  const s = session(`sandbox-session-${crypto.randomBytes(16).toString("hex")}`, u.id, ["user_manage", "wallet_view_all", "enterprise_view_all", "wallet_spend_all", "pending_approval_update", "openid", "profile"], 3600);
  bitgoState(ctx.state).sessions.push(s);
  ctx.sandbox.countEvent("logins");
  return {
    status: 200,
    body: {
      access_token: s.token,
      token_type: "bearer",
      grant_type: "password",
      expires_in: 3600,
      expires_at: Math.floor(Date.parse(s.expires) / 1000),
      scope: s.scope,
      token_id: s.id,
      user: loginUser(ctx.state, u),
    },
  };
}

// ---- enterprise users ----

const PERMISSIONS = ["admin", "auditor", "wallet.create"];
const ROLES = [...PERMISSIONS, "member"];

function requireAdmin(ctx: Ctx, e: BitGoEnterprise, user: BitGoUser) {
  if (!isEnterpriseAdmin(e, user.id)) {
    throw new SandboxError(403, "only enterprise admins may manage the enterprise's users", "Forbidden", { enterpriseId: e.id });
  }
}

/** Finds the user to add, or creates an invited (inactive) one, as BitGo invites unknown emails. */
export function userForEmail(ctx: Ctx, email: string): BitGoUser {
  const existing = findUser(ctx.state, email);
  if (existing) return existing;
  const [local] = email.split("@");
  const invited: BitGoUser = { id: hexId(), email: email.toLowerCase(), firstName: local, lastName: "", isActive: false, organizations: [] };
  bitgoState(ctx.state).users.push(invited);
  return invited;
}

/** Makes `u` a member of `e` and sends the invitation e-mail BitGo sends to a user added to an enterprise. */
function addMember(ctx: Ctx, e: BitGoEnterprise, u: BitGoUser, permissions: string[], videoIdUser?: boolean) {
  e.members.push({ userId: u.id, permissions, ...(videoIdUser ? { videoIdUser } : {}) });
  recordEmail(ctx, { kind: "enterpriseInvitation", to: u.email, userId: u.id, enterpriseId: e.id, permissions });
}

/**
 * POST /api/v2/enterprise/{id}/user: `username` or `usernames[]` (BitGo's set-up guide adds several
 * in one call) with one `permission` (or an array). All are added at once, or, on an enterprise that
 * needs more than one approval, one pending approval covers the whole request (202 with it; the
 * guide shows its `info.updateEnterpriseRequest` naming one of the users).
 */
function addEnterpriseUser(ctx: Ctx) {
  const { user } = authenticate(ctx, "user_manage");
  const e = findEnterprise(ctx.state, ctx.params.enterpriseId);
  requireAdmin(ctx, e, user);
  const body = ctx.body ?? {};
  const usernames: string[] = Array.isArray(body.usernames) ? body.usernames : typeof body.username === "string" ? [body.username] : [];
  if (usernames.length === 0) throw new SandboxError(400, "username or usernames is required", "InvalidBody");
  const permissions: string[] = Array.isArray(body.permission) ? body.permission : typeof body.permission === "string" ? [body.permission] : [];
  if (permissions.length === 0 || permissions.some((p) => !PERMISSIONS.includes(p))) {
    throw new SandboxError(400, `permission must be one of ${PERMISSIONS.join(", ")} (or an array of them)`, "InvalidPermission", { permission: body.permission });
  }
  for (const name of usernames) {
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(name)) throw new SandboxError(400, `username ${name} is not an email`, "InvalidUsername");
  }
  const targets = usernames.map((n) => userForEmail(ctx, n));
  for (const t of targets) {
    if (e.members.some((m) => m.userId === t.id)) {
      throw new SandboxError(400, `${t.email} is already a member of this enterprise`, "UserAlreadyInEnterprise", { username: t.email });
    }
  }
  const perms = [...new Set(permissions)].sort();
  if (e.approvalsRequired > 1) {
    // One pending approval for the request (BitGo answers 202 with it).
    const t = targets[0];
    const approval = createApproval(ctx, {
      creator: user.id,
      scope: "enterprise",
      enterprise: e.id,
      approvalsRequired: e.approvalsRequired,
      info: {
        type: "updateEnterpriseRequest",
        updateEnterpriseRequest: { action: "add", email: t.email, userId: t.id, permissions: perms, isVideoIdUser: !!body.videoIdUser },
        sandbox: { usernames: targets.map((x) => x.email) },
      },
    });
    return { status: 202, body: approvalBody(approval) };
  }
  for (const t of targets) addMember(ctx, e, t, perms, !!body.videoIdUser);
  return { status: 200, body: {} };
}

function updateEnterpriseUser(ctx: Ctx) {
  const { user } = authenticate(ctx, "user_manage");
  const e = findEnterprise(ctx.state, ctx.params.enterpriseId);
  requireAdmin(ctx, e, user);
  const userId = String(ctx.query.userId ?? "");
  const role = String(ctx.query.role ?? "");
  if (!/^[0-9a-f]{32}$/.test(userId)) throw new SandboxError(400, "userId must be 32 hex characters", "InvalidUserId");
  if (!ROLES.includes(role)) throw new SandboxError(400, `role must be one of ${ROLES.join(", ")}`, "InvalidRole", { role });
  const member = e.members.find((m) => m.userId === userId);
  if (!member) throw new SandboxError(404, "user is not a member of this enterprise", "UserNotFound", { userId });
  const perms = role === "member" ? [] : [role];
  if (e.approvalsRequired > 1) {
    const target = findUser(ctx.state, userId)!;
    const approval = createApproval(ctx, {
      creator: user.id,
      scope: "enterprise",
      enterprise: e.id,
      approvalsRequired: e.approvalsRequired,
      info: { type: "updateEnterpriseRequest", updateEnterpriseRequest: { action: "update", email: target.email, userId, permissions: perms } },
    });
    return { status: 202, body: approvalBody(approval) };
  }
  member.permissions = perms;
  return { status: 200, body: {} };
}

function removeEnterpriseUser(ctx: Ctx) {
  const { user } = authenticate(ctx, "user_manage");
  const e = findEnterprise(ctx.state, ctx.params.enterpriseId);
  requireAdmin(ctx, e, user);
  const username = ctx.body?.username;
  if (typeof username !== "string") throw new SandboxError(400, "username is required", "InvalidBody");
  const target = findUser(ctx.state, username);
  const member = target && e.members.find((m) => m.userId === target.id);
  if (!target || !member) throw new SandboxError(404, `${username} is not a member of this enterprise`, "UserNotFound", { username });
  if (e.approvalsRequired > 1) {
    const approval = createApproval(ctx, {
      creator: user.id,
      scope: "enterprise",
      enterprise: e.id,
      approvalsRequired: e.approvalsRequired,
      info: { type: "updateEnterpriseRequest", updateEnterpriseRequest: { action: "remove", email: target.email, userId: target.id } },
    });
    return { status: 202, body: { pendingApprovals: [approvalBody(approval)] } };
  }
  e.members = e.members.filter((m) => m !== member);
  return { status: 200, body: {} };
}

onApproval("updateEnterpriseRequest", (ctx, a) => {
  const req = a.info.updateEnterpriseRequest;
  const e = findEnterprise(ctx.state, a.enterprise!);
  if (req.action === "add") {
    const emails: string[] = a.info.sandbox?.usernames ?? [req.email];
    for (const email of emails) {
      const u = findUser(ctx.state, email);
      if (u && !e.members.some((m) => m.userId === u.id)) addMember(ctx, e, u, req.permissions, req.isVideoIdUser);
    }
  } else if (req.action === "update") {
    const m = e.members.find((x) => x.userId === req.userId);
    if (m) m.permissions = req.permissions;
  } else if (req.action === "remove") {
    e.members = e.members.filter((m) => m.userId !== req.userId);
  }
});

// ---- pending approvals ----

function canSeeApproval(state: SandboxState, a: BitGoApproval, user: BitGoUser): boolean {
  if (a.creator === user.id) return true;
  if (a.enterprise) {
    const e = bitgoState(state).enterprises.find((x) => x.id === a.enterprise);
    if (e && e.members.some((m) => m.userId === user.id)) return true;
  }
  if (a.organization) return user.organizations.some((o) => o.id === a.organization);
  return !!a.wallet; // wallet modules check wallet membership themselves
}

/**
 * A `limit` query parameter as BitGo's list routes take it: a whole number from 1 to `max` (default
 * `fallback`); 400 otherwise.
 */
export function limitParam(ctx: Ctx, fallback = 25, max = 500): number {
  const raw = ctx.query.limit;
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new SandboxError(400, `limit must be a whole number from 1 to ${max}`, "InvalidLimit", { limit: raw });
  return n;
}

/**
 * GET /api/v2/pendingapprovals, paged as the spec documents it: `limit` (default 25, 1 to 500),
 * `prevId` from the previous page's `nextBatchPrevId`, and `offset` (documents to skip). Ordered by id
 * (creation order).
 */
function listApprovals(ctx: Ctx) {
  const { user } = authenticate(ctx);
  const q = ctx.query;
  const wanted = q.state ? ([] as string[]).concat(q.state) : ["pending", "awaitingSignature", "pendingFinalApproval"];
  const enterpriseIds = q.enterpriseId ? ([] as string[]).concat(q.enterpriseId) : undefined;
  const types = q.requestType ? ([] as string[]).concat(q.requestType) : undefined;
  const limit = limitParam(ctx);
  const offset = q.offset === undefined ? 0 : Number(q.offset);
  if (!Number.isInteger(offset) || offset < 0) throw new SandboxError(400, "offset must be a whole number, 0 or more", "InvalidOffset", { offset: q.offset });
  const list = bitgoState(ctx.state).approvals.filter(
    (a) =>
      canSeeApproval(ctx.state, a, user) &&
      wanted.includes(a.state) &&
      (!enterpriseIds || (a.enterprise && enterpriseIds.includes(a.enterprise))) &&
      (!q.walletId || a.wallet === q.walletId) &&
      (!q.organizationId || a.organization === q.organizationId) &&
      (!q.scope || a.scope === q.scope) &&
      (!types || types.includes(a.info?.type)),
  );
  const prevId = q.prevId === undefined ? undefined : String(q.prevId);
  const { page, nextBatchPrevId } = pageById(list, offset + limit, prevId);
  const shown = page.slice(offset);
  const body: Json = { pendingApprovals: shown.map(approvalBody) };
  if (nextBatchPrevId && shown.length) body.nextBatchPrevId = shown[shown.length - 1].id;
  return { status: 200, body };
}

function findApproval(ctx: Ctx): BitGoApproval {
  const { user } = authenticate(ctx);
  const a = bitgoState(ctx.state).approvals.find((x) => x.id === ctx.params.approvalId);
  if (!a || !canSeeApproval(ctx.state, a, user)) throw new SandboxError(404, "pending approval not found", "PendingApprovalNotFound");
  return a;
}

function updateApproval(ctx: Ctx) {
  const { user } = authenticate(ctx, "pending_approval_update");
  const a = findApproval(ctx);
  const state = ctx.body?.state;
  if (state !== "approved" && state !== "rejected") throw new SandboxError(400, "state must be approved or rejected", "InvalidState");
  resolveApproval(ctx, a, user.id, state);
  return { status: 200, body: approvalBody(a) };
}

// ---- routes ----

function routes(r: Router) {
  r.add("POST", "/api/v2/user/login", login);
  r.add("POST", "/api/v1/user/login", login);
  r.add("GET", "/api/v2/user/session", (ctx) => {
    const { session: s } = authenticate(ctx);
    return { status: 200, body: { session: { id: s.id, user: s.userId, scope: s.scope, expires: s.expires, created: s.created, isExtensible: false, client: "bitgo", origin: "sandbox" } } };
  });
  r.add("GET", "/api/v2/user/:id", (ctx) => {
    const { user } = authenticate(ctx);
    ctx.sandbox.rateLimit(`getuser:${user.id}`, { limit: 60, windowMs: 600_000 });
    const id = ctx.params.id;
    const u = id === "me" ? user : findUser(ctx.state, id);
    if (!u) throw new SandboxError(404, "user not found", "UserNotFound", { id });
    return { status: 200, body: { user: userSummary(ctx.state, u) } };
  });
  r.add("GET", "/api/v2/enterprise", (ctx) => {
    const { user } = authenticate(ctx);
    const list = bitgoState(ctx.state).enterprises.filter((e) => e.members.some((m) => m.userId === user.id));
    return { status: 200, body: { enterprises: list.map((e) => enterpriseBody(e, bitgoState(ctx.state).users)) } };
  });
  r.add("GET", "/api/v2/enterprise/:enterpriseId", (ctx) => {
    const { user } = authenticate(ctx);
    const e = findEnterprise(ctx.state, ctx.params.enterpriseId);
    if (!e.members.some((m) => m.userId === user.id) && !user.organizations.some((o) => o.id === e.organizationId)) {
      throw new SandboxError(404, "enterprise not found", "EnterpriseNotFound");
    }
    return { status: 200, body: enterpriseBody(e, bitgoState(ctx.state).users) };
  });
  // Not paged: the spec gives this route no paging parameters (only allowInactiveUsers), and the
  // answer is every user at once ({ adminUsers, nonAdminUsers, count, incomplete }).
  r.add("GET", "/api/v1/enterprise/:enterpriseId/user", (ctx) => {
    const { user } = authenticate(ctx);
    const e = findEnterprise(ctx.state, ctx.params.enterpriseId);
    if (!e.members.some((m) => m.userId === user.id)) throw new SandboxError(404, "enterprise not found", "EnterpriseNotFound");
    const allowInactive = String(ctx.query.allowInactiveUsers) === "true";
    const byId = new Map(bitgoState(ctx.state).users.map((u) => [u.id, u]));
    const users = e.members
      .map((m) => ({ m, u: byId.get(m.userId)! }))
      .filter(({ u }) => allowInactive || u.isActive);
    return {
      status: 200,
      body: {
        adminUsers: users.filter(({ m }) => m.permissions.includes("admin")).map(({ u }) => memberBody(u)),
        nonAdminUsers: users.filter(({ m }) => !m.permissions.includes("admin")).map(({ u }) => memberBody(u)),
        count: users.length,
        incomplete: false,
      },
    };
  });
  r.add("POST", "/api/v2/enterprise/:enterpriseId/user", addEnterpriseUser);
  r.add("PUT", "/api/v2/enterprise/:enterpriseId/user", updateEnterpriseUser);
  r.add("DELETE", "/api/v2/enterprise/:enterpriseId/user", removeEnterpriseUser);
  r.add("GET", "/api/v2/pendingapprovals", listApprovals);
  r.add("GET", "/api/v2/pendingapprovals/:approvalId", (ctx) => ({ status: 200, body: approvalBody(findApproval(ctx)) }));
  r.add("PUT", "/api/v2/pendingapprovals/:approvalId", updateApproval);

  // Control routes: tests and the demo play other people here.
  /** Another admin approves or rejects: { state, userId? } (default the second admin). */
  r.add("POST", "/__sandbox/bitgo/pendingapprovals/:approvalId", (ctx) => {
    const a = bitgoState(ctx.state).approvals.find((x) => x.id === ctx.params.approvalId);
    if (!a) throw new SandboxError(404, "no such approval");
    resolveApproval(ctx, a, ctx.body?.userId ?? SEED.secondAdmin.id, ctx.body?.state ?? "approved");
    return { status: 200, body: approvalBody(a) };
  });
  /** Out-of-band changes, as someone in the BitGo web UI would make them. */
  r.add("DELETE", "/__sandbox/bitgo/enterprise/:enterpriseId/user/:username", (ctx) => {
    const e = findEnterprise(ctx.state, ctx.params.enterpriseId);
    const u = findUser(ctx.state, ctx.params.username);
    e.members = e.members.filter((m) => m.userId !== u?.id);
    return { status: 200, body: {} };
  });
  r.add("PUT", "/__sandbox/bitgo/enterprise/:enterpriseId/user/:username", (ctx) => {
    const e = findEnterprise(ctx.state, ctx.params.enterpriseId);
    const u = findUser(ctx.state, ctx.params.username);
    const m = e.members.find((x) => x.userId === u?.id);
    if (!m) throw new SandboxError(404, "not a member");
    m.permissions = ctx.body.permissions;
    return { status: 200, body: {} };
  });
  /** Creates a session for any seeded user with the given scopes: { userId, scope[] } → { token }. */
  r.add("POST", "/__sandbox/bitgo/tokens", (ctx) => {
    const s = session(`sandbox-token-${crypto.randomBytes(12).toString("hex")}`, ctx.body.userId, ctx.body.scope ?? [], ctx.body.seconds ?? 3600);
    bitgoState(ctx.state).sessions.push(s);
    return { status: 200, body: { token: s.token } };
  });
  /** The e-mails BitGo would have sent, oldest first: ?to=&kind= filter; DELETE forgets them. */
  r.add("GET", "/__sandbox/bitgo/emails", (ctx) => {
    const to = ctx.query.to === undefined ? undefined : String(ctx.query.to).toLowerCase();
    const kind = ctx.query.kind === undefined ? undefined : String(ctx.query.kind);
    const emails = bitgoState(ctx.state).emails.filter((e) => (!to || e.to === to) && (!kind || e.kind === kind));
    return { status: 200, body: { emails } };
  });
  r.add("DELETE", "/__sandbox/bitgo/emails", (ctx) => {
    bitgoState(ctx.state).emails = [];
    return { status: 200, body: {} };
  });
  r.add("PATCH", "/__sandbox/bitgo/enterprise/:enterpriseId", (ctx) => {
    const e = findEnterprise(ctx.state, ctx.params.enterpriseId);
    Object.assign(e, ctx.body);
    return { status: 200, body: enterpriseBody(e, bitgoState(ctx.state).users) };
  });
}

export const bitgoModule: SandboxModule = {
  name: "bitgo",
  prefixes: ["/api/v1/", "/api/v2/", "/api/org/"],
  seed,
  routes,
  errorBody: (err: SandboxError, requestId: string) => ({
    error: err.message,
    name: err.code || "Error",
    requestId,
    context: err.context ?? {},
  }),
  answerHeaders: (requestId: string) => ({ "request-id": requestId }),
};
