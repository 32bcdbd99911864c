// bitgo:OrganizationAccess provider methods against the sandbox: the organization's admins and members
// made what the list says, customers and the service user never touched, an out-of-band member removed
// or only reported, the operator and keep left alone, an admin role BitGo gives only through support
// refused with what to ask, approvals never asked twice, and a read of 600 users in three calls.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ORG_SEED, RunningSandbox, SEED, startSandbox } from "../../sandbox";
import { setConfig } from "../../provider/config";
import { provider } from "../../provider";
import { resetBitGoClients } from "../../provider/bitgo/client";

const p = provider("bitgo:OrganizationAccess");
const org = SEED.organization.id;
let sb: RunningSandbox;
const ADMINS = [
  { username: SEED.operator.email, role: "admin" },
  { username: SEED.secondAdmin.email, role: "admin" },
];
const OPS = { username: "ops@acme.example", role: "member" };
const AUDITOR = { username: "auditor@acme.example", role: "member" };

function asOperator() {
  resetBitGoClients();
  const s: Record<string, string> = { "bitgo:apiUrl": sb.url, "bitgo:email": SEED.operator.email, "bitgo:password": SEED.operator.password, "bitgo:otp": "000000" };
  setConfig({ get: (k) => s[k] });
}
const control = async (method: string, path: string, body?: unknown) =>
  (await fetch(`${sb.url}/__sandbox${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) })).json() as Promise<any>;
const roles = () =>
  Object.fromEntries(sb.sandbox.state.bitgo.users.flatMap((u: any) => u.organizations.filter((o: any) => o.id === org).map((o: any) => [u.email, o.role])));
const orgApprovals = () => sb.sandbox.state.bitgo.approvals.filter((a: any) => a.organization === org);

async function inputs(raw: Record<string, unknown>) {
  const checked = await p.check(undefined, { organizationId: org, ...raw });
  expect(checked.failures ?? []).toEqual([]);
  return checked.inputs;
}
const refresh = async (made: { id: string; outs: any }) => {
  asOperator();
  return p.read(made.id, made.outs);
};

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
beforeEach(async () => {
  sb.sandbox.reset();
  await control("POST", "/bitgo/organizations/seed");
  asOperator();
});
afterEach(() => resetBitGoClients());

it("check refuses a list with no admin, naming the field and the fix", async () => {
  const r = await p.check(undefined, { organizationId: org, users: [OPS] });
  expect(r.failures?.[0]).toMatchObject({ property: "users" });
  expect(r.failures?.[0].reason).toMatch(/users: lists no admin.*Give at least one user role "admin"/);
});

describe("the organization's admins and members", () => {
  it("adds the missing members; customers and the service user are never read or touched", async () => {
    const made = await p.create(await inputs({ users: [...ADMINS, OPS, AUDITOR] }));
    expect(made.id).toBe(org);
    expect(roles()).toMatchObject({ "auditor@acme.example": "member", [ORG_SEED.customer.email]: "customer", [ORG_SEED.serviceUser.email]: "serviceUser" });
    expect(made.outs.users.map((u: any) => u.username).sort()).toEqual([SEED.operator.email, SEED.secondAdmin.email, "auditor@acme.example", "ops@acme.example"].sort());
    expect(made.outs.leftAlone).toEqual([]); // the operator is declared: it is managed as declared, and never changed
    const listCalls = sb.sandbox.requests.filter((r) => r.path === "/api/org/users");
    expect(listCalls.every((r) => String(r.query.role) === "admin,member")).toBe(true);
  });

  it("removes an out-of-band member found by read, or only reports it; keep stays", async () => {
    await control("PUT", `/bitgo/organizations/${org}/users/treasury@acme.example`, { role: "member" });
    await control("PUT", `/bitgo/organizations/${org}/users/auditor@acme.example`, { role: "member" });
    const made = await p.create(await inputs({ users: [...ADMINS, OPS], keep: ["auditor@acme.example"], unmanaged: "report" }));
    expect(made.outs.unmanagedUsers).toEqual([{ username: "treasury@acme.example", userId: SEED.users.treasury.id, role: "member", status: "active" }]);
    expect(roles()["treasury@acme.example"]).toBe("member");
    const { outs } = await p.update(org, made.outs, await inputs({ users: [...ADMINS, OPS], keep: ["auditor@acme.example"] }));
    expect(roles()["treasury@acme.example"]).toBeUndefined();
    expect(roles()["auditor@acme.example"]).toBe("member");
    expect(outs.leftAlone.map((u: any) => u.username)).toEqual(["auditor@acme.example"]);
  });

  it("an admin role BitGo gives only through support: the other changes are made, then the error says whom to ask", async () => {
    const err = await p.create(await inputs({ users: [...ADMINS, { username: "ops@acme.example", role: "admin" }, AUDITOR] })).catch((e) => e);
    expect(String(err.message)).toMatch(/BitGo's set-up guide says organization admins are made by BitGo support only: email support@bitgo\.com/);
    expect(err.id).toBe(org);
    expect(roles()["auditor@acme.example"]).toBe("member");
    expect(roles()["ops@acme.example"]).toBe("member");
  });

  it("refuses to change the operator's own role", async () => {
    const err = await p.create(await inputs({ users: [{ username: SEED.operator.email, role: "member" }, ADMINS[1]] })).catch((e) => e);
    expect(String(err.message)).toMatch(/is the identity orgstack runs as, and orgstack never changes its own role/);
  });
});

describe("approvals (an organization that needs two)", () => {
  it("an addition waiting for approval is state: no second approval on a rerun; the decision shows on read", async () => {
    await control("PATCH", `/bitgo/organizations/${org}`, { approvalsRequired: 2 });
    const raw = { users: [...ADMINS, OPS, AUDITOR] };
    const made = await p.create(await inputs(raw));
    expect(made.outs.state).toBe("pending");
    expect(made.outs.users.find((u: any) => u.username === "auditor@acme.example")).toMatchObject({ status: "pendingApproval", source: "declared" });
    expect((await p.diff(org, made.outs, await inputs(raw))).changes).toBe(false);
    await p.update(org, { ...made.outs, unmanaged: "report" }, await inputs(raw));
    expect(orgApprovals()).toHaveLength(1);
    await control("POST", `/bitgo/pendingapprovals/${orgApprovals()[0].id}`, { state: "approved" });
    const read = await refresh(made);
    expect(read.props.users.find((u: any) => u.username === "auditor@acme.example")).toMatchObject({ status: "active" });
    expect(read.props.state).toBe("active");
  });
});

it("600 admins and members are read in three calls: two pages of the role-filtered list, and the approvals", async () => {
  await control("POST", "/bitgo/bulk", { count: 600, prefix: "staff", enterpriseId: SEED.enterprises.custody.id });
  const made = await p.create(await inputs({ users: ADMINS, unmanaged: "report" }));
  sb.sandbox.requests = [];
  const read = await refresh(made);
  expect(read.props.unmanagedUsers.length).toBe(601); // the 600 and ops@
  expect(sb.sandbox.requests.filter((r) => !r.path.endsWith("/login")).map((r) => `${r.method} ${r.path}`)).toEqual(
    expect.arrayContaining(["GET /api/org/users", "GET /api/org/users", "GET /api/v2/pendingapprovals"]),
  );
  expect(sb.sandbox.requests.filter((r) => !r.path.endsWith("/login"))).toHaveLength(3);
});
