import * as pulumi from "@pulumi/pulumi";
import * as api from "../../provider/bitgo/api";
import { bitgoClient, bitgoSettings } from "../../provider/bitgo/client";
import { requireHex } from "../../provider/bitgo/lookups";

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
export function programClient() {
  return bitgoClient(bitgoSettings({ get: (key) => pulumi.runtime.getConfig(key) }));
}

/** Looks up a BitGo enterprise: `GET /api/v2/enterprise/{id}`. */
export async function getEnterprise(args: GetEnterpriseArgs): Promise<GetEnterpriseResult> {
  const e = await api.enterprise(programClient(), requireHex("enterpriseId", args.enterpriseId, "getEnterprise"));
  return { id: e.id, name: e.name, type: e.type ?? "", organizationId: e.organizationId ?? "" };
}

export function getEnterpriseOutput(args: { enterpriseId: pulumi.Input<string> }): pulumi.Output<GetEnterpriseResult> {
  return pulumi.output(args).apply((a) => getEnterprise(a));
}
