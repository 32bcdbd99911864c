import * as pulumi from "@pulumi/pulumi";
import { dynamicProvider } from "../shim";
import { noteForRules } from "./rules";
import { Person, PersonArgs, PERSON_OUTPUTS } from "./types";

const provider = dynamicProvider("finhub:Shareholder");

export interface ShareholderArgs {
  /** The organization's UUID (org.id). Changing it replaces the shareholder. */
  organizationId: pulumi.Input<string>;
  /**
   * Personal information: identity and names replace the shareholder; addresses and telephone numbers
   * update in place.
   */
  person: pulumi.Input<PersonArgs>;
  /** 0-100, updated in place; 25 or more = beneficial owner. */
  ownershipPercentage: pulumi.Input<number>;
  /** Whether this shareholder is the primary contact (default false), updated in place. */
  primaryContact?: pulumi.Input<boolean>;
}

/**
 * A shareholder: FinHub adds shareholders as an array, so the shareholders of one organization created
 * in one run go out in as few `POST .../shareholders` calls as possible, each resource still getting
 * its own record and its own error. Ownership, primary contact and contact details update in place
 * (`PUT /api/v2.1/shareholder/update/{id}`).
 */
export class Shareholder extends pulumi.dynamic.Resource {
  declare readonly organizationId: pulumi.Output<string>;
  declare readonly person: pulumi.Output<Person>;
  declare readonly ownershipPercentage: pulumi.Output<number>;
  declare readonly primaryContact: pulumi.Output<boolean>;
  declare readonly organizationRecordId: pulumi.Output<string>;
  declare readonly individualCustomerId: pulumi.Output<string>;
  declare readonly username: pulumi.Output<string>;
  /** The temporary password for the first login (secret; "" when the record was taken over). */
  declare readonly temporaryPassword: pulumi.Output<string>;
  declare readonly status: pulumi.Output<string>;
  /** ownershipPercentage of 25 or more: a beneficial owner. */
  declare readonly beneficialOwner: pulumi.Output<boolean>;
  declare readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: ShareholderArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      { ...args, ...PERSON_OUTPUTS, beneficialOwner: undefined },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "temporaryPassword"] },
      "finhub",
      "Shareholder",
    );
    if (!opts?.id) {
      noteForRules({
        kind: "shareholder",
        resource: this,
        name,
        organizationId: args.organizationId,
        email: pulumi.output(args.person).apply((p) => p?.email),
        ownershipPercentage: args.ownershipPercentage,
        dependsOn: opts?.dependsOn,
      });
    }
  }
}
