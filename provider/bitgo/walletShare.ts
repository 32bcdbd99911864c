// bitgo:WalletShare: one BitGo user's access to one wallet, granted by a wallet share.
//
//   create  read-before-write: an open share to the same user (a lost answer last time, or one made in
//           the web UI) or the user already on the wallet with the same permissions is taken over;
//           otherwise POST /api/v2/{coin}/wallet/{walletId}/share (`permissions` comma-separated, `user`
//           an id). Spend shares carry a keychain: given (`keychain`), skipped (`skipKeychain`), built
//           by BitGo Express from `walletPassphrase`, or built here from `walletPassphrase` (ECDH with
//           the recipient's sharing key, see keychain.ts; the wallet's user key comes from
//           GET /api/v2/{coin}/key/{id}, which is not in the spec subset). A lost answer is followed by
//           a re-read, never by a blind second POST.
//   read    the share list (GET /api/v2/walletshares, once per run) or the share itself; once accepted,
//           the wallet's users (GET /api/v2/{coin}/wallet/{id}, once per run per wallet). A share the
//           recipient rejected, one cancelled in the web UI, a pending approval that was rejected and a
//           user removed from the wallet all come back as drift (`state`), and the next `up` shares again.
//   update  records message/disableEmail (BitGo cannot change them on an existing share); `reshare`
//           turned on shares again; a new `resendInvitation` value resends the invitation e-mail.
//   delete  cancels a share not yet accepted (DELETE /api/v2/{coin}/walletshare/{id}); after acceptance
//           removes the user (DELETE /api/v2/{coin}/wallet/{walletId}/user/{userId}); an answer that
//           waits for another admin is reported as an error (a rerun does not ask twice); gone = success.
//
// Replaces: coin, walletId, user, permissions (no endpoint changes a share's permissions: revoke, then
// share again; delete-before-replace, as BitGo refuses a second share to the same user), and a share
// that is dead (rejected, cancelled, user removed).
import { z } from "zod";
import { bitgoClient, bitgoSettings, BitGoClient, APPROVED_STATES, REJECTED_STATES, isVendorError } from "./client";
import { getConfig } from "../config";
import { CheckFailure, CheckResult, DiffResult, ResourceProvider, UNKNOWN, checkWith } from "../types";
import { buildSharedKeychain, SharedKeychain } from "./keychain";

export const WALLET_PERMISSIONS = ["admin", "spend", "trade", "view"] as const;
export type WalletPermission = (typeof WALLET_PERMISSIONS)[number];
export const SHARE_STATES = ["pendingapproval", "active", "accepted", "canceled", "rejected", "removed"] as const;
export type ShareState = (typeof SHARE_STATES)[number];
/** States after which the share grants nothing: the next `up` shares again. */
const DEAD: string[] = ["canceled", "rejected", "removed"];
const MULTI_KEY_USER_KEY = "multi-key-user-key";

const isHex32 = (v: string) => /^[0-9a-f]{32}$/.test(v);
const known = (v: unknown) => v !== UNKNOWN;

const keychainSchema = z
  .object({
    pub: z.string().min(1),
    encryptedPrv: z.string().min(1),
    fromPubKey: z.string().min(1),
    toPubKey: z.string().min(1),
    path: z.string().min(1),
  })
  .strict();

export const walletShareInputs = z
  .object({
    coin: z
      .string({ error: "coin is required: the wallet's coin ticker, such as tbtc" })
      .trim()
      .toLowerCase()
      .refine((v) => v === UNKNOWN || /^[a-z0-9][a-z0-9:_-]*$/.test(v), { message: "must be a coin ticker such as btc, tbtc or eth" }),
    walletId: z
      .string({ error: "walletId is required: the wallet's 32-character hex id" })
      .refine((v) => v === UNKNOWN || isHex32(v), {
        message: "must be a 32-character lowercase hex wallet id such as 59cd72485007a239fb00282ed480da1f (copy it from the wallet's settings in BitGo)",
      }),
    user: z
      .string({ error: "user is required: the recipient's email or 32-hex BitGo user id" })
      .trim()
      .toLowerCase()
      .refine((v) => v === UNKNOWN || isHex32(v) || z.email().safeParse(v).success, {
        message: "must be the recipient's email (auditor@acme.example) or 32-character hex BitGo user id",
      }),
    permissions: z
      .array(
        z.enum(WALLET_PERMISSIONS, {
          error: (issue) => `"${String(issue.input)}" is not a wallet permission: use view, spend, admin or trade`,
        }),
        { error: 'permissions is required: a list such as ["view"] or ["spend", "view"]' },
      )
      .min(1, { message: 'must list at least one of view, spend, admin, trade (to take access away, delete the share)' })
      .refine((list) => new Set(list).size === list.length, { message: "lists a permission twice" })
      .transform((list) => [...list].sort() as WalletPermission[]),
    message: z.string({ error: "message must be text" }).max(1000).default(""),
    disableEmail: z.boolean({ error: "disableEmail must be true or false" }).default(false),
    reshare: z.boolean({ error: "reshare must be true or false" }).default(false),
    resendInvitation: z.union([z.string(), z.number()], { error: "resendInvitation must be a string or number (change it to resend)" }).default(""),
    keychain: keychainSchema.optional(),
    skipKeychain: z.boolean({ error: "skipKeychain must be true or false" }).default(false),
    walletPassphrase: z.string({ error: "walletPassphrase must be text (a secret)" }).min(1).optional(),
  })
  .strict();

export type WalletShareInputs = z.infer<typeof walletShareInputs>;
/** Inputs that may be recorded in outputs (never the passphrase or the keychain). */
type RecordedInputs = Omit<WalletShareInputs, "walletPassphrase" | "keychain">;

export interface WalletShareOutputs extends RecordedInputs {
  shareId: string;
  state: ShareState;
  pendingApprovalId: string;
  walletLabel: string;
  fromUser: string;
  toUser: string;
  /** How a spend share's key was handled: none | provided | skipped | native | express | multiKeyUserKey. */
  keychainMode: string;
  /** True when create found the share (or the user on the wallet) already there and took it over. */
  adopted: boolean;
}

const RECORDED_KEYS = ["coin", "walletId", "user", "permissions", "message", "disableEmail", "reshare", "resendInvitation", "skipKeychain"] as const;

function client(): BitGoClient {
  return bitgoClient(bitgoSettings(getConfig()));
}

/**
 * Whether `bitgo:apiUrl` is a BitGo Express instance: `bitgo:express` ("true"/"false", or env
 * BITGO_EXPRESS) decides; without it, an apiUrl on Express's default port 3080 counts as Express.
 */
export function isExpress(): boolean {
  const cfg = getConfig();
  const flag = cfg?.get("bitgo:express") ?? process.env.BITGO_EXPRESS;
  if (flag !== undefined && flag !== "") return /^(true|1|yes)$/i.test(String(flag));
  try {
    return new URL(bitgoSettings(cfg).apiUrl).port === "3080";
  } catch {
    return false;
  }
}

export const resourceId = (coin: string, walletId: string, userId: string) => `${coin}/${walletId}/${userId}`;
const samePermissions = (a: readonly string[], b: readonly string[]) => [...a].sort().join(",") === [...b].sort().join(",");
const splitPermissions = (p: unknown): string[] =>
  (Array.isArray(p) ? p.map(String) : typeof p === "string" ? p.split(",") : []).map((x) => x.trim()).filter(Boolean).sort();

/** Removes the passphrase from any text (errors from Express could echo a request). */
function scrub(text: string, inputs: { walletPassphrase?: string }): string {
  const p = inputs.walletPassphrase;
  return p && p.length >= 4 ? text.split(p).join("[secret]") : text;
}

// ---- BitGo calls only this resource makes (cached per run where many resources read the same) ----

interface Share {
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

interface Wallet {
  id: string;
  label?: string;
  keys?: string[];
  users?: { user: string; permissions: string[] }[];
  featureFlags?: string[];
  walletFlags?: { name: string; value?: string }[];
  approvalsRequired?: number;
  enterprise?: string;
}

function getWallet(c: BitGoClient, coin: string, walletId: string): Promise<Wallet> {
  return c.cached(`wallet:${coin}:${walletId}`, async () => (await c.call("GET", `/api/v2/${coin}/wallet/${walletId}`)).data);
}

/** Every share the token can see (one call per run serves every WalletShare's read). */
function listShares(c: BitGoClient): Promise<Share[]> {
  return c.cached("walletshares", async () => {
    const { data } = await c.call("GET", "/api/v2/walletshares");
    return [...(data?.outgoing ?? []), ...(data?.incoming ?? [])];
  });
}

async function getShare(c: BitGoClient, coin: string, shareId: string): Promise<Share | undefined> {
  return c.cached(`walletshare:${shareId}`, async () => {
    const res = await c.call("GET", `/api/v2/${coin}/walletshare/${shareId}`, { query: { skipUnlock: true }, accept: [404] });
    return res.status === 404 ? undefined : res.data;
  });
}

/** A recipient's sharing key; BitGo allows 5 of these per 300 s, so one per email per run. */
function sharingKey(c: BitGoClient, email: string): Promise<{ userId: string; pubkey: string; path: string }> {
  return c.cached(`sharingkey:${email.toLowerCase()}`, async () => (await c.call("POST", "/api/v2/user/sharingkey", { body: { email }, idempotent: true })).data);
}

/**
 * The recipient as id and email. An id is taken as it is. An email is looked up once per run: among
 * the members of the wallet's enterprise (one call serves every share), else by the recipient's
 * sharing key (the way BitGo's SDK finds any user; limited to 5 per 300 s, so cached per email).
 * The spec's GET /api/v2/user/{id} takes ids only.
 */
async function resolveUser(c: BitGoClient, user: string, wallet: Wallet | undefined, needEmail: boolean): Promise<{ id: string; email?: string }> {
  if (isHex32(user)) {
    if (!needEmail) return { id: user };
    const u = await c.getUser(user);
    return { id: user, email: String(u.username ?? (u as any).email?.email ?? "") };
  }
  if (wallet?.enterprise) {
    try {
      const member = (await c.listEnterpriseUsers(wallet.enterprise)).find((m) => m.username.toLowerCase() === user);
      if (member) return { id: member.id, email: user };
    } catch (e) {
      if (!isVendorError(e)) throw e; // not allowed to list: the sharing key still finds the user
    }
  }
  try {
    const s = await sharingKey(c, user);
    return { id: String(s.userId), email: user };
  } catch (e) {
    if (isVendorError(e, 404)) {
      throw new Error(`bitgo: there is no BitGo user with the email ${user}. The recipient must sign up to BitGo before a wallet can be shared with them.`);
    }
    throw e;
  }
}

const isMultiKey = (w: Wallet) =>
  (w.featureFlags ?? []).includes(MULTI_KEY_USER_KEY) || (w.walletFlags ?? []).some((f) => f.name === MULTI_KEY_USER_KEY && f.value !== "false");

// ---- outputs ----

function recorded(inputs: Partial<WalletShareInputs>): RecordedInputs {
  const out: any = {};
  for (const k of RECORDED_KEYS) if (inputs[k] !== undefined) out[k] = inputs[k];
  return out;
}

function outputsOf(inputs: WalletShareInputs, share: Partial<Share>, rest: Partial<WalletShareOutputs>): WalletShareOutputs {
  return {
    ...recorded(inputs),
    shareId: String(share.id ?? ""),
    state: (share.state as ShareState) ?? "active",
    pendingApprovalId: String(share.pendingApprovalId ?? ""),
    walletLabel: String(share.walletLabel ?? ""),
    fromUser: String(share.fromUser ?? ""),
    toUser: String(share.toUser ?? ""),
    keychainMode: "none",
    adopted: false,
    ...rest,
  };
}

/** Check rules zod cannot say alone: a spend share must say how its key travels. */
function spendFailures(inputs: WalletShareInputs): CheckFailure[] {
  if (!inputs.permissions.includes("spend")) {
    if (inputs.keychain || inputs.walletPassphrase) {
      return [{ property: "keychain", reason: "keychain/walletPassphrase: only a share with spend permission carries a key; remove them or add spend" }];
    }
    return [];
  }
  const ways = [inputs.keychain ? "keychain" : "", inputs.skipKeychain ? "skipKeychain" : "", inputs.walletPassphrase ? "walletPassphrase" : ""].filter(Boolean);
  if (ways.length === 0) {
    return [
      {
        property: "walletPassphrase",
        reason:
          "walletPassphrase: a share with spend permission must carry the wallet key: set walletPassphrase (a secret; orgstack, or BitGo Express " +
          "when bitgo:express is set, re-encrypts the key for the recipient), or keychain (a secret, precomputed), or skipKeychain: true " +
          "(the recipient gets spend without a key and must be sent one later)",
      },
    ];
  }
  if (ways.length > 1) {
    return [{ property: ways[1], reason: `${ways[1]}: give only one of keychain, skipKeychain and walletPassphrase (this share sets ${ways.join(" and ")})` }];
  }
  return [];
}

// ---- create ----

interface Prepared {
  body: Record<string, unknown>;
  mode: string;
  express: boolean;
}

async function prepareBody(c: BitGoClient, inputs: WalletShareInputs, recipient: { id: string; email?: string }, wallet: Wallet, reshare: boolean): Promise<Prepared> {
  const express = isExpress();
  const permissions = inputs.permissions.join(",");
  const common: Record<string, unknown> = { permissions, message: inputs.message, disableEmail: inputs.disableEmail };
  if (reshare) common.reshare = true;
  const spend = inputs.permissions.includes("spend");
  const multiKey = spend && isMultiKey(wallet);
  if (multiKey && (inputs.keychain || inputs.walletPassphrase)) {
    console.log(`bitgo: wallet ${inputs.walletId} uses ${MULTI_KEY_USER_KEY} (a Go Account): the recipient makes their own key, so no keychain is sent`);
  }
  if (express) {
    // Express's share route is BitGo's SDK `shareWallet`: it takes every share as { email, permissions, ... }
    // (never `user`), and builds the keychain itself, so it has no way to take a precomputed one.
    if (spend && !multiKey && inputs.keychain) {
      throw new Error(
        "keychain: BitGo Express builds the keychain itself and does not take a precomputed one; set walletPassphrase (secret) or skipKeychain: true, " +
          "or point bitgo:apiUrl at BitGo instead of Express to send this keychain",
      );
    }
    const email = recipient.email ?? (await resolveUser(c, recipient.id, wallet, true)).email;
    const body: Record<string, unknown> = { ...common, email };
    if (!spend) return { body, mode: "none", express: true };
    if (multiKey) return { body, mode: "multiKeyUserKey", express: true };
    if (inputs.skipKeychain) return { body: { ...body, skipKeychain: true }, mode: "skipped", express: true };
    if (!inputs.walletPassphrase) throw new Error("walletPassphrase: a spend share needs walletPassphrase, keychain or skipKeychain: true");
    return { body: { ...body, walletPassphrase: inputs.walletPassphrase }, mode: "express", express: true };
  }
  if (multiKey) return { body: { ...common, user: recipient.id }, mode: "multiKeyUserKey", express: false };
  if (!spend) return { body: { ...common, user: recipient.id }, mode: "none", express: false };
  if (inputs.keychain) return { body: { ...common, user: recipient.id, keychain: inputs.keychain }, mode: "provided", express: false };
  if (inputs.skipKeychain) return { body: { ...common, user: recipient.id, skipKeychain: true }, mode: "skipped", express: false };
  if (!inputs.walletPassphrase) throw new Error("walletPassphrase: a spend share needs walletPassphrase, keychain or skipKeychain: true");
  const email = recipient.email ?? (await resolveUser(c, recipient.id, wallet, true)).email!;
  const sharing = await sharingKey(c, email);
  const userKeyId = wallet.keys?.[0];
  if (!userKeyId) throw new Error(`bitgo: wallet ${inputs.walletId} has no user key to share; give a keychain or set skipKeychain: true`);
  // Not in the spec subset: BitGo's keychain read, as BitGo's SDK uses it to share spend.
  const { data: userKey } = await c.call("GET", `/api/v2/${inputs.coin}/key/${userKeyId}`);
  if (typeof userKey?.encryptedPrv !== "string") {
    throw new Error(`bitgo: the user key of wallet ${inputs.walletId} has no encrypted private key this token can read; give a precomputed keychain or set skipKeychain: true`);
  }
  const keychain: SharedKeychain = buildSharedKeychain({
    userKey: { pub: String(userKey.pub), encryptedPrv: userKey.encryptedPrv },
    walletPassphrase: inputs.walletPassphrase,
    recipient: { pubkey: String(sharing.pubkey), path: String(sharing.path) },
  });
  return { body: { ...common, user: recipient.id, keychain }, mode: "native", express: false };
}

/** A share of this wallet to this user in one of `states` (the last one listed), leaving out the ids in `except`. */
async function findShare(c: BitGoClient, walletId: string, userId: string, states: string[], except: Set<string> = new Set()): Promise<Share | undefined> {
  const shares = await listShares(c);
  return shares.filter((s) => s.wallet === walletId && s.toUser === userId && states.includes(s.state) && !except.has(s.id)).pop();
}

async function postShare(c: BitGoClient, inputs: WalletShareInputs, prepared: Prepared): Promise<Share> {
  try {
    const res = await c.call("POST", `/api/v2/${inputs.coin}/wallet/${inputs.walletId}/share`, { body: prepared.body, idempotent: false });
    return res.data as Share;
  } catch (e) {
    if (e instanceof Error) e.message = scrub(e.message, inputs);
    throw e;
  } finally {
    c.invalidate("walletshares");
    c.invalidate(`wallet:${inputs.coin}:${inputs.walletId}`);
  }
}

async function share(c: BitGoClient, inputs: WalletShareInputs, recipient: { id: string; email?: string }, reshare: boolean): Promise<WalletShareOutputs> {
  const wallet = await getWallet(c, inputs.coin, inputs.walletId);
  const prepared = await prepareBody(c, inputs, recipient, wallet, reshare);
  // Shares of this wallet to this user that exist before the POST: after a lost answer only a share
  // that is not among them can be the one this POST made (an old accepted share, or the share a
  // reshare replaces, must never be taken for it).
  const before = new Set((await listShares(c)).filter((s) => s.wallet === inputs.walletId && s.toUser === recipient.id).map((s) => s.id));
  for (let attempt = 1; ; attempt++) {
    try {
      const created = await postShare(c, inputs, prepared);
      return outputsOf(inputs, created, { keychainMode: prepared.mode, toUser: String(created.toUser ?? recipient.id), walletLabel: String(created.walletLabel ?? wallet.label ?? "") });
    } catch (e) {
      // A lost answer may hide a share BitGo stored: look before sharing again.
      if (!isVendorError(e) || !e.ambiguous || attempt >= 3) throw e;
      console.log(`bitgo: sharing wallet ${inputs.walletId} with ${inputs.user} may or may not have happened (${(e as Error).message}); checking before trying again`);
      const found = await findShare(c, inputs.walletId, recipient.id, ["pendingapproval", "active", "accepted"], before);
      if (found) {
        return outputsOf(inputs, found, { keychainMode: prepared.mode, walletLabel: String(found.walletLabel ?? wallet.label ?? "") });
      }
    }
  }
}

export const walletShare: ResourceProvider<WalletShareInputs, WalletShareOutputs> = {
  async check(_olds, news): Promise<CheckResult<WalletShareInputs>> {
    const result = checkWith(walletShareInputs, news);
    if (!result.inputs) return result;
    const failures = spendFailures(result.inputs);
    return failures.length ? { failures } : result;
  },

  async diff(_id, olds, news): Promise<DiffResult> {
    const replaces: string[] = [];
    if (olds.coin !== news.coin) replaces.push("coin");
    if (olds.walletId !== news.walletId) replaces.push("walletId");
    // `user` may name the recipient by email or by id. The same person named by their id (olds.toUser)
    // is no replace. A change that may still be the same person (an id replaced by an email) must
    // delete first: a create-first replace would take the access over, then the delete would revoke it.
    const oldUser = (olds.user ?? "").toLowerCase();
    const newUser = (news.user ?? "").toLowerCase();
    const sameRecipientById = !!olds.toUser && newUser === olds.toUser;
    const maybeSameRecipient = isHex32(oldUser) && !isHex32(newUser) && newUser !== UNKNOWN;
    if (oldUser !== newUser && !sameRecipientById) replaces.push("user");
    const permissionsChanged = !samePermissions(olds.permissions ?? [], news.permissions ?? []);
    if (permissionsChanged) replaces.push("permissions");
    if (DEAD.includes(olds.state)) replaces.push("state");
    const inPlace =
      oldUser !== newUser ||
      (olds.message ?? "") !== (news.message ?? "") ||
      !!olds.disableEmail !== !!news.disableEmail ||
      !!olds.reshare !== !!news.reshare ||
      String(olds.resendInvitation ?? "") !== String(news.resendInvitation ?? "") ||
      !!olds.skipKeychain !== !!news.skipKeychain;
    // The same user on the same wallet: BitGo refuses a second share, so the old one goes first.
    const sameTarget = !replaces.includes("coin") && !replaces.includes("walletId") && (!replaces.includes("user") || maybeSameRecipient);
    return { changes: replaces.length > 0 || inPlace, replaces, deleteBeforeReplace: replaces.length > 0 && sameTarget };
  },

  async create(raw) {
    const inputs = walletShareInputs.parse(raw);
    const failures = spendFailures(inputs);
    if (failures.length) throw new Error(failures[0].reason);
    const c = client();
    const wallet = await getWallet(c, inputs.coin, inputs.walletId);
    const recipient = await resolveUser(c, inputs.user, wallet, false);
    const id = resourceId(inputs.coin, inputs.walletId, recipient.id);

    // Read before write: an open share, or the user already on the wallet.
    const open = await findShare(c, inputs.walletId, recipient.id, ["pendingapproval", "active"]);
    if (open && !inputs.reshare) {
      const perms = splitPermissions(open.permissions ?? open.permission);
      if (!samePermissions(perms, inputs.permissions)) {
        throw new Error(
          `bitgo: a share of wallet ${inputs.walletId} with ${inputs.user} is already waiting (${open.id}, permissions [${perms.join(", ")}]) ` +
            `but the stack declares [${inputs.permissions.join(", ")}]. Declare the waiting share's permissions so orgstack takes it over, or cancel it in BitGo and run pulumi up again.`,
        );
      }
      console.log(`bitgo: a share of wallet ${inputs.walletId} with ${inputs.user} is already ${open.state} (${open.id}); taking it over`);
      return { id, outs: outputsOf(inputs, open, { adopted: true, toUser: recipient.id }) };
    }
    const member = wallet.users?.find((u) => u.user === recipient.id);
    if (member && !inputs.reshare) {
      if (!samePermissions(member.permissions, inputs.permissions)) {
        throw new Error(
          `bitgo: ${inputs.user} is already on wallet ${inputs.walletId} with permissions [${[...member.permissions].sort().join(", ")}], ` +
            `but the stack declares [${inputs.permissions.join(", ")}]. Declare those permissions so orgstack takes the access over, ` +
            `or remove the user from the wallet in BitGo first.`,
        );
      }
      const accepted = await findShare(c, inputs.walletId, recipient.id, ["accepted"]);
      console.log(`bitgo: ${inputs.user} already has [${inputs.permissions.join(", ")}] on wallet ${inputs.walletId}; taking it over`);
      return {
        id,
        outs: outputsOf(inputs, accepted ?? {}, { state: "accepted", adopted: true, toUser: recipient.id, walletLabel: String(wallet.label ?? "") }),
      };
    }
    const outs = await share(c, inputs, recipient, inputs.reshare);
    if (outs.state === "pendingapproval") {
      console.log(`bitgo: the share of wallet ${inputs.walletId} with ${inputs.user} awaits approval ${outs.pendingApprovalId} by another wallet admin (pulumi refresh picks up the decision)`);
    }
    return { id, outs };
  },

  async read(id, props) {
    const c = client();
    let outs: WalletShareOutputs = { ...props };
    const [coin, walletId, userId] = props.coin && props.walletId && props.toUser ? [props.coin, props.walletId, props.toUser] : id.split("/");
    outs = { ...outs, coin, walletId, toUser: userId };

    let share: Share | undefined;
    if (outs.shareId) {
      share = (await listShares(c)).find((s) => s.id === outs.shareId) ?? (await getShare(c, coin, outs.shareId));
    }
    if (share) {
      outs = { ...outs, state: share.state as ShareState, pendingApprovalId: String(share.pendingApprovalId ?? ""), walletLabel: String(share.walletLabel ?? outs.walletLabel ?? "") };
      if (share.fromUser) outs.fromUser = share.fromUser;
    } else if (outs.shareId && outs.state !== "accepted") {
      outs = { ...outs, state: "canceled" }; // BitGo no longer knows the share
    }

    if (outs.state === "pendingapproval" && outs.pendingApprovalId) {
      const approval = await c.getPendingApproval(outs.pendingApprovalId);
      if (!approval || REJECTED_STATES.includes(approval.state)) outs = { ...outs, state: "rejected" };
      else if (APPROVED_STATES.includes(approval.state) && share?.state === "pendingapproval") outs = { ...outs, state: "active" };
    }

    if (outs.state === "accepted" || outs.state === "removed") {
      let wallet: Wallet | undefined;
      try {
        wallet = await getWallet(c, coin, walletId);
      } catch (e) {
        if (!isVendorError(e, 404)) throw e;
      }
      if (!wallet) return { id: "" }; // the wallet is gone (or no longer visible)
      const member = wallet.users?.find((u) => u.user === userId);
      if (!member) outs = { ...outs, state: "removed" };
      else outs = { ...outs, state: "accepted", permissions: [...member.permissions].sort() as WalletPermission[] };
    }
    return { id, props: outs, inputs: recorded(outs) as WalletShareInputs };
  },

  async update(id, olds, raw) {
    const news = walletShareInputs.parse(raw);
    const c = client();
    let outs: WalletShareOutputs = { ...olds, ...recorded(news), permissions: olds.permissions };
    if (news.reshare && !olds.reshare) {
      const recipient = { id: olds.toUser || id.split("/")[2] };
      const reshared = await share(c, news, recipient, true);
      outs = { ...outs, ...reshared, adopted: false };
      console.log(`bitgo: shared wallet ${news.walletId} again with ${news.user} (reshare): share ${reshared.shareId} is ${reshared.state}`);
    } else if (String(news.resendInvitation) !== String(olds.resendInvitation ?? "") && news.resendInvitation !== "") {
      if (olds.state === "active" && olds.shareId) {
        await c.call("POST", `/api/v2/${news.coin}/walletshare/${olds.shareId}/resendemail`, { idempotent: true });
        console.log(`bitgo: resent the invitation of share ${olds.shareId} to ${news.user}`);
      } else {
        console.log(`bitgo: share ${olds.shareId || "(none)"} is ${olds.state}, not waiting for ${news.user}: no invitation to resend`);
      }
    }
    return { outs };
  },

  async delete(id, props) {
    const c = client();
    const [coin, walletId, userId] = props.coin && props.walletId && props.toUser ? [props.coin, props.walletId, props.toUser] : id.split("/");
    if (DEAD.includes(props.state)) return; // nothing left to take away

    if (props.state !== "accepted" && props.shareId) {
      const res = await c.call("DELETE", `/api/v2/${coin}/walletshare/${props.shareId}`, { accept: [404, 400] });
      c.invalidate("walletshares");
      if (res.status === 404) {
        console.log(`bitgo: share ${props.shareId} was already gone`);
        return;
      }
      if (res.status === 200) return;
      // 400: accepted meanwhile (the recipient was quicker): take the user off the wallet instead.
      if (!/accepted/i.test(`${res.data?.name} ${res.data?.error}`)) {
        throw new Error(`bitgo: cancelling share ${props.shareId} failed: ${res.data?.error ?? res.status} (request id ${res.requestId ?? res.data?.requestId ?? "?"})`);
      }
    }

    // A removal already waiting for approval (an earlier destroy): do not ask twice.
    const waiting = (await c.listPendingApprovals({ walletId })).find(
      (a: any) =>
        !APPROVED_STATES.includes(a.state) &&
        !REJECTED_STATES.includes(a.state) &&
        a.info?.type === "userChangeRequest" &&
        a.info.userChangeRequest?.action === "remove" &&
        a.info.userChangeRequest.userChanged === userId,
    );
    let approvalId = waiting?.id;
    if (!approvalId) {
      const res = await c.call("DELETE", `/api/v2/${coin}/wallet/${walletId}/user/${userId}`, { accept: [404] });
      c.invalidate(`wallet:${coin}:${walletId}`);
      if (res.status === 404) {
        console.log(`bitgo: ${props.user} was already off wallet ${walletId}`);
        return;
      }
      const pending = res.data?.pendingApproval ?? res.data?.pendingApprovals?.[0];
      if (res.status !== 202 && !pending) return;
      approvalId = String(pending?.id ?? "");
    }
    throw new Error(
      `bitgo: removing ${props.user} from wallet ${walletId} needs another wallet admin's approval (pending approval ${approvalId}). ` +
        `Approve it in BitGo, then run the same command again (it will not ask twice).`,
    );
  },
};
