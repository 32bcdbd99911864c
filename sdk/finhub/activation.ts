import { activation } from "../../provider/finhub/activation";
import { Args, resourceClass } from "../resourceClass";
import { noteForRules } from "./rules";

export type ActivationArgs = Args<typeof activation>;

/**
 * Takes a FinHub organization to ACTIVE: KYB, the three consents, activation (acting as an ADMIN_USER
 * or COMPLIANCE_OFFICER employee: actingUserId is that Employee's userId), following FinHub's
 * asynchronous ACTIVATING state. Declare it with dependsOn every person of the organization.
 */
export class Activation extends resourceClass(activation, {
  declared: (resource, name, args, opts) => noteForRules({ kind: "activation", resource, name, organizationId: args.organizationId, dependsOn: opts?.dependsOn }),
}) {}
