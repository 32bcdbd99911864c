// bitgo:WalletShare provider methods against the sandbox: check, diff, the share lifecycle (accepted
// by the recipient, refreshed, revoked), pending approvals, drift (rejected, cancelled, removed), every
// spend keychain mode, the lost-answer retry, resend (once only) and reshare, import, and the per-run
// caches that keep many shares under BitGo's rate limits. No secret may reach outputs, logs or errors.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startSandbox, SEED, WALLET_SEED, RunningSandbox } from "../../sandbox";
import { sharingPrivateKey } from "../../sandbox/bitgoWallets";
import { setConfig } from "../../provider/config";
import { provider, UNKNOWN } from "../../provider";
import { resetBitGoClients } from "../../provider/bitgo/client";
import { buildSharedKeychain, publicKeyOf } from "../../provider/bitgo/keychain";

const p = provider("bitgo:WalletShare");
const team = WALLET_SEED.wallets.team.id;
const guarded = WALLET_SEED.wallets.guarded.id;
const goAccount = WALLET_SEED.wallets.goAccount.id;
const PASS = WALLET_SEED.passphrase;
let sb: RunningSandbox;

function asOperator(extra: Record<string, string> = {}, base?: string) {
  resetBitGoClients();
  const settings: Record<string, string> = {
    "bitgo:apiUrl": base ?? sb.url,
    "bitgo:email": SEED.operator.email,
    "bitgo:password": SEED.operator.password,
    "bitgo:otp": "000000",
    ...extra,
  };
  setConfig({ get: (k) => settings[k] });
}

async function control(method: string, path: string, body?: unknown) {
  const res = await fetch(`${sb.url}/__sandbox${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

const ws = () => sb.sandbox.state.bitgoWallets;
const walletUsers = (id: string): Record<string, string[]> =>
  Object.fromEntries(ws().wallets.find((w: any) => w.id === id).users.map((u: any) => [u.user, u.permissions]));
const calls = (method: string, part: string) => sb.sandbox.requests.filter((r) => r.method === method && r.path.includes(part));

async function inputs(raw: Record<string, unknown>) {
  const checked = await p.check(undefined, raw);
  expect(checked.failures ?? []).toEqual([]);
  return checked.inputs;
}
const view = (over: Record<string, unknown> = {}) => ({ coin: "tbtc", walletId: team, user: SEED.users.auditor.email, permissions: ["view"], ...over });

const ENV = { ORGSTACK_HTTP_BACKOFF_MS: "5", ORGSTACK_SETTLE_MS: "2000", ORGSTACK_RATE_LIMITS: "off" };
const emails = (kind: string) => sb.sandbox.state.bitgo.emails.filter((e: any) => e.kind === kind);

beforeAll(async () => {
  Object.assign(process.env, ENV);
  sb = await startSandbox({ rateLimits: false });
});
afterAll(async () => {
  await sb?.stop();
  setConfig(undefined);
  for (const k of Object.keys(ENV)) delete process.env[k];
});
beforeEach(() => {
  sb.sandbox.reset();
  sb.sandbox.rateLimitsOn = false;
  asOperator();
});
afterEach(() => resetBitGoClients());

describe("check", () => {
  const failures = async (raw: Record<string, unknown>) => (await p.check(undefined, raw)).failures ?? [];

  it("normalizes: lowercases the user, sorts permissions, fills defaults, drops __provider", async () => {
    const r = await p.check(undefined, { ...view({ user: " Auditor@Acme.Example ", permissions: ["view", "admin"] }), __provider: "x" });
    expect(r.inputs).toEqual({ coin: "tbtc", walletId: team, user: "auditor@acme.example", permissions: ["admin", "view"], message: "", disableEmail: false, reshare: false, resendInvitation: "", skipKeychain: false, adoptExisting: "matching" });
  });

  it("names the field and the fix for bad ids, users and permissions", async () => {
    expect((await failures(view({ walletId: "59CD72485007A239FB00282ED480DA1F" })))[0]).toMatchObject({ property: "walletId", reason: expect.stringContaining("32-character lowercase hex") });
    expect((await failures(view({ user: "not-an-email" })))[0]).toMatchObject({ property: "user", reason: expect.stringContaining("email") });
    expect((await failures(view({ user: SEED.users.auditor.id })))).toEqual([]);
    expect((await failures(view({ permissions: [] })))[0]).toMatchObject({ property: "permissions", reason: expect.stringContaining("must list at least 1 entry") });
    expect((await failures(view({ permissions: ["owner"] })))[0]).toMatchObject({ property: "permissions.0", reason: expect.stringContaining('"owner" is not a wallet permission') });
  });

  it("refuses a spend share that does not say how the key travels, naming walletPassphrase", async () => {
    const f = await failures(view({ permissions: ["spend", "view"] }));
    expect(f[0].property).toBe("walletPassphrase");
    expect(f[0].reason).toMatch(/keychain.*skipKeychain/s);
    expect(await failures(view({ permissions: ["spend"], skipKeychain: true }))).toEqual([]);
    expect(await failures(view({ permissions: ["spend"], walletPassphrase: "x" }))).toEqual([]);
    expect((await failures(view({ permissions: ["spend"], walletPassphrase: "x", skipKeychain: true })))[0]).toMatchObject({ property: "walletPassphrase", reason: expect.stringContaining("only one of") });
  });

  it("lets values unknown at preview through", async () => {
    expect(await failures(view({ walletId: UNKNOWN, user: UNKNOWN }))).toEqual([]);
  });

  it("checks the settings: plain http only on loopback, bitgo:express a yes or no", async () => {
    asOperator({}, "http://bitgo.example");
    expect(await failures(view())).toEqual([expect.objectContaining({ property: "bitgo:apiUrl", reason: expect.stringMatching(/http:\/\/bitgo\.example is not https/) })]);
    asOperator({ "bitgo:express": "maybe" });
    expect((await failures(view()))[0]).toEqual(expect.objectContaining({ property: "bitgo:express", reason: expect.stringMatching(/bitgo:express: "maybe" is not true or false/) }));
  });
});

describe("diff", () => {
  const olds: any = { ...view(), message: "", disableEmail: false, reshare: false, resendInvitation: "", skipKeychain: false, state: "accepted", shareId: "x" };
  const news = (over: Record<string, unknown>): any => ({ ...olds, state: undefined, shareId: undefined, ...over });

  it("reports nothing when nothing changed, whatever order permissions come in", async () => {
    expect(await p.diff("id", { ...olds, permissions: ["spend", "view"] }, news({ permissions: ["spend", "view"] }))).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
  });
  it("replaces, delete first, when permissions change (no endpoint changes them)", async () => {
    expect(await p.diff("id", olds, news({ permissions: ["spend", "view"] }))).toEqual({ changes: true, replaces: ["permissions"], deleteBeforeReplace: true });
  });
  it("never replaces an accepted share for message or disableEmail", async () => {
    expect(await p.diff("id", olds, news({ message: "new text", disableEmail: true }))).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });
  it("the same recipient named by id instead of email is no replace (create-first would adopt the access, then revoke it)", async () => {
    const accepted = { ...olds, toUser: SEED.users.auditor.id };
    expect(await p.diff("id", accepted, news({ user: SEED.users.auditor.id, toUser: undefined }))).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    // id -> email cannot be told apart from another user without a lookup: replace, but old first.
    expect(await p.diff("id", { ...accepted, user: SEED.users.auditor.id }, news({ user: SEED.users.auditor.email }))).toEqual({ changes: true, replaces: ["user"], deleteBeforeReplace: true });
    // another user's id, or another email: create first is safe.
    expect((await p.diff("id", accepted, news({ user: SEED.users.ops.id }))).deleteBeforeReplace).toBe(false);
  });
  it("replaces (create first) for another user or wallet; replaces a dead share", async () => {
    expect((await p.diff("id", olds, news({ user: "ops@acme.example" }))).deleteBeforeReplace).toBe(false);
    expect(await p.diff("id", { ...olds, state: "rejected" }, news({}))).toEqual({ changes: true, replaces: ["state"], deleteBeforeReplace: true });
  });
});

describe("lifecycle", () => {
  it("view share: created, accepted by the recipient, refreshed, revoked on delete", async () => {
    const c = await p.create(await inputs(view({ message: "Quarterly audit access" })));
    expect(c.id).toBe(`tbtc/${team}/${SEED.users.auditor.id}`);
    expect(c.outs).toMatchObject({ state: "active", toUser: SEED.users.auditor.id, fromUser: SEED.operator.id, walletLabel: WALLET_SEED.wallets.team.label, keychainMode: "none", pendingApprovalId: "" });
    expect(calls("POST", "/share")[0].requestBody).toEqual({ user: SEED.users.auditor.id, permissions: "view", message: "Quarterly audit access", disableEmail: false });

    expect((await p.read(c.id, c.outs!)).props!.state).toBe("active");
    expect((await control("POST", `/bitgo/walletshare/${c.outs!.shareId}`)).status).toBe(200);
    resetBitGoClients(); // a new run
    const r = await p.read(c.id, c.outs!);
    expect(r.props).toMatchObject({ state: "accepted", permissions: ["view"] });
    expect(r.inputs).toMatchObject({ coin: "tbtc", walletId: team, permissions: ["view"] });
    expect(walletUsers(team)[SEED.users.auditor.id]).toEqual(["view"]);

    const u = await p.update(c.id, r.props!, await inputs(view({ message: "changed" })));
    expect(u.outs).toMatchObject({ message: "changed", state: "accepted", shareId: c.outs!.shareId });

    await p.delete(c.id, u.outs!);
    expect(walletUsers(team)[SEED.users.auditor.id]).toBeUndefined();
    expect(calls("DELETE", `/wallet/${team}/user/${SEED.users.auditor.id}`)).toHaveLength(1);
    await p.delete(c.id, u.outs!); // already gone: success
  });

  it("an email BitGo does not know fails saying the recipient must sign up first; nothing is shared", async () => {
    const e = await p.create(await inputs(view({ user: "nobody@acme.example" }))).catch((x) => x);
    expect(e.message).toMatch(/there is no BitGo user with the email nobody@acme\.example.*must sign up/);
    expect(calls("POST", "/share")).toHaveLength(0);
  });

  it("cancels a share not yet accepted on delete", async () => {
    const c = await p.create(await inputs(view()));
    await p.delete(c.id, c.outs!);
    expect(ws().shares[0].state).toBe("canceled");
    expect(calls("DELETE", "/walletshare/")).toHaveLength(1);
  });

  it("a pending-approval share: recorded as pendingapproval, active once another admin approves", async () => {
    const c = await p.create(await inputs(view({ walletId: guarded })));
    expect(c.outs).toMatchObject({ state: "pendingapproval", pendingApprovalId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect((await control("POST", `/bitgo/pendingapprovals/${c.outs!.pendingApprovalId}`, { state: "approved" })).status).toBe(200);
    resetBitGoClients();
    expect((await p.read(c.id, c.outs!)).props!.state).toBe("active");
  });

  it("a rejected approval shows as rejected on refresh", async () => {
    const c = await p.create(await inputs(view({ walletId: guarded })));
    await control("POST", `/bitgo/pendingapprovals/${c.outs!.pendingApprovalId}`, { state: "rejected" });
    expect((await p.read(c.id, c.outs!)).props!.state).toBe("rejected");
  });

  it("drift: rejected by the recipient, cancelled in the UI, user removed from the wallet", async () => {
    const a = await p.create(await inputs(view()));
    await control("POST", `/bitgo/walletshare/${a.outs!.shareId}`, { state: "rejected" });
    resetBitGoClients(); // a refresh is a new provider process: nothing cached from the run
    expect((await p.read(a.id, a.outs!)).props!.state).toBe("rejected");
    await p.delete(a.id, { ...a.outs!, state: "rejected" }); // nothing to take away

    resetBitGoClients();
    const b = await p.create(await inputs(view({ user: SEED.users.ops.email })));
    await control("DELETE", `/bitgo/walletshare/${b.outs!.shareId}`);
    resetBitGoClients();
    expect((await p.read(b.id, b.outs!)).props!.state).toBe("canceled");

    resetBitGoClients();
    const d = await p.create(await inputs(view({ user: SEED.users.treasury.email })));
    await control("POST", `/bitgo/walletshare/${d.outs!.shareId}`);
    await control("DELETE", `/bitgo/wallet/${team}/user/${SEED.users.treasury.id}`);
    resetBitGoClients();
    const r = await p.read(d.id, { ...d.outs!, state: "accepted" });
    expect(r.props!.state).toBe("removed");
    expect((await p.diff(d.id, r.props!, (await inputs(view({ user: SEED.users.treasury.email }))) as any)).replaces).toEqual(["state"]);
  });

  it("removal that needs another admin's approval is reported, and not asked twice", async () => {
    const c = await p.create(await inputs(view({ walletId: guarded })));
    await control("POST", `/bitgo/pendingapprovals/${c.outs!.pendingApprovalId}`, { state: "approved" });
    await control("POST", `/bitgo/walletshare/${c.outs!.shareId}`);
    const outs = { ...c.outs!, state: "accepted" as const };
    await expect(p.delete(c.id, outs)).rejects.toThrow(new RegExp(`removing ${c.id} needs another admin's approval \\(pending approval [0-9a-f]{32}\\)`));
    asOperator(); // the rerun: a new run
    await expect(p.delete(c.id, outs)).rejects.toThrow(/pending approval [0-9a-f]{32}, asked for by an earlier run/);
    expect(calls("DELETE", `/wallet/${guarded}/user/`)).toHaveLength(1);
    const approval = sb.sandbox.state.bitgo.approvals.find((a: any) => a.info.kind === "walletUserRemove");
    await control("POST", `/bitgo/pendingapprovals/${approval.id}`, { state: "approved" });
    asOperator();
    await p.delete(c.id, outs); // approved meanwhile: the user is gone, success
    expect(calls("DELETE", `/wallet/${guarded}/user/`)).toHaveLength(1);
    expect(walletUsers(guarded)[SEED.users.auditor.id]).toBeUndefined();
  });

  it("a lost answer is followed by a re-read, not a second share", async () => {
    await control("POST", "/faults", { method: "POST", path: `/api/v2/tbtc/wallet/${team}/share`, dropAnswerAfterHandling: true });
    const c = await p.create(await inputs(view()));
    expect(calls("POST", "/share")).toHaveLength(1);
    expect(ws().shares).toHaveLength(1);
    expect(c.outs!.shareId).toBe(ws().shares[0].id);
  });

  it("a lost answer never adopts an older share: re-sharing a user removed from the wallet makes a new share", async () => {
    const first = await p.create(await inputs(view()));
    await control("POST", `/bitgo/walletshare/${first.outs!.shareId}`);
    await control("DELETE", `/bitgo/wallet/${team}/user/${SEED.users.auditor.id}`);
    resetBitGoClients();
    expect((await p.read(first.id, { ...first.outs!, state: "accepted" })).props!.state).toBe("removed");
    // The replace: delete (nothing to take away), then create, whose first POST fails on BitGo's side.
    await control("POST", "/faults", { method: "POST", path: `/api/v2/tbtc/wallet/${team}/share`, status: 502 });
    resetBitGoClients();
    const again = await p.create(await inputs(view()));
    expect(again.outs).toMatchObject({ state: "active", adopted: false });
    expect(again.outs!.shareId).not.toBe(first.outs!.shareId);
    expect(ws().shares.map((s: any) => s.state)).toEqual(["accepted", "active"]);
  });

  it("reshare after a lost answer is not satisfied by the share it replaces", async () => {
    const c = await p.create(await inputs(view()));
    await control("POST", `/bitgo/walletshare/${c.outs!.shareId}`);
    await control("POST", "/faults", { method: "POST", path: `/api/v2/tbtc/wallet/${team}/share`, status: 503 });
    const r = await p.update(c.id, { ...c.outs!, state: "accepted" }, await inputs(view({ reshare: true })));
    expect(r.outs!.shareId).not.toBe(c.outs!.shareId);
    expect(r.outs!.state).toBe("active");
    expect(calls("POST", "/share").filter((x) => x.status === 200)).toHaveLength(2);
  });

  it("takes over a waiting share or existing access instead of sharing twice; refuses a mismatch", async () => {
    const first = await p.create(await inputs(view()));
    resetBitGoClients();
    const again = await p.create(await inputs(view()));
    expect(again.outs).toMatchObject({ adopted: true, shareId: first.outs!.shareId });
    await expect(p.create(await inputs(view({ permissions: ["admin"] })))).rejects.toThrow(
      /already exists, and differs from the stack: a share to auditor@acme\.example is already active \([0-9a-f]{32}\) with permissions \[view\], not \[admin\]/,
    );
    await expect(p.create(await inputs(view({ adoptExisting: "never" })))).rejects.toThrow(/adoptExisting is "never"/);
    expect(ws().shares).toHaveLength(1);
    // adoptExisting "always" takes it over as it is and says so: the permissions change is the next up's replace.
    const logs: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void logs.push(a.join(" ")));
    try {
      resetBitGoClients();
      const taken = await p.create(await inputs(view({ permissions: ["admin", "view"], adoptExisting: "always" })));
      expect(taken.outs).toMatchObject({ adopted: true, shareId: first.outs!.shareId, permissions: ["view"] });
      expect(logs.join("\n")).toMatch(/BitGo cannot change a share's permissions in place; the next pulumi up replaces it/);
      expect((await p.diff(taken.id, taken.outs!, await inputs(view({ permissions: ["admin", "view"], adoptExisting: "always" })))).replaces).toEqual(["permissions"]);
    } finally {
      spy.mockRestore();
    }
    // Access already granted (accepted) is taken over too.
    await control("POST", `/bitgo/walletshare/${first.outs!.shareId}`);
    resetBitGoClients();
    const member = await p.create(await inputs(view()));
    expect(member.outs).toMatchObject({ adopted: true, state: "accepted", permissions: ["view"] });
    expect(calls("POST", "/share")).toHaveLength(1);
  });

  it("resends the invitation of a waiting share when resendInvitation changes; reshare shares again", async () => {
    const c = await p.create(await inputs(view()));
    const u = await p.update(c.id, c.outs!, await inputs(view({ resendInvitation: "2026-09-01" })));
    expect(u.outs).toMatchObject({ resendInvitation: "2026-09-01", state: "active" });
    expect(calls("POST", "/resendemail")).toHaveLength(1);
    expect(ws().shares[0].emailsSent).toBe(2);
    expect(emails("walletShareResend")).toHaveLength(1);
    // The same value again sends nothing.
    expect(await p.diff(c.id, u.outs!, await inputs(view({ resendInvitation: "2026-09-01" })))).toMatchObject({ changes: false });
    await control("POST", `/bitgo/walletshare/${c.outs!.shareId}`);
    const r = await p.update(c.id, { ...u.outs!, state: "accepted" }, await inputs(view({ resendInvitation: "2026-09-01", reshare: true })));
    expect(r.outs!.shareId).not.toBe(c.outs!.shareId);
    expect(calls("POST", "/share").pop()!.requestBody).toMatchObject({ reshare: true });
  });
});

describe("resendInvitation is sent at most once", () => {
  it("a lost answer is never resent, and the value is recorded as used so the next up sends no second e-mail", async () => {
    const c = await p.create(await inputs(view()));
    await control("POST", "/faults", { method: "POST", path: `/api/v2/tbtc/walletshare/${c.outs!.shareId}/resendemail`, dropAnswerAfterHandling: true });
    const e: any = await p.update(c.id, c.outs!, await inputs(view({ resendInvitation: 1 }))).catch((x) => x);
    expect(e.message).toMatch(/lost/);
    expect(e.message).toMatch(/resendInvitation/);
    expect(calls("POST", "/resendemail")).toHaveLength(1);
    expect(emails("walletShareResend")).toHaveLength(1); // it did go out: exactly once
    // Partial state: the value counts as used.
    expect(e.id).toBe(c.id);
    expect(e.properties).toMatchObject({ resendInvitation: 1, shareId: c.outs!.shareId, state: "active" });
    expect(await p.diff(c.id, e.properties, await inputs(view({ resendInvitation: 1 })))).toMatchObject({ changes: false });
    // A new value sends one more.
    await p.update(c.id, e.properties, await inputs(view({ resendInvitation: 2 })));
    expect(emails("walletShareResend")).toHaveLength(2);
  });

  it("a share that is no longer waiting sends nothing when resendInvitation changes", async () => {
    const c = await p.create(await inputs(view()));
    await control("POST", `/bitgo/walletshare/${c.outs!.shareId}`);
    resetBitGoClients();
    const accepted = (await p.read(c.id, c.outs!)).props!;
    const u = await p.update(c.id, accepted, await inputs(view({ resendInvitation: "again" })));
    expect(u.outs).toMatchObject({ state: "accepted", resendInvitation: "again" });
    expect(calls("POST", "/resendemail")).toHaveLength(0);
  });
});

describe("import", () => {
  it("reads a share from its id alone: the recipient, permissions and state from BitGo", async () => {
    const c = await p.create(await inputs(view({ permissions: ["trade", "view"] })));
    resetBitGoClients();
    const r = await p.read(c.id, {});
    expect(r.id).toBe(c.id);
    expect(r.props).toMatchObject({ coin: "tbtc", walletId: team, toUser: SEED.users.auditor.id, user: SEED.users.auditor.id, permissions: ["trade", "view"], state: "active", shareId: c.outs!.shareId });
    await expect(p.read("tbtc/nope", {})).rejects.toThrow(/the form is <coin>\/<walletId>\/<toUser>/);
  });
});

describe("spend shares: every keychain mode", () => {
  const spend = (over: Record<string, unknown> = {}) => view({ user: SEED.users.ops.email, permissions: ["spend", "view"], ...over });
  const logs: string[] = [];
  beforeEach(() => {
    logs.length = 0;
    vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void logs.push(a.join(" ")));
  });
  afterEach(() => vi.restoreAllMocks());

  async function acceptAndVerify(shareId: string) {
    const res = await control("POST", `/bitgo/walletshare/${shareId}`);
    expect(res.status).toBe(200);
    return res.body;
  }
  const noSecrets = (outs: unknown) => {
    const text = JSON.stringify(outs) + logs.join("\n");
    expect(text).not.toContain(PASS);
    expect(text).not.toContain("sandbox-prv-");
  };

  it("native: builds the keychain from walletPassphrase; the recipient's sharing key opens it", async () => {
    const c = await p.create(await inputs(spend({ walletPassphrase: PASS })));
    expect(c.outs).toMatchObject({ keychainMode: "native", state: "active" });
    const body = calls("POST", "/share")[0].requestBody;
    expect(body.keychain).toMatchObject({ path: WALLET_SEED.sharingPath, toPubKey: publicKeyOf(sharingPrivateKey(SEED.users.ops.id)).toString("hex") });
    expect(JSON.stringify(body)).not.toContain(PASS);
    expect(calls("GET", "/key/")).toHaveLength(1);
    expect((await acceptAndVerify(c.outs!.shareId)).keychainVerified).toBe(true);
    expect(c.outs).not.toHaveProperty("walletPassphrase");
    noSecrets(c.outs);
  });

  it("native: a wrong passphrase fails without echoing it, and shares nothing", async () => {
    await expect(p.create(await inputs(spend({ walletPassphrase: "wrong-passphrase-123" })))).rejects.toThrow(/walletPassphrase/);
    await p.create(await inputs(spend({ walletPassphrase: "wrong-passphrase-123" }))).catch((e) => expect(String(e)).not.toContain("wrong-passphrase-123"));
    expect(ws().shares).toHaveLength(0);
  });

  it("provided: a precomputed keychain is sent as given", async () => {
    const userKey = ws().keys.find((k: any) => k.id === ws().wallets.find((w: any) => w.id === team).keys[0]);
    const keychain = buildSharedKeychain({
      userKey,
      walletPassphrase: PASS,
      recipient: { pubkey: publicKeyOf(sharingPrivateKey(SEED.users.ops.id)).toString("hex"), path: WALLET_SEED.sharingPath },
    });
    const c = await p.create(await inputs(spend({ keychain })));
    expect(c.outs!.keychainMode).toBe("provided");
    expect(calls("POST", "/share")[0].requestBody.keychain).toEqual(keychain);
    expect(calls("GET", "/key/")).toHaveLength(0); // the wallet key is never read
    expect((await acceptAndVerify(c.outs!.shareId)).keychainVerified).toBe(true);
    expect(c.outs).not.toHaveProperty("keychain");
  });

  it("skipped: skipKeychain: true is sent and no key is read", async () => {
    const c = await p.create(await inputs(spend({ skipKeychain: true })));
    expect(c.outs!.keychainMode).toBe("skipped");
    expect(calls("POST", "/share")[0].requestBody).toMatchObject({ skipKeychain: true });
    expect(calls("GET", "/key/")).toHaveLength(0);
  });

  it("express: bitgo:express sends { email, permissions, walletPassphrase } and Express builds the key", async () => {
    asOperator({ "bitgo:express": "true" }, `${sb.url}/express`);
    const c = await p.create(await inputs(spend({ walletPassphrase: PASS })));
    expect(c.outs).toMatchObject({ keychainMode: "express", state: "active" });
    const sent = sb.sandbox.requests.find((r) => r.path === `/express/api/v2/tbtc/wallet/${team}/share`)!;
    expect(sent.requestBody).toMatchObject({ email: SEED.users.ops.email, permissions: "spend,view", walletPassphrase: PASS });
    expect(sent.module).toBe("bitgoWallets");
    expect((await acceptAndVerify(c.outs!.shareId)).keychainVerified).toBe(true);
    noSecrets(c.outs);
  });

  it("express: view and skipKeychain shares go in Express's own form ({ email, permissions }), as its share route requires", async () => {
    asOperator({ "bitgo:express": "true" }, `${sb.url}/express`);
    const v = await p.create(await inputs(view()));
    expect(v.outs).toMatchObject({ keychainMode: "none", state: "active" });
    const s = await p.create(await inputs(spend({ user: SEED.users.treasury.email, skipKeychain: true })));
    expect(s.outs).toMatchObject({ keychainMode: "skipped", state: "active" });
    const sent = sb.sandbox.requests.filter((r) => r.path.startsWith("/express/") && r.path.endsWith("/share")).map((r) => r.requestBody);
    expect(sent[0]).toMatchObject({ email: SEED.users.auditor.email, permissions: "view" });
    expect(sent[1]).toMatchObject({ email: SEED.users.treasury.email, permissions: "spend,view", skipKeychain: true });
    expect(sent.every((b) => !("user" in b) && !("walletPassphrase" in b))).toBe(true);
  });

  it("express only when bitgo:express says so: an Express URL alone is not guessed from", async () => {
    asOperator({}, `${sb.url}/express`);
    const e = await p.create(await inputs(spend({ walletPassphrase: PASS }))).catch((x) => x);
    const sent = sb.sandbox.requests.find((r) => r.path === `/express/api/v2/tbtc/wallet/${team}/share`)!;
    expect(sent.requestBody).toMatchObject({ user: SEED.users.ops.id, permissions: "spend,view" }); // BitGo's own form, keychain built here
    expect(sent.requestBody.keychain).toBeDefined();
    expect(sent.requestBody).not.toHaveProperty("walletPassphrase");
    expect(e.message).toMatch(/email is required/); // Express's share route wants its own form
    noSecrets(e.message);
  });

  it("express: a precomputed keychain is refused before anything is sent (Express builds its own)", async () => {
    asOperator({ "bitgo:express": "true" }, `${sb.url}/express`);
    const keychain = { pub: "02aa", encryptedPrv: "{}", fromPubKey: "02bb", toPubKey: "02cc", path: "m/1" };
    await expect(p.create(await inputs(spend({ keychain })))).rejects.toThrow(/keychain: BitGo Express .*walletPassphrase.*skipKeychain/);
    expect(calls("POST", "/share")).toHaveLength(0);
  });

  it("multi-key-user-key wallet: never sends a keychain", async () => {
    const c = await p.create(await inputs(spend({ walletId: goAccount, walletPassphrase: PASS })));
    expect(c.outs!.keychainMode).toBe("multiKeyUserKey");
    expect(calls("POST", "/share")[0].requestBody).not.toHaveProperty("keychain");
    expect(calls("GET", "/key/")).toHaveLength(0);
    expect(logs.join("\n")).toMatch(/multi-key-user-key/);
  });
});

describe("rate limits: many shares in one run", () => {
  // Here the client paces under BitGo's documented limits, as it does against BitGo itself.
  beforeEach(() => {
    delete process.env.ORGSTACK_RATE_LIMITS;
    asOperator();
  });
  afterEach(() => {
    process.env.ORGSTACK_RATE_LIMITS = ENV.ORGSTACK_RATE_LIMITS;
  });

  it("reads the wallet and the share list once, and each sharing key once per email", async () => {
    sb.sandbox.rateLimitsOn = true;
    const recipients = [SEED.users.ops, SEED.users.auditor, SEED.users.treasury, SEED.secondAdmin, WALLET_SEED.users.compliance];
    const made = [];
    for (const r of recipients) made.push(await p.create(await inputs(view({ user: r.email, permissions: ["spend", "view"], walletPassphrase: PASS }))));
    for (const r of recipients) await p.create(await inputs(view({ user: r.email, permissions: ["spend", "view"], walletPassphrase: PASS })));
    expect(calls("POST", "/api/v2/user/sharingkey")).toHaveLength(5); // one per email, under 5 per 300 s
    expect(ws().shares).toHaveLength(5);
    sb.sandbox.requests.length = 0;
    resetBitGoClients(); // the refresh is a new run: nothing cached
    await Promise.all(made.map((m) => p.read(m.id, m.outs!)));
    expect(calls("GET", "/api/v2/walletshares")).toHaveLength(1);
    expect(calls("GET", "/walletshare/")).toHaveLength(0);
    // Accepted shares read the wallet's users: once for all five.
    for (const m of made) await control("POST", `/bitgo/walletshare/${m.outs!.shareId}`);
    resetBitGoClients();
    sb.sandbox.requests.length = 0;
    const refreshed = await Promise.all(made.map((m) => p.read(m.id, m.outs!)));
    expect(refreshed.map((r) => r.props!.state)).toEqual(["accepted", "accepted", "accepted", "accepted", "accepted"]);
    expect(calls("GET", `/api/v2/tbtc/wallet/${team}`)).toHaveLength(1);
  });

  it("the sandbox refuses a sixth sharing-key call within 300 s, as BitGo does", async () => {
    sb.sandbox.rateLimitsOn = true;
    const ask = () => fetch(`${sb.url}/__sandbox/bitgo/tokens`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ userId: SEED.operator.id, scope: [] }) }).then((r) => r.json() as any);
    const { token } = await ask();
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      const r = await fetch(`${sb.url}/api/v2/user/sharingkey`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ email: SEED.users.ops.email }) });
      statuses.push(r.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });
});
