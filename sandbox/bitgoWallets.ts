// The BitGo half of the sandbox, wallets part: wallets with their users and permissions (and a user
// key encrypted with a wallet passphrase), wallet shares in every state, the recipient's side
// (acceptance, rejection), cancelling, resending the invitation, removing a user from a wallet (with
// approvals on wallets that need two), users' sharing keys (rate limited 5 per 300 s as on BitGo) and
// the wallet key read (`GET /api/v2/{coin}/key/{id}`, not in the spec subset).
//
// A small BitGo Express stands in under `/express`: `POST /express/api/v2/{coin}/wallet/{id}/share`
// takes `{ email, permissions, walletPassphrase }` and does what Express does (sharing key, keychain,
// share) through the sandbox's own BitGo API; every other `/express/api/...` call is proxied to BitGo.
//
// Shapes follow ../shared/vendor-docs/bitgo-openapi-subset.yaml, except `permissions` on a share,
// which is the comma-separated list BitGo's reference page and SDK use (the spec has one `permission`).
//
// Honest-vendor rules: a second share of a wallet with a user who already has access, or whose
// share is still waiting, is refused unless `reshare` is set (the reference page: reshare "is
// required if the invitee has already been invited"); a reshare makes a new share (the old one is
// cancelled) and a new invitation e-mail. Every removal of a user that needs approval makes a new
// pending approval. The invitation e-mail goes out when the share becomes active (at once, or when
// its approval is given) unless `disableEmail`; each resendemail sends one more.
//
// Key material (wallet keys, sharing keys, shared keychains) uses the sandbox's own ./keys.ts, never
// the provider's code.
import * as crypto from "crypto";
import { Ctx, Json, Router, SandboxError, SandboxModule, SandboxState, hexId, nowIso } from "./server";
import { BitGoUser, SEED, authenticate, approvalBody, bitgoModule, bitgoState, createApproval, findEnterprise, findUser, onApproval, recordEmail } from "./bitgo";
import { openKeychain, sealKeychainFor, secp256k1PublicKey, sjclEncrypt } from "./keys";

export const WALLET_SEED = {
  /** The passphrase every seeded wallet's user key is encrypted with. */
  passphrase: "sandbox-wallet-passphrase",
  coin: "tbtc",
  wallets: {
    /** One approval: shares go out at once. Owned by the operator. */
    team: { id: "a1b2c3d4e5f60718293a4b5c6d7e8f01", label: "Acme Team Hot Wallet" },
    /** Two admins, two approvals: shares and user removals wait for the second admin. */
    guarded: { id: "b2c3d4e5f60718293a4b5c6d7e8f0a12", label: "Acme Guarded Wallet" },
    /** A Go Account (`multi-key-user-key`): a keychain must never be sent. */
    goAccount: { id: "c3d4e5f60718293a4b5c6d7e8f0a1b23", label: "Acme Go Account" },
  },
  /** Users that only the wallets module knows (found through the sharing-key lookup). */
  users: {
    compliance: { id: "d4e5f60718293a4b5c6d7e8f0a1b2c34", email: "compliance@acme.example" },
  },
  enterprise: SEED.enterprises.custody.id,
  /** The path BitGo returns with a user's sharing key. */
  sharingPath: "m/999999/1/1",
};

const SHARE_STATES = ["pendingapproval", "active", "accepted", "canceled", "rejected"];
const PERMISSIONS = ["admin", "spend", "view", "trade"];

// ---- state ----

export interface SandboxWallet {
  id: string;
  coin: string;
  label: string;
  enterprise: string;
  approvalsRequired: number;
  users: { user: string; permissions: string[] }[];
  keys: string[];
  featureFlags: string[];
  startDate: string;
}

export interface SandboxKey {
  id: string;
  pub: string;
  encryptedPrv?: string;
  /** sha256 of the plain private key: the recipient checks a shared keychain against it. */
  prvHash?: string;
  source: string;
}

export interface SandboxShare {
  id: string;
  coin: string;
  wallet: string;
  walletLabel: string;
  fromUser: string;
  toUser: string;
  permissions: string;
  message: string;
  state: string;
  enterprise: string;
  pendingApprovalId?: string;
  keychain?: Json;
  skipKeychain?: boolean;
  reshare?: boolean;
  disableEmail?: boolean;
  emailsSent: number;
  createDate: string;
  /** Set when the recipient accepted and the shared keychain opened with their sharing key. */
  keychainVerified?: boolean;
}

export interface WalletsState {
  wallets: SandboxWallet[];
  keys: SandboxKey[];
  shares: SandboxShare[];
  users: { id: string; email: string; firstName: string; lastName: string }[];
}

const sha = (s: string) => crypto.createHash("sha256").update(s).digest("hex");

/** A user's sharing private key: fixed per user so tests can play the recipient. */
export function sharingPrivateKey(userId: string): Buffer {
  return crypto.createHash("sha256").update(`orgstack-sandbox-sharing-key:${userId}`).digest();
}

function seed(): WalletsState {
  const keys: SandboxKey[] = [];
  const makeKeys = (walletId: string, encrypted: boolean): string[] => {
    const ids: string[] = [];
    for (const source of ["user", "backup", "bitgo"]) {
      const prvKey = crypto.createHash("sha256").update(`orgstack-sandbox-wallet-key:${walletId}:${source}`).digest();
      const prv = `sandbox-prv-${prvKey.toString("hex")}`;
      const key: SandboxKey = { id: sha(`${walletId}:${source}`).slice(0, 32), pub: secp256k1PublicKey(prvKey).toString("hex"), source };
      if (source === "user" && encrypted) {
        key.encryptedPrv = sjclEncrypt(WALLET_SEED.passphrase, prv);
        key.prvHash = sha(prv);
      }
      keys.push(key);
      ids.push(key.id);
    }
    return ids;
  };
  const w = WALLET_SEED.wallets;
  const owner = { user: SEED.operator.id, permissions: ["admin", "spend", "view"] };
  const wallet = (id: string, label: string, approvalsRequired: number, users: SandboxWallet["users"], featureFlags: string[] = []): SandboxWallet => ({
    id,
    coin: WALLET_SEED.coin,
    label,
    enterprise: WALLET_SEED.enterprise,
    approvalsRequired,
    users,
    keys: makeKeys(id, featureFlags.length === 0),
    featureFlags,
    startDate: "2026-01-06T10:00:00.000Z",
  });
  return {
    wallets: [
      wallet(w.team.id, w.team.label, 1, [owner]),
      wallet(w.guarded.id, w.guarded.label, 2, [owner, { user: SEED.secondAdmin.id, permissions: ["admin", "spend", "view"] }]),
      wallet(w.goAccount.id, w.goAccount.label, 1, [owner], ["multi-key-user-key"]),
    ],
    keys,
    shares: [],
    users: [{ ...WALLET_SEED.users.compliance, firstName: "Cora", lastName: "Compliance" }],
  };
}

export function walletsState(state: SandboxState): WalletsState {
  return state.bitgoWallets as WalletsState;
}

/** A user known to BitGo core or to this module, by id or email. */
function findAnyUser(state: SandboxState, idOrEmail: string): { id: string; email: string } | undefined {
  const core = findUser(state, idOrEmail);
  if (core) return { id: core.id, email: core.email };
  const key = idOrEmail.toLowerCase();
  return walletsState(state).users.find((u) => u.id === key || u.email === key);
}

function findWallet(ctx: Ctx, userId?: string): SandboxWallet {
  const { walletId, coin } = ctx.params;
  if (!/^[0-9a-f]{32}$/.test(walletId)) throw new SandboxError(400, `invalid wallet id ${walletId}`, "InvalidWalletId", { walletId });
  const w = walletsState(ctx.state).wallets.find((x) => x.id === walletId && (!coin || x.coin === coin));
  if (!w || (userId && !w.users.some((u) => u.user === userId))) throw new SandboxError(404, "wallet not found", "WalletNotFound", { walletId });
  return w;
}

function isAdmin(w: SandboxWallet, userId: string): boolean {
  return w.users.some((u) => u.user === userId && u.permissions.includes("admin"));
}

function walletBody(w: SandboxWallet): Json {
  return {
    id: w.id,
    coin: w.coin,
    label: w.label,
    enterprise: w.enterprise,
    approvalsRequired: w.approvalsRequired,
    allowBackupKeySigning: false,
    coinSpecific: {},
    deleted: false,
    disableTransactionNotifications: false,
    hasLargeNumberOfAddresses: false,
    isCold: false,
    startDate: w.startDate,
    type: "hot",
    multisigType: "onchain",
    m: 2,
    n: 3,
    keys: w.keys,
    users: w.users.map((u) => ({ user: u.user, permissions: [...u.permissions] })),
    ...(w.featureFlags.length ? { featureFlags: [...w.featureFlags] } : {}),
  };
}

function shareBody(s: SandboxShare, withKeychain: boolean): Json {
  const out: Json = {
    id: s.id,
    coin: s.coin,
    wallet: s.wallet,
    walletLabel: s.walletLabel,
    fromUser: s.fromUser,
    toUser: s.toUser,
    permissions: s.permissions,
    message: s.message,
    state: s.state,
    enterprise: s.enterprise,
  };
  if (s.pendingApprovalId) out.pendingApprovalId = s.pendingApprovalId;
  if (withKeychain && s.keychain) out.keychain = s.keychain;
  return out;
}

// ---- shares ----

function parsePermissions(body: Json): string[] {
  const raw = body?.permissions ?? body?.permission;
  const list = (Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(",") : []).map((p: string) => String(p).trim()).filter(Boolean);
  if (list.length === 0 || list.some((p: string) => !PERMISSIONS.includes(p))) {
    throw new SandboxError(400, `permissions must be a comma-separated list of ${PERMISSIONS.join(", ")}`, "InvalidPermissions", { permissions: raw ?? null });
  }
  return [...new Set<string>(list)].sort();
}

function createShare(ctx: Ctx) {
  const { user } = authenticate(ctx);
  const w = findWallet(ctx, user.id);
  if (!isAdmin(w, user.id)) throw new SandboxError(403, "only wallet admins may share the wallet", "Forbidden", { walletId: w.id });
  const body = ctx.body ?? {};
  if (typeof body.user !== "string" || !/^[0-9a-f]{32}$/.test(body.user)) {
    throw new SandboxError(400, "user must be the recipient's 32-hex user id", "InvalidUser", { user: body.user ?? null });
  }
  const target = findAnyUser(ctx.state, body.user);
  if (!target) throw new SandboxError(400, "no BitGo user with this id", "UserNotFound", { user: body.user });
  if (target.id === user.id) throw new SandboxError(400, "a wallet cannot be shared with yourself", "CannotShareWithSelf");
  const permissions = parsePermissions(body);
  const reshare = body.reshare === true;
  const st = walletsState(ctx.state);
  const onWallet = w.users.find((u) => u.user === target.id);
  if (onWallet && !reshare) {
    throw new SandboxError(400, "the user already has access to this wallet; use reshare to invite them again", "UserAlreadyOnWallet", { user: target.id });
  }
  const open = st.shares.find((s) => s.wallet === w.id && s.toUser === target.id && (s.state === "active" || s.state === "pendingapproval"));
  if (open && !reshare) {
    throw new SandboxError(400, "a share of this wallet with this user is already waiting; cancel it first or use reshare", "WalletShareExists", { shareId: open.id });
  }
  const multiKey = w.featureFlags.includes("multi-key-user-key");
  let keychain: Json;
  if (permissions.includes("spend")) {
    if (body.keychain !== undefined && multiKey) {
      throw new SandboxError(400, "this wallet uses multi-key-user-key: the recipient creates their own key, so no keychain may be sent", "KeychainNotAllowed");
    }
    if (body.keychain !== undefined) {
      const k = body.keychain;
      for (const f of ["pub", "encryptedPrv", "fromPubKey", "toPubKey", "path"]) {
        if (typeof k?.[f] !== "string" || !k[f]) throw new SandboxError(400, `keychain.${f} is required`, "InvalidKeychain");
      }
      const userKey = st.keys.find((x) => x.id === w.keys[0]);
      if (userKey && k.pub !== userKey.pub) throw new SandboxError(400, "keychain.pub is not this wallet's user key", "InvalidKeychain");
      keychain = { pub: k.pub, encryptedPrv: k.encryptedPrv, fromPubKey: k.fromPubKey, toPubKey: k.toPubKey, path: k.path };
    } else if (body.skipKeychain !== true && !multiKey) {
      throw new SandboxError(400, "a spend share needs a keychain, or skipKeychain: true", "KeychainRequired");
    }
  }
  if (open && reshare) open.state = "canceled";
  const share: SandboxShare = {
    id: hexId(),
    coin: w.coin,
    wallet: w.id,
    walletLabel: w.label,
    fromUser: user.id,
    toUser: target.id,
    permissions: permissions.join(","),
    message: typeof body.message === "string" ? body.message : "",
    state: "active",
    enterprise: w.enterprise,
    keychain,
    skipKeychain: body.skipKeychain === true,
    reshare,
    disableEmail: body.disableEmail === true,
    emailsSent: 0, // counted by sendInvitation
    createDate: nowIso(),
  };
  if (w.approvalsRequired > 1) {
    const approval = createApproval(ctx, {
      creator: user.id,
      scope: "wallet",
      wallet: w.id,
      coin: w.coin,
      approvalsRequired: w.approvalsRequired,
      info: {
        type: "userChangeRequest",
        kind: "walletShare",
        userChangeRequest: { action: "add", permissions: share.permissions.split(","), userChanged: target.id },
        shareId: share.id,
      },
    });
    share.state = "pendingapproval";
    share.pendingApprovalId = approval.id;
  }
  st.shares.push(share);
  if (share.state === "active") sendInvitation(ctx, share, "walletShareInvitation");
  return { status: 200, body: shareBody(share, true) };
}

/** The invitation e-mail to a share's recipient (none when the share was made with disableEmail). */
function sendInvitation(ctx: Ctx, s: SandboxShare, kind: "walletShareInvitation" | "walletShareResend") {
  if (kind === "walletShareInvitation" && s.disableEmail) return;
  const to = findAnyUser(ctx.state, s.toUser);
  s.emailsSent++;
  recordEmail(ctx, { kind, to: to?.email ?? "", userId: s.toUser, walletId: s.wallet, shareId: s.id, permissions: s.permissions.split(",") });
}

onApproval("walletShare", (ctx, a) => {
  const s = walletsState(ctx.state).shares.find((x) => x.id === a.info.shareId);
  if (s && s.state === "pendingapproval") {
    s.state = "active";
    sendInvitation(ctx, s, "walletShareInvitation");
  }
});

onApproval("walletUserRemove", (ctx, a) => {
  const w = walletsState(ctx.state).wallets.find((x) => x.id === a.wallet);
  if (w) w.users = w.users.filter((u) => u.user !== a.info.userChangeRequest.userChanged);
});

function findShare(ctx: Ctx, userId?: string): SandboxShare {
  const s = walletsState(ctx.state).shares.find((x) => x.id === ctx.params.shareId && (!ctx.params.coin || x.coin === ctx.params.coin));
  if (!s) throw new SandboxError(404, "wallet share not found", "WalletShareNotFound", { shareId: ctx.params.shareId });
  if (userId && s.fromUser !== userId && s.toUser !== userId) {
    const w = walletsState(ctx.state).wallets.find((x) => x.id === s.wallet);
    if (!w || !isAdmin(w, userId)) throw new SandboxError(404, "wallet share not found", "WalletShareNotFound", { shareId: s.id });
  }
  return s;
}

/** The recipient accepts: the user joins the wallet with the share's permissions. */
function accept(state: SandboxState, s: SandboxShare): void {
  const w = walletsState(state).wallets.find((x) => x.id === s.wallet)!;
  const permissions = s.permissions.split(",");
  const existing = w.users.find((u) => u.user === s.toUser);
  if (existing) existing.permissions = permissions;
  else w.users.push({ user: s.toUser, permissions });
  s.state = "accepted";
}

function cancelShare(ctx: Ctx) {
  const { user } = authenticate(ctx);
  const s = findShare(ctx, user.id);
  if (s.state === "accepted") throw new SandboxError(400, "the share was accepted: remove the user from the wallet instead", "ShareAlreadyAccepted", { shareId: s.id });
  if (s.state === "canceled" || s.state === "rejected") return { status: 200, body: { state: s.state, changed: false } };
  withdrawApproval(ctx.state, s);
  s.state = s.toUser === user.id ? "rejected" : "canceled";
  return { status: 200, body: { state: s.state, changed: true } };
}

function withdrawApproval(state: SandboxState, s: SandboxShare) {
  if (!s.pendingApprovalId) return;
  const a = state.bitgo.approvals.find((x: Json) => x.id === s.pendingApprovalId);
  if (a && a.state === "pending") a.state = "rejected";
}

function updateShare(ctx: Ctx) {
  const { user } = authenticate(ctx);
  const s = findShare(ctx, user.id);
  if (s.toUser !== user.id) throw new SandboxError(403, "only the recipient may accept or reject a share", "Forbidden");
  const state = ctx.body?.state;
  if (state !== "accepted" && state !== "rejected") throw new SandboxError(400, "state must be accepted or rejected", "InvalidState");
  if (s.state !== "active") return { status: 200, body: { state: s.state, changed: false } };
  if (state === "rejected") s.state = "rejected";
  else {
    if (s.keychain && typeof ctx.body?.encryptedPrv !== "string") throw new SandboxError(400, "encryptedPrv is required to accept a share with a keychain", "InvalidBody");
    accept(ctx.state, s);
  }
  return { status: 200, body: { state: s.state, changed: true } };
}

function removeWalletUser(ctx: Ctx) {
  const { user } = authenticate(ctx);
  const w = findWallet(ctx, user.id);
  if (!isAdmin(w, user.id)) throw new SandboxError(403, "only wallet admins may remove users", "Forbidden");
  const { userId } = ctx.params;
  if (!/^[0-9a-f]{32}$/.test(userId)) throw new SandboxError(400, `invalid user id ${userId}`, "InvalidUserId");
  const member = w.users.find((u) => u.user === userId);
  if (!member) throw new SandboxError(404, "the user is not on this wallet", "UserNotFound", { userId });
  const admins = w.users.filter((u) => u.permissions.includes("admin"));
  if (member.permissions.includes("admin") && admins.length <= 1) {
    throw new SandboxError(400, "cannot remove the last admin of a wallet", "CannotRemoveAdmin", { adminCount: admins.length, approvalsRequired: w.approvalsRequired });
  }
  if (w.approvalsRequired > 1) {
    // A new pending approval every time, even when the same removal is already waiting: BitGo does
    // not deduplicate, so a client that resends makes a second one.
    const approval = createApproval(ctx, {
      creator: user.id,
      scope: "wallet",
      wallet: w.id,
      coin: w.coin,
      approvalsRequired: w.approvalsRequired,
      info: { type: "userChangeRequest", kind: "walletUserRemove", userChangeRequest: { action: "remove", permissions: [...member.permissions], userChanged: userId } },
    });
    return { status: 200, body: { ...walletBody(w), pendingApproval: approvalBody(approval) } };
  }
  w.users = w.users.filter((u) => u !== member);
  return { status: 200, body: walletBody(w) };
}

function sharingKey(ctx: Ctx) {
  const { user } = authenticate(ctx);
  ctx.sandbox.rateLimit(`sharingkey:${user.id}`, { limit: 5, windowMs: 300_000 }, "Too many sharing key requests: 5 per 300 seconds");
  const email = ctx.body?.email;
  if (typeof email !== "string" || !email.includes("@")) throw new SandboxError(400, "email is required", "InvalidEmail");
  const target = findAnyUser(ctx.state, email);
  if (!target) throw new SandboxError(404, "there is no BitGo user with this email", "UserNotFound", { email });
  return {
    status: 200,
    body: { userId: target.id, pubkey: secp256k1PublicKey(sharingPrivateKey(target.id)).toString("hex"), path: WALLET_SEED.sharingPath },
  };
}

// ---- seeding for big tests ----

function bulkSeed(ctx: Ctx) {
  const b = ctx.body ?? {};
  const count = Number(b.count);
  if (!Number.isInteger(count) || count < 1 || count > 20_000) throw new SandboxError(400, "count must be a whole number from 1 to 20000");
  const prefix = typeof b.prefix === "string" && b.prefix ? b.prefix : "bulk";
  const e = b.enterpriseId !== undefined ? findEnterprise(ctx.state, String(b.enterpriseId)) : undefined;
  const w = b.walletId !== undefined ? walletsState(ctx.state).wallets.find((x) => x.id === b.walletId) : undefined;
  if (b.walletId !== undefined && !w) throw new SandboxError(404, `no wallet ${b.walletId}`);
  const permissions: string[] = Array.isArray(b.permissions) ? b.permissions : [];
  const walletPermissions: string[] = Array.isArray(b.walletPermissions) ? b.walletPermissions : ["view"];
  const st = bitgoState(ctx.state);
  const byEmail = new Map(st.users.map((u) => [u.email.toLowerCase(), u]));
  const inEnterprise = new Set(e?.members.map((m) => m.userId));
  const onWallet = new Set(w?.users.map((x) => x.user));
  const users: { id: string; email: string }[] = [];
  for (let n = 1; n <= count; n++) {
    const email = `${prefix}-${n}@acme.example`.toLowerCase();
    let u = byEmail.get(email);
    if (!u) {
      u = { id: hexId(), email, firstName: prefix, lastName: String(n), isActive: true, organizations: [] } as BitGoUser;
      st.users.push(u);
    }
    if (e && !inEnterprise.has(u.id)) e.members.push({ userId: u.id, permissions: [...permissions] });
    if (e && !u.organizations.some((o) => o.id === e.organizationId)) u.organizations.push({ id: e.organizationId, role: "member" });
    if (w && !onWallet.has(u.id)) w.users.push({ user: u.id, permissions: [...walletPermissions] });
    users.push({ id: u.id, email });
  }
  return {
    status: 200,
    body: { count, users, ...(e ? { enterpriseId: e.id, organizationId: e.organizationId } : {}), ...(w ? { walletId: w.id } : {}) },
  };
}

// ---- BitGo Express (under /express) ----

async function selfCall(ctx: Ctx, method: string, path: string, body?: Json): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${ctx.sandbox.url}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(ctx.headers.authorization ? { authorization: String(ctx.headers.authorization) } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

function expressFailure(r: { status: number; body: Json }): never {
  throw new SandboxError(r.status, r.body?.error ?? "BitGo call failed", r.body?.name ?? "Error", r.body?.context ?? {});
}

/** What BitGo Express's share route does: the SDK's `wallet.shareWallet({ email, permissions, walletPassphrase })`. */
async function expressShare(ctx: Ctx) {
  const { coin, walletId } = ctx.params;
  const body = ctx.body ?? {};
  if (typeof body.email !== "string") throw new SandboxError(400, "email is required", "InvalidBody");
  const permissions = parsePermissions(body);
  const sharing = await selfCall(ctx, "POST", "/api/v2/user/sharingkey", { email: body.email });
  if (sharing.status !== 200) expressFailure(sharing);
  const out: Json = { user: sharing.body.userId, permissions: permissions.join(",") };
  for (const k of ["message", "disableEmail", "reshare", "skipKeychain"]) if (body[k] !== undefined) out[k] = body[k];
  if (permissions.includes("spend") && body.skipKeychain !== true) {
    const wallet = await selfCall(ctx, "GET", `/api/v2/${coin}/wallet/${walletId}`);
    if (wallet.status !== 200) expressFailure(wallet);
    if (!(wallet.body.featureFlags ?? []).includes("multi-key-user-key")) {
      if (typeof body.walletPassphrase !== "string") throw new SandboxError(400, "walletPassphrase is required to share spend", "InvalidBody");
      const key = await selfCall(ctx, "GET", `/api/v2/${coin}/key/${wallet.body.keys[0]}`);
      if (key.status !== 200) expressFailure(key);
      try {
        out.keychain = sealKeychainFor(key.body, body.walletPassphrase, sharing.body);
      } catch {
        throw new SandboxError(400, "unable to decrypt the user keychain: the wallet passphrase is wrong", "InvalidPassphrase");
      }
    }
  }
  const created = await selfCall(ctx, "POST", `/api/v2/${coin}/wallet/${walletId}/share`, out);
  if (created.status !== 200) expressFailure(created);
  return { status: 200, body: created.body };
}

async function expressProxy(ctx: Ctx) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(ctx.query)) for (const x of ([] as string[]).concat(v)) qs.append(k, x);
  const path = ctx.path.slice("/express".length) + (qs.toString() ? `?${qs}` : "");
  const r = await selfCall(ctx, ctx.method, path, ctx.method === "GET" ? undefined : ctx.body);
  return { status: r.status, body: r.body };
}

// ---- routes ----

function routes(r: Router) {
  r.add("GET", "/api/v2/:coin/wallet/:walletId", (ctx) => {
    const { user } = authenticate(ctx);
    return { status: 200, body: walletBody(findWallet(ctx, user.id)) };
  });
  r.add("POST", "/api/v2/:coin/wallet/:walletId/share", createShare);
  r.add("DELETE", "/api/v2/:coin/wallet/:walletId/user/:userId", removeWalletUser);
  // Not paged (the spec has no parameters here). Outgoing shares only of wallets on which the caller
  // has spend, as the spec says ("Returns only wallets on which the current user has spend permission").
  r.add("GET", "/api/v2/walletshares", (ctx) => {
    const { user } = authenticate(ctx);
    const st = walletsState(ctx.state);
    const spendOn = new Set(
      st.wallets.filter((w) => w.users.some((u) => u.user === user.id && u.permissions.includes("spend"))).map((w) => w.id),
    );
    return {
      status: 200,
      body: {
        incoming: st.shares.filter((s) => s.toUser === user.id).map((s) => shareBody(s, false)),
        outgoing: st.shares.filter((s) => spendOn.has(s.wallet)).map((s) => shareBody(s, false)),
      },
    };
  });
  r.add("GET", "/api/v2/:coin/walletshare/:shareId", (ctx) => {
    const { user } = authenticate(ctx);
    const s = findShare(ctx, user.id);
    return { status: 200, body: shareBody(s, s.toUser === user.id && String(ctx.query.skipUnlock) !== "true") };
  });
  r.add("POST", "/api/v2/:coin/walletshare/:shareId", updateShare);
  r.add("DELETE", "/api/v2/:coin/walletshare/:shareId", cancelShare);
  r.add("POST", "/api/v2/:coin/walletshare/:shareId/resendemail", (ctx) => {
    const { user } = authenticate(ctx);
    const s = findShare(ctx, user.id);
    if (s.state !== "active") throw new SandboxError(400, `the share is ${s.state}: only a share waiting for the recipient can be resent`, "ShareNotPending", { state: s.state });
    sendInvitation(ctx, s, "walletShareResend"); // one more e-mail each time, even with disableEmail
    return { status: 200, body: { resent: true } };
  });
  r.add("POST", "/api/v2/user/sharingkey", sharingKey);
  r.add("GET", "/api/v2/:coin/key/:id", (ctx) => {
    const { user } = authenticate(ctx);
    const st = walletsState(ctx.state);
    const k = st.keys.find((x) => x.id === ctx.params.id);
    const w = k && st.wallets.find((x) => x.keys.includes(k.id) && x.users.some((u) => u.user === user.id));
    if (!k || !w) throw new SandboxError(404, "key not found", "KeychainNotFound", { id: ctx.params.id });
    return { status: 200, body: { id: k.id, pub: k.pub, source: k.source, ...(k.encryptedPrv ? { encryptedPrv: k.encryptedPrv } : {}) } };
  });

  // BitGo Express: its own share route, and a proxy for everything else it forwards to BitGo.
  r.add("POST", "/express/api/v2/:coin/wallet/:walletId/share", expressShare);
  for (const method of ["GET", "POST", "PUT", "DELETE"]) {
    for (let n = 1; n <= 7; n++) {
      r.add(method, `/express/api/${Array.from({ length: n }, (_, i) => `:p${i}`).join("/")}`, expressProxy);
    }
  }

  // Control routes: tests play the recipient and people in the BitGo web UI here.
  /** The recipient accepts (opening a shared keychain with their sharing key), or rejects with { state: "rejected" }. */
  r.add("POST", "/__sandbox/bitgo/walletshare/:shareId", (ctx) => {
    const s = findShare(ctx);
    const decision = ctx.body?.state ?? "accepted";
    if (s.state !== "active") throw new SandboxError(400, `the share is ${s.state}, not waiting for the recipient`, "ShareNotPending");
    if (decision === "rejected") {
      s.state = "rejected";
      return { status: 200, body: shareBody(s, false) };
    }
    if (s.keychain) {
      const w = walletsState(ctx.state).wallets.find((x) => x.id === s.wallet)!;
      const userKey = walletsState(ctx.state).keys.find((k) => k.id === w.keys[0]);
      let prv: string;
      try {
        prv = openKeychain(s.keychain, sharingPrivateKey(s.toUser));
      } catch {
        throw new SandboxError(400, "the shared keychain does not open with the recipient's sharing key", "InvalidKeychain");
      }
      if (!userKey?.prvHash || sha(prv) !== userKey.prvHash) throw new SandboxError(400, "the shared keychain holds another key than the wallet's user key", "InvalidKeychain");
      s.keychainVerified = true;
    }
    accept(ctx.state, s);
    return { status: 200, body: { ...shareBody(s, false), keychainVerified: !!s.keychainVerified } };
  });
  /** Someone cancels the share in the web UI. */
  r.add("DELETE", "/__sandbox/bitgo/walletshare/:shareId", (ctx) => {
    const s = findShare(ctx);
    withdrawApproval(ctx.state, s);
    if (s.state !== "accepted") s.state = "canceled";
    return { status: 200, body: shareBody(s, false) };
  });
  /**
   * Seeding for big tests: POST /__sandbox/bitgo/bulk { count, prefix?, enterpriseId?, permissions?,
   * walletId?, walletPermissions? } makes `count` active users `<prefix>-<n>@acme.example` (n from 1;
   * prefix default "bulk"; an existing user of that email is reused), adds them to the enterprise
   * (permissions, default [] = plain member) and to its organization (role member), and to the wallet
   * (walletPermissions, default ["view"]). No e-mails, no approvals: this is set-up, not the API.
   * Answers { count, users: [{ id, email }], enterpriseId?, organizationId?, walletId? }.
   */
  r.add("POST", "/__sandbox/bitgo/bulk", (ctx) => bulkSeed(ctx));
  /** Someone removes a user from a wallet in the web UI. */
  r.add("DELETE", "/__sandbox/bitgo/wallet/:walletId/user/:userId", (ctx) => {
    const w = findWallet(ctx);
    w.users = w.users.filter((u) => u.user !== ctx.params.userId);
    return { status: 200, body: walletBody(w) };
  });
}

export const bitgoWalletsModule: SandboxModule = {
  name: "bitgoWallets",
  // Its BitGo routes live under /api/v2/ and are logged as module "bitgo" (checked by the contract
  // tests); only the Express stand-in is logged under this module's name, as it is not BitGo's API.
  prefixes: ["/express/"],
  seed,
  routes,
  errorBody: bitgoModule.errorBody,
  answerHeaders: bitgoModule.answerHeaders,
};

export { SHARE_STATES };
