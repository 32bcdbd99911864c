import * as pulumi from "@pulumi/pulumi";
import { shareholder } from "../../provider/finhub/shareholder";
import { Args, resourceClass } from "../resourceClass";
import { noteForRules } from "./rules";

export type ShareholderArgs = Args<typeof shareholder>;

/**
 * A shareholder of a FinHub organization; the shareholders of an organization must total 100 % before
 * activation. Adds of one organization go out in one call.
 */
export class Shareholder extends resourceClass(shareholder, {
  declared: (resource, name, args, opts) =>
    noteForRules({
      kind: "shareholder",
      resource,
      name,
      organizationId: args.organizationId,
      email: pulumi.output(args.person).apply((p: any) => p?.email),
      ownershipPercentage: args.ownershipPercentage,
      dependsOn: opts?.dependsOn,
    }),
}) {}
