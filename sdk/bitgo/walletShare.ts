import { WALLET_PERMISSIONS, walletShare } from "../../provider/bitgo/walletShare";
import { Args, resourceClass } from "../resourceClass";
import { noteAccess } from "../stackChecks";

export type WalletPermission = (typeof WALLET_PERMISSIONS)[number];
export type WalletShareArgs = Args<typeof walletShare>;
export type WalletShareKeychain = NonNullable<WalletShareArgs["keychain"]>;

/**
 * One BitGo user's access to one wallet, granted by a wallet share and followed through acceptance.
 * Spend shares carry the wallet key (walletPassphrase, keychain or skipKeychain). See docs/wallet-shares.md.
 */
export class WalletShare extends resourceClass(walletShare, { declared: (_r, name, args) => noteAccess({ scope: "wallet", id: args.walletId, kind: "WalletShare", name, authoritative: false }) }) {}
