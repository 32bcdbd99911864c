// examples/go-admins, a Go Automation API inline program using the generated Go SDK (sdks/go) and the
// provider plugin, through the real CLI against the sandbox: BitGo enterprise users, a wallet share and
// FinHub employees. Up, a quiet second preview (no vendor write), updates in place, refresh finding
// drift made out of band, `pulumi import` of a member, a wallet user and an employee made outside the
// stack (each followed by a preview that plans nothing once the team declares them), secrets out of the
// state, and destroy. The program is built once and cached (~/.cache/orgstack/go-admins-<hash>).
import * as fs from "fs";
import * as path from "path";
import { execFile } from "child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { startSandbox, SEED, WALLET_SEED, FINHUB_SEED, RunningSandbox } from "../../sandbox";
import type { FinHubState } from "../../sandbox/finhub";
import { control, goAdminsBinary, lastSeq, pluginDir, readAll, repoRoot, sandboxConfig, stackEnv, vendorWrites } from "./harness";

const enterpriseId = SEED.enterprises.custody.id;
const walletId = WALLET_SEED.wallets.team.id;
const domain = "go-admins.example";
const base = path.join(repoRoot, ".orgstack", "plugin-tests", `go-admins-${process.pid}-${Date.now()}`);
let sandbox: RunningSandbox;
let binary: string;
let orgId = "";

const team: any = {
  enterpriseId,
  users: [{ name: "treasury", username: "treasury@acme.example", permissions: ["auditor"] }],
  coin: "tbtc",
  walletId,
  shares: [{ name: "compliance-view", user: "compliance@acme.example", permissions: ["view"], message: "audit access" }],
  finhub: {
    legalName: "Go Admins Ltd",
    registrationNumber: "11223344",
    email: `compliance@${domain}`,
    country: "GB",
    employees: [
      { name: "admin", firstName: "Ada", lastName: "Ng", email: `ada.ng@${domain}`, dateOfBirth: "1985-02-01", nationality: "GB", role: "ADMIN_USER", roles: ["ADMIN_USER", "COMPLIANCE_OFFICER"] },
      { name: "analyst", firstName: "Ben", lastName: "Costa", email: `ben.costa@${domain}`, dateOfBirth: "1995-03-14", nationality: "PT", role: "EMPLOYEE" },
    ],
  },
};

/** Runs one go-admins command; resolves with its JSON result. */
function admins(...args: string[]): Promise<any> {
  fs.writeFileSync(path.join(base, "team.json"), JSON.stringify(team));
  const env = { ...process.env, ...stackEnv(base, { GO_ADMINS_IMPORT_RUNTIME: "yaml" }) };
  const flags = ["-team", path.join(base, "team.json"), "-config", path.join(base, "config.json"), "-dir", base, "-plugin", pluginDir];
  return new Promise((resolve, reject) =>
    execFile(binary, [...flags, ...args], { env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`go-admins ${args.join(" ")} failed:\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split("\n").pop()!));
    }),
  );
}

function members(): Record<string, string[]> {
  const st = sandbox.sandbox.state.bitgo;
  const e = st.enterprises.find((x: any) => x.id === enterpriseId);
  return Object.fromEntries(e.members.map((m: any) => [st.users.find((u: any) => u.id === m.userId).email, m.permissions]));
}
const fh = () => sandbox.sandbox.state.finhub as FinHubState;
const employees = () => fh().people.filter((p) => p.organizationId === orgId && p.kind === "employee");

beforeAll(async () => {
  binary = goAdminsBinary();
  sandbox = await startSandbox({ rateLimits: false });
  fs.mkdirSync(base, { recursive: true });
  fs.writeFileSync(path.join(base, "config.json"), JSON.stringify(sandboxConfig(sandbox)));
}, 900_000);
afterAll(async () => {
  await admins("rm").catch(() => undefined);
  fs.rmSync(base, { recursive: true, force: true });
  await sandbox?.stop();
});

describe("a Go Automation API program with the generated Go SDK, through the plugin", () => {
  it("creates the users, the share and the employees", async () => {
    const up = await admins("up");
    orgId = up.outputs.organizationId.Value;
    expect(up.changes).toEqual({ create: 6 }); // 5 resources and the stack
    expect(up.outputs.treasuryUserId.Value).toBe(SEED.users.treasury.id);
    expect(up.outputs.initialAdminPassword.Secret).toBe(true);
    expect(members()["treasury@acme.example"]).toEqual(["auditor"]);
    expect(employees().map((p) => p.person.email).sort()).toEqual([`ada.ng@${domain}`, `ben.costa@${domain}`]);
  });

  it("plans nothing on a second preview, and calls no vendor write", async () => {
    const from = lastSeq(sandbox);
    expect((await admins("preview")).changes).toEqual({ same: 6 });
    expect(vendorWrites(sandbox, from)).toEqual([]);
  });

  it("updates a user's permissions and an employee's roles in place", async () => {
    team.users[0].permissions = ["wallet.create"];
    team.finhub.employees[1].roles = ["EMPLOYEE", "TRANSACTION_APPROVER"];
    const from = lastSeq(sandbox);
    expect((await admins("preview")).changes).toEqual({ same: 4, update: 2 });
    expect(vendorWrites(sandbox, from)).toEqual([]);
    expect((await admins("up")).changes).toEqual({ same: 4, update: 2 });
    expect(members()["treasury@acme.example"]).toEqual(["wallet.create"]);
    expect(employees().find((p) => p.person.email === `ben.costa@${domain}`)!.roles).toEqual(["EMPLOYEE", "TRANSACTION_APPROVER"]);
  });

  it("finds drift made out of band on refresh, and the next up puts it back", async () => {
    await control(sandbox, "PUT", `/bitgo/enterprise/${enterpriseId}/user/treasury@acme.example`, { permissions: ["admin"] });
    await control(sandbox, "DELETE", `/finhub/organizations/${orgId}/employees/ben.costa@${domain}`);
    const refresh = await admins("refresh");
    expect(refresh.changes).toMatchObject({ update: 1, delete: 1 });
    expect((await admins("preview")).changes).toEqual({ same: 4, update: 1, create: 1 });
    expect((await admins("up")).changes).toEqual({ same: 4, update: 1, create: 1 });
    expect(members()["treasury@acme.example"]).toEqual(["wallet.create"]);
    expect(employees()).toHaveLength(2);
  });

  it("imports a member, a wallet user and an employee made outside the stack; declared in the team, a preview plans nothing", async () => {
    const seeded = await control(sandbox, "POST", "/bitgo/bulk", { count: 1, prefix: "go-imported", enterpriseId, permissions: ["auditor"], walletId, walletPermissions: ["view"] });
    const user = seeded.users[0];
    const employee = await addEmployeeAtFinHub({ firstName: "Cy", lastName: "Diallo", email: `cy.diallo@${domain}`, dateOfBirth: "1990-06-06", nationality: "SN" });
    const from = lastSeq(sandbox);
    const imported = [
      await admins("import", "orgstack:bitgo:EnterpriseUser", "imported", `${enterpriseId}/${user.email}`),
      await admins("import", "orgstack:bitgo:WalletShare", "imported-view", `tbtc/${walletId}/${user.id}`),
      await admins("import", "orgstack:finhub:Employee", "cy", `${orgId}/${employee}`),
    ];
    for (const r of imported) expect(r.changes).toMatchObject({ import: 1 });
    expect(parse(imported[0].generatedCode).resources.imported.properties).toEqual({ enterpriseId, username: user.email, permissions: ["auditor"] });
    team.users.push({ name: "imported", username: user.email, permissions: ["auditor"] });
    team.shares.push({ name: "imported-view", user: user.id, permissions: ["view"] });
    team.finhub.employees.push({ name: "cy", firstName: "Cy", lastName: "Diallo", email: `cy.diallo@${domain}`, dateOfBirth: "1990-06-06", nationality: "SN", role: "EMPLOYEE" });
    expect((await admins("preview")).changes).toEqual({ same: 9 });
    // The next up changes nothing at the vendors (it records the program's dependencies).
    expect((await admins("up")).changes).toEqual({ same: 9 });
    expect(vendorWrites(sandbox, from)).toEqual([]);
  });

  it("keeps the password, the TOTP secret and the FinHub token out of the state file", async () => {
    const state = readAll(path.join(base, "state"));
    const password = (await admins("outputs")).outputs.initialAdminPassword.Value;
    expect(state).toContain("orgstack:finhub:Employee");
    for (const secret of [SEED.operator.password, SEED.operator.totpSecret, FINHUB_SEED.tenants.acme.token, password]) expect(state).not.toContain(secret);
  });

  it("destroys everything", async () => {
    const down = await admins("destroy");
    expect(down.changes).toMatchObject({ delete: 9 });
    expect(members()).toEqual({ [SEED.operator.email]: ["admin"] });
    expect(fh().people.filter((p) => p.organizationId === orgId)).toEqual([]);
  });
});

/** Adds an employee through FinHub's own API, as someone would outside the stack; resolves with its record id (from the list). */
async function addEmployeeAtFinHub(person: Record<string, string>): Promise<string> {
  const tenant = FINHUB_SEED.tenants.acme;
  const call = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${sandbox.finhubUrl}/api/v2.1/customer/organization/${orgId}${route}`, {
      method,
      headers: { "content-type": "application/json", authorization: `Bearer ${tenant.token}`, "x-tenant-id": tenant.id, "user-agent": "outside-the-stack" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer: any = await res.json();
    if (res.status >= 300) throw new Error(`FinHub: ${res.status} ${JSON.stringify(answer)}`);
    return answer.data;
  };
  await call("POST", "/employee", { person, addresses: [], telephoneNumbers: [], position: "EMPLOYEE", roles: ["EMPLOYEE"] });
  return (await call("GET", "/employees?size=100")).employees.find((e: any) => e.email === person.email).employeeId;
}
