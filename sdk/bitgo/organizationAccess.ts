import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { declaredOrgUserSchema, organizationAccess } from "../../provider/bitgo/organizationAccess";
import { Args, Input, resourceClass } from "../resourceClass";
import { noteAccess } from "../stackChecks";

/** One organization user as a program declares it (the outputs add userId, status, source, approvalId). */
export type OrganizationAccessUser = z.input<typeof declaredOrgUserSchema>;
export type OrganizationAccessArgs = Omit<Args<typeof organizationAccess>, "users"> & { users: Input<OrganizationAccessUser[]> };

/**
 * An organization's complete list of admins and members. Authoritative: a live admin or member the
 * list does not declare shows on refresh and is removed on up (unless unmanaged: "report"); the
 * identity orgstack runs as and those in keep are left alone; customers are never touched. BitGo
 * support makes organization admins. See docs/access.md.
 */
export class OrganizationAccess extends resourceClass(organizationAccess, {
  declared: (_r, name, args) => noteAccess({ scope: "organization", id: args.organizationId, kind: "OrganizationAccess", name, authoritative: true, keep: args.keep }),
}) {
  constructor(name: string, args: OrganizationAccessArgs, opts?: pulumi.CustomResourceOptions) {
    super(name, args as any, opts);
  }
}
