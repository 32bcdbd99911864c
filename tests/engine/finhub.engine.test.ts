// FinHub through the real Pulumi engine: an organization from empty to ACTIVE in one up, a quiet
// second preview, a role change and shareholder percentage changes applied in place, a director
// removed out of band found by refresh, the vendor's rules refused at preview, temporary passwords
// secret in the state file, destroy; then the example stack (two directors, three shareholders, four
// employees) up and down.
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, FINHUB_SEED, RunningSandbox } from "../../sandbox";
import * as finhub from "../../sdk/finhub";
import { collector, engineStack, EngineStack, repoRoot } from "./harness";
import { programFile } from "../../demo/engine";

const tenant = FINHUB_SEED.tenants.acme;
let sandbox: RunningSandbox;

const ENV = { FINHUB_API_URL: "", FINHUB_TOKEN: "", FINHUB_TENANT_ID: "", ORGSTACK_FINHUB_BATCH_MS: "500" };

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimits: false });
  await fetch(`${sandbox.url}/__sandbox/finhub/settings`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ kybDelayMs: 300, activationDelayMs: 600 }),
  });
});
afterAll(async () => {
  await sandbox?.stop();
});

const config = () => ({
  "finhub:apiUrl": { value: sandbox.finhubUrl },
  "finhub:token": { value: tenant.token, secret: true },
  "finhub:tenantId": { value: tenant.id },
});

const st = () => sandbox.sandbox.state.finhub;
const peopleOf = (orgId: string, kind?: string) => st().people.filter((p: any) => p.organizationId === orgId && (!kind || p.kind === kind));
const finhubPosts = (suffix: string) => sandbox.sandbox.requests.filter((r) => r.module === "finhub" && r.method === "POST" && r.path.endsWith(suffix));

const person = (first: string, last: string, extra: Record<string, unknown> = {}): finhub.PersonArgs => ({
  firstName: first,
  lastName: last,
  email: `${first}.${last}@engine.example`.toLowerCase(),
  dateOfBirth: "1980-01-01",
  nationality: "GB",
  addresses: [{ addressLine1: "1 High St", city: "London", country: "GB" }],
  telephoneNumbers: [{ number: "+44 20 7946 0000" }],
  ...extra,
});

describe("a FinHub organization through the engine", () => {
  let stack: EngineStack;
  let eveRole: finhub.EmployeeRole = "EMPLOYEE";
  let shares = [40, 20];
  let violate = false;
  let orgId = "";

  beforeAll(async () => {
    stack = await engineStack({
      name: "finhub-org",
      env: ENV,
      config: config(),
      program: async () => {
        const org = new finhub.Organization("acme", { legalName: "Engine Test Ltd", registrationNumber: "E-1", country: "GB", email: "ops@engine.example" });
        const organizationId = org.id;
        const admin = new finhub.Employee("admin", { organizationId, person: person("Ada", "Ng"), role: "ADMIN_USER", roles: ["ADMIN_USER", "COMPLIANCE_OFFICER"], department: "Management" });
        const eve = new finhub.Employee("eve", { organizationId, person: person("Eve", "Li"), role: eveRole, department: "Finance" }, { dependsOn: [admin] });
        const ceo = new finhub.Director("ceo", { organizationId, person: person("Dan", "Ode"), role: "MANAGING_DIRECTOR", ownershipPercentage: 40, primaryContact: true });
        const board = new finhub.Director("board", { organizationId, person: person("Bea", "Kim"), role: "BOARD_MEMBER" });
        const s1 = new finhub.Shareholder("s1", { organizationId, person: person("Sam", "Roe"), ownershipPercentage: shares[0] });
        const s2 = new finhub.Shareholder("s2", { organizationId, person: person("Sue", "Poe"), ownershipPercentage: shares[1] });
        const people = [admin, eve, ceo, board, s1, s2];
        if (violate) {
          // The same email twice in a tenant, and a percentage FinHub cannot take.
          people.push(new finhub.Employee("dup", { organizationId, person: person("Sam", "Roe"), role: "EMPLOYEE" }, { dependsOn: [admin] }));
        }
        const go = new finhub.Activation("go-live", { organizationId, consents: ["terms", "privacy", "data-processing"], pollIntervalMs: 100, timeoutSeconds: 60 }, { dependsOn: people });
        return {
          organizationId,
          status: go.status,
          adminUsername: admin.username,
          adminPassword: admin.temporaryPassword,
          s1Owner: s1.beneficialOwner,
          s2Owner: s2.beneficialOwner,
        };
      },
    });
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  it("goes from empty to ACTIVE in one up", async () => {
    const up = await stack.stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.summary.resourceChanges).toEqual({ create: 9 });
    orgId = up.outputs.organizationId.value;
    expect(up.outputs.status.value).toBe("ACTIVE");
    expect(up.outputs.adminPassword.secret).toBe(true);
    expect(up.outputs.adminPassword.value).toMatch(/^Tmp-/);
    expect(up.outputs.s1Owner.value).toBe(true);
    expect(up.outputs.s2Owner.value).toBe(false);
    const org = st().organizations.find((o: any) => o.organizationId === orgId);
    expect(org.status).toBe("ACTIVE");
    expect(peopleOf(orgId, "director")).toHaveLength(2);
    expect(peopleOf(orgId, "employee")).toHaveLength(2);
    // Both shareholders went out in one POST with an array of two.
    const batches = finhubPosts("/shareholders");
    expect(batches).toHaveLength(1);
    expect(batches[0].requestBody).toHaveLength(2);
    // The admin went in before the other employee.
    expect(finhubPosts("/employee").map((r) => r.requestBody.role)).toEqual(["ADMIN_USER", "EMPLOYEE"]);
  });

  it("shows no changes on a second preview", async () => {
    const preview = await stack.stack.preview();
    expect(preview.changeSummary).toEqual({ same: 9 });
  });

  it("changes a role and shareholder percentages in place, not by replacement", async () => {
    eveRole = "TRANSACTION_APPROVER";
    shares = [30, 30];
    const out = collector();
    const preview = await stack.stack.preview({ diff: true, onOutput: out.onOutput });
    expect(preview.changeSummary).toEqual({ same: 6, update: 3 });
    expect(out.text()).toMatch(/"EMPLOYEE" => "TRANSACTION_APPROVER"/);
    const eveBefore = peopleOf(orgId, "employee").find((p: any) => p.person.email === "eve.li@engine.example");
    const up = await stack.stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: 6, update: 3 });
    const eve = peopleOf(orgId, "employee").find((p: any) => p.person.email === "eve.li@engine.example");
    expect(eve.id).toBe(eveBefore.id);
    expect(eve.roles).toEqual(["TRANSACTION_APPROVER"]);
    expect(peopleOf(orgId, "shareholder").map((p: any) => p.ownershipPercentage)).toEqual([30, 30]);
    expect(up.outputs.s2Owner.value).toBe(true);
  });

  it("finds a director removed out of band on refresh, and the next up adds it back", async () => {
    const board = peopleOf(orgId, "director").find((p: any) => p.role === "BOARD_MEMBER");
    const res = await fetch(`${sandbox.finhubUrl}/api/v2.1/customer/organization/${orgId}/directors/${board.id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${tenant.token}`, "x-tenant-id": tenant.id, "user-agent": "out-of-band" },
    });
    expect(res.status).toBe(204);
    const refresh = await stack.stack.refresh();
    expect(refresh.summary.resourceChanges).toMatchObject({ delete: 1 });
    const up = await stack.stack.up();
    expect(up.summary.resourceChanges).toMatchObject({ create: 1 });
    expect(peopleOf(orgId, "director")).toHaveLength(2);
  });

  it("refuses the vendor's rule violations at preview, naming the field and the rule", async () => {
    violate = true;
    shares = [30, 20];
    const out = collector();
    const err = await stack.stack.preview({ onOutput: out.onOutput }).catch((e) => e);
    violate = false;
    shares = [30, 30];
    expect(err).toBeInstanceOf(Error);
    const text = `${out.text()}\n${err.message}`;
    expect(text).toMatch(/person\.email sam\.roe@engine\.example is used by shareholder "s1" and employee "dup"; FinHub needs each person's email to be unique within the tenant/);
    expect(text).toMatch(/total 90%, not 100%/);
  });

  it("keeps temporary passwords and the token out of the state file", async () => {
    const outputs = await stack.stack.outputs();
    const password = outputs.adminPassword.value;
    const state = stack.stateText();
    expect(state).toContain(outputs.adminUsername.value); // the right file: usernames are plain
    expect(password).toMatch(/^Tmp-/);
    expect(state).not.toContain(password);
    expect(state).not.toContain(tenant.token);
    expect(state).not.toMatch(/Tmp-[A-Za-z0-9_-]{12}/);
  });

  it("destroy removes every person and the organization", async () => {
    const down = await stack.stack.destroy();
    expect(down.summary.result).toBe("succeeded");
    expect(peopleOf(orgId)).toHaveLength(0);
    expect(st().organizations.find((o: any) => o.organizationId === orgId)).toBeUndefined();
  });
});

describe("examples/finhub-onboarding through the engine", () => {
  it("onboards two directors, three shareholders and four employees to ACTIVE, then destroys", async () => {
    const p = path.join(repoRoot, "dist/examples/finhub-onboarding/index.js");
    const stack = await engineStack({
      name: "finhub-example",
      env: ENV,
      config: { ...config(), "finhub-onboarding:pollIntervalMs": { value: "100" } },
      program: programFile(p),
    });
    try {
      const before = finhubPosts("/shareholders").length;
      const up = await stack.stack.up();
      expect(up.summary.result).toBe("succeeded");
      expect(up.outputs.organization.value.status).toBe("ACTIVE");
      const orgId = up.outputs.organization.value.id;
      expect(peopleOf(orgId, "director")).toHaveLength(2);
      expect(peopleOf(orgId, "shareholder")).toHaveLength(3);
      expect(peopleOf(orgId, "employee")).toHaveLength(4);
      expect(finhubPosts("/shareholders").length - before).toBe(1);
      expect(up.outputs.beneficialOwners.value.sort()).toEqual(["maya.reyes@acme.example", "noor.haddad@acme.example"]);
      expect(up.outputs.temporaryPasswords.secret).toBe(true);
      expect(Object.keys(up.outputs.usernames.value)).toHaveLength(9);
      expect(stack.stateText()).not.toMatch(/Tmp-[A-Za-z0-9_-]{12}/);
      const down = await stack.stack.destroy();
      expect(down.summary.result).toBe("succeeded");
      expect(peopleOf(orgId)).toHaveLength(0);
    } finally {
      await stack.cleanup();
    }
  });
});
