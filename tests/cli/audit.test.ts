// The review's reading of a stack's state and its rules, on hand-made states and vendor readings: each
// rule fires on the case it names and stays quiet on its near miss.
import { describe, expect, it } from "vitest";
import { Rule, audit } from "../../cli/audit";
import { readDeclared } from "../../cli/declared";
import { reviewJson, reviewMarkdown } from "../../cli/reviewReport";
import { resourcesOf } from "../../cli/stackSource";
import { addSecret } from "../../provider/kit/secrets";
import { IDS, liveEnterprise, liveOf, liveWallet, secret, stackExport } from "./fixtures";

const NOW = new Date("2026-11-20T12:00:00Z");
const run = (resources: Parameters<typeof stackExport>[0], live: ReturnType<typeof liveOf>, ignore: Rule[] = []) =>
  audit(readDeclared(resourcesOf(stackExport(resources))), live, { now: NOW, maxApprovalAgeDays: 7, ignore, stack: "dev" });
const rules = (r: { findings: { rule: string }[] }) => r.findings.map((f) => f.rule).sort();

const custodyAdmin = { kind: "bitgo:EnterpriseUser", name: "ops-admin", inputs: { enterpriseId: IDS.enterprise, username: "ops@acme.example", permissions: ["admin"], videoApprover: true }, outputs: { userId: IDS.ops } };
const member = (userId: string, username: string, isAdmin: boolean, extra: object = {}) => ({ userId, username, isAdmin, permissions: isAdmin ? ["admin"] : [], active: true, ...extra });

describe("reading the stack's state", () => {
  it("reads every per-member kind, from dynamic and plugin type tokens, and skips secrets and resources being deleted", () => {
    const d = readDeclared(
      resourcesOf(
        stackExport([
          custodyAdmin,
          { kind: "bitgo:EnterpriseUser", name: "gone", inputs: { enterpriseId: IDS.enterprise, username: "old@acme.example", permissions: [] }, delete: true },
          { kind: "bitgo:OrganizationUser", name: "org-admin", plugin: true, inputs: { organizationId: IDS.organization, username: "ops-lead@acme.example", role: "admin", mode: "assert" }, outputs: { userId: IDS.operator } },
          { kind: "bitgo:ChildEnterprise", name: "customer", inputs: { organizationId: IDS.organization, email: "alice@customer.example", additionalAdmins: [IDS.operator] }, outputs: { enterpriseId: "c".repeat(32), userId: "d".repeat(32), name: "Alice" } },
          { kind: "bitgo:WalletShare", name: "auditor", inputs: { coin: "tbtc", walletId: IDS.wallet, user: "auditor@acme.example", permissions: ["view"], walletPassphrase: secret() }, outputs: { toUser: IDS.auditor, state: "active", walletLabel: "Hot" } },
          { kind: "finhub:Shareholder", name: "founder", inputs: { organizationId: IDS.finhub, person: { firstName: "Noor", lastName: "Haddad", email: "Noor@Acme.example" }, ownershipPercentage: 60 }, outputs: { temporaryPassword: secret() } },
          { kind: "bitgo:Webhook", name: "future", inputs: {} },
        ]),
      ),
    );
    expect([...d.enterprises.keys()].sort()).toEqual([IDS.enterprise, "c".repeat(32)].sort());
    expect(d.enterprises.get(IDS.enterprise)!.members.map((m) => m.username)).toEqual(["ops@acme.example"]);
    const child = d.enterprises.get("c".repeat(32))!;
    expect(child).toMatchObject({ child: true, organizationId: IDS.organization, name: "Alice" });
    expect(child.members.map((m) => m.username ?? m.userId)).toEqual(["alice@customer.example", IDS.operator]);
    expect(d.organizations.get(IDS.organization)).toMatchObject({ children: ["c".repeat(32)], users: [{ username: "ops-lead@acme.example", role: "admin", mode: "assert" }] });
    expect(d.wallets.get(IDS.wallet)!.users[0]).toMatchObject({ username: "auditor@acme.example", userId: IDS.auditor, permissions: ["view"], state: "active" });
    expect(d.finhub.get(IDS.finhub)!.shareholders[0]).toMatchObject({ email: "noor@acme.example", name: "Noor Haddad", percentage: 60, beneficialOwner: true });
    expect(d.directory.get(IDS.operator)).toBe("ops-lead@acme.example");
    expect(d.unknownKinds).toEqual(["bitgo:Webhook"]);
    expect(JSON.stringify([...d.wallets.values()])).not.toContain("ciphertext");
  });

  it("reads the authoritative resources by their shapes: declared lists from the inputs, keep, unmanaged, and what they last saw", () => {
    const d = readDeclared(
      resourcesOf(
        stackExport([
          {
            kind: "bitgo:EnterpriseAccess",
            name: "custody-admins",
            inputs: { enterpriseId: IDS.enterprise, members: [{ username: "ops@acme.example", permissions: ["admin"], videoApprover: true }, { username: "audit@acme.example", permissions: ["auditor"] }], unmanaged: "report", keep: ["SVC@acme.example"] },
            // The live list is an output of the same name: it must not be read as the declaration.
            outputs: { members: [{ username: "intruder@evil.example", userId: IDS.mallory, permissions: ["admin"], status: "active" }], unmanagedMembers: [{ username: "intruder@evil.example", userId: IDS.mallory, permissions: ["admin"] }] },
          },
          {
            kind: "bitgo:WalletAccess",
            name: "hot",
            inputs: { coin: "tbtc", walletId: IDS.wallet, users: [{ user: IDS.auditor, permissions: ["view"] }], keep: [] },
            outputs: { walletLabel: "Hot", unmanagedUsers: [{ user: "someone@acme.example", userId: IDS.mallory, permissions: ["spend"], status: "invited" }] },
          },
        ]),
      ),
    );
    const e = d.enterprises.get(IDS.enterprise)!;
    expect(e.members.map((m) => [m.username, m.permissions, m.videoApprover])).toEqual([
      ["ops@acme.example", ["admin"], true],
      ["audit@acme.example", ["auditor"], false],
    ]);
    expect(e.authoritative).toEqual({ resource: "custody-admins", unmanaged: "report", keep: ["svc@acme.example"], seenUnmanaged: [{ username: "intruder@evil.example", userId: IDS.mallory, permissions: ["admin"] }] });
    const w = d.wallets.get(IDS.wallet)!;
    expect(w.users).toEqual([{ userId: IDS.auditor, permissions: ["view"], resource: "hot" }]);
    expect(w.label).toBe("Hot");
    expect(w.authoritative).toMatchObject({ unmanaged: "remove", seenUnmanaged: [{ username: "someone@acme.example", userId: IDS.mallory, permissions: ["spend"] }] });
  });
});

describe("enterprise findings", () => {
  it("a single active admin, no video approver: both flagged; the operator is not an undeclared admin", () => {
    const r = run([custodyAdmin], liveOf({ enterprises: [liveEnterprise({ members: [member(IDS.operator, "ops-lead@acme.example", true), member(IDS.ops, "ops@acme.example", true, { active: false })] })] }));
    expect(rules(r)).toEqual(["no-video-approver", "single-admin"]);
    const rows = r.units[0].rows;
    expect(rows.find((x) => x.user === "ops-lead@acme.example")).toMatchObject({ standing: "operator", status: "active" });
    expect(rows.find((x) => x.user === "ops@acme.example")).toMatchObject({ standing: "declared", status: "invited (not signed up)", declared: ["admin"] });
  });

  it("no active admin at all is no-admin; an approved video approver among two admins is clean", () => {
    expect(rules(run([custodyAdmin], liveOf({ enterprises: [liveEnterprise({ members: [member(IDS.ops, "ops@acme.example", true, { active: false })] })] })))).toEqual(["no-admin"]);
    const clean = run(
      [custodyAdmin],
      liveOf({ enterprises: [liveEnterprise({ members: [member(IDS.operator, "ops-lead@acme.example", true), member(IDS.ops, "ops@acme.example", true)], videoApprovers: [{ userId: IDS.ops, state: "approved" }] })] }),
    );
    expect(clean.findings).toEqual([]);
    expect(clean.units[0].rows.find((x) => x.userId === IDS.ops)!.videoApprover).toBe("approved");
  });

  it("a video approver whose video ID is not approved yet still leaves the finding, naming the state", () => {
    const r = run(
      [custodyAdmin],
      liveOf({ enterprises: [liveEnterprise({ members: [member(IDS.operator, "ops-lead@acme.example", true), member(IDS.ops, "ops@acme.example", true)], videoApprovers: [{ userId: IDS.ops, state: "awaitingApproval" }] })] }),
    );
    expect(r.findings).toEqual([expect.objectContaining({ rule: "no-video-approver", message: expect.stringContaining("ops@acme.example: awaitingApproval") })]);
  });

  it("an undeclared admin, and a declared auditor who holds admin, are undeclared-admin; a kept user is not", () => {
    const auditorDeclared = { kind: "bitgo:EnterpriseUser", name: "audit", inputs: { enterpriseId: IDS.enterprise, username: "auditor@acme.example", permissions: ["auditor"] } };
    const approved = [{ userId: IDS.ops, state: "approved" }];
    const members = [member(IDS.operator, "ops-lead@acme.example", true), member(IDS.ops, "ops@acme.example", true), member(IDS.auditor, "auditor@acme.example", true), member(IDS.mallory, "mallory@evil.example", true)];
    const r = run([custodyAdmin, auditorDeclared], liveOf({ enterprises: [liveEnterprise({ members, videoApprovers: approved })] }));
    expect(r.findings.map((f) => [f.rule, f.who])).toEqual([
      ["undeclared-admin", "auditor@acme.example"],
      ["undeclared-admin", "mallory@evil.example"],
    ]);
    expect(r.findings[0].message).toBe("auditor@acme.example is declared with auditor but holds admin");
    const kept = run(
      [{ kind: "bitgo:EnterpriseAccess", name: "acl", inputs: { enterpriseId: IDS.enterprise, members: [{ username: "ops@acme.example", permissions: ["admin"] }, { username: "auditor@acme.example", permissions: ["admin"] }], keep: ["mallory@evil.example"] } }],
      liveOf({ enterprises: [liveEnterprise({ members, videoApprovers: approved })] }),
    );
    expect(kept.findings).toEqual([]);
    expect(kept.units[0].rows.find((x) => x.userId === IDS.mallory)!.standing).toBe("kept");
    expect(kept.units[0].facts).toContain("authoritative: acl (unmanaged: remove; keep: mallory@evil.example)");
  });

  it("only the admin flag read: admin is still judged, other permissions are said to be unread", () => {
    const r = run([custodyAdmin], liveOf({ enterprises: [liveEnterprise({ members: [{ userId: IDS.mallory, username: "mallory@evil.example", isAdmin: true, active: true }] })] }));
    expect(r.findings.map((f) => f.rule)).toContain("undeclared-admin");
    expect(reviewMarkdown(r)).toContain("admin (other permissions not read)");
  });

  it("a declared member waiting for an approval is shown as such; approvals older than the limit are stale when BitGo dates them", () => {
    const approvals = [
      { id: "ap-old", state: "pending", what: "add ops@acme.example as admin", createdAt: "2026-11-01T00:00:00Z" },
      { id: "ap-new", state: "pending", what: "remove x@acme.example", createdAt: "2026-11-19T00:00:00Z" },
      { id: "ap-undated", state: "pending", what: "update y@acme.example" },
    ];
    const r = run([custodyAdmin], liveOf({ enterprises: [liveEnterprise({ members: [member(IDS.operator, "ops-lead@acme.example", true)], approvals })] }), ["no-video-approver", "single-admin"]);
    expect(r.findings).toEqual([expect.objectContaining({ rule: "stale-approval", message: expect.stringContaining("ap-old") })]);
    expect(r.units[0].approvals.map((a) => a.ageDays)).toEqual([19, 1, undefined]);
    expect(r.units[0].rows.find((x) => x.user === "ops@acme.example")).toMatchObject({ standing: "declared", status: "waiting for approval ap-old", permissions: [] });
    expect(r.ignored).toEqual(["no-video-approver", "single-admin"]);
  });

  it("a member list that could not be read is unreadable, and the admin rules do not guess", () => {
    const r = run([custodyAdmin], liveOf({ enterprises: [liveEnterprise({ errors: ["listing the enterprise's users: BitGo 403"] })] }));
    expect(rules(r)).toEqual(["unreadable"]);
  });
});

describe("wallet, organization and FinHub findings", () => {
  const share = (user: string, permissions: string[], state?: string) => ({ kind: "bitgo:WalletShare", name: `share-${user.split("@")[0]}`, inputs: { coin: "tbtc", walletId: IDS.wallet, user, permissions }, outputs: { state: state ?? "accepted" } });

  it("spend or admin held by someone not declared with it, now or through a waiting share; a refused share of a declared user is shown", () => {
    const r = run(
      [share("ops@acme.example", ["spend", "view"]), share("auditor@acme.example", ["view"], "rejected")],
      liveOf({
        wallets: [
          liveWallet({
            users: [
              { userId: IDS.operator, username: "ops-lead@acme.example", permissions: ["admin", "spend", "view"] },
              { userId: IDS.ops, username: "ops@acme.example", permissions: ["admin", "spend", "view"] },
            ],
            shares: [
              { shareId: "s1", userId: IDS.auditor, username: "auditor@acme.example", permissions: ["view"], state: "rejected" },
              { shareId: "s2", userId: IDS.mallory, username: "mallory@evil.example", permissions: ["spend", "view"], state: "active" },
            ],
          }),
        ],
      }),
    );
    expect(r.findings.map((f) => [f.rule, f.who])).toEqual([
      ["undeclared-admin", "ops@acme.example"],
      ["undeclared-spend", "mallory@evil.example"],
    ]);
    expect(r.findings[1].message).toBe("mallory@evil.example has a waiting share that would give spend and is not declared");
    expect(r.units[0].rows.find((x) => x.user === "auditor@acme.example")).toMatchObject({ standing: "declared", status: "share rejected by the recipient" });
  });

  it("OrganizationAccess: its users are the declaration, keep is left alone, what it last saw keeps its role", () => {
    const resources = [
      {
        kind: "bitgo:OrganizationAccess",
        name: "org",
        inputs: { organizationId: IDS.organization, users: [{ username: "auditor@acme.example", role: "member" }], unmanaged: "remove", keep: ["svc@acme.example"] },
        outputs: { unmanagedUsers: [{ username: "mallory@evil.example", userId: IDS.mallory, role: "admin", status: "active" }] },
      },
    ];
    const d = readDeclared(resourcesOf(stackExport(resources)));
    expect(d.organizations.get(IDS.organization)).toMatchObject({ users: [{ username: "auditor@acme.example", role: "member" }], authoritative: { keep: ["svc@acme.example"], seenUnmanaged: [{ username: "mallory@evil.example", permissions: ["admin"] }] } });
    const users = [
      { userId: IDS.auditor, username: "auditor@acme.example", role: "member" },
      { userId: IDS.ops, username: "svc@acme.example", role: "admin" },
      { userId: IDS.mallory, username: "mallory@evil.example", role: "admin" },
    ];
    const r = run(resources, liveOf({ organizations: [{ id: IDS.organization, name: "Acme", users, approvals: [], errors: [] }] }));
    expect(r.findings.map((f) => [f.rule, f.who])).toEqual([["undeclared-admin", "mallory@evil.example"]]);
    expect(r.units[0].rows.map((x) => x.standing)).toEqual(["declared", "kept", "not declared"]);
  });

  it("an organization admin nobody declared is undeclared-admin; a declared member is not", () => {
    const r = run(
      [{ kind: "bitgo:OrganizationUser", name: "analyst", inputs: { organizationId: IDS.organization, username: "auditor@acme.example", role: "member" } }],
      liveOf({
        organizations: [
          {
            id: IDS.organization,
            name: "Acme",
            users: [
              { userId: IDS.auditor, username: "auditor@acme.example", role: "member" },
              { userId: IDS.mallory, username: "mallory@evil.example", role: "admin" },
              { userId: IDS.operator, username: "ops-lead@acme.example", role: "admin" },
            ],
            approvals: [],
            errors: [],
          },
        ],
      }),
    );
    expect(r.findings.map((f) => [f.rule, f.who])).toEqual([["undeclared-admin", "mallory@evil.example"]]);
  });

  it("FinHub: an undeclared ADMIN_USER, TRANSACTION_APPROVER or beneficial owner is flagged; a declared person missing from FinHub is listed", () => {
    const person = (email: string) => ({ firstName: "A", lastName: "B", email });
    const r = run(
      [
        { kind: "finhub:Organization", name: "acme", inputs: { legalName: "Acme Ltd" }, outputs: { organizationId: IDS.finhub, status: "ACTIVE" } },
        { kind: "finhub:Employee", name: "admin", inputs: { organizationId: IDS.finhub, person: person("ada@acme.example"), role: "ADMIN_USER" } },
        { kind: "finhub:Director", name: "ceo", inputs: { organizationId: IDS.finhub, person: person("ceo@acme.example"), role: "MANAGING_DIRECTOR" } },
        { kind: "finhub:Employee", name: "analyst", inputs: { organizationId: IDS.finhub, person: person("ben@acme.example"), role: "EMPLOYEE" } },
      ],
      liveOf({
        finhub: [
          {
            id: IDS.finhub,
            status: "ACTIVE",
            employees: [
              { email: "ada@acme.example", name: "A B", role: "ADMIN_USER" },
              { email: "eve@acme.example", name: "Eve", role: "ADMIN_USER" },
              { email: "tom@acme.example", name: "Tom", role: "TRANSACTION_APPROVER" },
              { email: "ann@acme.example", name: "Ann", role: "EMPLOYEE" },
              { email: "ben@acme.example", name: "Ben", role: "ADMIN_USER" },
            ],
            directors: [],
            shareholders: [
              { email: "big@acme.example", name: "Big", percentage: 30 },
              { email: "small@acme.example", name: "Small", percentage: 10 },
            ],
            errors: [],
          },
        ],
      }),
    );
    expect(r.findings.map((f) => [f.rule, f.who])).toEqual([
      ["undeclared-admin", "eve@acme.example"],
      ["undeclared-approver", "tom@acme.example"],
      ["undeclared-admin", "ben@acme.example"],
      ["undeclared-beneficial-owner", "big@acme.example"],
    ]);
    expect(r.findings[2].message).toBe("ben@acme.example is declared as EMPLOYEE but holds ADMIN_USER");
    expect(r.units[0].rows.find((x) => x.user === "ceo@acme.example")).toMatchObject({ standing: "declared", status: "missing (declared, not listed by FinHub)" });
  });
});

describe("the reports", () => {
  it("Markdown escapes what the vendor names, JSON carries the same findings, and neither shows a registered secret", () => {
    addSecret("hunter2-totp-secret-value");
    const live = liveOf({ enterprises: [liveEnterprise({ name: "Evil | <b>Co</b>", members: [member(IDS.mallory, "mallory@evil.example", true)], errors: ["reading: token hunter2-totp-secret-value refused"] })] });
    const r = run([custodyAdmin], live);
    const md = reviewMarkdown(r);
    const json = JSON.parse(reviewJson(r));
    expect(md).toContain("Evil \\| &lt;b>Co&lt;/b>");
    expect(md).not.toContain("hunter2-totp-secret-value");
    expect(JSON.stringify(json)).not.toContain("hunter2-totp-secret-value");
    expect(json.version).toBe(1);
    expect(json.findings.length).toBe(r.findings.length);
    expect(json.summary).toMatchObject({ findings: r.findings.length, enterprises: 1 });
    expect(md).toContain(`**${r.findings.length} finding(s)**`);
  });
});
