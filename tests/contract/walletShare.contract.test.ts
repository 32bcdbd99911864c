// bitgo:WalletShare driven through its life against the sandbox (view share accepted and revoked, a
// pending-approval share, cancel, every spend keychain mode, resend, reshare, a lost answer), then
// every request the provider sent and every answer the sandbox gave is validated against BitGo's
// OpenAPI file. Control routes (/__sandbox) and the Express stand-in (/express, module bitgoWallets)
// are not BitGo's API and are not validated; the calls Express makes to BitGo are.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, RunningSandbox, SEED, WALLET_SEED } from "../../sandbox";
import { provider } from "../../provider";
import { setConfig } from "../../provider/config";
import { resetBitGoClients } from "../../provider/bitgo/client";
import { bitgoContractProblems, exercisedOperations } from "./openapi";

const p = provider("bitgo:WalletShare");
const team = WALLET_SEED.wallets.team.id;
const guarded = WALLET_SEED.wallets.guarded.id;
let sb: RunningSandbox;

function asOperator(base?: string, extra: Record<string, string> = {}) {
  resetBitGoClients();
  const v: Record<string, string> = { "bitgo:apiUrl": base ?? sb.url, "bitgo:email": SEED.operator.email, "bitgo:password": SEED.operator.password, "bitgo:otp": "000000", ...extra };
  setConfig({ get: (k) => v[k] });
}
async function control(method: string, path: string, body?: unknown) {
  const res = await fetch(`${sb.url}/__sandbox${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  expect(res.status).toBe(200);
  return res.json() as Promise<any>;
}
async function create(raw: Record<string, unknown>) {
  const checked = await p.check(undefined, { coin: "tbtc", walletId: team, ...raw });
  expect(checked.failures ?? []).toEqual([]);
  return p.create(checked.inputs!);
}

const ENV = { ORGSTACK_HTTP_BACKOFF_MS: "5", ORGSTACK_SETTLE_MS: "2000", ORGSTACK_RATE_LIMITS: "off" };
beforeAll(async () => {
  Object.assign(process.env, ENV);
  sb = await startSandbox({ rateLimits: false });
  asOperator();
});
afterAll(async () => {
  await sb?.stop();
  setConfig(undefined);
  for (const k of Object.keys(ENV)) delete process.env[k];
});

describe("WalletShare against BitGo's OpenAPI contract", () => {
  it("sends and receives only what the spec documents", async () => {
    const a = await create({ user: SEED.users.auditor.email, permissions: ["view"], message: "audit" });
    await p.update(a.id, a.outs!, { ...(await p.check(undefined, { coin: "tbtc", walletId: team, user: SEED.users.auditor.email, permissions: ["view"], resendInvitation: 1 })).inputs! });
    await control("POST", `/bitgo/walletshare/${a.outs!.shareId}`);
    resetBitGoClients();
    const r = await p.read(a.id, a.outs!);
    expect(r.props!.state).toBe("accepted");
    await p.delete(a.id, r.props!);

    const b = await create({ user: SEED.users.ops.email, permissions: ["spend", "view"], walletPassphrase: WALLET_SEED.passphrase });
    await p.delete(b.id, b.outs!);
    const c = await create({ user: SEED.users.treasury.email, permissions: ["spend"], skipKeychain: true });
    await p.read(c.id, c.outs!);
    const d = await create({ user: SEED.users.ops.email, walletId: guarded, permissions: ["view"] });
    await p.read(d.id, d.outs!);
    await control("POST", "/faults", { method: "POST", path: `/api/v2/tbtc/wallet/${team}/share`, dropAnswerAfterHandling: true });
    const e = await create({ user: WALLET_SEED.users.compliance.email, permissions: ["view"] });
    expect(e.outs!.shareId).toMatch(/^[0-9a-f]{32}$/);
    asOperator(`${sb.url}/express`, { "bitgo:express": "true" });
    await create({ user: SEED.secondAdmin.email, permissions: ["spend", "view"], walletPassphrase: WALLET_SEED.passphrase });

    const ops = exercisedOperations(sb.sandbox.requests);
    for (const op of [
      "POST /api/v2/{coin}/wallet/{walletId}/share",
      "GET /api/v2/walletshares",
      "GET /api/v2/{coin}/wallet/{walletId}",
      "DELETE /api/v2/{coin}/walletshare/{shareId}",
      "DELETE /api/v2/{coin}/wallet/{walletId}/user/{userId}",
      "POST /api/v2/{coin}/walletshare/{shareId}/resendemail",
      "POST /api/v2/user/sharingkey",
    ]) {
      expect(ops).toContain(op);
    }
    // Two known departures, both written down in docs/wallet-shares.md:
    // - GET /api/v2/{coin}/key/{id} (the wallet's user key, for native spend shares) is BitGo's
    //   keychain read, which the spec subset does not include;
    // - a share's `permissions` is the comma-separated list BitGo's reference page and SDK use
    //   ("spend,view"), where the spec's answer schema allows one value (API-NOTES.md, known disagreements).
    const known = (p: string) =>
      / GET \/api\/v2\/tbtc\/key\/[0-9a-f]{32} -> 200: path .* is not in the spec$/.test(p) ||
      /share -> 200: response 200 body \/permissions must be equal to one of the allowed values/.test(p);
    const problems = bitgoContractProblems(sb.sandbox.requests);
    expect(problems.filter((x) => !known(x))).toEqual([]);
    expect(problems.filter(known).length).toBeGreaterThan(0); // the departures are real, not silently absent
  });
});
