// A Pulumi YAML program with BitGo enterprise users and wallet shares, served by the provider plugin,
// through the real CLI against the sandbox: up, a quiet second preview (no vendor write), an in-place
// update with its detailed diff, a replacement shown as one, refresh finding out-of-band drift,
// `pulumi import` of members made outside the stack followed by a preview that plans nothing, secrets
// kept out of the state, and destroy.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { startSandbox, SEED, WALLET_SEED, RunningSandbox } from "../../sandbox";
import { Program, YamlStack, collector, control, lastSeq, sandboxConfig, vendorWrites, yamlStack } from "./harness";

const enterpriseId = SEED.enterprises.custody.id;
const walletId = WALLET_SEED.wallets.team.id;
let sandbox: RunningSandbox;
let stack: YamlStack;

const resources: Record<string, any> = {
  treasury: { type: "orgstack:bitgo:EnterpriseUser", properties: { enterpriseId, username: "treasury@acme.example", permissions: ["auditor"] } },
  "auditor-view": { type: "orgstack:bitgo:WalletShare", properties: { coin: "tbtc", walletId, user: "auditor@acme.example", permissions: ["view"], message: "read-only access" } },
};
const program = (): Program => ({ resources, outputs: { treasuryUserId: "${treasury.userId}", shareId: "${auditor-view.shareId}" } });

/** Each resource's planned step and the kind of each property's change in its detailed diff, by resource name. */
function detailedDiffs() {
  const diffs: Record<string, Record<string, string>> = {};
  const ops: Record<string, string[]> = {};
  const onEvent = (e: EngineEvent) => {
    const m = e.resourcePreEvent?.metadata;
    if (!m) return;
    const name = m.urn.split("::").pop()!;
    (ops[name] ??= []).push(m.op);
    if (m.detailedDiff) diffs[name] = Object.fromEntries(Object.entries(m.detailedDiff).map(([k, d]) => [k, d.diffKind]));
  };
  return { onEvent, diffs, ops };
}

function members(): Record<string, string[]> {
  const st = sandbox.sandbox.state.bitgo;
  const e = st.enterprises.find((x: any) => x.id === enterpriseId);
  return Object.fromEntries(e.members.map((m: any) => [st.users.find((u: any) => u.id === m.userId).email, m.permissions]));
}
const shares = () => sandbox.sandbox.state.bitgoWallets.shares.filter((s: any) => s.wallet === walletId);

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimits: false });
  stack = await yamlStack({ name: "yaml-bitgo", program: program(), config: sandboxConfig(sandbox) });
});
afterAll(async () => {
  await stack?.cleanup();
  await sandbox?.stop();
});

describe("a YAML program with BitGo users and shares, through the plugin", () => {
  it("creates them", async () => {
    const up = await stack.stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.summary.resourceChanges).toMatchObject({ create: 3 });
    expect(up.outputs.treasuryUserId.value).toBe(SEED.users.treasury.id);
    expect(members()["treasury@acme.example"]).toEqual(["auditor"]);
    expect(shares().find((x: any) => x.id === up.outputs.shareId.value)?.state).toBe("active");
  });

  it("plans nothing on a second preview, and calls no vendor write", async () => {
    const from = lastSeq(sandbox);
    const preview = await stack.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 3 });
    expect(vendorWrites(sandbox, from)).toEqual([]);
  });

  it("shows an in-place update in the detailed diff, applies it, and wrote nothing at preview", async () => {
    resources.treasury.properties.permissions = ["wallet.create"];
    stack.write(program());
    const from = lastSeq(sandbox);
    const out = collector();
    const seen = detailedDiffs();
    const preview = await stack.stack.preview({ diff: true, onOutput: out.onOutput, onEvent: seen.onEvent });
    expect(preview.changeSummary).toEqual({ same: 2, update: 1 });
    expect(seen.diffs.treasury).toEqual({ permissions: "update" });
    expect(out.text()).toMatch(/~ permissions: \[\s*~ \[0\]: "auditor" => "wallet.create"/);
    expect(vendorWrites(sandbox, from)).toEqual([]);
    const up = await stack.stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: 2, update: 1 });
    expect(members()["treasury@acme.example"]).toEqual(["wallet.create"]);
  });

  it("shows which change forces a replacement (a wallet share's permissions), without making it", async () => {
    resources["auditor-view"].properties.permissions = ["trade", "view"];
    resources["auditor-view"].properties.message = "read and trade";
    stack.write(program());
    const from = lastSeq(sandbox);
    const out = collector();
    const seen = detailedDiffs();
    const preview = await stack.stack.preview({ diff: true, onOutput: out.onOutput, onEvent: seen.onEvent });
    expect(preview.changeSummary).toMatchObject({ replace: 1 });
    // BitGo cannot change a share's permissions: revoked first, then shared anew; nothing else moves.
    expect(seen.ops).toEqual({ "yaml-bitgo-dev": ["same"], default: ["same"], treasury: ["same"], "auditor-view": ["delete-replaced", "replace", "create-replacement"] });
    // permissions force the replacement; the message alone would change in place.
    expect(seen.diffs["auditor-view"]).toEqual({ permissions: "update-replace", message: "update" });
    expect(out.text()).toMatch(/\+-orgstack:bitgo:WalletShare: \(replace\)[\s\S]*~ permissions/);
    expect(vendorWrites(sandbox, from)).toEqual([]);
    resources["auditor-view"].properties.permissions = ["view"];
    resources["auditor-view"].properties.message = "read-only access";
    stack.write(program());
  });

  it("finds drift made out of band on refresh (a changed role, a cancelled share), and the next up puts it back", async () => {
    const shareId = (await stack.stack.outputs()).shareId.value;
    await control(sandbox, "PUT", `/bitgo/enterprise/${enterpriseId}/user/treasury@acme.example`, { permissions: ["admin"] });
    await control(sandbox, "DELETE", `/bitgo/walletshare/${shareId}`);
    const refresh = await stack.stack.refresh();
    expect(refresh.summary.resourceChanges).toMatchObject({ update: 2 });
    const preview = await stack.stack.preview();
    // The role changes back in place; a cancelled share grants nothing: it is shared again.
    expect(preview.changeSummary).toEqual({ same: 1, update: 1, replace: 1 });
    const up = await stack.stack.up();
    expect(up.summary.resourceChanges).toMatchObject({ update: 1, replace: 1 });
    expect(members()["treasury@acme.example"]).toEqual(["wallet.create"]);
    expect(shares().find((x: any) => x.id === up.outputs.shareId.value)?.state).toBe("active");
  });

  it("imports a member and a wallet user made outside the stack; with the printed code added, a preview plans nothing", async () => {
    const seeded = await control(sandbox, "POST", "/bitgo/bulk", { count: 1, prefix: "imported", enterpriseId, permissions: ["auditor"], walletId, walletPermissions: ["view"] });
    const user = seeded.users[0];
    const from = lastSeq(sandbox);
    const userImport = await stack.cli(["import", "orgstack:bitgo:EnterpriseUser", "imported", `${enterpriseId}/${user.email}`, "--yes", "--protect=false"]);
    expect(userImport.stdout).toMatch(/Please copy the following code/);
    const shareImport = await stack.stack.import({ resources: [{ type: "orgstack:bitgo:WalletShare", name: "imported-view", id: `tbtc/${walletId}/${user.id}` }], protect: false, generateCode: true });
    expect(vendorWrites(sandbox, from)).toEqual([]);

    const printed = parse(userImport.stdout.slice(userImport.stdout.indexOf("resources:"))).resources;
    expect(printed.imported.properties).toEqual({ enterpriseId, username: user.email, permissions: ["auditor"] });
    Object.assign(resources, printed, parse(shareImport.generatedCode).resources);
    stack.write(program());
    const preview = await stack.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 5 });
    expect(vendorWrites(sandbox, from)).toEqual([]);
  });

  it("keeps the password and TOTP secret out of the state file (stored encrypted)", () => {
    const state = stack.stateText();
    expect(state).toContain("orgstack:bitgo:EnterpriseUser");
    expect(state).not.toContain(SEED.operator.password);
    expect(state).not.toContain(SEED.operator.totpSecret);
    for (const s of sandbox.sandbox.state.bitgo.sessions) expect(state).not.toContain(s.token);
    expect(state).toMatch(/"bitgoPassword":\s*\{\s*"4dabf18193072939515e22adb298388d":\s*"1b47061264138c4ac30d75fd1eb44270",\s*"ciphertext"/);
  });

  it("destroys everything it manages", async () => {
    const down = await stack.stack.destroy();
    expect(down.summary.result).toBe("succeeded");
    expect(members()).toEqual({ [SEED.operator.email]: ["admin"] });
    expect(shares().filter((s: any) => !["canceled", "rejected", "removed"].includes(s.state))).toEqual([]);
  });
});
