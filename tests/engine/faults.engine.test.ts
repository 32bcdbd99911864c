// The fault campaign through the real Pulumi engine, for every example stack: during `pulumi up` the
// vendor drops the answer to the first write (after doing it), fails the second with a 500, refuses
// the third with a 429 and Retry-After, and answers the fourth after the client's timeout. Then
// `pulumi up` again (a rerun), and: the vendor holds exactly what the stack declares (no duplicate, no
// orphan, no second approval), a refresh and a preview find nothing to change, and after destroy the
// vendor holds none of it (but what BitGo cannot delete: child enterprises are left, as documented).
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FINHUB_SEED, RunningSandbox, SEED, WALLET_SEED, startSandbox } from "../../sandbox";
import { programFile } from "../../demo/engine";
import { sandboxConfig } from "../../demo/example";
import { engineStack, repoRoot } from "./harness";

type Fault = "drop" | "500" | "429" | "slow";
const SEQUENCE: Fault[] = ["drop", "500", "429", "slow"];

/** Faults the n-th write the vendor sees (a login and control routes are not writes of the stack). */
function faultWrites(sb: RunningSandbox): { hits: string[] } {
  const hits: string[] = [];
  let writes = 0;
  (sb.sandbox as any).takeFault = (method: string, p: string) => {
    // Reads by POST (a login, a sharing key: BitGo allows 5 of those per 300 s) are not writes of the stack.
    if (method === "GET" || p.endsWith("/user/login") || p.endsWith("/user/sharingkey")) return undefined;
    const fault = SEQUENCE[writes++];
    if (!fault) return undefined;
    hits.push(`${fault} on ${method} ${p}`);
    if (fault === "drop") return { path: p, dropAnswerAfterHandling: true };
    if (fault === "500") return { path: p, status: 500 };
    if (fault === "429") return { path: p, status: 429, headers: { "retry-after": "1" } };
    return { path: p, delayMs: 1500 };
  };
  return { hits };
}

interface Example {
  name: string;
  /** What a person does before the rerun, as the error says (take a lost registration over). */
  beforeRerun?(sb: RunningSandbox, stack: Awaited<ReturnType<typeof engineStack>>, error: string): Promise<void>;
  config?: Record<string, { value: string; secret?: boolean }>;
  /** What the vendor holds of the stack's declarations. */
  held(sb: RunningSandbox): Record<string, number>;
  declared: Record<string, number>;
  /** What destroy leaves (BitGo cannot delete an enterprise). */
  afterDestroy: Record<string, number>;
}

const examples: Example[] = [
  {
    name: "wallet-team",
    config: { "wallet-team:walletPassphrase": { value: WALLET_SEED.passphrase, secret: true } },
    held: (sb) => {
      const w = sb.sandbox.state.bitgoWallets;
      const team = WALLET_SEED.wallets.team.id;
      return {
        liveShares: w.shares.filter((s: any) => s.wallet === team && ["active", "pendingapproval"].includes(s.state)).length,
        walletUsers: w.wallets.find((x: any) => x.id === team).users.length,
      };
    },
    declared: { liveShares: 5, walletUsers: 1 }, // shares wait for their recipients; the operator is the wallet's only user
    afterDestroy: { liveShares: 0, walletUsers: 1 },
  },
  {
    name: "baas-organization",
    held: (sb) => {
      const b = sb.sandbox.state.bitgo;
      return {
        children: b.enterprises.filter((e: any) => e.organizationId === SEED.organization.id && e.idempotencyKey && !String(e.idempotencyKey).startsWith("seeded-")).length,
        member: b.users.find((u: any) => u.id === SEED.users.auditor.id).organizations.filter((o: any) => o.id === SEED.organization.id).length,
      };
    },
    declared: { children: 3, member: 1 },
    afterDestroy: { children: 3, member: 0 },
  },
  {
    name: "finhub-onboarding",
    config: { "finhub-onboarding:pollIntervalMs": { value: "100" } },
    beforeRerun: async (sb, stack, error) => {
      const f = sb.sandbox.state.finhub;
      if (/set existingOrganizationId/.test(error)) {
        const found = f.organizations.find((o: any) => o.email === "compliance@acme.example");
        if (found) await stack.stack.setConfig("finhub-onboarding:existingOrganizationId", { value: found.organizationId });
      }
      // The admin's add answer was lost, and with it the only place FinHub shows its user id: the person
      // takes it from FinHub's console (here, the sandbox's state), as the error says.
      if (/actingUserId: must be the acting employee's userId/.test(error)) {
        const admin = f.people.find((p: any) => p.kind === "employee" && p.person?.email === "ada.ng@acme.example");
        if (admin) await stack.stack.setConfig("finhub-onboarding:actingUserId", { value: admin.individualCustomerId });
      }
    },
    held: (sb) => {
      const f = sb.sandbox.state.finhub;
      const mine = f.organizations.filter((o: any) => o.tenantId === FINHUB_SEED.tenants.acme.id);
      const ids = new Set(mine.map((o: any) => o.organizationId));
      return { organizations: mine.length, people: f.people.filter((p: any) => ids.has(p.organizationId)).length, active: mine.filter((o: any) => o.status === "ACTIVE").length };
    },
    declared: { organizations: 1, people: 9, active: 1 },
    afterDestroy: { organizations: 0, people: 0, active: 0 },
  },
];

describe.each(examples)("example $name under faults, through the engine", (ex) => {
  let sb: RunningSandbox;
  let stack: Awaited<ReturnType<typeof engineStack>>;
  let faults: { hits: string[] };

  beforeAll(async () => {
    sb = await startSandbox({ rateLimits: true });
    await fetch(`${sb.url}/__sandbox/finhub/settings`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ kybDelayMs: 200, activationDelayMs: 200 }) });
    stack = await engineStack({
      name: `faults-${ex.name}`,
      program: programFile(path.join(repoRoot, "dist", "examples", ex.name, "index.js")),
      config: { ...sandboxConfig(sb), ...ex.config },
      env: { ORGSTACK_HTTP_TIMEOUT_MS: "600", ORGSTACK_SETTLE_MS: "3000" },
    });
    faults = faultWrites(sb);
  }, 300_000);
  afterAll(async () => {
    await stack?.cleanup();
    await sb?.stop();
  });

  it("pulumi up, and a rerun if it failed, leave the vendor holding exactly what is declared", async () => {
    let result = "";
    let error = "";
    try {
      result = (await stack.stack.up()).summary.result;
    } catch (e) {
      error = String((e as Error).message);
      result = "failed";
    }
    if (result !== "succeeded") {
      await ex.beforeRerun?.(sb, stack, error);
      result = (await stack.stack.up()).summary.result; // the rerun
    }
    console.log(`${ex.name}: ${faults.hits.join("; ")}; up ${result}`);
    expect(faults.hits.length).toBe(SEQUENCE.length);
    expect(result).toBe("succeeded");
    expect(ex.held(sb)).toEqual(ex.declared);
    expect(sb.sandbox.requests.filter((r) => r.status === 429 && !r.dropped).length).toBeLessThanOrEqual(1); // only the injected one
  }, 300_000);

  it("a refresh and a preview find nothing to change", async () => {
    await stack.stack.refresh();
    const preview = await stack.stack.preview();
    expect(Object.keys(preview.changeSummary).filter((k) => k !== "same")).toEqual([]);
    expect(ex.held(sb)).toEqual(ex.declared);
  }, 300_000);

  it("destroy leaves none of it", async () => {
    await stack.stack.destroy();
    expect(ex.held(sb)).toEqual(ex.afterDestroy);
  }, 300_000);
});
