import * as pulumi from "@pulumi/pulumi";
import { dynamicProvider } from "../shim";
import { noteForRules } from "./rules";
import { DirectorRole, Person, PersonArgs, PERSON_OUTPUTS } from "./types";

const provider = dynamicProvider("finhub:Director");

export interface DirectorArgs {
  /** The organization's UUID (org.id). Changing it replaces the director. */
  organizationId: pulumi.Input<string>;
  /** The director's personal information, addresses and telephone numbers. */
  person: pulumi.Input<PersonArgs>;
  role: pulumi.Input<DirectorRole>;
  /** 0-100 (default 0); counts toward the organization's 100 % shareholding; 25 or more = beneficial owner. */
  ownershipPercentage?: pulumi.Input<number>;
  /** Whether this director is the organization's primary contact (default false). */
  primaryContact?: pulumi.Input<boolean>;
}

/**
 * A director: `POST /api/v2.1/customer/organization/{id}/director`. FinHub has no route to change a
 * director, so every change replaces it (removed first when the email stays). The temporary password
 * of the director's first login is a secret output.
 */
export class Director extends pulumi.dynamic.Resource {
  declare readonly organizationId: pulumi.Output<string>;
  declare readonly person: pulumi.Output<Person>;
  declare readonly role: pulumi.Output<DirectorRole>;
  declare readonly ownershipPercentage: pulumi.Output<number>;
  declare readonly primaryContact: pulumi.Output<boolean>;
  /** The director's organization record id (same as id). */
  declare readonly organizationRecordId: pulumi.Output<string>;
  /** The individual customer FinHub created for the director's login. */
  declare readonly individualCustomerId: pulumi.Output<string>;
  /** The generated login name. */
  declare readonly username: pulumi.Output<string>;
  /** The temporary password for the first login (secret; "" when the record was taken over). */
  declare readonly temporaryPassword: pulumi.Output<string>;
  declare readonly status: pulumi.Output<string>;
  /** ownershipPercentage of 25 or more. */
  declare readonly beneficialOwner: pulumi.Output<boolean>;
  declare readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: DirectorArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      { ...args, ...PERSON_OUTPUTS, beneficialOwner: undefined },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "temporaryPassword"] },
      "finhub",
      "Director",
    );
    if (!opts?.id) {
      noteForRules({
        kind: "director",
        resource: this,
        name,
        organizationId: args.organizationId,
        email: pulumi.output(args.person).apply((p) => p?.email),
        role: args.role,
        ownershipPercentage: args.ownershipPercentage ?? 0,
        dependsOn: opts?.dependsOn,
      });
    }
  }
}
