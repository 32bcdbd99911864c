// Who has access, exactly: one BitGo enterprise and one of its wallets, each with its complete user
// list in git. Anyone BitGo shows who is not in these lists (an admin added in the web UI, a wallet
// user added by a colleague) shows on `pulumi refresh` and is taken away by `pulumi up`, or only
// reported with `unmanaged: "report"`. The identity orgstack runs as, and those in `keep`, are never
// touched. Run it against the sandbox (see README.md) or against BitGo's test environment.
//
// Config (Pulumi stack config):
//   bitgo:apiUrl, bitgo:accessToken (secret) or bitgo:email + bitgo:password (secret) + bitgo:otp/totpSecret
//   access-control:enterpriseId      the enterprise (default: the sandbox's "Acme Custody")
//   access-control:walletId, :coin   the wallet (default: the sandbox's team wallet, tbtc)
//   access-control:walletPassphrase  (secret) for the spend shares' keychains; without it they skip the key
//   access-control:unmanaged         "remove" (default) or "report"
//   access-control:keep              optional JSON list of emails never touched, such as ["svc@acme.example"]
import * as pulumi from "@pulumi/pulumi";
import * as bitgo from "orgstack/bitgo";

const config = new pulumi.Config("access-control");
const enterpriseId = config.get("enterpriseId") ?? "62c5ae8174ac860007aff138a2d74df7";
const walletId = config.get("walletId") ?? "a1b2c3d4e5f60718293a4b5c6d7e8f01";
const coin = config.get("coin") ?? "tbtc";
const walletPassphrase = config.getSecret("walletPassphrase");
const unmanaged = config.get("unmanaged") === "report" ? "report" : "remove";
const keep = config.getObject<string[]>("keep") ?? [];

// Who may approve withdrawals, audit, and create wallets in the enterprise.
const custody = new bitgo.EnterpriseAccess("custody-access", {
  enterpriseId,
  members: [
    { username: "ops@acme.example", permissions: ["admin"], videoApprover: true },
    { username: "auditor@acme.example", permissions: ["auditor"] },
    { username: "treasury@acme.example", permissions: ["wallet.create"] },
  ],
  unmanaged,
  keep,
});

// Who may see or spend from the hot wallet. The members above are invited first (dependsOn), so the
// wallet's users are people of the enterprise.
const hotWallet = new bitgo.WalletAccess(
  "hot-wallet-access",
  {
    coin,
    walletId,
    users: [
      { user: "ops@acme.example", permissions: ["spend", "view"] },
      { user: "treasury@acme.example", permissions: ["view"] },
      { user: "auditor@acme.example", permissions: ["view"] },
    ],
    unmanaged,
    keep,
    message: "Access managed in git (examples/access-control)",
    ...(walletPassphrase ? { walletPassphrase } : { skipKeychain: true }),
  },
  { dependsOn: [custody] },
);

/** Who holds what, as BitGo has it now (refresh updates it). */
export const enterpriseMembers = custody.members.apply((list) => list.map((m) => `${m.username}: ${m.permissions.join(", ") || "member"} (${m.status}, ${m.source})`));
export const enterpriseUnmanaged = custody.unmanagedMembers.apply((list) => list.map((m) => m.username));
export const walletUsers = hotWallet.users.apply((list) => list.map((u) => `${u.user}: ${u.permissions.join(", ")} (${u.status}, ${u.source})`));
export const walletUnmanaged = hotWallet.unmanagedUsers.apply((list) => list.map((u) => u.user));
export const pendingApprovals = pulumi.all([custody.pendingApprovalIds, hotWallet.pendingApprovalIds]).apply(([a, b]) => [...a, ...b]);
