// bitgo:ChildEnterprise provider methods against the sandbox: check, diff (replace vs in place), create
// with the derived idempotency key, membership of additionalAdmins checked before any write, a lost
// answer recovered by the key with no second enterprise (the create is keyed: the transport may send it
// again, and BitGo answers 409 for the key it already used), adding and removing admins in place,
// import from the id alone, both delete modes.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSandbox, SEED, ORG_SEED, RunningSandbox } from "../../sandbox";
import { ensureOrganizationSeed } from "../../sandbox/bitgoOrganizations";
import { setConfig } from "../../provider/config";
import { provider } from "../../provider";
import { resetBitGoClients } from "../../provider/bitgo/client";
import { deriveIdempotencyKey } from "../../provider/bitgo/childEnterprise";

const p = provider("bitgo:ChildEnterprise");
const orgId = SEED.organization.id;
let sb: RunningSandbox;

const enterprises = () => sb.sandbox.state.bitgo.enterprises.filter((e: any) => e.organizationId === orgId);
const posts = () => sb.sandbox.requests.filter((r) => r.method === "POST" && r.path === `/api/v2/organization/${orgId}/enterprise`);

async function inputs(raw: Record<string, unknown>) {
  const r = await p.check(undefined, { organizationId: orgId, logicalName: "proj/dev/customer", ...raw });
  expect(r.failures ?? []).toEqual([]);
  return r.inputs;
}

const ENV = { ORGSTACK_HTTP_BACKOFF_MS: "5", ORGSTACK_SETTLE_MS: "2000", ORGSTACK_RATE_LIMITS: "off" };
const dropNextCreate = () =>
  fetch(`${sb.url}/__sandbox/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ method: "POST", path: `/api/v2/organization/${orgId}/enterprise`, dropAnswerAfterHandling: true }),
  });

beforeAll(async () => {
  Object.assign(process.env, ENV);
  sb = await startSandbox({ rateLimits: false });
});
afterAll(async () => {
  await sb?.stop();
  setConfig(undefined);
  for (const k of Object.keys(ENV)) delete process.env[k];
});
beforeEach(() => {
  sb.sandbox.reset();
  ensureOrganizationSeed(sb.sandbox.state);
  resetBitGoClients();
  const s: Record<string, string> = { "bitgo:apiUrl": sb.url, "bitgo:email": SEED.operator.email, "bitgo:password": SEED.operator.password, "bitgo:otp": "000000" };
  setConfig({ get: (k) => s[k] });
});
afterEach(() => resetBitGoClients());

describe("check and diff", () => {
  it("names the field: malformed organization id, email, admin id, unknown account type", async () => {
    const r = await p.check(undefined, { organizationId: "nope", email: "x", additionalAdmins: ["bob"], accountType: "company", logicalName: "a" });
    expect((r.failures ?? []).map((f) => f.property).sort()).toEqual(["accountType", "additionalAdmins.0", "email", "organizationId"]);
  });

  it("derives a stable key that changes with what would make another enterprise", () => {
    const base = { organizationId: orgId, logicalName: "p/s/a", email: "a@b.example", accountType: "individual" as const, thirdPartyIdentifier: [] };
    expect(deriveIdempotencyKey(base)).toBe(deriveIdempotencyKey({ ...base, email: "A@B.example" }));
    expect(deriveIdempotencyKey(base)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deriveIdempotencyKey(base)).not.toBe(deriveIdempotencyKey({ ...base, logicalName: "p/s/b" }));
    expect(deriveIdempotencyKey(base)).not.toBe(deriveIdempotencyKey({ ...base, accountType: "entity" }));
  });

  it("replaces for email, account type and identifiers; admins and delete mode change in place", async () => {
    const olds: any = { ...(await inputs({ email: "c1@customer.example" })), idempotencyKey: "k", enterpriseId: "e" };
    const news: any = await inputs({ email: "c1@customer.example" });
    expect(await p.diff("e", olds, news)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    expect((await p.diff("e", olds, { ...news, email: "c2@customer.example" })).replaces).toEqual(["email"]);
    expect((await p.diff("e", olds, { ...news, accountType: "entity" })).replaces).toEqual(["accountType"]);
    expect(await p.diff("e", olds, { ...news, onDelete: "freeze" })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(await p.diff("e", olds, { ...news, additionalAdmins: [SEED.users.ops.id] })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });

  it("does not replace (a new enterprise) when only the order of thirdPartyIdentifier or additionalAdmins changes", async () => {
    const ids = [{ id: "c-1", label: "crm" }, { id: "l-9", label: "ledger" }];
    const olds: any = { ...(await inputs({ email: "c1@customer.example", thirdPartyIdentifier: ids, additionalAdmins: [SEED.users.ops.id, SEED.operator.id] })), idempotencyKey: "k" };
    const news: any = await inputs({ email: "C1@customer.example", thirdPartyIdentifier: [...ids].reverse(), additionalAdmins: [SEED.operator.id, SEED.users.ops.id] });
    expect(await p.diff("e", olds, news)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    expect((await p.diff("e", olds, { ...news, thirdPartyIdentifier: [ids[0]] })).replaces).toEqual(["thirdPartyIdentifier"]);
  });
});

describe("create", () => {
  it("creates a child enterprise with its end user and admins, and reads it back", async () => {
    const before = enterprises().length;
    const r = await p.create(await inputs({ email: "Jane@Customer.example", additionalAdmins: [SEED.users.ops.id, ORG_SEED.serviceUser.id], accountType: "entity" }));
    expect(enterprises().length).toBe(before + 1);
    const e = sb.sandbox.state.bitgo.enterprises.find((x: any) => x.id === r.id);
    expect(r.outs).toMatchObject({ enterpriseId: r.id, organizationId: orgId, name: "jane@customer.example", adopted: false, frozen: false });
    expect(r.outs!.userId).toBe(e.members[0].userId);
    expect(e.members.map((m: any) => m.userId).sort()).toEqual([r.outs!.userId, SEED.users.ops.id, ORG_SEED.serviceUser.id].sort());
    expect(e.idempotencyKey).toBe(r.outs!.idempotencyKey);
    expect(r.outs!.onDeleteNote).toMatch(/leaves enterprise .* in place: BitGo has no endpoint that deletes an enterprise/);
    const read = await p.read(r.id, r.outs!);
    expect(read.props).toMatchObject({ name: "jane@customer.example", accountType: "entity" });
  });

  it("rejects an additionalAdmins entry that is not a user of the organization before any write", async () => {
    const err = await p.create(await inputs({ email: "x@customer.example", additionalAdmins: [SEED.users.auditor.id] })).catch((e) => e);
    expect(err.message).toMatch(new RegExp(`^additionalAdmins: ${SEED.users.auditor.id} is not a user of organization`));
    expect(posts()).toEqual([]);
    // a customer (role customer) is not allowed either
    const err2 = await p.create(await inputs({ email: "x@customer.example", additionalAdmins: [ORG_SEED.customer.id] })).catch((e) => e);
    expect(err2.message).toMatch(/^additionalAdmins:/);
    expect(posts()).toEqual([]);
  });

  it("recovers a lost answer through the idempotency key: no second enterprise", async () => {
    await dropNextCreate();
    const before = enterprises().length;
    const r = await p.create(await inputs({ email: "lost@customer.example" }));
    expect(enterprises().length).toBe(before + 1);
    // The keyed create was sent again with the same key; BitGo made nothing new (409 for a used key).
    expect(posts().map((q) => [q.dropped, q.status])).toEqual([[true, 200], [false, 409]]);
    expect(posts()[1].requestBody.idempotencyKey).toBe(posts()[0].requestBody.idempotencyKey);
    const e = sb.sandbox.state.bitgo.enterprises.find((x: any) => x.id === r.id);
    expect(r.outs).toMatchObject({ enterpriseId: e.id, name: "lost@customer.example", idempotencyKey: e.idempotencyKey });
    expect(r.outs!.userId).toBe(e.endUserId);
    // A whole second run (the engine retrying create) sends the keyed POST once more: BitGo answers 409
    // for the used key, and the enterprise is found by the key and taken over. Still one enterprise.
    resetBitGoClients();
    const again = await p.create(await inputs({ email: "lost@customer.example" }));
    expect(again.id).toBe(r.id);
    expect(again.outs!.adopted).toBe(true);
    expect(posts().map((q) => q.status)).toEqual([200, 409, 409]);
    expect(enterprises().length).toBe(before + 1);
  });

  it("reports the end user's id after a lost answer when additionalAdmins were checked first", async () => {
    await dropNextCreate();
    const r = await p.create(await inputs({ email: "lost-admins@customer.example", additionalAdmins: [SEED.users.ops.id] }));
    expect(posts().filter((q) => q.status === 200)).toHaveLength(1);
    const e = sb.sandbox.state.bitgo.enterprises.find((x: any) => x.id === r.id);
    expect(r.outs!.userId).toBe(e.endUserId);
    expect(r.outs!.additionalAdmins).toEqual([SEED.users.ops.id]);
  });

  it("five creates in one run, one answer lost: exactly five enterprises, each its own", async () => {
    await dropNextCreate();
    const before = enterprises().length;
    const made = await Promise.all([1, 2, 3, 4, 5].map(async (n) => p.create(await inputs({ email: `c${n}@customer.example`, logicalName: `proj/dev/c${n}` }))));
    expect(enterprises().length).toBe(before + 5);
    expect(new Set(made.map((m) => m.id)).size).toBe(5);
    expect(posts().filter((q) => q.status === 200)).toHaveLength(5);
    for (const [i, m] of made.entries()) expect(sb.sandbox.state.bitgo.enterprises.find((x: any) => x.id === m.id).name).toBe(`c${i + 1}@customer.example`);
  });

  it("refresh reads the organization's list of children once, not each enterprise; one frozen out of band shows", async () => {
    const made = await Promise.all([1, 2, 3].map(async (n) => p.create(await inputs({ email: `r${n}@customer.example`, logicalName: `proj/dev/r${n}` }))));
    sb.sandbox.state.bitgo.enterprises.find((x: any) => x.id === made[1].id).frozen = { time: new Date().toISOString() };
    resetBitGoClients();
    sb.sandbox.requests.length = 0;
    const reads = await Promise.all(made.map((m) => p.read(m.id, m.outs)));
    expect(reads.map((r) => r.props!.frozen)).toEqual([false, true, false]);
    expect(reads.map((r) => r.props!.name)).toEqual(["r1@customer.example", "r2@customer.example", "r3@customer.example"]);
    const gets = sb.sandbox.requests.filter((q) => q.method === "GET").map((q) => q.path);
    expect(gets.filter((x) => x === `/api/v2/organization/${orgId}/enterprise`)).toHaveLength(1);
    expect(gets.filter((x) => x.startsWith("/api/v2/enterprise/"))).toEqual([]);
  });

  it("imports an enterprise from its id alone (pulumi import)", async () => {
    const r = await p.create(await inputs({ email: "import@customer.example", accountType: "entity" }));
    resetBitGoClients();
    const read = await p.read(r.id, {});
    expect(read.id).toBe(r.id);
    expect(read.props).toMatchObject({ enterpriseId: r.id, organizationId: orgId, name: "import@customer.example", accountType: "entity", frozen: false });
    expect(read.props!.onDeleteNote).toMatch(/leaves enterprise/);
    expect(read.props).not.toHaveProperty("idempotencyKey"); // not shown by BitGo, and not derivable without the email
    expect((await p.read("0123456789abcdef0123456789abcdef", {})).id).toBe("");
  });
});

describe("update and delete", () => {
  it("adds an admin in place through the organization route", async () => {
    const r = await p.create(await inputs({ email: "grow@customer.example" }));
    const u = await p.update(r.id, r.outs!, await inputs({ email: "grow@customer.example", additionalAdmins: [SEED.users.ops.id] }));
    expect(u.outs!.additionalAdmins).toEqual([SEED.users.ops.id]);
    expect(u.outs!.enterpriseId).toBe(r.id);
    const e = sb.sandbox.state.bitgo.enterprises.find((x: any) => x.id === r.id);
    expect(e.members.find((m: any) => m.userId === SEED.users.ops.id)?.permissions).toEqual(["admin"]);
    expect(sb.sandbox.requests.some((q) => q.method === "POST" && q.path === `/api/v2/organization/${orgId}/enterprise/${r.id}/user`)).toBe(true);
  });

  it("a lost answer on adding an admin is looked for (in the organization's user list), never sent twice", async () => {
    const r = await p.create(await inputs({ email: "lost-admin@customer.example" }));
    const path = `/api/v2/organization/${orgId}/enterprise/${r.id}/user`;
    await fetch(`${sb.url}/__sandbox/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ method: "POST", path, dropAnswerAfterHandling: true }) });
    const u = await p.update(r.id, r.outs!, await inputs({ email: "lost-admin@customer.example", additionalAdmins: [SEED.users.ops.id] }));
    expect(u.outs!.additionalAdmins).toEqual([SEED.users.ops.id]);
    expect(sb.sandbox.requests.filter((q) => q.method === "POST" && q.path === path)).toHaveLength(1);
    expect(sb.sandbox.state.bitgo.enterprises.find((x: any) => x.id === r.id).members.filter((m: any) => m.userId === SEED.users.ops.id)).toHaveLength(1);
  });

  const member = (eid: string, userId: string) => sb.sandbox.state.bitgo.enterprises.find((x: any) => x.id === eid).members.some((m: any) => m.userId === userId);
  const removals = (eid: string) => sb.sandbox.requests.filter((q) => q.method === "DELETE" && q.path === `/api/v2/enterprise/${eid}/user`);

  it("removes an additionalAdmins entry from the enterprise in place", async () => {
    const admins = [SEED.operator.id, SEED.users.ops.id];
    const r = await p.create(await inputs({ email: "shrink@customer.example", additionalAdmins: admins }));
    expect(member(r.id, SEED.users.ops.id)).toBe(true);
    const u = await p.update(r.id, r.outs!, await inputs({ email: "shrink@customer.example", additionalAdmins: [SEED.operator.id] }));
    expect(u.outs!.additionalAdmins).toEqual([SEED.operator.id]);
    expect(member(r.id, SEED.users.ops.id)).toBe(false);
    expect(member(r.id, SEED.operator.id)).toBe(true);
    expect(removals(r.id).map((q) => q.requestBody)).toEqual([{ username: SEED.users.ops.email }]);
  });

  it("removes an admin from the enterprise even after the admin left the organization", async () => {
    const r = await p.create(await inputs({ email: "left@customer.example", additionalAdmins: [SEED.operator.id, SEED.users.ops.id] }));
    await fetch(`${sb.url}/__sandbox/bitgo/organizations/${orgId}/users/${SEED.users.ops.id}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ role: null }),
    });
    resetBitGoClients();
    const u = await p.update(r.id, r.outs!, await inputs({ email: "left@customer.example", additionalAdmins: [SEED.operator.id] }));
    expect(u.outs!.additionalAdmins).toEqual([SEED.operator.id]);
    expect(member(r.id, SEED.users.ops.id)).toBe(false);
  });

  it("reports a removal that needs approval, keeps the admin in state, and does not ask twice on a rerun", async () => {
    const r = await p.create(await inputs({ email: "approve@customer.example", additionalAdmins: [SEED.operator.id, SEED.users.ops.id] }));
    sb.sandbox.state.bitgo.enterprises.find((x: any) => x.id === r.id).approvalsRequired = 2;
    const news = await inputs({ email: "approve@customer.example", additionalAdmins: [SEED.operator.id], onDelete: "freeze" });
    const err = await p.update(r.id, r.outs!, news).catch((e) => e);
    expect(err.message).toMatch(/removing ops@acme\.example from enterprise [0-9a-f]{32} needs another admin's approval \(pending approval [0-9a-f]{32}\)/);
    // partial state: the admin is still there (so the next up tries again), the rest of the update is kept
    expect(err.properties.additionalAdmins).toEqual([SEED.operator.id, SEED.users.ops.id].sort());
    expect(err.properties.onDelete).toBe("freeze");
    expect(member(r.id, SEED.users.ops.id)).toBe(true);
    expect(removals(r.id)).toHaveLength(1);
    const approvalId = err.message.match(/pending approval ([0-9a-f]{32})/)[1];

    resetBitGoClients();
    const again = await p.update(r.id, err.properties, news).catch((e) => e);
    expect(again.message).toContain(approvalId);
    expect(removals(r.id)).toHaveLength(1); // the same approval, not a second request

    await fetch(`${sb.url}/__sandbox/bitgo/pendingapprovals/${approvalId}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ state: "approved" }) });
    expect(member(r.id, SEED.users.ops.id)).toBe(false);
    resetBitGoClients();
    const done = await p.update(r.id, err.properties, news);
    expect(done.outs!.additionalAdmins).toEqual([SEED.operator.id]);
  });

  it("refresh shows an admin removed out of band as drift, and keeps the admins when the member list cannot be read", async () => {
    const r = await p.create(await inputs({ email: "drift@customer.example", additionalAdmins: [SEED.operator.id, SEED.users.ops.id] }));
    await fetch(`${sb.url}/__sandbox/bitgo/enterprise/${r.id}/user/${SEED.users.ops.id}`, { method: "DELETE" });
    resetBitGoClients();
    const read = await p.read(r.id, r.outs!);
    expect(read.props!.additionalAdmins).toEqual([SEED.operator.id]);
    expect(read.inputs!.additionalAdmins).toEqual([SEED.operator.id]);
    // the next up puts the admin back in place
    const news = await inputs({ email: "drift@customer.example", additionalAdmins: [SEED.operator.id, SEED.users.ops.id] });
    expect(await p.diff(r.id, read.props!, news)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    const u = await p.update(r.id, read.props!, news);
    expect(u.outs!.additionalAdmins).toEqual([SEED.operator.id, SEED.users.ops.id].sort());
    expect(member(r.id, SEED.users.ops.id)).toBe(true);

    // a member list that fails is not drift (ops is gone again, but the call to see it fails)
    await fetch(`${sb.url}/__sandbox/bitgo/enterprise/${r.id}/user/${SEED.users.ops.id}`, { method: "DELETE" });
    await fetch(`${sb.url}/__sandbox/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ method: "GET", path: `/api/v1/enterprise/${r.id}/user`, status: 500, count: 20 }),
    });
    resetBitGoClients();
    const kept = await p.read(r.id, u.outs!);
    expect(kept.props!.additionalAdmins).toEqual([SEED.operator.id, SEED.users.ops.id].sort());
    expect(sb.sandbox.requests.filter((q) => q.path === `/api/v1/enterprise/${r.id}/user` && q.status === 500).length).toBeGreaterThan(0);
    await fetch(`${sb.url}/__sandbox/faults`, { method: "DELETE" });
    resetBitGoClients();
    expect((await p.read(r.id, u.outs!)).props!.additionalAdmins).toEqual([SEED.operator.id]);
  });

  it("refresh shows drift even when the operator is not a member of the child (its own list is closed): from the organization's user list", async () => {
    const r = await p.create(await inputs({ email: "outside@customer.example", additionalAdmins: [SEED.users.ops.id, ORG_SEED.serviceUser.id] }));
    expect(member(r.id, SEED.operator.id)).toBe(false);
    await fetch(`${sb.url}/__sandbox/bitgo/enterprise/${r.id}/user/${SEED.users.ops.id}`, { method: "DELETE" });
    resetBitGoClients();
    const read = await p.read(r.id, r.outs!);
    // ops is gone; the service user (whom the organization's list leaves out) keeps its place.
    expect(read.props!.additionalAdmins).toEqual([ORG_SEED.serviceUser.id]);
    expect(sb.sandbox.requests.some((q) => q.path === `/api/v1/enterprise/${r.id}/user` && q.status === 404)).toBe(true);
  });

  it("leaves the enterprise by default, saying so; freezes it with onDelete: freeze", async () => {
    const left = await p.create(await inputs({ email: "leave@customer.example" }));
    const logs: string[] = [];
    const orig = console.log;
    console.log = (s: string) => logs.push(String(s));
    try {
      await p.delete(left.id, left.outs!);
    } finally {
      console.log = orig;
    }
    expect(logs.join("\n")).toMatch(/WARNING: enterprise [0-9a-f]{32} .* is NOT deleted: BitGo has no endpoint that deletes an enterprise/);
    expect(sb.sandbox.state.bitgo.enterprises.find((x: any) => x.id === left.id).frozen).toBeUndefined();

    const frozen = await p.create(await inputs({ email: "freeze@customer.example", onDelete: "freeze", freezeSeconds: 600 }));
    await p.delete(frozen.id, frozen.outs!);
    const e = sb.sandbox.state.bitgo.enterprises.find((x: any) => x.id === frozen.id);
    expect(e.frozen).toBeDefined();
    const freezeCall = sb.sandbox.requests.find((q) => q.path === `/api/v2/enterprise/${frozen.id}/freeze`);
    expect(freezeCall?.requestBody).toEqual({ duration: "600" });
    resetBitGoClients();
    expect((await p.read(frozen.id, frozen.outs!)).props).toMatchObject({ frozen: true });
  });
});
