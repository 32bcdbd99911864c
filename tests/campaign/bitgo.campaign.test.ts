// The fault campaign for BitGo's resources (harness.ts says what a run is and what it asserts).
import { afterAll, beforeAll, it } from "vitest";
import { ORG_SEED, SEED, WALLET_SEED } from "../../sandbox";
import { Lane, Scenario, campaignEnv, expectAllClean, runAll, startLane, tally } from "./harness";

const custody = SEED.enterprises.custody.id;
const treasury = SEED.enterprises.treasury.id;
const org = SEED.organization.id;
const team = WALLET_SEED.wallets.team.id;
const guarded = WALLET_SEED.wallets.guarded.id;
const AUDITOR = SEED.users.auditor;
const OPS = SEED.users.ops;

// ---- what the vendor holds for a declaration ----
const bitgo = (l: Lane) => l.state().bitgo;
const wallets = (l: Lane) => l.state().bitgoWallets;
const memberOf = (l: Lane, enterpriseId: string, userId: string, permissions?: string[]) =>
  bitgo(l).enterprises.find((e: any) => e.id === enterpriseId)?.members.filter((m: any) => m.userId === userId && (!permissions || [...m.permissions].sort().join() === permissions.join())).length ?? 0;
const approvalsFor = (l: Lane, pred: (a: any) => boolean) => bitgo(l).approvals.filter(pred).length;
const enterpriseApprovals = (enterpriseId: string, email: string) => (l: Lane) =>
  approvalsFor(l, (a) => a.enterprise === enterpriseId && a.info?.updateEnterpriseRequest?.email === email);
const orgRole = (l: Lane, userId: string) => bitgo(l).users.find((u: any) => u.id === userId)?.organizations.filter((o: any) => o.id === org).length ?? 0;
const childEnterprises = (l: Lane) => bitgo(l).enterprises.filter((e: any) => e.organizationId === org && ![custody, treasury].includes(e.id) && !String(e.idempotencyKey ?? "").startsWith("seeded-"));
const liveShares = (l: Lane, walletId: string, userId: string) => wallets(l).shares.filter((s: any) => s.wallet === walletId && s.toUser === userId && ["pendingapproval", "active"].includes(s.state)).length;
const onWallet = (l: Lane, walletId: string, userId: string) => wallets(l).wallets.find((w: any) => w.id === walletId)?.users.filter((u: any) => u.user === userId).length ?? 0;
const approve = (l: Lane, approvalId: string) => l.control("POST", `/__sandbox/bitgo/pendingapprovals/${approvalId}`, { state: "approved" });
const accept = (l: Lane, shareId: string) => l.control("POST", `/__sandbox/bitgo/walletshare/${shareId}`, { state: "accepted" });

const user = (enterpriseId: string, permissions: string[]) => ({ enterpriseId, username: AUDITOR.email, permissions });
const share = (walletId: string, extra: Record<string, unknown> = {}) => ({ coin: "tbtc", walletId, user: AUDITOR.email, permissions: ["view"], ...extra });

const scenarios: Scenario[] = [
  // EnterpriseUser
  { name: "EnterpriseUser create", kind: "bitgo:EnterpriseUser", op: "create", inputs: () => user(custody, ["auditor"]), objects: (l) => memberOf(l, custody, AUDITOR.id), approvals: enterpriseApprovals(custody, AUDITOR.email), expect: { objects: 1, approvals: 0 } },
  {
    name: "EnterpriseUser create, two approvals",
    kind: "bitgo:EnterpriseUser",
    op: "create",
    inputs: () => user(treasury, ["auditor"]),
    objects: (l) => memberOf(l, treasury, AUDITOR.id),
    approvals: enterpriseApprovals(treasury, AUDITOR.email),
    expect: { objects: 0, approvals: 1 },
  },
  { name: "EnterpriseUser role change", kind: "bitgo:EnterpriseUser", op: "update", before: () => user(custody, ["auditor"]), inputs: () => user(custody, ["wallet.create"]), objects: (l) => memberOf(l, custody, AUDITOR.id, ["wallet.create"]), approvals: enterpriseApprovals(custody, AUDITOR.email), expect: { objects: 1, approvals: 0 } },
  {
    name: "EnterpriseUser role change, two approvals",
    kind: "bitgo:EnterpriseUser",
    op: "update",
    before: () => user(treasury, ["auditor"]),
    between: (l, made) => approve(l, made.outs.pendingApprovalId),
    inputs: () => user(treasury, ["wallet.create"]),
    objects: (l) => memberOf(l, treasury, AUDITOR.id, ["auditor"]), // unchanged until approved
    approvals: enterpriseApprovals(treasury, AUDITOR.email),
    expect: { objects: 1, approvals: 2 },
  },
  { name: "EnterpriseUser removal", kind: "bitgo:EnterpriseUser", op: "delete", before: () => user(custody, ["auditor"]), inputs: () => user(custody, ["auditor"]), objects: (l) => memberOf(l, custody, AUDITOR.id), approvals: enterpriseApprovals(custody, AUDITOR.email), expect: { objects: 0, approvals: 0 } },
  {
    name: "EnterpriseUser removal, two approvals",
    kind: "bitgo:EnterpriseUser",
    op: "delete",
    before: () => user(treasury, ["auditor"]),
    between: (l, made) => approve(l, made.outs.pendingApprovalId),
    inputs: () => user(treasury, ["auditor"]),
    objects: (l) => memberOf(l, treasury, AUDITOR.id),
    approvals: enterpriseApprovals(treasury, AUDITOR.email),
    expect: { objects: 1, approvals: 2 },
    expectError: /needs another admin's approval/,
  },
  // OrganizationUser
  { name: "OrganizationUser create", kind: "bitgo:OrganizationUser", op: "create", inputs: () => ({ organizationId: org, username: AUDITOR.email, role: "member" }), objects: (l) => orgRole(l, AUDITOR.id), expect: { objects: 1 } },
  {
    name: "OrganizationUser create, two approvals",
    kind: "bitgo:OrganizationUser",
    op: "create",
    setup: async (l) => void (await l.control("PATCH", `/__sandbox/bitgo/organizations/${org}`, { approvalsRequired: 2 })),
    inputs: () => ({ organizationId: org, username: AUDITOR.email, role: "member" }),
    objects: (l) => orgRole(l, AUDITOR.id),
    approvals: (l) => approvalsFor(l, (a) => a.organization === org),
    expect: { objects: 0, approvals: 1 },
  },
  {
    name: "EnterpriseUser create, an admin who is a video approver",
    kind: "bitgo:EnterpriseUser",
    op: "create",
    inputs: () => ({ ...user(custody, ["admin"]), videoApprover: true }),
    objects: (l) => bitgo(l).enterprises.find((e: any) => e.id === custody).members.filter((m: any) => m.userId === AUDITOR.id && m.videoIdUser).length,
    expect: { objects: 1, approvals: 0 },
    approvals: enterpriseApprovals(custody, AUDITOR.email),
  },
  {
    name: "OrganizationUser removal, two approvals",
    kind: "bitgo:OrganizationUser",
    op: "delete",
    before: () => ({ organizationId: org, username: AUDITOR.email, role: "member" }),
    between: async (l) => void (await l.control("PATCH", `/__sandbox/bitgo/organizations/${org}`, { approvalsRequired: 2 })),
    inputs: () => ({ organizationId: org, username: AUDITOR.email, role: "member" }),
    objects: (l) => orgRole(l, AUDITOR.id),
    approvals: (l) => approvalsFor(l, (a) => a.organization === org),
    expect: { objects: 1, approvals: 1 },
    expectError: /needs another admin's approval/,
  },
  { name: "OrganizationUser removal", kind: "bitgo:OrganizationUser", op: "delete", before: () => ({ organizationId: org, username: AUDITOR.email, role: "member" }), inputs: () => ({ organizationId: org, username: AUDITOR.email, role: "member" }), objects: (l) => orgRole(l, AUDITOR.id), expect: { objects: 0 } },
  // ChildEnterprise
  { name: "ChildEnterprise create", kind: "bitgo:ChildEnterprise", op: "create", inputs: () => ({ organizationId: org, email: "jane@customer.example", logicalName: "p/s/jane" }), objects: (l) => childEnterprises(l).length, expect: { objects: 1 } },
  {
    name: "ChildEnterprise create with an additional admin",
    kind: "bitgo:ChildEnterprise",
    op: "create",
    inputs: () => ({ organizationId: org, email: "jane@customer.example", logicalName: "p/s/jane", additionalAdmins: [OPS.id] }),
    objects: (l) => childEnterprises(l).length,
    expect: { objects: 1 },
  },
  {
    name: "ChildEnterprise adds an admin",
    kind: "bitgo:ChildEnterprise",
    op: "update",
    before: () => ({ organizationId: org, email: "jane@customer.example", logicalName: "p/s/jane" }),
    inputs: () => ({ organizationId: org, email: "jane@customer.example", logicalName: "p/s/jane", additionalAdmins: [OPS.id] }),
    objects: (l) => childEnterprises(l).reduce((n: number, e: any) => n + e.members.filter((m: any) => m.userId === OPS.id && m.permissions.includes("admin")).length, 0),
    expect: { objects: 1 },
  },
  {
    name: "ChildEnterprise removes an admin",
    kind: "bitgo:ChildEnterprise",
    op: "update",
    // Only an enterprise's admins may remove its users: the operator is one of the child's admins.
    before: () => ({ organizationId: org, email: "jane@customer.example", logicalName: "p/s/jane", additionalAdmins: [SEED.operator.id, OPS.id] }),
    inputs: () => ({ organizationId: org, email: "jane@customer.example", logicalName: "p/s/jane", additionalAdmins: [SEED.operator.id] }),
    objects: (l) => childEnterprises(l).reduce((n: number, e: any) => n + e.members.filter((m: any) => m.userId === OPS.id).length, 0),
    expect: { objects: 0 },
  },
  {
    name: "ChildEnterprise destroy (freeze)",
    kind: "bitgo:ChildEnterprise",
    op: "delete",
    before: () => ({ organizationId: org, email: "jane@customer.example", logicalName: "p/s/jane", onDelete: "freeze" }),
    inputs: () => ({}),
    objects: (l) => childEnterprises(l).filter((e: any) => e.frozen).length,
    expect: { objects: 1 },
  },
  // WalletShare
  { name: "WalletShare create (view)", kind: "bitgo:WalletShare", op: "create", inputs: () => share(team), objects: (l) => liveShares(l, team, AUDITOR.id), expect: { objects: 1 } },
  {
    name: "WalletShare create (spend, keychain built here)",
    kind: "bitgo:WalletShare",
    op: "create",
    inputs: () => share(team, { permissions: ["spend", "view"], walletPassphrase: WALLET_SEED.passphrase }),
    objects: (l) => liveShares(l, team, AUDITOR.id),
    expect: { objects: 1 },
  },
  {
    name: "WalletShare create, recipient found by sharing key",
    kind: "bitgo:WalletShare",
    op: "create",
    inputs: () => ({ ...share(team), user: WALLET_SEED.users.compliance.email }),
    objects: (l) => liveShares(l, team, WALLET_SEED.users.compliance.id),
    expect: { objects: 1 },
  },
  {
    name: "WalletShare create, two approvals",
    kind: "bitgo:WalletShare",
    op: "create",
    inputs: () => share(guarded),
    objects: (l) => liveShares(l, guarded, AUDITOR.id),
    approvals: (l) => approvalsFor(l, (a) => a.wallet === guarded),
    expect: { objects: 1, approvals: 1 },
  },
  { name: "WalletShare cancel (not accepted)", kind: "bitgo:WalletShare", op: "delete", before: () => share(team), inputs: () => share(team), objects: (l) => liveShares(l, team, AUDITOR.id) + onWallet(l, team, AUDITOR.id), expect: { objects: 0 } },
  {
    name: "WalletShare revoke (accepted)",
    kind: "bitgo:WalletShare",
    op: "delete",
    before: () => share(team),
    between: (l, made) => accept(l, made.outs.shareId),
    inputs: () => share(team),
    objects: (l) => onWallet(l, team, AUDITOR.id),
    expect: { objects: 0 },
  },
  {
    name: "WalletShare revoke (accepted), two approvals",
    kind: "bitgo:WalletShare",
    op: "delete",
    before: () => share(guarded),
    between: async (l, made) => {
      await approve(l, made.outs.pendingApprovalId);
      await accept(l, made.outs.shareId);
    },
    inputs: () => share(guarded),
    objects: (l) => onWallet(l, guarded, AUDITOR.id),
    approvals: (l) => approvalsFor(l, (a) => a.wallet === guarded),
    expect: { objects: 1, approvals: 2 },
    expectError: /needs another admin's approval/,
  },
  {
    name: "WalletShare resend invitation",
    kind: "bitgo:WalletShare",
    op: "update",
    before: () => share(team),
    inputs: () => share(team, { resendInvitation: "2026-11-23" }),
    objects: (l) => bitgo(l).emails.filter((e: any) => e.kind === "walletShareResend").length,
    expect: { objects: 1 },
    atMostOnce: true,
  },
  {
    name: "WalletShare reshare",
    kind: "bitgo:WalletShare",
    op: "update",
    before: () => share(team),
    between: (l, made) => accept(l, made.outs.shareId),
    inputs: () => share(team, { reshare: true }),
    objects: (l) => liveShares(l, team, AUDITOR.id),
    expect: { objects: 1 },
  },
];

// ---- the access lists (EnterpriseAccess, WalletAccess, OrganizationAccess) ----
const OPS_ADMIN = { username: OPS.email, permissions: ["admin"], videoApprover: true };
const bulk = (l: Lane, body: Record<string, unknown>) => l.control("POST", "/__sandbox/bitgo/bulk", { count: 1, ...body });
const videoApprover = (l: Lane, enterpriseId: string, userId: string) => {
  bitgo(l).enterprises.find((e: any) => e.id === enterpriseId).members.find((m: any) => m.userId === userId).videoIdUser = true;
};
const userByEmail = (l: Lane, email: string) => bitgo(l).users.find((u: any) => u.email === email);
const memberByEmail = (l: Lane, enterpriseId: string, email: string) => (userByEmail(l, email) ? memberOf(l, enterpriseId, userByEmail(l, email).id) : 0);
const onWalletByEmail = (l: Lane, walletId: string, email: string) => (userByEmail(l, email) ? onWallet(l, walletId, userByEmail(l, email).id) : 0);
const walletApprovals = (walletId: string) => (l: Lane) => approvalsFor(l, (a) => a.wallet === walletId);
const enterpriseList = (enterpriseId: string, members: unknown[], extra: Record<string, unknown> = {}) => ({ enterpriseId, members, ...extra });
const walletList = (walletId: string, users: unknown[], extra: Record<string, unknown> = {}) => ({ coin: "tbtc", walletId, users, ...extra });
const orgList = (users: unknown[], extra: Record<string, unknown> = {}) => ({
  organizationId: org,
  users: [{ username: SEED.operator.email, role: "admin" }, { username: SEED.secondAdmin.email, role: "admin" }, { username: OPS.email, role: "member" }, ...users],
  ...extra,
});

scenarios.push(
  {
    name: "EnterpriseAccess create (additions in one call per permission set)",
    kind: "bitgo:EnterpriseAccess",
    op: "create",
    inputs: () => enterpriseList(custody, [OPS_ADMIN, { username: AUDITOR.email, permissions: ["auditor"] }, { username: SEED.users.treasury.email, permissions: ["auditor"] }]),
    objects: (l) => memberOf(l, custody, OPS.id, ["admin"]) + memberOf(l, custody, AUDITOR.id, ["auditor"]) + memberOf(l, custody, SEED.users.treasury.id, ["auditor"]),
    approvals: (l) => approvalsFor(l, (a) => a.enterprise === custody),
    expect: { objects: 3, approvals: 0 },
  },
  {
    name: "EnterpriseAccess create, two approvals",
    kind: "bitgo:EnterpriseAccess",
    op: "create",
    setup: async (l) => videoApprover(l, treasury, SEED.secondAdmin.id),
    inputs: () => enterpriseList(treasury, [{ username: SEED.secondAdmin.email, permissions: ["admin"], videoApprover: true }, { username: AUDITOR.email, permissions: ["auditor"] }]),
    objects: (l) => memberOf(l, treasury, AUDITOR.id),
    approvals: enterpriseApprovals(treasury, AUDITOR.email),
    expect: { objects: 0, approvals: 1 },
  },
  {
    name: "EnterpriseAccess role change",
    kind: "bitgo:EnterpriseAccess",
    op: "update",
    before: () => enterpriseList(custody, [OPS_ADMIN, { username: AUDITOR.email, permissions: ["auditor"] }]),
    inputs: () => enterpriseList(custody, [OPS_ADMIN, { username: AUDITOR.email, permissions: ["wallet.create"] }]),
    objects: (l) => memberOf(l, custody, AUDITOR.id, ["wallet.create"]),
    approvals: enterpriseApprovals(custody, AUDITOR.email),
    expect: { objects: 1, approvals: 0 },
  },
  {
    name: "EnterpriseAccess re-addition (a video approver: removed, then added)",
    kind: "bitgo:EnterpriseAccess",
    op: "update",
    before: () => enterpriseList(custody, [OPS_ADMIN, { username: AUDITOR.email, permissions: ["auditor"] }]),
    inputs: () => enterpriseList(custody, [OPS_ADMIN, { username: AUDITOR.email, permissions: ["admin"], videoApprover: true }]),
    objects: (l) => bitgo(l).enterprises.find((e: any) => e.id === custody).members.filter((m: any) => m.userId === AUDITOR.id && m.videoIdUser && m.permissions.join() === "admin").length,
    expect: { objects: 1 },
  },
  {
    name: "EnterpriseAccess removes an out-of-band admin (report, then remove)",
    kind: "bitgo:EnterpriseAccess",
    op: "update",
    setup: async (l) => void (await bulk(l, { prefix: "rogue", enterpriseId: custody, permissions: ["admin"] })),
    before: () => enterpriseList(custody, [OPS_ADMIN], { unmanaged: "report" }),
    inputs: () => enterpriseList(custody, [OPS_ADMIN]),
    objects: (l) => memberByEmail(l, custody, "rogue-1@acme.example"),
    approvals: (l) => approvalsFor(l, (a) => a.enterprise === custody),
    expect: { objects: 0, approvals: 0 },
  },
  {
    name: "EnterpriseAccess removes an out-of-band member, two approvals",
    kind: "bitgo:EnterpriseAccess",
    op: "update",
    setup: async (l) => {
      await bulk(l, { prefix: "rogue", enterpriseId: treasury, permissions: ["auditor"] });
      videoApprover(l, treasury, SEED.secondAdmin.id);
    },
    before: () => enterpriseList(treasury, [{ username: SEED.secondAdmin.email, permissions: ["admin"], videoApprover: true }], { unmanaged: "report" }),
    inputs: () => enterpriseList(treasury, [{ username: SEED.secondAdmin.email, permissions: ["admin"], videoApprover: true }]),
    objects: (l) => memberByEmail(l, treasury, "rogue-1@acme.example"),
    approvals: (l) => approvalsFor(l, (a) => a.enterprise === treasury && a.info?.updateEnterpriseRequest?.action === "remove"),
    expect: { objects: 1, approvals: 1 },
  },
  {
    name: 'EnterpriseAccess destroy, onDelete "remove"',
    kind: "bitgo:EnterpriseAccess",
    op: "delete",
    before: () => enterpriseList(custody, [OPS_ADMIN, { username: AUDITOR.email, permissions: ["auditor"] }], { onDelete: "remove" }),
    inputs: () => ({}),
    objects: (l) => memberOf(l, custody, OPS.id) + memberOf(l, custody, AUDITOR.id),
    expect: { objects: 0 },
  },
  {
    name: 'EnterpriseAccess destroy, onDelete "remove", two approvals',
    kind: "bitgo:EnterpriseAccess",
    op: "delete",
    setup: async (l) => videoApprover(l, treasury, SEED.operator.id),
    before: () => enterpriseList(treasury, [{ username: SEED.operator.email, permissions: ["admin"], videoApprover: true }, { username: AUDITOR.email, permissions: ["auditor"] }], { onDelete: "remove", keep: [SEED.secondAdmin.email] }),
    between: (l, made) => approve(l, made.outs.pendingApprovalIds[0]),
    inputs: () => ({}),
    objects: (l) => memberOf(l, treasury, AUDITOR.id),
    approvals: enterpriseApprovals(treasury, AUDITOR.email),
    expect: { objects: 1, approvals: 2 },
    expectError: /needs another admin's approval/,
  },
  {
    name: "WalletAccess create (view)",
    kind: "bitgo:WalletAccess",
    op: "create",
    inputs: () => walletList(team, [{ user: AUDITOR.email, permissions: ["view"] }]),
    objects: (l) => liveShares(l, team, AUDITOR.id),
    expect: { objects: 1 },
  },
  {
    name: "WalletAccess create (spend, keychain built here)",
    kind: "bitgo:WalletAccess",
    op: "create",
    inputs: () => walletList(team, [{ user: AUDITOR.email, permissions: ["spend", "view"] }], { walletPassphrase: WALLET_SEED.passphrase }),
    objects: (l) => liveShares(l, team, AUDITOR.id),
    expect: { objects: 1 },
  },
  {
    name: "WalletAccess create, two approvals",
    kind: "bitgo:WalletAccess",
    op: "create",
    inputs: () => walletList(guarded, [{ user: AUDITOR.email, permissions: ["view"] }], { keep: [SEED.secondAdmin.email] }),
    objects: (l) => liveShares(l, guarded, AUDITOR.id),
    approvals: walletApprovals(guarded),
    expect: { objects: 1, approvals: 1 },
  },
  {
    name: "WalletAccess new permissions (off the wallet, shared again)",
    kind: "bitgo:WalletAccess",
    op: "update",
    before: () => walletList(team, [{ user: AUDITOR.email, permissions: ["view"] }]),
    between: (l, made) => accept(l, made.outs.users.find((u: any) => u.user === AUDITOR.email).shareId),
    inputs: () => walletList(team, [{ user: AUDITOR.email, permissions: ["admin", "view"] }]),
    objects: (l) => liveShares(l, team, AUDITOR.id) + onWallet(l, team, AUDITOR.id),
    expect: { objects: 1 },
  },
  {
    name: "WalletAccess takes an out-of-band user off the wallet (report, then remove)",
    kind: "bitgo:WalletAccess",
    op: "update",
    setup: async (l) => void (await bulk(l, { prefix: "rogue", walletId: team, walletPermissions: ["spend", "view"] })),
    before: () => walletList(team, [{ user: AUDITOR.email, permissions: ["view"] }], { unmanaged: "report" }),
    inputs: () => walletList(team, [{ user: AUDITOR.email, permissions: ["view"] }]),
    objects: (l) => onWalletByEmail(l, team, "rogue-1@acme.example") + liveShares(l, team, AUDITOR.id),
    expect: { objects: 1 },
  },
  {
    name: "WalletAccess takes a user off the wallet, two approvals",
    kind: "bitgo:WalletAccess",
    op: "update",
    before: () => walletList(guarded, [], { unmanaged: "report" }),
    inputs: () => walletList(guarded, []),
    objects: (l) => onWallet(l, guarded, SEED.secondAdmin.id),
    approvals: walletApprovals(guarded),
    expect: { objects: 1, approvals: 1 },
  },
  {
    name: 'WalletAccess destroy, onDelete "remove" (an accepted user, a share still waiting)',
    kind: "bitgo:WalletAccess",
    op: "delete",
    before: () => walletList(team, [{ user: AUDITOR.email, permissions: ["view"] }, { user: OPS.email, permissions: ["view"] }], { onDelete: "remove" }),
    between: (l, made) => accept(l, made.outs.users.find((u: any) => u.user === AUDITOR.email).shareId),
    inputs: () => ({}),
    objects: (l) => onWallet(l, team, AUDITOR.id) + liveShares(l, team, OPS.id),
    expect: { objects: 0 },
  },
  {
    name: "OrganizationAccess create",
    kind: "bitgo:OrganizationAccess",
    op: "create",
    inputs: () => orgList([{ username: AUDITOR.email, role: "member" }]),
    objects: (l) => orgRole(l, AUDITOR.id),
    approvals: (l) => approvalsFor(l, (a) => a.organization === org),
    expect: { objects: 1, approvals: 0 },
  },
  {
    name: "OrganizationAccess create, two approvals",
    kind: "bitgo:OrganizationAccess",
    op: "create",
    setup: async (l) => void (await l.control("PATCH", `/__sandbox/bitgo/organizations/${org}`, { approvalsRequired: 2 })),
    inputs: () => orgList([{ username: AUDITOR.email, role: "member" }]),
    objects: (l) => orgRole(l, AUDITOR.id),
    approvals: (l) => approvalsFor(l, (a) => a.organization === org),
    expect: { objects: 0, approvals: 1 },
  },
  {
    name: "OrganizationAccess removes an out-of-band member (report, then remove)",
    kind: "bitgo:OrganizationAccess",
    op: "update",
    setup: async (l) => void (await l.control("PUT", `/__sandbox/bitgo/organizations/${org}/users/${AUDITOR.email}`, { role: "member" })),
    before: () => orgList([], { unmanaged: "report" }),
    inputs: () => orgList([]),
    objects: (l) => orgRole(l, AUDITOR.id),
    expect: { objects: 0 },
  },
  {
    name: 'OrganizationAccess destroy, onDelete "remove"',
    kind: "bitgo:OrganizationAccess",
    op: "delete",
    before: () => orgList([{ username: AUDITOR.email, role: "member" }], { onDelete: "remove", keep: [] }),
    inputs: () => ({}),
    objects: (l) => orgRole(l, AUDITOR.id) + orgRole(l, OPS.id),
    expect: { objects: 0 },
  },
);

const t = tally();
let lanes: Lane[] = [];
beforeAll(async () => {
  campaignEnv();
  lanes = await Promise.all(Array.from({ length: 5 }, () => startLane()));
});
afterAll(async () => Promise.all(lanes.map((l) => l.sb.stop())));

it(`BitGo: ${scenarios.length} operations, each fault on each of their calls, each with a rerun`, async () => {
  await runAll(scenarios, lanes, t);
  expectAllClean(t);
}, 900_000);

export { ORG_SEED };
