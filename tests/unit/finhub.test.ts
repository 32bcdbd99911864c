// The FinHub resources' provider methods called directly against an in-process sandbox that answers as
// ../shared/vendor-docs/finhub-responses.md documents FinHub (and, through its dialect knobs, with every
// alternative a client must tolerate). Every FinHub exchange a test causes is checked against the
// contract (tests/contract/finhubSpec.ts). What is covered:
//   people        create (record id from the add answer or the list, never "undefined"), read (only listed
//                 fields can drift), import from <organizationId>/<recordId>, update (roles and
//                 percentages in place, replacement where FinHub cannot), delete (204, 404 = gone);
//   credentials   not returned / captured (secret) / lost / issued earlier;
//   dialects      every knob through a whole onboarding to ACTIVE;
//   exactly once  a dropped or slow answer on every add, registration, verify and activation;
//   rules         first ADMIN_USER, unique emails, shareholders-only 100 % (provider, sandbox, preview);
//   isolation     another tenant's organization; no secret in any error or log line.
import * as http from "http";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.ORGSTACK_RATE_LIMITS = "off";
  process.env.ORGSTACK_HTTP_BACKOFF_MS = "5";
  process.env.ORGSTACK_BATCH_MS = "60";
  process.env.ORGSTACK_SETTLE_MS = "1500";
  process.env.ORGSTACK_FINHUB_ADMIN_WAIT_MS = "3000";
  for (const k of ["FINHUB_API_URL", "FINHUB_TOKEN", "FINHUB_TENANT_ID", "ORGSTACK_HTTP_TIMEOUT_MS"]) delete process.env[k];
});

import { startSandbox, FINHUB_SEED, RunningSandbox } from "../../sandbox";
import { DIALECT_CHOICES, FinHubDialect, FinHubState } from "../../sandbox/finhub";
import { provider, resource, setConfig } from "../../provider";
import { resetFinHubClients } from "../../provider/finhub/client";
import { redact } from "../../provider/kit/secrets";
import { validateExchange } from "../contract/finhubSpec";
import { checkRules, Declared } from "../../sdk/finhub/rules";

const tenant = FINHUB_SEED.tenants.acme;
const CONSENTS = ["terms", "privacy", "data-processing"];
let sb: RunningSandbox;

const organization = provider("finhub:Organization");
const director = provider("finhub:Director");
const shareholder = provider("finhub:Shareholder");
const employee = provider("finhub:Employee");
const activation = provider("finhub:Activation");

// ---- what every test leaves behind, checked at the end ----

const logs: string[] = [];
const errors: string[] = [];
const secrets = new Set<string>([tenant.token]);
const originalLog = console.log;

beforeAll(async () => {
  sb = await startSandbox({ rateLimits: false, requestLogLimit: 100_000 });
  await control("POST", "/finhub/settings", { kybDelayMs: 30, activationDelayMs: 60 });
  console.log = (...a: unknown[]) => void logs.push(a.map(String).join(" "));
});
afterAll(async () => {
  console.log = originalLog;
  await sb?.stop();
});
beforeEach(async () => {
  configure();
  await control("DELETE", "/faults");
  await control("DELETE", "/finhub/dialect");
});

// ---- helpers ----

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function control(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${sb.url}/__sandbox${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`sandbox control ${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}
const setDialect = (d: Partial<FinHubDialect>) => control("POST", "/finhub/dialect", d);
const fault = (f: Record<string, unknown>) => control("POST", "/faults", f);

/** A new provider process (pulumi refresh, the next up): nothing read earlier is cached. */
const newRun = () => resetFinHubClients();

function configure(cfg: Record<string, string> = {}) {
  const all: Record<string, string> = { "finhub:apiUrl": sb.finhubUrl, "finhub:tenantId": tenant.id, "finhub:token": tenant.token, ...cfg };
  setConfig({ get: (k) => all[k] });
  resetFinHubClients();
}

const fh = () => sb.sandbox.state.finhub as FinHubState;
const peopleOf = (orgId: string, kind?: string) => fh().people.filter((p) => p.organizationId === orgId && (!kind || p.kind === kind));
const orgsByEmail = (email: string) => fh().organizations.filter((o) => o.email === email);
const lastSeq = () => sb.sandbox.requests.at(-1)?.seq ?? 0;
const exchangesSince = (seq: number) => sb.sandbox.requests.filter((r) => r.seq > seq && r.module === "finhub");
const handled = (seq: number, method: string, suffix: string) => exchangesSince(seq).filter((r) => r.method === method && r.path.endsWith(suffix) && r.status < 300);

/** Every FinHub exchange since `seq` keeps the contract (tolerant reading; `strict`: the documented shapes). */
function expectContract(seq: number, strict = false) {
  const problems = exchangesSince(seq).flatMap((x) => validateExchange(x, { strict }));
  expect(problems).toEqual([]);
}

let n = 0;
const run = Date.now().toString(36);
const mail = (name: string) => `${name}.${++n}.${run}@acme.example`.toLowerCase();

const person = (first: string, extra: Record<string, unknown> = {}) => ({
  firstName: first,
  lastName: "Ng",
  email: mail(first),
  dateOfBirth: "1985-02-01",
  nationality: "GB",
  addresses: [{ addressLine1: "1 High St", city: "London", country: "GB", postalCode: "EC1A 1AA" }],
  telephoneNumbers: [{ number: "+44 20 7946 0000" }],
  ...extra,
});
const passport = { type: "PASSPORT", number: "N1234567", expiryDate: "2031-05-30" };

type P = ReturnType<typeof provider>;

async function checked(p: P, news: any, olds: any = {}) {
  const r = await p.check(olds, news);
  if (r.failures?.length) throw new Error(JSON.stringify(r.failures));
  return r.inputs;
}

/** check, then create: what the engine does. */
async function make(p: P, news: any): Promise<{ id: string; outs: any; inputs: any }> {
  const inputs = await checked(p, news);
  const r = await p.create(inputs);
  expect(r.id).not.toMatch(/undefined|null|^$|\/$/);
  remember(r.outs);
  return { ...r, inputs };
}

/** The error a promise fails with (kept for the final no-secret check). */
async function failure(p: Promise<unknown>): Promise<Error & Record<string, any>> {
  const e: any = await p.then(
    () => new Error("expected a failure, got success"),
    (err) => err,
  );
  errors.push(`${e?.message}\n${e?.stack}\n${JSON.stringify(e?.properties ?? {})}`);
  return e;
}

/** Secret outputs seen: none may appear in a log line or error. */
function remember(outs: any) {
  for (const k of ["temporaryPassword", "initialAdminPassword"]) if (outs?.[k]) secrets.add(outs[k]);
}

const newOrg = (extra: Record<string, unknown> = {}) => make(organization, { legalName: "Acme Ltd", registrationNumber: "12345678", email: mail("ops"), ...extra });
const admin = (organizationId: string, extra: Record<string, unknown> = {}) =>
  make(employee, { organizationId, person: person("Ada"), role: "ADMIN_USER", roles: ["ADMIN_USER", "COMPLIANCE_OFFICER"], department: "Management", ...extra });
const go = (organizationId: string, actingUserId: string, extra: Record<string, unknown> = {}) =>
  make(activation, { organizationId, consents: CONSENTS, actingUserId, pollIntervalMs: 20, timeoutSeconds: 20, ...extra });

interface Onboarded {
  org: Awaited<ReturnType<typeof newOrg>>;
  people: { p: P; id: string; outs: any; kind: string }[];
  act: Awaited<ReturnType<typeof go>>;
}

/** A whole onboarding: organization, admin, then an employee, a director and two shareholders (one batch), then activation. */
async function onboard(shares = [60, 40]): Promise<Onboarded> {
  const org = await newOrg();
  const orgId = org.id;
  const ada = await admin(orgId);
  const [eve, dan, ...holders] = await Promise.all([
    make(employee, { organizationId: orgId, person: person("Eve"), role: "EMPLOYEE", department: "Finance" }),
    make(director, { organizationId: orgId, person: person("Dan"), role: "MANAGING_DIRECTOR", ownershipPercentage: 30, primaryContact: true }),
    ...shares.map((pct, i) => make(shareholder, { organizationId: orgId, person: person(`Sam${i}`), ownershipPercentage: pct, ...(i === 0 ? { identityDocument: passport } : {}) })),
  ]);
  const act = await go(orgId, ada.outs.userId);
  expect(act.outs.status).toBe("ACTIVE");
  const people = [
    { p: employee, kind: "employee", ...eve },
    { p: director, kind: "director", ...dan },
    ...holders.map((h) => ({ p: shareholder, kind: "shareholder", ...h })),
    { p: employee, kind: "employee", ...ada },
  ];
  return { org, people, act };
}

/** Destroy in the engine's order: activation, people (the admin last), organization; FinHub is then empty of them. */
async function destroy(o: Onboarded) {
  await activation.delete(o.act.id, o.act.outs);
  for (const x of o.people) await x.p.delete(x.id, x.outs);
  expect(peopleOf(o.org.id)).toEqual([]);
  await organization.delete(o.org.id, o.org.outs);
  expect(fh().organizations.find((x) => x.organizationId === o.org.id)).toBeUndefined();
}

// ---- tests ----

describe("people: create, read, import, update, delete", () => {
  it("a director: the record id is data.organization.id; read and import from <organizationId>/<recordId>", async () => {
    const org = await newOrg();
    const seq = lastSeq();
    const d = await make(director, { organizationId: org.id, person: person("Dan"), role: "EXECUTIVE_DIRECTOR", ownershipPercentage: 40 });
    const add = handled(seq, "POST", "/director")[0];
    expect(d.id).toBe(`${org.id}/${add.responseBody.data.organization.id}`);
    expect(d.outs).toMatchObject({ organizationRecordId: add.responseBody.data.organization.id, status: "ACTIVE", role: "EXECUTIVE_DIRECTOR", ownershipPercentage: 40, credentialStatus: "not returned", username: "", temporaryPassword: "", adopted: false });

    // Read: nothing drifts; ownership and the date of birth are not listed, so they keep their declared value.
    newRun();
    const read = await director.read(d.id, d.outs);
    expect(read.id).toBe(d.id);
    expect(read.props).toEqual(d.outs);

    // Import: the id alone.
    const imported = await director.read(d.id, {});
    expect(imported.props).toMatchObject({ organizationId: org.id, organizationRecordId: d.outs.organizationRecordId, role: "EXECUTIVE_DIRECTOR", person: { firstName: "Dan", lastName: "Ng", email: d.inputs.person.email } });
    expect(imported.props.credentialStatus).toBe("issued earlier");
    expect(imported.props.person.dateOfBirth).toBeUndefined(); // not listed: for the program to declare, never invented
    expect((await failure(director.read(`${org.id}`, {}))).message).toMatch(/not an id of this resource; the form is <organizationId>\/<recordId>/);
    expectContract(seq, true);
  });

  it("an employee: the record id comes from the list by email, the user id from data.individual.userId", async () => {
    const org = await newOrg();
    const seq = lastSeq();
    const a = await admin(org.id);
    const add = handled(seq, "POST", "/employee")[0];
    const listed = peopleOf(org.id, "employee")[0];
    expect(add.responseBody.data).toEqual({ individual: { userId: expect.any(String), email: a.inputs.person.email } });
    expect(a.id).toBe(`${org.id}/${listed.id}`);
    expect(a.outs).toMatchObject({ userId: add.responseBody.data.individual.userId, role: "ADMIN_USER", roles: ["ADMIN_USER", "COMPLIANCE_OFFICER"], department: "Management", credentialStatus: "not returned" });
    newRun();
    expect((await employee.read(a.id, a.outs)).props).toEqual(a.outs);
    const imported = await employee.read(a.id, {});
    expect(imported.props).toMatchObject({ organizationRecordId: listed.id, role: "ADMIN_USER", department: "Management" });
    expectContract(seq, true);
  });

  it("an employee declared without roles plans nothing on the next preview", async () => {
    const org = await newOrg();
    await admin(org.id);
    const e = await make(employee, { organizationId: org.id, person: person("Eve"), role: "EMPLOYEE" });
    const again = await checked(employee, { organizationId: org.id, person: e.inputs.person, role: "EMPLOYEE" }, e.inputs);
    expect(await employee.diff(e.id, e.outs, again)).toMatchObject({ changes: false });
    newRun();
    const refreshed = (await employee.read(e.id, e.outs)).props;
    expect(await employee.diff(e.id, refreshed, again)).toMatchObject({ changes: false });
  });

  it("a shareholder: the record id comes from the list by email; the percentage is read where listed", async () => {
    const org = await newOrg();
    const seq = lastSeq();
    const s = await make(shareholder, { organizationId: org.id, person: person("Sam"), ownershipPercentage: 25 });
    const rec = peopleOf(org.id, "shareholder")[0];
    expect(s.id).toBe(`${org.id}/${rec.id}`);
    expect(s.outs).toMatchObject({ ownershipPercentage: 25, beneficialOwner: true, status: "PENDING_VERIFICATION", credentialStatus: "not returned" });
    // Changed out of band: the listed percentage drifts; refresh shows it.
    await control("PUT", `/finhub/organizations/${org.id}/shareholders/${rec.id}`, { ownershipPercentage: 20 });
    newRun();
    const read = await shareholder.read(s.id, s.outs);
    expect(read.props).toMatchObject({ ownershipPercentage: 20, beneficialOwner: false });
    expect(read.inputs.ownershipPercentage).toBe(20);
    expect((await shareholder.read(s.id, {})).props).toMatchObject({ organizationRecordId: rec.id, ownershipPercentage: 20 });
    expectContract(seq, true);
  });

  it("a director removed out of band is gone on read, and nothing else is invented", async () => {
    const org = await newOrg();
    const d = await make(director, { organizationId: org.id, person: person("Dan"), role: "BOARD_MEMBER" });
    const e = await admin(org.id);
    await control("DELETE", `/finhub/organizations/${org.id}/directors/${d.outs.organizationRecordId}`);
    newRun();
    expect(await director.read(d.id, d.outs)).toEqual({ id: "" });
    expect((await employee.read(e.id, e.outs)).props).toEqual(e.outs);
  });

  it("employee roles change in place (PUT .../roles), the same record", async () => {
    const org = await newOrg();
    const a = await admin(org.id);
    const e = await make(employee, { organizationId: org.id, person: person("Eve"), role: "EMPLOYEE", department: "Finance" });
    const news = await checked(employee, { ...e.inputs, role: "TRANSACTION_APPROVER", roles: ["TRANSACTION_APPROVER", "EMPLOYEE"] }, e.inputs);
    expect(await employee.diff(e.id, e.outs, news)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    const seq = lastSeq();
    const { outs } = await employee.update(e.id, e.outs, news);
    expect(handled(seq, "PUT", "/roles")[0].requestBody).toEqual({ position: "TRANSACTION_APPROVER", roles: ["EMPLOYEE", "TRANSACTION_APPROVER"] });
    expect(outs).toMatchObject({ organizationRecordId: e.outs.organizationRecordId, role: "TRANSACTION_APPROVER", roles: ["EMPLOYEE", "TRANSACTION_APPROVER"] });
    expect(peopleOf(org.id, "employee").find((p) => p.id === e.outs.organizationRecordId)).toMatchObject({ position: "TRANSACTION_APPROVER" });
    // A department change replaces (no route), removing the old record first (the email stays).
    const moved = await checked(employee, { ...news, department: "Risk" }, news);
    expect(await employee.diff(e.id, outs, moved)).toEqual({ changes: true, replaces: ["department"], deleteBeforeReplace: true });
    expectContract(seq, true);
    void a;
  });

  it("a shareholder's percentage changes in place with identityDocument, a phone and a postal code; without them it replaces", async () => {
    const org = await newOrg();
    const [withDoc, without] = await Promise.all([
      make(shareholder, { organizationId: org.id, person: person("Noor"), ownershipPercentage: 60, identityDocument: passport }),
      make(shareholder, { organizationId: org.id, person: person("Eli"), ownershipPercentage: 40 }),
    ]);
    const up = await checked(shareholder, { ...withDoc.inputs, ownershipPercentage: 50 }, withDoc.inputs);
    expect(await shareholder.diff(withDoc.id, withDoc.outs, up)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    const seq = lastSeq();
    const { outs } = await shareholder.update(withDoc.id, withDoc.outs, up);
    const put = handled(seq, "PUT", `/shareholder/update/${withDoc.outs.organizationRecordId}`)[0];
    expect(put.requestBody).toMatchObject({ organizationId: org.id, sharePercentage: 50, idDocumentType: "PASSPORT", postalCode: "EC1A 1AA", phoneNumber: "+44 20 7946 0000", isUbo: true });
    expect(outs).toMatchObject({ ownershipPercentage: 50, organizationRecordId: withDoc.outs.organizationRecordId });
    expect(peopleOf(org.id, "shareholder").map((p) => p.ownershipPercentage).sort()).toEqual([40, 50]);
    expectContract(seq, true);

    const bump = await checked(shareholder, { ...without.inputs, ownershipPercentage: 50 }, without.inputs);
    expect(await shareholder.diff(without.id, without.outs, bump)).toEqual({ changes: true, replaces: ["ownershipPercentage"], deleteBeforeReplace: true });
    // And update refuses to pretend (the engine replaces instead).
    expect((await failure(shareholder.update(without.id, without.outs, bump))).message).toMatch(/cannot change in place without identityDocument/);
  });

  it("declaring an identity document on a shareholder FinHub cannot update records it without a call", async () => {
    const org = await newOrg();
    const s = await make(shareholder, { organizationId: org.id, person: person("Eli", { telephoneNumbers: [] }), ownershipPercentage: 100 });
    const news = await checked(shareholder, { ...s.inputs, identityDocument: passport }, s.inputs);
    expect(await shareholder.diff(s.id, s.outs, news)).toMatchObject({ changes: true, replaces: [] });
    const seq = lastSeq();
    const { outs } = await shareholder.update(s.id, s.outs, news);
    expect(outs.identityDocument).toEqual(passport);
    expect(handled(seq, "PUT", "")).toEqual([]);
  });

  it("delete: 204 removes, a second delete finds it gone, and a 404 answer counts as gone", async () => {
    const org = await newOrg();
    const d = await make(director, { organizationId: org.id, person: person("Dan"), role: "BOARD_MEMBER" });
    const s = await make(shareholder, { organizationId: org.id, person: person("Sam"), ownershipPercentage: 100 });
    const seq = lastSeq();
    await director.delete(d.id, d.outs);
    expect(handled(seq, "DELETE", `/directors/${d.outs.organizationRecordId}`)[0].status).toBe(204);
    await director.delete(d.id, d.outs); // already gone: no second DELETE
    expect(handled(seq, "DELETE", `/directors/${d.outs.organizationRecordId}`)).toHaveLength(1);
    // Someone else removes it between our look and our DELETE: FinHub's 404 is success.
    await fault({ method: "DELETE", path: `/finhub/api/v2/organizations/${org.id}/shareholders/`, status: 404 });
    await shareholder.delete(s.id, s.outs);
    expect(peopleOf(org.id)).toHaveLength(1); // the injected 404 answered instead of FinHub; the next delete removes it
    await shareholder.delete(s.id, s.outs);
    expect(peopleOf(org.id)).toEqual([]);
    expectContract(seq);
  });
});

/** A proxy in front of the sandbox that rewrites list answers, as FinHub's other pages show them. */
async function rewritingProxy(rewrite: (method: string, path: string, body: any) => any): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !["host", "content-length", "connection"].includes(k))) as Record<string, string>;
    const answer = await fetch(`${sb.url}${req.url}`, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
    const text = await answer.text();
    res.writeHead(answer.status, { "content-type": "application/json" });
    res.end(text ? JSON.stringify(rewrite(req.method ?? "GET", req.url ?? "", JSON.parse(text))) : text);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as any).port}/finhub`, close: () => new Promise((r) => server.close(() => r())) };
}

describe("roles listed in FinHub's other vocabularies", () => {
  it("a listed role outside the add body's values (a director listed as CEO, an employee as ADMIN) is unknown, not drift", async () => {
    const proxy = await rewritingProxy((_method, _path, body) => {
      for (const x of body?.data?.directors ?? []) x.role = "CEO";
      for (const x of body?.data?.employees ?? []) x.role = x.role === "ADMIN_USER" ? "ADMIN" : x.role;
      return body;
    });
    try {
      configure({ "finhub:apiUrl": proxy.url });
      const org = await newOrg();
      const a = await admin(org.id);
      const d = await make(director, { organizationId: org.id, person: person("Dan"), role: "MANAGING_DIRECTOR" });
      expect(d.outs.role).toBe("MANAGING_DIRECTOR");
      expect(a.outs.role).toBe("ADMIN_USER");
      newRun();
      for (const [p, x] of [[director, d], [employee, a]] as const) {
        const read = await p.read(x.id, x.outs);
        expect(read.props).toEqual(x.outs);
        expect(await p.diff(x.id, read.props, x.inputs)).toMatchObject({ changes: false, replaces: [] });
      }
    } finally {
      await proxy.close();
    }
  });
});

describe("credentials", () => {
  it("absent by default: outputs say \"not returned\", never silently empty", async () => {
    const org = await newOrg();
    await admin(org.id);
    const d = await make(director, { organizationId: org.id, person: person("Dan"), role: "BOARD_MEMBER" });
    expect(d.outs).toMatchObject({ username: "", temporaryPassword: "", credentialStatus: "not returned" });
  });

  for (const placement of ["individual", "top"] as const) {
    it(`captured and secret when FinHub returns them (${placement})`, async () => {
      await setDialect({ credentials: placement });
      const org = await newOrg();
      const seq = lastSeq();
      const a = await admin(org.id);
      const d = await make(director, { organizationId: org.id, person: person("Dan"), role: "BOARD_MEMBER" });
      for (const x of [a, d]) {
        expect(x.outs).toMatchObject({ username: expect.stringMatching(/\S/), temporaryPassword: expect.stringMatching(/^Tmp-/), credentialStatus: "captured" });
        expect(redact(`pw ${x.outs.temporaryPassword}`)).toBe("pw [secret]");
      }
      expect(resource("finhub:Director").secretOutputs).toContain("temporaryPassword");
      expect(resource("finhub:Employee").secretOutputs).toContain("temporaryPassword");
      // A refresh keeps them (FinHub's lists never show them again).
      newRun();
      expect((await director.read(d.id, d.outs)).props).toEqual(d.outs);
      expectContract(seq);
    });
  }

  it("\"lost\" when the add's answer was lost (the person exists; reset the password in FinHub)", async () => {
    await setDialect({ credentials: "individual" });
    const org = await newOrg();
    await fault({ method: "POST", path: `/finhub/api/v2.1/customer/organization/${org.id}/director`, dropAnswerAfterHandling: true });
    const d = await make(director, { organizationId: org.id, person: person("Dan"), role: "BOARD_MEMBER" });
    expect(d.outs).toMatchObject({ credentialStatus: "lost", temporaryPassword: "", username: "" });
    expect(peopleOf(org.id, "director")).toHaveLength(1);
  });

  it("\"issued earlier\" when an existing person is taken over", async () => {
    const org = await newOrg();
    const args = { organizationId: org.id, person: person("Dan"), role: "BOARD_MEMBER" };
    const first = await make(director, args);
    const again = await make(director, args);
    expect(again.id).toBe(first.id);
    expect(again.outs).toMatchObject({ adopted: true, credentialStatus: "issued earlier" });
    expect(peopleOf(org.id, "director")).toHaveLength(1);
    // Taken over with a different declaration: refused, naming the field.
    const e = await failure(make(director, { ...args, role: "MANAGING_DIRECTOR" }));
    expect(e.message).toMatch(/already exists, and differs from the stack: role is "BOARD_MEMBER" there, "MANAGING_DIRECTOR" here/);
  });
});

describe("every dialect knob through a whole onboarding to ACTIVE", () => {
  const alternatives: [string, Partial<FinHubDialect>][] = [
    ["documented (default)", {}],
    ...Object.entries(DIALECT_CHOICES).flatMap(([knob, values]) =>
      (values as readonly unknown[]).slice(1).map((v) => [`${knob}=${String(v)}`, { [knob]: v }] as [string, Partial<FinHubDialect>]),
    ),
    ["every alternative at once", Object.fromEntries(Object.entries(DIALECT_CHOICES).map(([k, v]) => [k, (v as readonly unknown[]).at(-1)])) as Partial<FinHubDialect>],
  ];
  for (const [name, d] of alternatives) {
    it(name, async () => {
      await setDialect(d);
      const seq = lastSeq();
      const o = await onboard();
      const status = fh().organizations.find((x) => x.organizationId === o.org.id)!.status;
      expect(status).toBe("ACTIVE");
      for (const x of o.people) {
        expect(x.id).toBe(`${o.org.id}/${x.outs.organizationRecordId}`);
        expect(peopleOf(o.org.id).map((p) => p.id)).toContain(x.outs.organizationRecordId);
        expect(x.outs.credentialStatus).toBe(d.credentials && d.credentials !== "absent" && x.kind !== "shareholder" ? "captured" : "not returned");
      }
      // Read finds every person as declared: nothing drifts, nothing is invented.
      newRun();
      for (const x of o.people) expect((await x.p.read(x.id, x.outs)).props).toEqual(x.outs);
      expect((await activation.read(o.act.id, o.act.outs)).props).toEqual(o.act.outs);
      await destroy(o);
      expectContract(seq, name.startsWith("documented"));
    });
  }

  it("organizationStatus=absent: the organization's status is unknown (empty), never invented", async () => {
    await setDialect({ organizationStatus: "absent" });
    const org = await newOrg();
    expect(org.outs.status).toBe("");
    expect((await organization.read(org.id, org.outs)).props.status).toBe("");
  });
});

describe("exactly once", () => {
  it("a dropped answer on each add, on verify and on activation: one record per declaration, nothing asked twice", async () => {
    const org = await newOrg();
    const orgId = org.id;
    const base = `/finhub/api/v2.1/customer/organization/${orgId}`;
    const seq = lastSeq();
    await fault([
      { method: "POST", path: `${base}/director`, dropAnswerAfterHandling: true },
      { method: "POST", path: `${base}/shareholders`, dropAnswerAfterHandling: true },
      { method: "POST", path: `${base}/verify`, dropAnswerAfterHandling: true },
      { method: "POST", path: `${base}/activation`, dropAnswerAfterHandling: true },
    ]);
    const ada = await admin(orgId);
    await fault({ method: "POST", path: `${base}/employee`, dropAnswerAfterHandling: true });
    const [eve, dan, s1, s2] = await Promise.all([
      make(employee, { organizationId: orgId, person: person("Eve"), role: "EMPLOYEE" }),
      make(director, { organizationId: orgId, person: person("Dan"), role: "MANAGING_DIRECTOR" }),
      make(shareholder, { organizationId: orgId, person: person("Sam"), ownershipPercentage: 70 }),
      make(shareholder, { organizationId: orgId, person: person("Sue"), ownershipPercentage: 30 }),
    ]);
    for (const x of [eve, dan, s1, s2]) expect(x.outs.credentialStatus).toBe("lost");
    expect(eve.outs.userId).toBe("");
    const act = await go(orgId, ada.outs.userId);
    expect(act.outs.status).toBe("ACTIVE");
    expect(act.outs.verificationId).toMatch(/answer lost/);
    expect(peopleOf(orgId, "director")).toHaveLength(1);
    expect(peopleOf(orgId, "shareholder")).toHaveLength(2);
    expect(peopleOf(orgId, "employee")).toHaveLength(2);
    for (const [suffix, times] of [["/director", 1], ["/shareholders", 1], ["/employee", 2], ["/verify", 1]] as const) {
      expect(exchangesSince(seq).filter((r) => r.method === "POST" && r.path.endsWith(suffix))).toHaveLength(times);
    }
    expect(fh().organizations.find((o) => o.organizationId === orgId)!.activation).toBeDefined();
    expect(exchangesSince(seq).filter((r) => r.method === "POST" && r.path.endsWith("/activation") && r.status === 200)).toHaveLength(1);
    expect(logs.join("\n")).toMatch(/is done \(found after its answer was lost\); it is not sent again/);
  });

  it("registration is never sent twice: the error names existingOrganizationId, which then takes the organization over", async () => {
    const email = mail("ops");
    await fault({ method: "POST", path: "/finhub/api/v2.1/customer/organization/registration", dropAnswerAfterHandling: true });
    const e = await failure(newOrg({ email }));
    expect(e.message).toMatch(/set existingOrganizationId to its id/);
    expect(orgsByEmail(email)).toHaveLength(1);
    const existing = orgsByEmail(email)[0].organizationId;
    const taken = await newOrg({ email, existingOrganizationId: existing });
    expect(taken.id).toBe(existing);
    expect(taken.outs).toMatchObject({ organizationId: existing, adopted: true, tenantId: tenant.id, status: "PENDING_VERIFICATION", initialAdminPassword: "" });
    expect(orgsByEmail(email)).toHaveLength(1);
    // The wrong email, or an id of another tenant, is refused.
    expect((await failure(newOrg({ email: mail("other"), existingOrganizationId: existing }))).message).toMatch(/is registered with .*declare its email/);
    expect((await failure(newOrg({ email, existingOrganizationId: FINHUB_SEED.otherOrganization.id }))).message).toMatch(/no organization .* in tenant acme-bank-sandbox/);
    // Destroyed, then destroyed again after it went (out of band): gone is gone, even for one taken over.
    await organization.delete(taken.id, taken.outs);
    expect(orgsByEmail(email)).toEqual([]);
    newRun();
    await organization.delete(taken.id, taken.outs);
    expect(await organization.read(taken.id, taken.outs)).toEqual({ id: "" });
  });

  it("a slow answer (the call times out, FinHub finishes later) on every add, verify and activation: one record each", async () => {
    process.env.ORGSTACK_HTTP_TIMEOUT_MS = "400";
    process.env.ORGSTACK_SETTLE_MS = "4000";
    try {
      configure();
      const org = await newOrg();
      const orgId = org.id;
      const base = `/finhub/api/v2.1/customer/organization/${orgId}`;
      const slow = (path: string) => ({ method: "POST", path, delayMs: 1500 });
      await fault(slow(`${base}/employee`));
      const ada = await admin(orgId);
      expect(ada.outs).toMatchObject({ credentialStatus: "lost", userId: "" });
      await fault([slow(`${base}/director`), slow(`${base}/shareholders`), slow(`${base}/employee`)]);
      const [cora, dan, s1, s2] = await Promise.all([
        make(employee, { organizationId: orgId, person: person("Cora"), role: "COMPLIANCE_OFFICER" }),
        make(director, { organizationId: orgId, person: person("Dan"), role: "MANAGING_DIRECTOR" }),
        make(shareholder, { organizationId: orgId, person: person("Sam"), ownershipPercentage: 50 }),
        make(shareholder, { organizationId: orgId, person: person("Sue"), ownershipPercentage: 50 }),
      ]);
      void [dan, s1, s2];
      // The admin's user id went with its answer; activation acts as the compliance officer (its answer was lost too: read it from FinHub).
      const coraUserId = fh().people.find((p) => p.id === cora.outs.organizationRecordId)!.individualCustomerId;
      await fault([slow(`${base}/verify`), slow(`${base}/activation`)]);
      const act = await go(orgId, coraUserId, { actingRoles: ["COMPLIANCE_OFFICER"] });
      expect(act.outs.status).toBe("ACTIVE");
      expect(peopleOf(orgId, "director")).toHaveLength(1);
      expect(peopleOf(orgId, "shareholder")).toHaveLength(2);
      expect(peopleOf(orgId, "employee")).toHaveLength(2);
      expect(fh().organizations.find((o) => o.organizationId === orgId)!.kyb).toBeDefined();

      // Registration: the answer comes too late; nothing is sent again, and the organization appears once.
      const email = mail("slow");
      await fault(slow("/finhub/api/v2.1/customer/organization/registration"));
      expect((await failure(newOrg({ email }))).message).toMatch(/existingOrganizationId/);
      await sleep(1500);
      expect(orgsByEmail(email)).toHaveLength(1);
    } finally {
      delete process.env.ORGSTACK_HTTP_TIMEOUT_MS;
      process.env.ORGSTACK_SETTLE_MS = "1500";
    }
  });
});

describe("FinHub's rules", () => {
  it("a non-admin employee added in the same run waits for this run's admin", async () => {
    const org = await newOrg();
    const seq = lastSeq();
    // The non-admin's create starts first: FinHub refuses it until the admin exists, and orgstack waits.
    const eve = make(employee, { organizationId: org.id, person: person("Eve"), role: "EMPLOYEE" });
    await sleep(30);
    const ada = admin(org.id);
    await Promise.all([eve, ada]);
    expect(peopleOf(org.id, "employee")).toHaveLength(2);
    const adds = handled(seq, "POST", "/employee").map((r) => r.requestBody.position);
    expect(adds[0]).toBe("ADMIN_USER");
  });

  it("a non-admin with no admin at all fails after the wait, saying what to declare", async () => {
    process.env.ORGSTACK_FINHUB_ADMIN_WAIT_MS = "300";
    try {
      const org = await newOrg();
      const e = await failure(make(employee, { organizationId: org.id, person: person("Eve"), role: "EMPLOYEE" }));
      expect(e.message).toMatch(/MISSING_ADMIN_USER/);
      expect(e.message).toMatch(/dependsOn: \[admin\]/);
      expect(peopleOf(org.id)).toEqual([]);
    } finally {
      process.env.ORGSTACK_FINHUB_ADMIN_WAIT_MS = "3000";
    }
  });

  it("a duplicate email is FinHub's 409, with a clear error", async () => {
    process.env.ORGSTACK_SETTLE_MS = "200";
    try {
      const org = await newOrg();
      const a = await admin(org.id);
      const e = await failure(make(director, { organizationId: org.id, person: { ...person("Dan"), email: a.inputs.person.email }, role: "BOARD_MEMBER" }));
      expect(e.message).toMatch(/409 DUPLICATE_EMAIL/);
      expect(e.message).toMatch(/unique within the tenant/);
      expect(peopleOf(org.id, "director")).toEqual([]);
    } finally {
      process.env.ORGSTACK_SETTLE_MS = "1500";
    }
  });

  it("a duplicate email in a shareholder batch fails that shareholder only", async () => {
    process.env.ORGSTACK_SETTLE_MS = "200";
    try {
      const org = await newOrg();
      const a = await admin(org.id);
      const [dup, ok] = await Promise.allSettled([
        make(shareholder, { organizationId: org.id, person: { ...person("Dup"), email: a.inputs.person.email }, ownershipPercentage: 50 }),
        make(shareholder, { organizationId: org.id, person: person("Sue"), ownershipPercentage: 50 }),
      ]);
      expect(ok.status).toBe("fulfilled");
      expect(dup.status).toBe("rejected");
      expect((dup as PromiseRejectedResult).reason.message).toMatch(/DUPLICATE_EMAIL/);
      expect(peopleOf(org.id, "shareholder")).toHaveLength(1);
    } finally {
      process.env.ORGSTACK_SETTLE_MS = "1500";
    }
  });

  it("activation counts shareholders only toward 100 %: a director's ownership never does", async () => {
    const org = await newOrg();
    const a = await admin(org.id);
    await make(director, { organizationId: org.id, person: person("Dan"), role: "MANAGING_DIRECTOR", ownershipPercentage: 40 });
    await make(shareholder, { organizationId: org.id, person: person("Sam"), ownershipPercentage: 60 });
    const seq = lastSeq();
    const e = await failure(go(org.id, a.outs.userId));
    expect(e.message).toMatch(/the shareholders' ownership totals 60%; activation needs exactly 100% \(directors do not count\)/);
    expect(handled(seq, "POST", "/verify")).toEqual([]); // refused before any compliance call
    await make(shareholder, { organizationId: org.id, person: person("Sue"), ownershipPercentage: 40 });
    expect((await go(org.id, a.outs.userId)).outs.status).toBe("ACTIVE");
  });

  it("activation without any shareholder is refused at once", async () => {
    const org = await newOrg();
    const a = await admin(org.id);
    await make(director, { organizationId: org.id, person: person("Dan"), role: "MANAGING_DIRECTOR", ownershipPercentage: 100 });
    const started = Date.now();
    const e = await failure(go(org.id, a.outs.userId, { timeoutSeconds: 30 }));
    expect(e.message).toMatch(/activation needs shareholders owning 100%/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("a refusal FinHub gives once KYB is approved fails at once, recorded (partial state) with the verification", async () => {
    const org = await newOrg();
    const a = await admin(org.id);
    await make(director, { organizationId: org.id, person: person("Dan"), role: "MANAGING_DIRECTOR" });
    await make(shareholder, { organizationId: org.id, person: person("Sam"), ownershipPercentage: 100 });
    await fault({ method: "POST", path: `/finhub/api/v2.1/customer/organization/${org.id}/activation`, status: 422, count: 1000 });
    const started = Date.now();
    const e = await failure(go(org.id, a.outs.userId, { timeoutSeconds: 30 }));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(e.message).toMatch(/422/);
    expect(e.id).toBe(org.id);
    expect(e.properties.verificationId).toMatch(/\S/);
    await control("DELETE", "/faults");
    // The next up carries on from the partial state: verify is not asked again.
    const seq = lastSeq();
    const news = await checked(activation, { organizationId: org.id, consents: CONSENTS, actingUserId: a.outs.userId, pollIntervalMs: 20, timeoutSeconds: 20 });
    expect(await activation.diff(org.id, e.properties, news)).toMatchObject({ changes: true, replaces: [] });
    const { outs } = await activation.update(org.id, e.properties, news);
    expect(outs.status).toBe("ACTIVE");
    expect(handled(seq, "POST", "/verify")).toEqual([]);
    expect(await activation.diff(org.id, outs, news)).toMatchObject({ changes: false });
  });

  it("the acting user must be an ADMIN_USER or COMPLIANCE_OFFICER employee of the organization (its userId)", async () => {
    const org = await newOrg();
    const ada = await admin(org.id);
    const eve = await make(employee, { organizationId: org.id, person: person("Eve"), role: "EMPLOYEE" });
    await make(director, { organizationId: org.id, person: person("Dan"), role: "MANAGING_DIRECTOR" });
    await make(shareholder, { organizationId: org.id, person: person("Sam"), ownershipPercentage: 100 });
    expect((await failure(go(org.id, eve.outs.userId))).message).toMatch(/403/);
    const bad = await activation.check({}, { organizationId: org.id, consents: CONSENTS, actingUserId: "" });
    expect(bad.failures?.[0]).toMatchObject({ property: "actingUserId" });
    expect(bad.failures?.[0].reason).toMatch(/userId output/);
    expect((await go(org.id, ada.outs.userId)).outs.status).toBe("ACTIVE");
  });

  it("tenant isolation: another tenant's organization is not there", async () => {
    const other = FINHUB_SEED.otherOrganization.id;
    const e = await failure(make(director, { organizationId: other, person: person("Dan"), role: "BOARD_MEMBER" }));
    expect(e.message).toMatch(/404/);
    expect(e.message).toMatch(/check finhub:tenantId/);
    expect(await organization.read(other, {})).toEqual({ id: "" });
    expect(await director.read(`${other}/x1`, {})).toEqual({ id: "" });
    expect(fh().people.filter((p) => p.organizationId === other)).toEqual([]);
  });
});

describe("organization", () => {
  it("registers with the runner page's nested body (every declared field sent where it is documented)", async () => {
    const seq = lastSeq();
    const adminPassword = "An-admin-password-1!";
    secrets.add(adminPassword);
    const org = await newOrg({ tradingName: "Acme", country: "GB", incorporationDate: "2015-03-20", legalForm: "LIMITED_LIABILITY_COMPANY", adminPassword });
    const reg = handled(seq, "POST", "/registration")[0];
    expect(reg.requestBody.organizationCustomer.organization).toMatchObject({ legalName: "Acme Ltd", tradingName: "Acme", legalForm: "LIMITED_LIABILITY_COMPANY", addresses: [{ country: "GB" }] });
    expect(org.outs).toMatchObject({ organizationId: org.id, customerId: org.id, tenantId: tenant.id, status: "PENDING_VERIFICATION", initialAdminPassword: "" });
    expect(org.outs.adminPassword).toBeUndefined(); // write-only: never recorded
    const generated = await newOrg();
    expect(generated.outs.initialAdminPassword).toMatch(/\S{20,}/);
    expect(resource("finhub:Organization").secretOutputs).toContain("initialAdminPassword");
    expectContract(seq, true);
    // Import from the id.
    expect((await organization.read(org.id, {})).props).toMatchObject({ organizationId: org.id, status: "PENDING_VERIFICATION" });
  });
});

describe("registration answers", () => {
  it("an answer without the organization's id records nothing and says how to take the organization over", async () => {
    const proxy = await rewritingProxy((method, path, body) => {
      if (method === "POST" && path.endsWith("/registration")) body.data = { individual: false, organization: true, adminEmployees: [] };
      return body;
    });
    try {
      configure({ "finhub:apiUrl": proxy.url });
      const email = mail("cut");
      const e = await failure(newOrg({ email }));
      expect(e.message).toMatch(new RegExp(`nothing was recorded.*set existingOrganizationId to the id FinHub shows for ${email.replace(/\./g, "\\.")}`));
      expect(orgsByEmail(email)).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });
});

describe("preview rules (sdk/finhub/rules.ts)", () => {
  const r = (name: string) => ({ name }) as any;
  const d = (kind: Declared["kind"], name: string, extra: Partial<Declared> = {}): Declared => ({ kind, resource: r(name), name, organizationId: "org-1", ...extra });

  it("the 100 % rule counts shareholders only: directors' ownership never", async () => {
    const ok = await checkRules([
      d("director", "ceo", { email: "c@x.example" }),
      d("shareholder", "a", { email: "a@x.example", ownershipPercentage: 60 }),
      d("shareholder", "b", { email: "b@x.example", ownershipPercentage: 40 }),
    ]);
    expect(ok.warnings.filter((w) => /100%/.test(w))).toEqual([]);
    const off = await checkRules([d("director", "ceo", { email: "c@x.example", ownershipPercentage: 40 }), d("shareholder", "a", { email: "a@x.example", ownershipPercentage: 60 })]);
    expect(off.warnings.join("\n")).toMatch(/own 60% together, not 100%.*directors do not count/);
  });

  it("an Activation of an organization without shareholders warns (a director's shares do not make up for them)", async () => {
    const out = await checkRules([
      d("director", "ceo", { email: "c@x.example", ownershipPercentage: 100 }),
      d("employee", "ada", { email: "a@x.example", role: "ADMIN_USER" }),
      d("activation", "go"),
    ]);
    expect(out.warnings.join("\n")).toMatch(/activation "go": FinHub activates an organization only when its shareholders own 100% \(directors do not count\), and the stack declares no shareholder/);
  });

  it("emails unique within the tenant; employees need an ADMIN_USER", async () => {
    const out = await checkRules([d("employee", "eve", { email: "e@x.example", role: "EMPLOYEE" }), d("shareholder", "dup", { email: "E@x.example", ownershipPercentage: 100 })]);
    expect(out.errors.join("\n")).toMatch(/e@x\.example is used by employee "eve" and shareholder "dup"/);
    expect(out.errors.join("\n")).toMatch(/none of the 1 employee\(s\) .* holds ADMIN_USER/);
  });
});

describe("secrets", () => {
  it("no token, temporary password or admin password in any log line or error of this file", () => {
    expect(secrets.size).toBeGreaterThan(3);
    const text = `${logs.join("\n")}\n${errors.join("\n")}`;
    expect(logs.length).toBeGreaterThan(0);
    for (const s of secrets) expect(text.includes(s), `a secret (${s.slice(0, 3)}…) leaked`).toBe(false);
    expect(text).not.toMatch(/Tmp-[A-Za-z0-9_-]{8}/);
  });
});
