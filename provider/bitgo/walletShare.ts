// bitgo:WalletShare: one BitGo user's access to one wallet, granted by a wallet share.
//
//   find    the wallet (its users and their permissions) and the share list (GET /api/v2/walletshares),
//           each read once per run; a share the recipient rejected, one cancelled in the web UI, a
//           pending approval that was rejected and a user taken off the wallet come back as a `state`
//           that grants nothing, and the next `up` shares again (a replacement).
//   create  POST /api/v2/{coin}/wallet/{walletId}/share (`permissions` comma-separated, `user` an id);
//           spend shares carry a keychain: given, skipped, built by BitGo Express (bitgo:express) from
//           the wallet passphrase, or built here (keychain.ts).
//   update  message and disableEmail are only recorded (BitGo cannot change them on a share); turning
//           `reshare` on shares again; a new `resendInvitation` value resends the invitation e-mail
//           (once: a lost answer is never resent, a second e-mail cannot be taken back).
//   remove  cancels a share not yet accepted; after acceptance takes the user off the wallet, which may
//           wait for another wallet admin's approval (reported; a rerun does not ask twice).
//
// Replaces: coin, walletId, user (another person), permissions (BitGo has no call that changes them:
// revoke, then share again, delete first), and a share that grants nothing any more.
import { z } from "zod";
import { CheckFailure, UNKNOWN } from "../kit/check";
import { bool, email, field, list, oneOf, text } from "../kit/fields";
import { compositeId } from "../kit/ids";
import { defineResource, partialFailure } from "../kit/resource";
import { log } from "../kit/secrets";
import { LostWriteError, done } from "../kit/writes";
import * as api from "./api";
import { BitGoClient, isVendorError } from "./client";
import { buildSharedKeychain } from "./keychain";
import { bitgo } from "./vendor";

export const WALLET_PERMISSIONS = ["admin", "spend", "trade", "view"] as const;
export type WalletPermission = (typeof WALLET_PERMISSIONS)[number];
/** States after which the share grants nothing: the next `up` shares again. */
const DEAD = ["canceled", "rejected", "removed"];
const LIVE = ["pendingapproval", "active"];
const MULTI_KEY_USER_KEY = "multi-key-user-key";
const HEX32 = /^[0-9a-f]{32}$/;

const id = compositeId("bitgo:WalletShare", ["coin", "walletId", "toUser"], { walletId: HEX32, toUser: HEX32 });

const walletShareId = (o: { coin: string; walletId: string; toUser: string }) => id.build({ coin: o.coin, walletId: o.walletId, toUser: o.toUser });

interface Current {
  coin: string;
  walletId: string;
  toUser: string;
  share?: api.Share;
  /** The user's permissions on the wallet, once the share is accepted. */
  member?: string[];
  state: string;
  walletLabel: string;
  /** How a spend share's key went (known when this run shared). */
  keychainMode?: string;
}

const splitPermissions = (p: unknown): string[] =>
  (Array.isArray(p) ? p.map(String) : typeof p === "string" ? p.split(",") : []).map((x) => x.trim()).filter(Boolean).sort();
const isMultiKey = (w: api.Wallet) =>
  (w.featureFlags ?? []).includes(MULTI_KEY_USER_KEY) || (w.walletFlags ?? []).some((f) => f.name === MULTI_KEY_USER_KEY && f.value !== "false");

const keychainSchema = z
  .object({ pub: text({ max: 4000 }), encryptedPrv: text({ max: 8000 }), fromPubKey: text({ max: 400 }), toPubKey: text({ max: 400 }), path: text({ max: 100 }) })
  .strict();

/**
 * The recipient's id (and email when known). An id is taken as it is; an email is looked up once per
 * run among the members of the wallet's enterprise, else by the recipient's sharing key (the way
 * BitGo's SDK finds any user; 5 per 300 s, cached per email).
 */
export async function recipient(c: BitGoClient, user: string, wallet: api.Wallet | undefined): Promise<{ id: string; email?: string }> {
  if (HEX32.test(user)) return { id: user };
  if (wallet?.enterprise) {
    const member = await api.members(c, wallet.enterprise).then((l) => l.find((m) => m.username === user), () => undefined);
    if (member) return { id: member.id, email: user };
  }
  try {
    return { id: String((await api.sharingKey(c, user)).userId), email: user };
  } catch (e) {
    if (isVendorError(e, 404)) throw new Error(`bitgo: there is no BitGo user with the email ${user}. The recipient must sign up to BitGo before a wallet can be shared with them.`);
    throw e;
  }
}

async function emailOf(c: BitGoClient, who: { id: string; email?: string }): Promise<string> {
  if (who.email) return who.email;
  const u = await api.user(c, who.id);
  return String(u.username ?? u.email?.email ?? "");
}

/** Rules zod cannot say alone: a spend share must say how its key travels. */
function spendFailures(i: { permissions: string[]; keychain?: unknown; walletPassphrase?: string; skipKeychain?: boolean }): CheckFailure[] {
  if (!i.permissions.includes("spend")) {
    return i.keychain || i.walletPassphrase ? [{ property: "keychain", reason: "keychain: only a share with spend permission carries a key: remove keychain and walletPassphrase, or add spend" }] : [];
  }
  const ways = [i.keychain ? "keychain" : "", i.skipKeychain ? "skipKeychain" : "", i.walletPassphrase ? "walletPassphrase" : ""].filter(Boolean);
  if (ways.length === 0) {
    return [
      {
        property: "walletPassphrase",
        reason:
          "walletPassphrase: a share with spend permission must carry the wallet key: set walletPassphrase (a secret; orgstack, or BitGo Express when bitgo:express is set, re-encrypts the key for the recipient), " +
          "or keychain (a secret, precomputed), or skipKeychain: true (the recipient gets spend without a key and must be sent one later)",
      },
    ];
  }
  if (ways.length > 1) return [{ property: ways[1], reason: `${ways[1]}: give only one of keychain, skipKeychain and walletPassphrase (this share sets ${ways.join(" and ")})` }];
  return [];
}

/** The body of a share, and how a spend share's key travels. */
async function shareBody(c: BitGoClient, i: ShareInputs, who: { id: string; email?: string }, wallet: api.Wallet, reshare: boolean) {
  const common: Record<string, unknown> = { permissions: i.permissions.join(","), message: i.message, disableEmail: i.disableEmail };
  if (reshare) common.reshare = true;
  const spend = i.permissions.includes("spend");
  const multiKey = spend && isMultiKey(wallet);
  if (multiKey && (i.keychain || i.walletPassphrase)) log(`bitgo: wallet ${i.walletId} uses ${MULTI_KEY_USER_KEY} (a Go Account): the recipient makes their own key, so no keychain is sent`);
  if (c.settings.express) {
    // Express's share route is BitGo's SDK `shareWallet`: it takes { email, permissions, ... } and builds the keychain itself.
    if (spend && !multiKey && i.keychain) {
      throw new Error("keychain: BitGo Express builds the keychain itself and does not take a precomputed one; set walletPassphrase (secret) or skipKeychain: true, or point bitgo:apiUrl at BitGo instead of Express");
    }
    const body = { ...common, email: await emailOf(c, who) };
    if (!spend) return { body, mode: "none" };
    if (multiKey) return { body, mode: "multiKeyUserKey" };
    if (i.skipKeychain) return { body: { ...body, skipKeychain: true }, mode: "skipped" };
    return { body: { ...body, walletPassphrase: i.walletPassphrase }, mode: "express" };
  }
  const body = { ...common, user: who.id };
  if (multiKey) return { body, mode: "multiKeyUserKey" };
  if (!spend) return { body, mode: "none" };
  if (i.keychain) return { body: { ...body, keychain: i.keychain }, mode: "provided" };
  if (i.skipKeychain) return { body: { ...body, skipKeychain: true }, mode: "skipped" };
  const sharing = await api.sharingKey(c, await emailOf(c, who));
  const userKeyId = wallet.keys?.[0];
  if (!userKeyId) throw new Error(`bitgo: wallet ${i.walletId} has no user key to share; give a keychain or set skipKeychain: true`);
  const userKey = await api.walletKey(c, i.coin, userKeyId);
  if (typeof userKey?.encryptedPrv !== "string") {
    throw new Error(`bitgo: the user key of wallet ${i.walletId} has no encrypted private key this token can read; give a precomputed keychain or set skipKeychain: true`);
  }
  const keychain = buildSharedKeychain({
    userKey: { pub: String(userKey.pub), encryptedPrv: userKey.encryptedPrv },
    walletPassphrase: i.walletPassphrase!,
    recipient: { pubkey: String(sharing.pubkey), path: String(sharing.path) },
  });
  return { body: { ...body, keychain }, mode: "native" };
}

export interface ShareInputs {
  coin: string;
  walletId: string;
  user: string;
  permissions: WalletPermission[];
  message: string;
  disableEmail: boolean;
  skipKeychain: boolean;
  keychain?: unknown;
  walletPassphrase?: string;
}

/** Shares the wallet; after a lost answer only a live share that did not exist before counts as this one. */
export async function postShare(ctx: { c: BitGoClient; write: any }, i: ShareInputs, who: { id: string; email?: string }, reshare: boolean) {
  const wallet = await api.wallet(ctx.c, i.coin, i.walletId);
  const prepared = await shareBody(ctx.c, i, who, wallet, reshare);
  const before = new Set((await api.shares(ctx.c)).filter((s) => s.wallet === i.walletId && s.toUser === who.id).map((s) => s.id));
  const outcome = await ctx.write({
    what: `sharing wallet ${i.walletId} with ${i.user}${reshare ? " again (reshare)" : ""}`,
    send: async () => done((await api.createShare(ctx.c, i.coin, i.walletId, prepared.body)).data as api.Share),
    effect: async (since: number) => (await api.shares(ctx.c, since)).find((s) => s.wallet === i.walletId && s.toUser === who.id && LIVE.includes(s.state) && !before.has(s.id)),
  });
  return { share: outcome.value as api.Share, mode: prepared.mode, wallet };
}

/** The wallet a share or an access list is about: its coin and id (both replace on change). */
export const walletInputs = {
  coin: field(
    z.string({ error: (i) => (i.input === undefined ? "is required: the wallet's coin ticker, such as tbtc" : "must be a coin ticker such as btc, tbtc or eth") })
      .max(40, { message: "must be a coin ticker such as btc, tbtc or eth" })
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9][a-z0-9:_-]*$/, { message: "must be a coin ticker such as btc, tbtc or eth" }),
    { replaceOnChange: true, doc: "The wallet's coin (tbtc, btc, eth, ...)." },
  ),
  walletId: field(z.string({ error: "is required: the wallet's 32-character hex id" }).max(32, { message: "must be a 32-character lowercase hex wallet id" }).regex(HEX32, { message: "must be a 32-character lowercase hex wallet id such as 59cd72485007a239fb00282ed480da1f (copy it from the wallet's settings in BitGo)" }), {
    replaceOnChange: true,
    doc: "The wallet (32 hex).",
  }),
};

export const walletShare = defineResource<Current>()({
  type: "bitgo:WalletShare",
  doc: "One BitGo user's access to one wallet, granted by a wallet share (POST /api/v2/{coin}/wallet/{walletId}/share) and followed through acceptance.",
  vendor: bitgo,
  inputs: {
    ...walletInputs,
    user: field(
      z.union([z.string().max(32).regex(HEX32), email()], { error: "must be the recipient's email (auditor@acme.example) or 32-character hex BitGo user id" }),
      { doc: "The recipient: an email or a 32-hex BitGo user id. Naming the same person by id instead is no change; another person replaces the share." },
    ),
    permissions: field(list(oneOf(WALLET_PERMISSIONS, "wallet permission"), { min: 1, max: 4, sorted: true, hint: 'a list such as ["view"] or ["spend", "view"] (to take access away, delete the share)' }), {
      doc: "view | spend | admin | trade; order does not matter. BitGo cannot change a share's permissions: a change revokes the access and shares again.",
    }),
    message: field(z.string({ error: "must be text" }).max(1000, { message: "must be at most 1000 characters" }).default(""), { behaviour: true, doc: "Shown to the recipient with the invitation; a later change is only recorded." }),
    disableEmail: field(bool().default(false), { behaviour: true, doc: "Do not send the invitation e-mail; a later change is only recorded." }),
    reshare: field(bool().default(false), { doc: "Share again with a user who reset their password (BitGo's reshare); turning it on shares again." }),
    resendInvitation: field(z.union([z.string().max(100, { message: "must be at most 100 characters" }), z.number()], { error: "must be a string or number (change it to resend)" }).default(""), {
      doc: "Any new value (a date, a counter) resends the invitation e-mail of a share still waiting.",
    }),
    keychain: field(keychainSchema.optional(), { secret: true, writeOnly: true, doc: "Spend shares: a precomputed keychain for the recipient (secret; never recorded)." }),
    skipKeychain: field(bool().default(false), { behaviour: true, doc: "Spend shares: share without a key (the recipient gets one later)." }),
    walletPassphrase: field(z.string({ error: "must be text (a secret)" }).min(1).max(1000).optional(), {
      secret: true,
      writeOnly: true,
      doc: "Spend shares: the wallet passphrase; the wallet's user key is re-encrypted for the recipient (or handed to BitGo Express). Secret; never recorded, logged or shown in an error.",
    }),
  },
  outputs: {
    shareId: field(z.string(), { doc: "The wallet share's id; empty when the access was taken over from the wallet's users." }),
    state: field(z.string(), { doc: "pendingapproval, active (waiting for the recipient), accepted, or rejected / canceled / removed (the access is gone: the next up shares again)." }),
    pendingApprovalId: field(z.string(), { doc: "The approval a share waits for (pendingapproval)." }),
    walletLabel: field(z.string(), { doc: "The wallet's label." }),
    fromUser: field(z.string(), { doc: "Who shared." }),
    toUser: field(z.string(), { doc: "The recipient's BitGo user id." }),
    keychainMode: field(z.string(), { doc: "How a spend share's key was handled: none | provided | skipped | native | express | multiKeyUserKey." }),
  },
  id,
  adopt: "input",

  rules: (i) => spendFailures(i),
  replaces(olds, news) {
    const out: string[] = [];
    const oldUser = (olds.user ?? "").toLowerCase();
    const newUser = news.user.toLowerCase();
    if (oldUser !== newUser && newUser !== olds.toUser) out.push("user");
    if ((olds.permissions ?? []).join() !== news.permissions.join()) out.push("permissions");
    if (DEAD.includes(olds.state)) out.push("state");
    return out;
  },
  // The same user on the same wallet: BitGo refuses a second share, so the old one goes first. A change
  // from an id to an email may still be the same person: delete first too (create-first would take the
  // access over, then the delete would revoke it).
  deleteBeforeReplace(olds, news, replaces) {
    const maybeSame = HEX32.test(olds.user ?? "") && !HEX32.test(news.user) && news.user !== UNKNOWN;
    return !replaces.includes("coin") && !replaces.includes("walletId") && (!replaces.includes("user") || maybeSame);
  },

  idOf: (cur) => walletShareId(cur!),
  isGone: (cur) => DEAD.includes(cur.state),

  async find(ctx, ref, since): Promise<Current | undefined> {
    const key = ref.olds?.toUser ? ref.olds : ref.inputs ?? id.parse(ref.id!);
    const coin = key.coin!;
    const walletId = key.walletId!;
    let wallet: api.Wallet;
    try {
      wallet = await api.wallet(ctx.c, coin, walletId, since);
    } catch (e) {
      if (isVendorError(e, 404)) return undefined; // the wallet is gone (or no longer visible)
      throw e;
    }
    const toUser = ref.olds?.toUser ?? (ref.id ? id.parse(ref.id).toUser : (await recipient(ctx.c, ref.inputs!.user, wallet)).id);
    const member = wallet.users?.find((u) => u.user === toUser)?.permissions;
    const shareId = ref.olds?.shareId;
    const all = await api.shares(ctx.c, since);
    const share = shareId ? all.find((s) => s.id === shareId) ?? (await api.share(ctx.c, coin, shareId)) : all.filter((s) => s.wallet === walletId && s.toUser === toUser && LIVE.includes(s.state)).pop();
    let state = share?.state ?? (member ? "accepted" : "");
    if (!share && shareId && ref.olds?.state !== "accepted") state = "canceled"; // BitGo no longer knows the share
    if (state === "pendingapproval" && share?.pendingApprovalId) {
      const approvalState = await bitgo.approvals!.state(ctx.c, share.pendingApprovalId);
      if (approvalState === "rejected") state = "rejected";
      else if (approvalState === "approved") state = "active";
    }
    if (state === "accepted" || (state === "" && ref.olds?.state === "accepted")) state = member ? "accepted" : "removed";
    if (!state) return undefined; // nothing grants this user anything, and nothing was recorded
    return { coin, walletId, toUser, share, member, state, walletLabel: String(share?.walletLabel ?? wallet.label ?? "") };
  },

  flatten: (cur, declared) => ({
    coin: cur.coin,
    walletId: cur.walletId,
    user: declared.user ?? cur.toUser,
    permissions: (cur.member && cur.state === "accepted" ? [...cur.member].sort() : cur.share ? splitPermissions(cur.share.permissions ?? cur.share.permission) : undefined) as WalletPermission[] | undefined,
    shareId: cur.share?.id,
    state: cur.state,
    pendingApprovalId: cur.share?.pendingApprovalId ?? "",
    walletLabel: cur.walletLabel,
    fromUser: cur.share?.fromUser,
    toUser: cur.toUser,
    keychainMode: cur.keychainMode,
  }),

  derive: (o) => ({ keychainMode: o.keychainMode ?? "none", shareId: o.shareId ?? "", fromUser: o.fromUser ?? "" }),

  adoptable(cur, i) {
    const have = cur.state === "accepted" ? [...(cur.member ?? [])].sort() : splitPermissions(cur.share?.permissions ?? cur.share?.permission);
    if (have.join() === i.permissions.join()) return undefined;
    return cur.state === "accepted"
      ? `${i.user} is already on the wallet with permissions [${have.join(", ")}], not [${i.permissions.join(", ")}]; BitGo cannot change them in place: declare those permissions, or remove the user from the wallet in BitGo first`
      : `a share to ${i.user} is already ${cur.state} (${cur.share?.id}) with permissions [${have.join(", ")}], not [${i.permissions.join(", ")}]: declare those permissions, or cancel it in BitGo first`;
  },

  async openApproval(ctx, ref, action, cur, since) {
    if (action !== "delete") return undefined; // a share's own approval is part of the share (state pendingapproval)
    const walletId = ref.olds?.walletId ?? cur?.walletId;
    const toUser = ref.olds?.toUser ?? cur?.toUser;
    if (!walletId || !toUser) return undefined;
    const open = await api.openApprovals(ctx.c, { walletId }, since);
    return open.find((a) => a.info?.type === "userChangeRequest" && a.info.userChangeRequest?.action === "remove" && a.info.userChangeRequest.userChanged === toUser)?.id;
  },

  async create(ctx, i) {
    const wallet = await api.wallet(ctx.c, i.coin, i.walletId);
    const who = await recipient(ctx.c, i.user, wallet);
    const { share, mode } = await postShare(ctx, i, who, i.reshare);
    if (share.state === "pendingapproval") log(`bitgo: the share of wallet ${i.walletId} with ${i.user} awaits approval ${share.pendingApprovalId} by another wallet admin (pulumi refresh picks up the decision)`);
    return done({ coin: i.coin, walletId: i.walletId, toUser: String(share.toUser ?? who.id), share, keychainMode: mode, state: share.state, walletLabel: String(share.walletLabel ?? wallet.label ?? "") });
  },

  async update(ctx, olds, news, changed, cur) {
    let next = cur;
    if (changed.includes("permissions")) {
      // Only a takeover (adoptExisting "always") gets here: a permissions change is otherwise a replace.
      log(`bitgo: ${news.user} keeps [${(olds.permissions ?? []).join(", ")}] on wallet ${news.walletId} for now: BitGo cannot change a share's permissions in place; the next pulumi up replaces it (revokes, then shares [${news.permissions.join(", ")}])`);
    }
    if (changed.includes("reshare") && news.reshare && !olds.reshare) {
      const { share, wallet } = await postShare(ctx, news, { id: olds.toUser }, true);
      log(`bitgo: shared wallet ${news.walletId} again with ${news.user} (reshare): share ${share.id} is ${share.state}`);
      next = { coin: news.coin, walletId: news.walletId, toUser: olds.toUser, share, state: share.state, walletLabel: String(share.walletLabel ?? wallet.label ?? "") };
    } else if (changed.includes("resendInvitation") && news.resendInvitation !== "") {
      if (olds.state === "active" && olds.shareId) {
        try {
          await ctx.write({ what: `resending the invitation of share ${olds.shareId} to ${news.user}`, once: true, send: async () => done(await api.resendShareEmail(ctx.c, news.coin, olds.shareId)) });
        } catch (e) {
          if (!(e instanceof LostWriteError)) throw e;
          // At most once: the new value is recorded, so no rerun sends a second e-mail nobody asked for.
          throw partialFailure(
            `bitgo: the answer to resending the invitation of share ${olds.shareId} was lost; it may or may not have gone out. It is recorded as sent: change resendInvitation again to send another.`,
            walletShareId(olds),
            { ...olds, resendInvitation: news.resendInvitation },
          );
        }
        log(`bitgo: resent the invitation of share ${olds.shareId} to ${news.user}`);
      } else {
        log(`bitgo: share ${olds.shareId || "(none)"} is ${olds.state}, not waiting for ${news.user}: no invitation to resend`);
      }
    }
    return done(next);
  },

  async remove(ctx, olds, cur) {
    if (cur.state !== "accepted" && cur.share?.id) {
      const res = await api.cancelShare(ctx.c, olds.coin, olds.walletId, cur.share.id);
      if (res.status !== 400) return done();
      // 400: accepted meanwhile (the recipient was quicker): take the user off the wallet instead.
      if (!/accepted/i.test(`${res.data?.name} ${res.data?.error}`)) {
        throw new Error(`bitgo: cancelling share ${cur.share.id} failed: ${res.data?.error ?? res.status} (request id ${res.requestId ?? res.data?.requestId ?? "?"})`);
      }
    }
    return ctx.guarded(`removing ${olds.user} from wallet ${olds.walletId}`, async () => {
      const res = await api.removeWalletUser(ctx.c, olds.coin, olds.walletId, cur.toUser);
      const pendingApproval = res.data?.pendingApproval ?? res.data?.pendingApprovals?.[0];
      return res.status === 202 || pendingApproval ? { done: false, approvalId: String(pendingApproval?.id ?? api.approvalIdOf(res.data)) } : done();
    });
  },
});
