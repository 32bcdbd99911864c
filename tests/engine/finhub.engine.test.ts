// examples/finhub-onboarding through the real Pulumi engine (the pulumi CLI driven by the Automation API,
// the compiled program dist/examples/finhub-onboarding/index.js; run `npm run build` first), against the
// sandbox answering with FinHub's documented shapes:
//   - one `pulumi up` from empty to ACTIVE (organization, 4 employees, 2 directors, 3 shareholders in
//     one batch, activation), every FinHub exchange within the contract; a second preview plans nothing;
//   - shareholder percentages changed: the founder in place, the ESOP trust replaced (removed first),
//     never tripping the 100 % rule (the activation is not touched); a total off 100 % warns at preview;
//   - refresh finds a director removed out of band and invents nothing; the next up adds it back, now
//     with credentials FinHub returns, kept secret;
//   - no temporary password, initial admin password or token in plain text in the state file; no id
//     "undefined" or empty;
//   - destroy leaves FinHub without the organization's people (and without the organization).
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, FINHUB_SEED, RunningSandbox } from "../../sandbox";
import type { FinHubState } from "../../sandbox/finhub";
import { validateExchange } from "../contract/finhubSpec";
import { programFile } from "../../demo/engine";
import { collector, engineStack, EngineStack, repoRoot } from "./harness";

const tenant = FINHUB_SEED.tenants.acme;
const domain = "engine.example";
const email = (name: string) => `${name}@${domain}`;
let sandbox: RunningSandbox;
let stack: EngineStack;
let orgId = "";

// The provider process reads these: FinHub settings from the stack config only, quick polling and batching.
const ENV = { FINHUB_API_URL: "", FINHUB_TOKEN: "", FINHUB_TENANT_ID: "", ORGSTACK_RATE_LIMITS: "off", ORGSTACK_BATCH_MS: "500", ORGSTACK_FINHUB_POLL_MS: "50" };

const control = async (method: string, p: string, body?: unknown) => {
  const res = await fetch(`${sandbox.url}/__sandbox${p}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  expect(res.status).toBeLessThan(300);
  return res.json();
};
const fh = () => sandbox.sandbox.state.finhub as FinHubState;
const peopleOf = (kind?: string) => fh().people.filter((p) => p.organizationId === orgId && (!kind || p.kind === kind));
const exchanges = (fromSeq = 0) => sandbox.sandbox.requests.filter((r) => r.module === "finhub" && r.seq > fromSeq);
const lastSeq = () => sandbox.sandbox.requests.at(-1)?.seq ?? 0;
const setConfig = (key: string, value: string) => stack.stack.setConfig(`finhub-onboarding:${key}`, { value });

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimits: false, requestLogLimit: 100_000 });
  await control("POST", "/finhub/settings", { kybDelayMs: 50, activationDelayMs: 150 });
  stack = await engineStack({
    name: "finhub-onboarding",
    env: ENV,
    program: programFile(path.join(repoRoot, "dist/examples/finhub-onboarding/index.js")),
    config: {
      "finhub:apiUrl": { value: sandbox.finhubUrl },
      "finhub:token": { value: tenant.token, secret: true },
      "finhub:tenantId": { value: tenant.id },
      "finhub-onboarding:emailDomain": { value: domain },
      "finhub-onboarding:pollIntervalMs": { value: "50" },
    },
  });
});
afterAll(async () => {
  await stack?.cleanup();
  await sandbox?.stop();
});

describe("examples/finhub-onboarding through the engine", () => {
  it("goes from empty to ACTIVE in one up, against the documented shapes", async () => {
    const up = await stack.stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.summary.resourceChanges).toEqual({ create: 12 }); // 11 resources and the stack
    orgId = up.outputs.organization.value.id;
    expect(up.outputs.organization.value.status).toBe("ACTIVE");
    expect(fh().organizations.find((o) => o.organizationId === orgId)!.status).toBe("ACTIVE");
    expect(peopleOf("director")).toHaveLength(2);
    expect(peopleOf("shareholder").map((p) => p.ownershipPercentage).sort()).toEqual([15, 25, 60]);
    expect(peopleOf("employee")).toHaveLength(4);
    expect(up.outputs.beneficialOwners.value.sort()).toEqual([email("eli.berg"), email("noor.haddad")]);
    // FinHub returns no credentials by default: every person says so plainly; the organization's own password was generated (secret).
    expect(Object.values(up.outputs.credentialStatus.value)).toEqual(Array(9).fill("not returned"));
    expect(up.outputs.initialAdminPassword.secret).toBe(true);
    expect(up.outputs.initialAdminPassword.value).toMatch(/\S{20,}/);
    // The three shareholders went out in one POST; the admin went before the other employees.
    const posts = (suffix: string) => exchanges().filter((r) => r.method === "POST" && r.path.endsWith(suffix));
    expect(posts("/shareholders").map((r) => r.requestBody.length)).toEqual([3]);
    expect(posts("/employee")[0].requestBody.position).toBe("ADMIN_USER");
    expect(posts("/registration")).toHaveLength(1);
    expect(posts("/verify")).toHaveLength(1);
    expect(posts("/activation")).toHaveLength(1);
    expect(exchanges().flatMap((x) => validateExchange(x, { strict: true }))).toEqual([]);
  });

  it("plans nothing on a second preview", async () => {
    const preview = await stack.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 12 });
  });

  it("warns at preview when the shareholders do not own 100 % (directors never count)", async () => {
    await setConfig("esopPercentage", "10");
    const out = collector();
    await stack.stack.preview({ onOutput: out.onOutput });
    expect(out.text()).toMatch(/own 95% together, not 100%/);
  });

  it("changes percentages without tripping the 100 % rule: the founder in place, the ESOP trust replaced", async () => {
    await setConfig("founderPercentage", "50");
    await setConfig("esopPercentage", "25");
    const before = Object.fromEntries(peopleOf("shareholder").map((p) => [p.person.email, p.id]));
    const out = collector();
    const preview = await stack.stack.preview({ diff: true, onOutput: out.onOutput });
    expect(preview.changeSummary).toEqual({ same: 10, update: 1, replace: 1 });
    expect(out.text()).not.toMatch(/100%/);
    const seq = lastSeq();
    const up = await stack.stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: 10, update: 1, replace: 1 });
    const after = Object.fromEntries(peopleOf("shareholder").map((p) => [p.person.email, p]));
    expect(after[email("noor.haddad")]).toMatchObject({ id: before[email("noor.haddad")], ownershipPercentage: 50 });
    expect(after[email("ruth.mensah")].id).not.toBe(before[email("ruth.mensah")]);
    expect(after[email("ruth.mensah")].ownershipPercentage).toBe(25);
    expect(peopleOf("shareholder").reduce((sum, p) => sum + p.ownershipPercentage!, 0)).toBe(100);
    // The founder through PUT .../shareholder/update (sharePercentage); the trust removed before it was added again (one email).
    const calls = exchanges(seq).map((r) => `${r.method} ${r.path.replace(/\/[0-9a-f-]{36}/g, "/{id}")}`);
    expect(calls.filter((c) => c.startsWith("PUT"))).toEqual(["PUT /finhub/api/v2.1/shareholder/update/{id}"]);
    expect(calls.findIndex((c) => c.startsWith("DELETE"))).toBeLessThan(calls.findIndex((c) => c.startsWith("POST") && c.endsWith("/shareholders")));
    expect(calls.filter((c) => /verify|activation|consents/.test(c))).toEqual([]);
    expect(up.outputs.beneficialOwners.value.sort()).toEqual([email("eli.berg"), email("noor.haddad"), email("ruth.mensah")]);
    expect(exchanges(seq).flatMap((x) => validateExchange(x, { strict: true }))).toEqual([]);
    expect((await stack.stack.preview()).changeSummary).toEqual({ same: 12 });
  });

  it("refresh finds a director removed out of band and invents nothing; the next up adds it back", async () => {
    // A first refresh takes in what FinHub changed on its own (the organization's status is now ACTIVE).
    const first = await stack.stack.refresh();
    expect(first.summary.resourceChanges).toEqual({ same: 12 }); // Pulumi counts an output-only change as "same"
    const org = (await stack.stack.exportStack()).deployment.resources.find((r: any) => r.type.endsWith("finhub:Organization"));
    expect(org.outputs.status).toBe("ACTIVE");
    // FinHub now returns credentials in its add answers (a documented alternative).
    await control("POST", "/finhub/dialect", { credentials: "individual" });
    const outputsByUrn = async () => Object.fromEntries((await stack.stack.exportStack()).deployment.resources.map((r: any) => [r.urn, r.outputs]));
    const before = await outputsByUrn();
    await control("DELETE", `/finhub/organizations/${orgId}/directors/${email("liam.walsh")}`);
    const refresh = await stack.stack.refresh();
    expect(refresh.summary.resourceChanges).toEqual({ same: 11, delete: 1 });
    // Nothing else moved: every other resource's outputs are what they were.
    const after = await outputsByUrn();
    const gone = Object.keys(before).filter((urn) => !(urn in after));
    expect(gone).toEqual([expect.stringMatching(/finhub:Director::chair$/)]);
    for (const urn of Object.keys(after)) expect(after[urn], urn).toEqual(before[urn]);
    expect((await stack.stack.preview()).changeSummary).toEqual({ same: 11, create: 1 });
    const up = await stack.stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: 11, create: 1 });
    expect(peopleOf("director")).toHaveLength(2);
    expect(up.outputs.credentialStatus.value[email("liam.walsh")]).toBe("captured");
    expect(up.outputs.temporaryPasswords.secret).toBe(true);
    expect(up.outputs.temporaryPasswords.value[email("liam.walsh")]).toMatch(/^Tmp-/);
    expect((await stack.stack.preview()).changeSummary).toEqual({ same: 12 });
  });

  it("keeps every password and the token out of the state file in plain text; no id is undefined or empty", async () => {
    const outputs = await stack.stack.outputs();
    const state = stack.stateText();
    expect(state).toContain(outputs.usernames.value[email("liam.walsh")]); // the right file: usernames are plain
    const secrets = [outputs.temporaryPasswords.value[email("liam.walsh")], outputs.initialAdminPassword.value, tenant.token];
    expect(secrets.every((s) => typeof s === "string" && s.length >= 8)).toBe(true);
    for (const s of secrets) expect(state.includes(s), `a secret (${s.slice(0, 4)}…) is in the state file in plain text`).toBe(false);
    expect(state).not.toMatch(/Tmp-[A-Za-z0-9_-]{8}/);
    const resources = (await stack.stack.exportStack()).deployment.resources.filter((r: any) => r.custom && !r.type.startsWith("pulumi:providers:"));
    expect(resources).toHaveLength(11);
    for (const r of resources) expect(r.id, r.urn).toMatch(/^[0-9a-f-]{36}(\/[^/\s]+)?$/);
    expect(JSON.stringify(resources.map((r: any) => r.outputs))).not.toMatch(/"undefined"|\/undefined|undefined\//);
  });

  it("destroy leaves FinHub without the organization's people", async () => {
    const down = await stack.stack.destroy();
    expect(down.summary.result).toBe("succeeded");
    expect(peopleOf()).toEqual([]);
    expect(fh().customers.filter((c) => c.organizationId === orgId)).toEqual([]);
    expect(fh().organizations.find((o) => o.organizationId === orgId)).toBeUndefined();
    expect(exchanges().flatMap((x) => validateExchange(x))).toEqual([]);
  });
});
