import * as pulumi from "@pulumi/pulumi";
import { bitgoClient, bitgoSettings } from "../../provider/bitgo/client";

export interface GetEnterpriseArgs {
  /** The enterprise id (32 hex). */
  enterpriseId: string;
}

export interface GetEnterpriseResult {
  id: string;
  name: string;
  type: string;
  /** The organization the enterprise belongs to (BitGo's "fetch organization details" step). */
  organizationId: string;
}

/** Settings for calls made in the program itself (lookups): the stack's `bitgo:*` config, then the env. */
function programSettings() {
  return bitgoSettings({ get: (key) => pulumi.runtime.getConfig(key) });
}

/** Looks up a BitGo enterprise: `GET /api/v2/enterprise/{id}`. */
export async function getEnterprise(args: GetEnterpriseArgs): Promise<GetEnterpriseResult> {
  if (!/^[0-9a-f]{32}$/.test(args.enterpriseId ?? "")) {
    throw new Error(`getEnterprise: enterpriseId must be a 32-character lowercase hex id, got "${args.enterpriseId}"`);
  }
  const e = await bitgoClient(programSettings()).getEnterprise(args.enterpriseId);
  return { id: e.id, name: e.name, type: e.type ?? "", organizationId: e.organizationId ?? "" };
}

export function getEnterpriseOutput(args: { enterpriseId: pulumi.Input<string> }): pulumi.Output<GetEnterpriseResult> {
  return pulumi.output(args).apply((a) => getEnterprise(a));
}
