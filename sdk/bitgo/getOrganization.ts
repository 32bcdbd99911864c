import * as pulumi from "@pulumi/pulumi";
import { OrganizationTree, organizationTree } from "../../provider/bitgo/lookups";
import { programClient } from "./getEnterprise";

export interface GetOrganizationArgs {
  /** The organization id (32 hex). */
  organizationId?: string;
  /** Or an enterprise of it: its organization is found as BitGo's set-up guide does (GET /api/v2/enterprise/{id}). */
  enterpriseId?: string;
  /** List the organization's users with their roles (default true). */
  includeUsers?: boolean;
  /** Enterprises per page while listing (1 to 500; default 500). Every page is read. */
  pageSize?: number;
}

export interface GetOrganizationResult {
  id: string;
  name: string;
  businessModel: string;
  /** Every enterprise of the organization (all pages of GET /api/v2/organization/{id}/enterprise). */
  enterprises: { id: string; name: string; accountType: string; frozen: boolean }[];
  /** Its users with their role (GET /api/org/users; BitGo leaves the service user out of this list). */
  users: { id: string; username: string; role: string }[];
  admins: { id: string; username: string; role: string }[];
  members: { id: string; username: string; role: string }[];
}

/** Looks up a BitGo organization with its child enterprises and users. */
export async function getOrganization(args: GetOrganizationArgs): Promise<GetOrganizationResult> {
  const tree: OrganizationTree = await organizationTree(programClient(), args);
  const { enterpriseIds: _ids, ...rest } = tree;
  return rest;
}

export function getOrganizationOutput(args: {
  organizationId?: pulumi.Input<string>;
  enterpriseId?: pulumi.Input<string>;
  includeUsers?: pulumi.Input<boolean>;
  pageSize?: pulumi.Input<number>;
}): pulumi.Output<GetOrganizationResult> {
  return pulumi.output(args).apply((a) => getOrganization(a as GetOrganizationArgs));
}
