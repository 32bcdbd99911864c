import * as pulumi from "@pulumi/pulumi";
import { dynamicProvider } from "../shim";

// One shim object for every WalletShare: Pulumi serializes it once and caches the text.
const provider = dynamicProvider("bitgo:WalletShare");

export type WalletPermission = "view" | "spend" | "admin" | "trade";

/** A precomputed keychain for a spend share (BitGo's `keychain` body field). */
export interface WalletShareKeychain {
  pub: string;
  encryptedPrv: string;
  fromPubKey: string;
  toPubKey: string;
  path: string;
}

export interface WalletShareArgs {
  /** The wallet's coin (tbtc, btc, eth, ...). Changing it replaces the share. */
  coin: pulumi.Input<string>;
  /** The wallet (32 hex). Changing it replaces the share. */
  walletId: pulumi.Input<string>;
  /** The recipient: an email or a 32-hex BitGo user id. Changing it replaces the share. */
  user: pulumi.Input<string>;
  /**
   * view | spend | admin | trade; order does not matter. BitGo has no call that changes a share's
   * permissions, so a change revokes the access and shares again (delete-before-replace).
   */
  permissions: pulumi.Input<pulumi.Input<WalletPermission>[]>;
  /** Shown to the recipient with the invitation. Changing it later is recorded, never a replace. */
  message?: pulumi.Input<string>;
  /** Do not send the invitation e-mail. Changing it later is recorded, never a replace. */
  disableEmail?: pulumi.Input<boolean>;
  /** Share again with a user who reset their password (BitGo's `reshare`); turning it on re-shares. */
  reshare?: pulumi.Input<boolean>;
  /** Any new value (a date, a counter) resends the invitation e-mail of a share still waiting. */
  resendInvitation?: pulumi.Input<string | number>;
  /** Spend shares: a precomputed keychain for the recipient. Kept secret. */
  keychain?: pulumi.Input<WalletShareKeychain>;
  /** Spend shares: share without a key (the recipient gets one later). */
  skipKeychain?: pulumi.Input<boolean>;
  /**
   * Spend shares: the wallet passphrase. orgstack decrypts the wallet's user key with it and
   * re-encrypts it for the recipient's sharing key (or hands it to BitGo Express when bitgo:express
   * is set). Kept secret; never written to outputs, logs or errors.
   */
  walletPassphrase?: pulumi.Input<string>;
}

/**
 * Access to a BitGo wallet for one user: `POST /api/v2/{coin}/wallet/{walletId}/share`, cancelled or
 * revoked on delete. Refresh finds shares rejected or cancelled and users removed from the wallet.
 */
export class WalletShare extends pulumi.dynamic.Resource {
  declare readonly coin: pulumi.Output<string>;
  declare readonly walletId: pulumi.Output<string>;
  declare readonly user: pulumi.Output<string>;
  declare readonly permissions: pulumi.Output<WalletPermission[]>;
  declare readonly message: pulumi.Output<string>;
  declare readonly disableEmail: pulumi.Output<boolean>;
  /** The current share id (a reshare makes a new one); empty for access taken over without a share. */
  declare readonly shareId: pulumi.Output<string>;
  /** pendingapproval | active (waiting for the recipient) | accepted | canceled | rejected | removed. */
  declare readonly state: pulumi.Output<"pendingapproval" | "active" | "accepted" | "canceled" | "rejected" | "removed">;
  declare readonly pendingApprovalId: pulumi.Output<string>;
  declare readonly walletLabel: pulumi.Output<string>;
  declare readonly fromUser: pulumi.Output<string>;
  /** The recipient's user id. */
  declare readonly toUser: pulumi.Output<string>;
  /** none | provided | skipped | native | express | multiKeyUserKey. */
  declare readonly keychainMode: pulumi.Output<string>;
  declare readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: WalletShareArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      {
        ...args,
        // Inputs are stored in the state too: the passphrase and keychain only ever as secrets.
        walletPassphrase: args.walletPassphrase === undefined ? undefined : pulumi.secret(args.walletPassphrase),
        keychain: args.keychain === undefined ? undefined : pulumi.secret(args.keychain),
        shareId: undefined,
        state: undefined,
        pendingApprovalId: undefined,
        walletLabel: undefined,
        fromUser: undefined,
        toUser: undefined,
        keychainMode: undefined,
        adopted: undefined,
      },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "walletPassphrase", "keychain"] },
      "bitgo",
      "WalletShare",
    );
  }
}
