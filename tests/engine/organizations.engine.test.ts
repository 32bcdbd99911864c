// Organizations through the real Pulumi engine. Stack 1 (an inline program): five child enterprises
// with their admins in one up, one of them after a lost answer (the keyed create is sent again and
// BitGo answers 409 for the used key: no sixth enterprise); the organization lookup over more than one
// page; an organization admin refused
// with the support-only error; the member promoted in place (as the service user, who stands in for
// BitGo support in the sandbox); destroy in both delete modes. Stack 2: examples/baas-organization.
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { startSandbox, SEED, ORG_SEED, RunningSandbox } from "../../sandbox";
import { ensureOrganizationSeed } from "../../sandbox/bitgoOrganizations";
import { ChildEnterprise, OrganizationUser, getOrganization } from "../../sdk/bitgo";
import { collector, engineStack, EngineStack, repoRoot } from "./harness";
import { programFile } from "../../demo/engine";

const orgId = SEED.organization.id;
let sandbox: RunningSandbox;

const state = () => sandbox.sandbox.state.bitgo;
// Child enterprises made through the API (the seeded ones have no creator).
const children = () => state().enterprises.filter((e: any) => e.organizationId === orgId && e.createdBy);
const roleOf = (email: string) => state().users.find((u: any) => u.email === email)?.organizations.find((o: any) => o.id === orgId)?.role;
const operatorConfig = {
  "bitgo:apiUrl": { value: "" },
  "bitgo:email": { value: SEED.operator.email },
  "bitgo:password": { value: SEED.operator.password, secret: true },
  "bitgo:totpSecret": { value: SEED.operator.totpSecret, secret: true },
};
// The sandbox runs without rate limits, so the client need not pace; a lost write settles quickly.
const env = { ORGSTACK_RATE_LIMITS: "off", ORGSTACK_SETTLE_MS: "2000" };

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimits: false });
  ensureOrganizationSeed(sandbox.sandbox.state);
  operatorConfig["bitgo:apiUrl"].value = sandbox.url;
});
afterAll(async () => {
  await sandbox?.stop();
});

describe("a BitGo-as-a-Service organization through the engine", () => {
  let stack: EngineStack;
  let memberRole: "member" | "admin" = "member";
  const customers = ["c1", "c2", "c3", "c4", "c5"];

  beforeAll(async () => {
    stack = await engineStack({
      name: "organizations",
      program: async () => {
        const org = await getOrganization({ organizationId: orgId, pageSize: 10 });
        const analyst = new OrganizationUser("analyst", { organizationId: orgId, username: SEED.users.auditor.email, role: memberRole });
        const out: Record<string, pulumi.Output<string>> = {};
        for (const [i, c] of customers.entries()) {
          const e = new ChildEnterprise(`customer-${c}`, {
            organizationId: orgId,
            email: `${c}@customer.example`,
            additionalAdmins: [SEED.users.ops.id],
            accountType: i % 2 ? "entity" : "individual",
            onDelete: i < 2 ? "freeze" : "leave",
          });
          out[c] = e.enterpriseId;
        }
        return { enterprisesSeen: org.enterprises.length, enterpriseNames: org.enterprises.map((e) => e.name), analystRole: analyst.role, ...out };
      },
      config: operatorConfig,
      env,
    });
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  it("creates five child enterprises with their admins in one up, one of them after a lost answer", async () => {
    await fetch(`${sandbox.url}/__sandbox/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ method: "POST", path: `/api/v2/organization/${orgId}/enterprise`, dropAnswerAfterHandling: true }),
    });
    const out = collector();
    const up = await stack.stack.up({ onOutput: out.onOutput });
    expect(up.summary.result).toBe("succeeded");
    expect(up.summary.resourceChanges).toMatchObject({ create: 7 }); // stack + analyst + five children
    const made = children();
    expect(made).toHaveLength(5);
    expect(made.map((e: any) => e.name).sort()).toEqual(customers.map((c) => `${c}@customer.example`));
    for (const e of made) expect(e.members.map((m: any) => m.userId)).toContain(SEED.users.ops.id);
    const posts = sandbox.sandbox.requests.filter((r) => r.method === "POST" && r.path === `/api/v2/organization/${orgId}/enterprise`);
    // Five made (one of them answered into the void), and the lost one sent again with its key: 409.
    expect(posts.filter((r) => r.status === 200)).toHaveLength(5);
    const dropped = posts.filter((r) => r.dropped);
    expect(dropped).toHaveLength(1);
    expect(posts.filter((r) => r.status === 409).map((r) => r.requestBody.idempotencyKey)).toEqual([dropped[0].requestBody.idempotencyKey]);
    expect(out.text()).toMatch(/creating a child enterprise for c\d@customer\.example in organization [0-9a-f]{32} is done \(found after its answer was lost\); it is not sent again/);
    for (const c of customers) expect(up.outputs[c].value).toBe(made.find((e: any) => e.name === `${c}@customer.example`).id);
    // The lookup read every page: 2 + 30 seeded enterprises at 10 per page.
    expect(up.outputs.enterprisesSeen.value).toBe(2 + ORG_SEED.seededChildren);
    expect(up.outputs.enterpriseNames.value).toContain("Seeded Customer 30");
    expect(roleOf(SEED.users.auditor.email)).toBe("member");
  });

  it("shows no changes on a second preview", async () => {
    const preview = await stack.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 7 });
  });

  it("refuses an organization admin with BitGo's support-only error", async () => {
    memberRole = "admin";
    const preview = await stack.stack.preview({ diff: true });
    expect(preview.changeSummary).toEqual({ same: 6, update: 1 });
    const err = await stack.stack.up().catch((e) => e);
    expect(String(err?.message ?? err)).toMatch(/organization admins are made by BitGo support only: email support@bitgo\.com/);
    expect(roleOf(SEED.users.auditor.email)).toBe("member");
  });

  it("promotes the member to admin in place where BitGo allows it (the service user)", async () => {
    await stack.stack.setConfig("bitgo:accessToken", { value: ORG_SEED.tokens.serviceUser, secret: true });
    const up = await stack.stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: 6, update: 1 });
    expect(up.outputs.analystRole.value).toBe("admin");
    expect(roleOf(SEED.users.auditor.email)).toBe("admin");
    expect(stack.stateText()).not.toContain(ORG_SEED.tokens.serviceUser);
  });

  it("destroys: two children frozen, three left in place and said so; none deleted", async () => {
    const out = collector();
    const down = await stack.stack.destroy({ onOutput: out.onOutput });
    expect(down.summary.result).toBe("succeeded");
    const made = children();
    expect(made).toHaveLength(5);
    const frozen = made.filter((e: any) => e.frozen).map((e: any) => e.name).sort();
    expect(frozen).toEqual(["c1@customer.example", "c2@customer.example"]);
    // The CLI prints each provider line twice (as it happens and under Diagnostics): count enterprises.
    const left = new Set([...out.text().matchAll(/enterprise ([0-9a-f]{32}) \([^)]*\) is NOT deleted: BitGo has no endpoint that deletes an enterprise/g)].map((m) => m[1]));
    expect([...left].sort()).toEqual(made.filter((e: any) => !e.frozen).map((e: any) => e.id).sort());
    expect(roleOf(SEED.users.auditor.email)).toBeUndefined();
  });
});

describe("examples/baas-organization", () => {
  let stack: EngineStack;
  const program = path.join(repoRoot, "dist", "examples", "baas-organization", "index.js");

  beforeAll(async () => {
    sandbox.sandbox.reset();
    ensureOrganizationSeed(sandbox.sandbox.state);
    stack = await engineStack({
      name: "baas-example",
      program: programFile(program),
      config: { ...operatorConfig, "baas:onDelete": { value: "freeze" } },
      env,
    });
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  it("sets up three end customers, is quiet on a second preview, and freezes them on destroy", async () => {
    const up = await stack.stack.up();
    expect(up.summary.result).toBe("succeeded");
    const customers = up.outputs.customers.value;
    expect(Object.keys(customers).sort()).toEqual(["alice", "bob", "carol-gmbh"]);
    for (const c of Object.values<any>(customers)) expect(c.enterpriseId).toMatch(/^[0-9a-f]{32}$/);
    expect(up.outputs.organization.value.admins).toContain(SEED.operator.email);
    const carol = state().enterprises.find((e: any) => e.id === customers["carol-gmbh"].enterpriseId);
    expect(carol.accountType).toBe("entity");
    expect(carol.members.map((m: any) => m.userId)).toContain(SEED.operator.id);
    expect((await stack.stack.preview()).changeSummary).toEqual({ same: 6 });
    await stack.stack.destroy();
    for (const c of Object.values<any>(customers)) expect(state().enterprises.find((e: any) => e.id === c.enterpriseId).frozen).toBeDefined();
    expect(roleOf(SEED.operator.email)).toBe("admin"); // asserted, never changed
  });
});
