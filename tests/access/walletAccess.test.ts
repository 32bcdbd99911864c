// bitgo:WalletAccess provider methods against the sandbox: shares followed through acceptance (a
// pending invitation is state, never sent again), a permission change (taken off, shared again), an
// out-of-band user removed or only reported, keep and the operator left alone, approvals never asked
// twice, a rejected share shown and shared anew, destroy, and the calls a read of 300 users makes.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RunningSandbox, SEED, WALLET_SEED, startSandbox } from "../../sandbox";
import { setConfig } from "../../provider/config";
import { provider } from "../../provider";
import { resetBitGoClients } from "../../provider/bitgo/client";

const p = provider("bitgo:WalletAccess");
const team = WALLET_SEED.wallets.team.id;
const guarded = WALLET_SEED.wallets.guarded.id;
const teamId = `tbtc/${team}`;
const guardedId = `tbtc/${guarded}`;
let sb: RunningSandbox;
const AUDITOR = { user: "auditor@acme.example", permissions: ["view"] };
const OPS = { user: "ops@acme.example", permissions: ["spend", "view"] };

function asOperator() {
  resetBitGoClients();
  const s: Record<string, string> = { "bitgo:apiUrl": sb.url, "bitgo:email": SEED.operator.email, "bitgo:password": SEED.operator.password, "bitgo:otp": "000000" };
  setConfig({ get: (k) => s[k] });
}
const control = async (method: string, path: string, body?: unknown) =>
  (await fetch(`${sb.url}/__sandbox${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) })).json() as Promise<any>;
const approve = (id: string) => control("POST", `/bitgo/pendingapprovals/${id}`, { state: "approved" });
const respond = (shareId: string, state = "accepted") => control("POST", `/bitgo/walletshare/${shareId}`, { state });

const wallets = () => sb.sandbox.state.bitgoWallets;
const onWallet = (walletId = team) => Object.fromEntries(wallets().wallets.find((w: any) => w.id === walletId).users.map((u: any) => [u.user, [...u.permissions].sort()]));
const liveShares = (walletId = team) => wallets().shares.filter((s: any) => s.wallet === walletId && ["active", "pendingapproval"].includes(s.state));
const sharePosts = () => sb.sandbox.requests.filter((r) => r.method === "POST" && /\/wallet\/[0-9a-f]{32}\/share$/.test(r.path));
const walletApprovals = (walletId: string) => sb.sandbox.state.bitgo.approvals.filter((a: any) => a.wallet === walletId);

async function inputs(raw: Record<string, unknown>) {
  const checked = await p.check(undefined, { coin: "tbtc", ...raw });
  expect(checked.failures ?? []).toEqual([]);
  return checked.inputs;
}
const refresh = async (made: { id: string; outs: any }) => {
  asOperator();
  return p.read(made.id, made.outs);
};
const entry = (outs: any, user: string) => outs.users.find((u: any) => u.user === user);

const ENV = { ORGSTACK_HTTP_BACKOFF_MS: "5", ORGSTACK_SETTLE_MS: "1500", ORGSTACK_RATE_LIMITS: "off" };
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
  asOperator();
});
afterEach(() => resetBitGoClients());

describe("check", () => {
  it("asks how spend shares carry the key, and refuses a user both declared and kept", async () => {
    const spend = await p.check(undefined, { coin: "tbtc", walletId: team, users: [OPS] });
    expect(spend.failures?.[0]).toMatchObject({ property: "walletPassphrase" });
    expect(spend.failures?.[0].reason).toMatch(/ops@acme\.example get spend.*set walletPassphrase.*or skipKeychain: true/);
    const both = await p.check(undefined, { coin: "tbtc", walletId: team, users: [AUDITOR], keep: ["Auditor@acme.example"] });
    expect(both.failures?.[0]).toMatchObject({ property: "keep" });
  });

  it("never records the wallet passphrase", async () => {
    const made = await p.create(await inputs({ walletId: team, users: [OPS], walletPassphrase: WALLET_SEED.passphrase }));
    expect(JSON.stringify(made.outs)).not.toContain(WALLET_SEED.passphrase);
    expect(liveShares()[0].keychain).toBeDefined(); // the key went to the recipient, re-encrypted
  });
});

describe("shares through acceptance", () => {
  it("shares with the missing users; a pending invitation is state, never sent again; acceptance shows on read", async () => {
    const raw = { walletId: team, users: [AUDITOR, OPS], skipKeychain: true };
    const made = await p.create(await inputs(raw));
    expect(made.id).toBe(teamId);
    expect(sharePosts()).toHaveLength(2);
    expect(entry(made.outs, "auditor@acme.example")).toMatchObject({ status: "invited", userId: SEED.users.auditor.id, source: "declared", permissions: ["view"] });
    expect(made.outs.leftAlone).toEqual([{ user: SEED.operator.email, userId: SEED.operator.id, permissions: ["admin", "spend", "view"], status: "active", reason: "operator" }]);

    const read = await refresh(made);
    expect((await p.diff(teamId, read.props, await inputs(raw))).changes).toBe(false);
    await p.update(teamId, { ...read.props, message: "nudge" }, await inputs(raw)); // a rerun: nothing is sent again
    expect(sharePosts()).toHaveLength(2);

    await respond(entry(made.outs, "auditor@acme.example").shareId);
    const accepted = await refresh(made);
    expect(entry(accepted.props, "auditor@acme.example")).toMatchObject({ status: "active", permissions: ["view"] });
    expect((await p.diff(teamId, accepted.props, await inputs(raw))).changes).toBe(false);
  });

  it("a rejected share shows as rejected, and the next up shares again (once)", async () => {
    const raw = { walletId: team, users: [AUDITOR] };
    const made = await p.create(await inputs(raw));
    await respond(entry(made.outs, "auditor@acme.example").shareId, "rejected");
    const read = await refresh(made);
    expect(entry(read.props, "auditor@acme.example")).toMatchObject({ status: "rejected" });
    expect((await p.diff(teamId, read.props, await inputs(raw))).changes).toBe(true);
    const { outs } = await p.update(teamId, read.props, await inputs(raw));
    expect(entry(outs, "auditor@acme.example")).toMatchObject({ status: "invited" });
    expect(sharePosts()).toHaveLength(2);
    expect(liveShares()).toHaveLength(1);
  });

  it("new permissions for a user on the wallet: taken off and shared again", async () => {
    const made = await p.create(await inputs({ walletId: team, users: [AUDITOR] }));
    await respond(entry(made.outs, "auditor@acme.example").shareId);
    const read = await refresh(made);
    const { outs } = await p.update(teamId, read.props, await inputs({ walletId: team, users: [{ user: "auditor@acme.example", permissions: ["admin", "view"] }] }));
    expect(onWallet()[SEED.users.auditor.id]).toBeUndefined();
    expect(entry(outs, "auditor@acme.example")).toMatchObject({ status: "invited", permissions: ["admin", "view"] });
  });

  it("takes an out-of-band user off the wallet, or only reports it; keep and the operator stay", async () => {
    const bulk = await control("POST", "/bitgo/bulk", { count: 2, prefix: "side", walletId: team, walletPermissions: ["spend", "view"] });
    const [kept, rogue] = bulk.users;
    const made = await p.create(await inputs({ walletId: team, users: [AUDITOR], keep: [kept.email], unmanaged: "report" }));
    expect(made.outs.unmanagedUsers).toEqual([{ user: rogue.email, userId: rogue.id, permissions: ["spend", "view"], status: "active" }]);
    expect(onWallet()[rogue.id]).toEqual(["spend", "view"]);
    const { outs } = await p.update(teamId, made.outs, await inputs({ walletId: team, users: [AUDITOR], keep: [kept.email] }));
    expect(onWallet()[rogue.id]).toBeUndefined();
    expect(onWallet()[kept.id]).toEqual(["spend", "view"]);
    expect(onWallet()[SEED.operator.id]).toEqual(["admin", "spend", "view"]);
    expect(outs.leftAlone.map((u: any) => u.reason)).toEqual(["operator", "keep"]);
  });

  it("refuses to change the operator's own access", async () => {
    const err = await p.create(await inputs({ walletId: team, users: [{ user: SEED.operator.email, permissions: ["view"] }] })).catch((e) => e);
    expect(String(err.message)).toMatch(/ops-lead@acme\.example is the identity orgstack runs as, and orgstack never changes its own access/);
    expect(sharePosts()).toHaveLength(0);
  });
});

describe("approvals (a wallet that needs two)", () => {
  it("a share waiting for approval is state: no second share on a rerun; the approval shows on read", async () => {
    const raw = { walletId: guarded, users: [AUDITOR], keep: [SEED.secondAdmin.email] };
    const made = await p.create(await inputs(raw));
    expect(made.outs.state).toBe("pending");
    expect(entry(made.outs, "auditor@acme.example")).toMatchObject({ status: "pendingApproval" });
    await p.update(guardedId, { ...made.outs, message: "again" }, await inputs(raw));
    expect(sharePosts()).toHaveLength(1);
    expect(walletApprovals(guarded)).toHaveLength(1);
    await approve(walletApprovals(guarded)[0].id);
    const read = await refresh(made);
    expect(entry(read.props, "auditor@acme.example")).toMatchObject({ status: "invited" });
    expect(read.props.state).toBe("active");
  });

  it("a removal waiting for approval is asked once, and the user is gone once approved", async () => {
    const made = await p.create(await inputs({ walletId: guarded, users: [], unmanaged: "remove" }));
    expect(entry(made.outs, SEED.secondAdmin.email)).toMatchObject({ status: "pendingRemoval", source: "unmanaged" });
    expect(walletApprovals(guarded)).toHaveLength(1);
    await p.update(guardedId, { ...made.outs, message: "again" }, await inputs({ walletId: guarded, users: [] }));
    expect(walletApprovals(guarded)).toHaveLength(1);
    await approve(walletApprovals(guarded)[0].id);
    const read = await refresh(made);
    expect(onWallet(guarded)[SEED.secondAdmin.id]).toBeUndefined();
    expect(read.props.users.map((u: any) => u.user)).toEqual([SEED.operator.email]);
  });
});

describe("destroy and reads", () => {
  it('"remove" takes the declared users away (a share still waiting is cancelled); "leave" changes nothing', async () => {
    const made = await p.create(await inputs({ walletId: team, users: [AUDITOR, { user: "treasury@acme.example", permissions: ["view"] }], onDelete: "remove" }));
    await respond(entry(made.outs, "auditor@acme.example").shareId);
    const read = await refresh(made);
    await p.delete(teamId, read.props);
    expect(onWallet()).toEqual({ [SEED.operator.id]: ["admin", "spend", "view"] });
    expect(liveShares()).toHaveLength(0);

    const again = await p.create(await inputs({ walletId: team, users: [AUDITOR] }));
    await p.delete(teamId, again.outs);
    expect(liveShares()).toHaveLength(1);
  });

  it("300 users on the wallet are read with four calls", async () => {
    await control("POST", "/bitgo/bulk", { count: 300, prefix: "many", enterpriseId: SEED.enterprises.custody.id, walletId: team, walletPermissions: ["view"] });
    const made = await p.create(await inputs({ walletId: team, users: [], unmanaged: "report" }));
    sb.sandbox.requests = [];
    const read = await refresh(made);
    expect(read.props.unmanagedUsers).toHaveLength(300);
    expect(read.props.unmanagedUsers[0].user).toMatch(/^many-\d+@acme\.example$/);
    expect(sb.sandbox.requests.filter((r) => !r.path.endsWith("/login")).map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      [`GET /api/v2/tbtc/wallet/${team}`, "GET /api/v2/walletshares", "GET /api/v2/pendingapprovals", `GET /api/v1/enterprise/${SEED.enterprises.custody.id}/user`].sort(),
    );
  });
});
