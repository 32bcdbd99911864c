import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { declaredWalletUserSchema, walletAccess } from "../../provider/bitgo/walletAccess";
import { Args, Input, resourceClass } from "../resourceClass";
import { noteAccess } from "../stackChecks";

/** One wallet user as a program declares it (the outputs add userId, email, status, source, shareId, approvalId). */
export type WalletAccessUser = z.input<typeof declaredWalletUserSchema>;
export type WalletAccessArgs = Omit<Args<typeof walletAccess>, "users"> & { users: Input<WalletAccessUser[]> };

/**
 * A wallet's complete user list with permissions, shares followed through acceptance. Authoritative:
 * a live user the list does not declare shows on refresh and is taken off the wallet on up (unless
 * unmanaged: "report"); the identity orgstack runs as and those in keep are left alone. See docs/access.md.
 */
export class WalletAccess extends resourceClass(walletAccess, {
  declared: (_r, name, args) => noteAccess({ scope: "wallet", id: args.walletId, kind: "WalletAccess", name, authoritative: true, keep: args.keep }),
}) {
  constructor(name: string, args: WalletAccessArgs, opts?: pulumi.CustomResourceOptions) {
    super(name, args as any, opts);
  }
}
