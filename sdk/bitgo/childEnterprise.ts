import * as pulumi from "@pulumi/pulumi";
import { childEnterprise } from "../../provider/bitgo/childEnterprise";
import { Args, resourceClass } from "../resourceClass";

export type ChildEnterpriseArgs = Omit<Args<typeof childEnterprise>, "logicalName">;

/**
 * A child enterprise of a BitGo-as-a-Service organization, made exactly once by its idempotency key
 * (derived from the project, stack and resource name unless given). BitGo cannot delete an
 * enterprise: see onDelete. See docs/organizations.md.
 */
export class ChildEnterprise extends resourceClass(childEnterprise, {
  extraInputs: (name) => ({ logicalName: `${pulumi.getProject()}/${pulumi.getStack()}/${name}` }),
}) {
  constructor(name: string, args: ChildEnterpriseArgs, opts?: pulumi.CustomResourceOptions) {
    super(name, args as any, opts);
  }
}
