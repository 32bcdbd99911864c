import * as pulumi from "@pulumi/pulumi";
import { PERMISSIONS, enterpriseUser } from "../../provider/bitgo/enterpriseUser";
import { Args, resourceClass } from "../resourceClass";
import { known, noteAccess, stackWideCheck } from "../stackChecks";

export type EnterprisePermission = (typeof PERMISSIONS)[number];
export type EnterpriseUserArgs = Args<typeof enterpriseUser>;

/**
 * A user of a BitGo enterprise with its permissions: `POST/PUT/DELETE /api/v2/enterprise/{id}/user`.
 * Refresh finds permission drift and users removed out of band. See docs/enterprise-users.md.
 */
export class EnterpriseUser extends resourceClass(enterpriseUser, {
  declared: (_r, name, args) => {
    noteForVideoApproverCheck(args);
    noteAccess({ scope: "enterprise", id: args.enterpriseId, kind: "EnterpriseUser", name, authoritative: false });
  },
}) {}

// ---- the stack-wide check: admins declared for an enterprise, but none of them a video approver ----

interface Declared {
  enterpriseId: unknown;
  permissions: unknown;
  videoApprover?: unknown;
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
