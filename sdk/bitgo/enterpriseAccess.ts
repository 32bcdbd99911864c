import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { declaredMemberSchema, enterpriseAccess } from "../../provider/bitgo/enterpriseAccess";
import { Args, Input, resourceClass } from "../resourceClass";
import { noteAccess } from "../stackChecks";

/** One member as a program declares it (the outputs add userId, status, source, approvalId, videoIdState). */
export type EnterpriseAccessMember = z.input<typeof declaredMemberSchema>;
export type EnterpriseAccessArgs = Omit<Args<typeof enterpriseAccess>, "members"> & { members: Input<EnterpriseAccessMember[]> };

/**
 * An enterprise's complete user list with permissions. Authoritative: a live user the list does not
 * declare shows on refresh and is removed on up (unless unmanaged: "report"); the identity orgstack
 * runs as and those in keep are left alone. See docs/access.md.
 */
export class EnterpriseAccess extends resourceClass(enterpriseAccess, {
  declared: (_r, name, args) => noteAccess({ scope: "enterprise", id: args.enterpriseId, kind: "EnterpriseAccess", name, authoritative: true, keep: args.keep }),
}) {
  constructor(name: string, args: EnterpriseAccessArgs, opts?: pulumi.CustomResourceOptions) {
    super(name, args as any, opts);
  }
}
