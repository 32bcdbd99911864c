// A Pulumi YAML program onboarding FinHub people (an organization, employees, a director, a
// shareholder), served by the provider plugin, through the real CLI against the sandbox: up, a quiet
// second preview, an employee's roles changed in place, refresh finding a director removed out of band,
// `pulumi import` of a person FinHub has (taken out of the stack first) followed by a preview that plans
// nothing, the generated passwords kept secret in the state, and destroy.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { startSandbox, RunningSandbox } from "../../sandbox";
import type { FinHubState } from "../../sandbox/finhub";
import { Program, YamlStack, control, lastSeq, sandboxConfig, vendorWrites, yamlStack } from "./harness";

const domain = "plugin.example";
let sandbox: RunningSandbox;
let stack: YamlStack;
let orgId = "";

const office = { addressLine1: "1 Finsbury Avenue", city: "London", postalCode: "EC2M 2PP", country: "GB", addressType: "BUSINESS" };
const person = (firstName: string, lastName: string, dateOfBirth: string) => ({
  firstName,
  lastName,
  email: `${firstName}.${lastName}@${domain}`.toLowerCase(),
  dateOfBirth,
  nationality: "GB",
  addresses: [office],
});
const organizationId = "${acme.id}";
const resources: Record<string, any> = {
  acme: {
    type: "orgstack:finhub:Organization",
    properties: { legalName: "Acme Plugin Ltd", registrationNumber: "87654321", country: "GB", email: `compliance@${domain}`, legalForm: "PRIVATE_LIMITED_COMPANY", incorporationDate: "2019-04-01", address: office },
  },
  admin: { type: "orgstack:finhub:Employee", properties: { organizationId, person: person("Ada", "Ng", "1985-02-01"), role: "ADMIN_USER", roles: ["ADMIN_USER", "COMPLIANCE_OFFICER"], department: "Management" } },
  analyst: { type: "orgstack:finhub:Employee", properties: { organizationId, person: person("Ben", "Costa", "1995-03-14"), role: "EMPLOYEE", department: "Finance" }, options: { dependsOn: ["${admin}"] } },
  ceo: { type: "orgstack:finhub:Director", properties: { organizationId, person: person("Maya", "Reyes", "1975-05-20"), role: "MANAGING_DIRECTOR", primaryContact: true } },
  founder: { type: "orgstack:finhub:Shareholder", properties: { organizationId, person: person("Noor", "Haddad", "1981-12-02"), ownershipPercentage: 100 } },
};
const program = (): Program => ({ resources, outputs: { organizationId: "${acme.id}", adminPassword: "${acme.initialAdminPassword}" } });

const fh = () => sandbox.sandbox.state.finhub as FinHubState;
const peopleOf = (kind: string) => fh().people.filter((p) => p.organizationId === orgId && p.kind === kind);

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimits: false });
  stack = await yamlStack({ name: "yaml-finhub", program: program(), config: sandboxConfig(sandbox) });
});
afterAll(async () => {
  await stack?.cleanup();
  await sandbox?.stop();
});

describe("a YAML program with FinHub people, through the plugin", () => {
  it("onboards them", async () => {
    const up = await stack.stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 6 });
    orgId = up.outputs.organizationId.value;
    expect(peopleOf("employee").map((p) => p.person.email).sort()).toEqual([`ada.ng@${domain}`, `ben.costa@${domain}`]);
    expect(peopleOf("director")).toHaveLength(1);
    expect(peopleOf("shareholder").map((p) => p.ownershipPercentage)).toEqual([100]);
    expect(up.outputs.adminPassword.secret).toBe(true);
  });

  it("plans nothing on a second preview, and calls no vendor write", async () => {
    const from = lastSeq(sandbox);
    expect((await stack.stack.preview()).changeSummary).toEqual({ same: 6 });
    // The next up changes nothing at FinHub; it records the program's dependencies (destroy order).
    expect((await stack.stack.up()).summary.resourceChanges).toEqual({ same: 6 });
    expect(vendorWrites(sandbox, from)).toEqual([]);
  });

  it("changes an employee's roles in place", async () => {
    resources.analyst.properties.roles = ["EMPLOYEE", "TRANSACTION_APPROVER"];
    stack.write(program());
    const before = peopleOf("employee").find((p) => p.person.email === `ben.costa@${domain}`)!.id;
    const up = await stack.stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: 5, update: 1 });
    const after = peopleOf("employee").find((p) => p.person.email === `ben.costa@${domain}`)!;
    expect(after.id).toBe(before);
    expect(after.roles).toEqual(["EMPLOYEE", "TRANSACTION_APPROVER"]);
  });

  it("finds a director removed out of band on refresh; the next up adds it back", async () => {
    await control(sandbox, "DELETE", `/finhub/organizations/${orgId}/directors/maya.reyes@${domain}`);
    const refresh = await stack.stack.refresh();
    expect(refresh.summary.resourceChanges).toMatchObject({ delete: 1 });
    expect((await stack.stack.preview()).changeSummary).toEqual({ same: 5, create: 1 });
    const up = await stack.stack.up();
    expect(up.summary.resourceChanges).toEqual({ same: 5, create: 1 });
    expect(peopleOf("director")).toHaveLength(1);
  });

  it("imports a person FinHub has from <organizationId>/<recordId>; with the program declaring it, a preview plans nothing", async () => {
    const director = peopleOf("director")[0];
    const urn = (await stack.stack.exportStack()).deployment.resources.find((r: any) => r.type === "orgstack:finhub:Director").urn;
    await stack.cli(["state", "delete", urn, "--yes"]);
    const from = lastSeq(sandbox);
    const imported = await stack.cli(["import", "orgstack:finhub:Director", "ceo", `${orgId}/${director.id}`, "--yes", "--protect=false"]);
    // FinHub lists a person's name, email and role: the code printed says what it knows, the program declares the rest.
    const printed = parse(imported.stdout.slice(imported.stdout.indexOf("resources:"))).resources.ceo.properties;
    expect(printed).toMatchObject({ organizationId: orgId, role: "MANAGING_DIRECTOR", person: { firstName: "Maya", lastName: "Reyes", email: `maya.reyes@${domain}` } });
    expect((await stack.stack.preview()).changeSummary).toEqual({ same: 6 });
    // The next up changes nothing at FinHub; it records the program's dependencies (destroy order).
    expect((await stack.stack.up()).summary.resourceChanges).toEqual({ same: 6 });
    expect(vendorWrites(sandbox, from)).toEqual([]);
  });

  it("keeps the token and the generated passwords out of the state file in plain text", async () => {
    const state = stack.stateText();
    const password = (await stack.stack.outputs()).adminPassword.value;
    expect(password).toMatch(/\S{20,}/);
    expect(state).toContain("orgstack:finhub:Employee");
    expect(state).not.toContain(password);
    expect(state).not.toContain("finhub-sandbox-token-acme");
    const org = (await stack.stack.exportStack()).deployment.resources.find((r: any) => r.type === "orgstack:finhub:Organization");
    expect(org.outputs.initialAdminPassword).toMatchObject({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" });
  });

  it("destroys the people and the organization", async () => {
    const down = await stack.stack.destroy();
    expect(down.summary.result).toBe("succeeded");
    expect(fh().people.filter((p) => p.organizationId === orgId)).toEqual([]);
  });
});
