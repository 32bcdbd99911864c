// One BitGo wallet shared with a team of five, each with the access their job needs. Run it against
// the sandbox (see README.md) or against BitGo's test environment with your own wallet and team.
//
// Config (Pulumi stack config, `bitgo:*`):
//   bitgo:apiUrl, bitgo:accessToken (secret) or bitgo:email + bitgo:password (secret) + bitgo:otp/totpSecret
//   wallet-team:walletId          the wallet to share (32 hex; default: the sandbox's seeded team wallet)
//   wallet-team:coin              its coin (default tbtc)
//   wallet-team:walletPassphrase  (secret) the wallet passphrase, for the spend shares' keychains; without
//                                 it spend shares go out with skipKeychain (the key is sent later)
//   wallet-team:team              optional JSON: [{ "name", "user", "permissions": [...] }] to replace the default team
import * as pulumi from "@pulumi/pulumi";
import * as bitgo from "orgstack/bitgo";

const config = new pulumi.Config("wallet-team");
// The sandbox's seeded "Acme Team Hot Wallet" (sandbox/bitgoWallets.ts WALLET_SEED.wallets.team).
const walletId = config.get("walletId") ?? "a1b2c3d4e5f60718293a4b5c6d7e8f01";
const coin = config.get("coin") ?? "tbtc";
const walletPassphrase = config.getSecret("walletPassphrase");

interface Member {
  name: string;
  user: string;
  permissions: bitgo.WalletPermission[];
}

const defaultTeam: Member[] = [
  { name: "ops", user: "ops@acme.example", permissions: ["spend", "view"] },
  { name: "treasury", user: "treasury@acme.example", permissions: ["spend", "view"] },
  { name: "auditor", user: "auditor@acme.example", permissions: ["view"] },
  { name: "compliance", user: "compliance@acme.example", permissions: ["view"] },
  { name: "second-admin", user: "second-admin@acme.example", permissions: ["admin", "spend", "view"] },
];
const team: Member[] = config.getObject<Member[]>("team") ?? defaultTeam;

const shares = team.map(
  (m) =>
    new bitgo.WalletShare(`wallet-${m.name}`, {
      coin,
      walletId,
      user: m.user,
      permissions: m.permissions,
      message: `Access for the ${m.name} role, managed in git`,
      // Spend shares carry the wallet key, re-encrypted for the recipient from the passphrase.
      ...(m.permissions.includes("spend") ? (walletPassphrase ? { walletPassphrase } : { skipKeychain: true }) : {}),
    }),
);

export const access = pulumi
  .all(shares.map((s) => pulumi.all([s.user, s.permissions, s.state, s.shareId])))
  .apply((rows) => rows.map(([user, permissions, state, shareId]) => ({ user, permissions: permissions.join(","), state, shareId })));
