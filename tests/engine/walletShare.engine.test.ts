// WalletShare through the real Pulumi engine, against the sandbox with BitGo's rate limits on:
// a view share accepted by the recipient and seen as accepted on refresh, a permissions change that
// previews as a replace and revokes then re-shares, a pending-approval share, a share the recipient
// rejected seen on refresh, a spend share with a keychain built from the (secret) wallet passphrase,
// destroy removing the user from the wallet; then the examples/wallet-team program (a team of five)
// up and destroyed. The wallet passphrase and the wallet key never reach the state file.
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { startSandbox, SEED, WALLET_SEED, RunningSandbox } from "../../sandbox";
import { WalletShare, WalletPermission } from "../../sdk/bitgo";
import { collector, engineStack, EngineStack, repoRoot } from "./harness";
import { programFile } from "../../demo/engine";

const team = WALLET_SEED.wallets.team.id;
const guarded = WALLET_SEED.wallets.guarded.id;

// The sandbox enforces BitGo's rate limits here, so the client paces as it would against BitGo.
const env = { ORGSTACK_SETTLE_MS: "2000" };

function bitgoConfig(sb: RunningSandbox) {
  return {
    "bitgo:apiUrl": { value: sb.url },
    "bitgo:email": { value: SEED.operator.email },
    "bitgo:password": { value: SEED.operator.password, secret: true },
    "bitgo:totpSecret": { value: SEED.operator.totpSecret, secret: true },
    "wallet-team:walletPassphrase": { value: WALLET_SEED.passphrase, secret: true },
  };
}
const walletUsers = (sb: RunningSandbox, id: string): Record<string, string[]> =>
  Object.fromEntries(sb.sandbox.state.bitgoWallets.wallets.find((w: any) => w.id === id).users.map((u: any) => [u.user, u.permissions]));
const shareTo = (sb: RunningSandbox, walletId: string, userId: string) =>
  sb.sandbox.state.bitgoWallets.shares.filter((s: any) => s.wallet === walletId && s.toUser === userId).pop();
async function control(sb: RunningSandbox, method: string, p: string, body?: unknown) {
  const res = await fetch(`${sb.url}/__sandbox${p}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  expect(res.status).toBe(200);
  return res.json() as Promise<any>;
}
function noSecrets(text: string) {
  expect(text).not.toContain(WALLET_SEED.passphrase);
  expect(text).not.toContain("sandbox-prv-");
  expect(text).not.toContain(SEED.operator.password);
}

describe("WalletShare through the engine", () => {
  let sb: RunningSandbox;
  let stack: EngineStack;
  let auditorPermissions: WalletPermission[] = ["view"];

  beforeAll(async () => {
    sb = await startSandbox({ rateLimits: true });
    stack = await engineStack({
      name: "wallet-share",
      program: async () => {
        const passphrase = new pulumi.Config("wallet-team").requireSecret("walletPassphrase");
        const auditor = new WalletShare("auditor", { coin: "tbtc", walletId: team, user: SEED.users.auditor.email, permissions: auditorPermissions, message: "Quarterly audit access" });
        const ops = new WalletShare("ops", { coin: "tbtc", walletId: team, user: SEED.users.ops.email, permissions: ["view"] });
        const pending = new WalletShare("guarded-ops", { coin: "tbtc", walletId: guarded, user: SEED.users.ops.email, permissions: ["view"] });
        const spend = new WalletShare("treasury", { coin: "tbtc", walletId: team, user: SEED.users.treasury.email, permissions: ["spend", "view"], walletPassphrase: passphrase });
        return { auditor: auditor.state, ops: ops.state, pending: pending.state, pendingApprovalId: pending.pendingApprovalId, spend: spend.state, spendMode: spend.keychainMode };
      },
      config: bitgoConfig(sb),
      env,
    });
  });
  afterAll(async () => {
    await stack?.cleanup();
    await sb?.stop();
  });

  it("shares: view, pending approval, spend with a native keychain; no secret in state", async () => {
    const up = await stack.stack.up();
    expect(up.summary.result).toBe("succeeded");
    const o = Object.fromEntries(Object.entries(up.outputs).map(([k, v]) => [k, v.value]));
    expect(o).toMatchObject({ auditor: "active", ops: "active", pending: "pendingapproval", spend: "active", spendMode: "native" });
    expect(o.pendingApprovalId).toMatch(/^[0-9a-f]{32}$/);
    noSecrets(stack.stateText());
  });

  it("refresh sees the recipient's acceptance and rejection", async () => {
    await control(sb, "POST", `/bitgo/walletshare/${shareTo(sb, team, SEED.users.auditor.id).id}`);
    const spend = await control(sb, "POST", `/bitgo/walletshare/${shareTo(sb, team, SEED.users.treasury.id).id}`);
    expect(spend.keychainVerified).toBe(true); // the treasury user's sharing key opens the wallet key
    await control(sb, "POST", `/bitgo/walletshare/${shareTo(sb, team, SEED.users.ops.id).id}`, { state: "rejected" });
    const refresh = await stack.stack.refresh();
    expect(refresh.summary.result).toBe("succeeded");
    const exported = await stack.stack.exportStack();
    const states = Object.fromEntries(
      exported.deployment.resources.filter((r: any) => r.type === "pulumi-nodejs:dynamic:Resource" || /WalletShare/.test(r.type)).filter((r: any) => r.outputs?.shareId !== undefined).map((r: any) => [r.urn.split("::").pop(), r.outputs.state]),
    );
    expect(states).toEqual({ auditor: "accepted", ops: "rejected", "guarded-ops": "pendingapproval", treasury: "accepted" });
  });

  it("previews a permissions change as a replace (and re-shares the rejected one), then applies it", async () => {
    auditorPermissions = ["admin", "view"];
    const out = collector();
    const preview = await stack.stack.preview({ diff: true, onOutput: out.onOutput });
    expect(preview.changeSummary).toMatchObject({ replace: 2 });
    expect(out.text()).toMatch(/auditor/);
    const up = await stack.stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.summary.resourceChanges).toMatchObject({ replace: 2 });
    expect(up.outputs.auditor.value).toBe("active");
    expect(up.outputs.ops.value).toBe("active");
    // The old access was revoked first (no endpoint changes a share's permissions).
    expect(walletUsers(sb, team)[SEED.users.auditor.id]).toBeUndefined();
    expect(shareTo(sb, team, SEED.users.auditor.id).permissions).toBe("admin,view");
  });

  it("destroy removes accepted users from the wallet and cancels waiting shares", async () => {
    await control(sb, "POST", `/bitgo/walletshare/${shareTo(sb, team, SEED.users.auditor.id).id}`);
    const destroy = await stack.stack.destroy();
    expect(destroy.summary.result).toBe("succeeded");
    expect(Object.keys(walletUsers(sb, team))).toEqual([SEED.operator.id]);
    expect(shareTo(sb, guarded, SEED.users.ops.id).state).toBe("canceled");
    noSecrets(stack.stateText());
  });
});

describe("examples/wallet-team through the engine", () => {
  let sb: RunningSandbox;
  let stack: EngineStack;
  const program = path.join(repoRoot, "dist/examples/wallet-team/index.js");

  beforeAll(async () => {
    sb = await startSandbox({ rateLimits: true });
    stack = await engineStack({
      name: "wallet-team",
      program: programFile(program),
      config: { ...bitgoConfig(sb), "wallet-team:walletId": { value: team } },
      env,
    });
  });
  afterAll(async () => {
    await stack?.cleanup();
    await sb?.stop();
  });

  it("shares one wallet with a team of five, then takes every access back", async () => {
    const up = await stack.stack.up();
    expect(up.summary.result).toBe("succeeded");
    const access = up.outputs.access.value as { user: string; permissions: string; state: string }[];
    expect(access.map((a) => [a.user, a.permissions, a.state])).toEqual([
      ["ops@acme.example", "spend,view", "active"],
      ["treasury@acme.example", "spend,view", "active"],
      ["auditor@acme.example", "view", "active"],
      ["compliance@acme.example", "view", "active"],
      ["second-admin@acme.example", "admin,spend,view", "active"],
    ]);
    expect(sb.sandbox.state.bitgoWallets.shares).toHaveLength(5);
    noSecrets(stack.stateText());
    const preview = await stack.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 6 });
    const destroy = await stack.stack.destroy();
    expect(destroy.summary.result).toBe("succeeded");
    expect(sb.sandbox.state.bitgoWallets.shares.map((s: any) => s.state)).toEqual(["canceled", "canceled", "canceled", "canceled", "canceled"]);
  });
});
