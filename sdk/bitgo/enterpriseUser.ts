import * as pulumi from "@pulumi/pulumi";
import { dynamicProvider } from "../shim";
import { known, stackWideCheck } from "../stackChecks";

// One shim object for every EnterpriseUser: Pulumi serializes it once and caches the text.
const provider = dynamicProvider("bitgo:EnterpriseUser");

export type EnterprisePermission = "admin" | "auditor" | "wallet.create";

export interface EnterpriseUserArgs {
  /** The enterprise (32 hex). Changing it replaces the user. */
  enterpriseId: pulumi.Input<string>;
  /** The user's email (BitGo's username). Changing it replaces the user. */
  username: pulumi.Input<string>;
  /**
   * admin | auditor | wallet.create; order does not matter. `[]` keeps the user as a plain member
   * (set through an update: BitGo adds users with at least one permission). Changing to a single
   * permission (or none) updates in place; changing to two or more replaces the user.
   */
  permissions: pulumi.Input<pulumi.Input<EnterprisePermission>[]>;
  /**
   * Make this admin a video approver (BitGo's `videoIdUser`: video approval is required for
   * withdrawals above $250,000). BitGo takes it only when a user is added, so changing it replaces.
   */
  videoApprover?: pulumi.Input<boolean>;
  /**
   * When an enterprise needs more than one approval, BitGo answers with a pending approval. By default
   * the resource records `state: "pending"` and `pendingApprovalId` and goes on; with this set, the
   * operation polls until another admin approves (a rejection fails with a clear error; a timeout
   * records the resource as pending and the next `pulumi up` waits again).
   */
  waitForApproval?: pulumi.Input<{ timeoutSeconds: pulumi.Input<number>; pollSeconds?: pulumi.Input<number> }>;
  /**
   * What to do when the user is already in the enterprise (dynamic resources cannot be imported):
   * "matching" (default) takes it over when its permissions match the declared ones and fails
   * otherwise; "always" takes it over and changes its role; "never" fails.
   */
  adoptExisting?: pulumi.Input<"matching" | "always" | "never">;
}

/**
 * A user of a BitGo enterprise with its permissions: `POST/PUT/DELETE /api/v2/enterprise/{id}/user`.
 * Refresh finds permission drift and users removed out of band.
 */
export class EnterpriseUser extends pulumi.dynamic.Resource {
  declare readonly enterpriseId: pulumi.Output<string>;
  declare readonly username: pulumi.Output<string>;
  declare readonly permissions: pulumi.Output<EnterprisePermission[]>;
  declare readonly videoApprover: pulumi.Output<boolean>;
  /** The BitGo user id (32 hex); empty while an invitation waits for approval and BitGo has not said it. */
  declare readonly userId: pulumi.Output<string>;
  /** "active", or "pending" while the change waits for another admin's approval. */
  declare readonly state: pulumi.Output<"active" | "pending">;
  declare readonly pendingApprovalId: pulumi.Output<string>;
  /** True when create found the user already there and took it over. */
  declare readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: EnterpriseUserArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      { ...args, userId: undefined, state: undefined, pendingApprovalId: undefined, adopted: undefined },
      opts,
      "bitgo",
      "EnterpriseUser",
    );
    if (!opts?.id) noteForVideoApproverCheck({ enterpriseId: args.enterpriseId, permissions: args.permissions, videoApprover: args.videoApprover });
  }
}

// ---- the stack-wide check: admins declared for an enterprise, but none of them a video approver ----

interface Declared {
  enterpriseId: unknown;
  permissions: unknown;
  videoApprover: unknown;
}
// Programs declare their resources synchronously, so one turn of the event loop sees them all.
const noteForVideoApproverCheck = stackWideCheck<Declared>(async (batch) => {
  await warnAboutVideoApprovers(batch);
});

export async function warnAboutVideoApprovers(batch: Declared[]): Promise<string[]> {
  const byEnterprise = new Map<string, { admins: number; videoApprovers: number }>();
  for (const d of batch) {
    const [enterpriseId, permissions, videoApprover] = await Promise.all([known(d.enterpriseId), known(d.permissions), known(d.videoApprover)]);
    if (typeof enterpriseId !== "string" || !Array.isArray(permissions) || !permissions.includes("admin")) continue;
    const entry = byEnterprise.get(enterpriseId) ?? { admins: 0, videoApprovers: 0 };
    entry.admins++;
    if (videoApprover === true) entry.videoApprovers++;
    byEnterprise.set(enterpriseId, entry);
  }
  const warnings: string[] = [];
  for (const [enterpriseId, { admins, videoApprovers }] of byEnterprise) {
    if (videoApprovers > 0) continue;
    const text =
      `orgstack: this stack declares ${admins} admin(s) for BitGo enterprise ${enterpriseId} but none is a video approver. ` +
      `BitGo requires video approval for withdrawals above $250,000 USD: set videoApprover: true on at least one admin.`;
    warnings.push(text);
    await pulumi.log.warn(text);
  }
  return warnings;
}
