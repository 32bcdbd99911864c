import { ORGANIZATION_USER_ROLES, organizationUser } from "../../provider/bitgo/organizationUser";
import { Args, resourceClass } from "../resourceClass";
import { noteAccess } from "../stackChecks";

export type OrganizationUserRole = (typeof ORGANIZATION_USER_ROLES)[number];
export type OrganizationUserArgs = Args<typeof organizationUser>;

/**
 * A user's role (admin or member) in a BitGo organization. BitGo's set-up guide says organization
 * admins are made by BitGo support: declare those with mode "assert". See docs/organizations.md.
 */
export class OrganizationUser extends resourceClass(organizationUser, { declared: (_r, name, args) => noteAccess({ scope: "organization", id: args.organizationId, kind: "OrganizationUser", name, authoritative: false }) }) {}
