import * as pulumi from "@pulumi/pulumi";
import { dynamicProvider } from "../shim";

// One shim object for every OrganizationUser: Pulumi serializes it once and caches the text.
const provider = dynamicProvider("bitgo:OrganizationUser");

export type OrganizationUserRole = "admin" | "member";

export interface OrganizationUserArgs {
  /** The organization (32 hex): getOrganization gives it. Changing it replaces the resource. */
  organizationId: pulumi.Input<string>;
  /** The user's email (BitGo's username). Changing it replaces the resource. */
  username: pulumi.Input<string>;
  /** admin | member. Changes in place (PUT ?userId=&role=). BitGo lets only its support make admins. */
  role: pulumi.Input<OrganizationUserRole>;
  /**
   * "manage" (default): add, change and remove the user. "assert": never write; check that the user
   * already holds the role (e.g. an admin BitGo support made) so the stack can depend on it, and fail
   * with what to ask support for when not. Destroying an asserted user changes nothing.
   */
  mode?: pulumi.Input<"manage" | "assert">;
  /** Poll until another admin decides a pending approval (as EnterpriseUser does). */
  waitForApproval?: pulumi.Input<{ timeoutSeconds: pulumi.Input<number>; pollSeconds?: pulumi.Input<number> }>;
  /** A user already in the organization: "matching" (default) takes it over when the role matches; "always"; "never". */
  adoptExisting?: pulumi.Input<"matching" | "always" | "never">;
}

/**
 * A user's role in a BitGo organization: `POST/PUT/DELETE /api/v2/organization/{id}/user`, or a
 * read-only assertion of the role (`mode: "assert"`). See docs/organizations.md.
 */
export class OrganizationUser extends pulumi.dynamic.Resource {
  declare readonly organizationId: pulumi.Output<string>;
  declare readonly username: pulumi.Output<string>;
  declare readonly role: pulumi.Output<OrganizationUserRole>;
  declare readonly mode: pulumi.Output<"manage" | "assert">;
  /** The BitGo user id (32 hex). */
  declare readonly userId: pulumi.Output<string>;
  /** "active", or "pending" while the change waits for another admin's approval. */
  declare readonly state: pulumi.Output<"active" | "pending">;
  declare readonly pendingApprovalId: pulumi.Output<string>;
  /** True when create found the user already in the organization (or asserted it) and took it over. */
  declare readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: OrganizationUserArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      { ...args, userId: undefined, state: undefined, pendingApprovalId: undefined, adopted: undefined },
      opts,
      "bitgo",
      "OrganizationUser",
    );
  }
}
