import * as pulumi from "@pulumi/pulumi";
import { dynamicProvider } from "../shim";
import { AddressArgs, Address } from "./types";

const provider = dynamicProvider("finhub:Organization");

export interface OrganizationArgs {
  /** The registered company name. Every registration field replaces the organization when changed. */
  legalName: pulumi.Input<string>;
  tradingName?: pulumi.Input<string>;
  registrationNumber: pulumi.Input<string>;
  /** ISO 3166-1 alpha-2 country of incorporation, such as GB. */
  country: pulumi.Input<string>;
  /** The organization's contact email (unique among the tenant's organizations). */
  email: pulumi.Input<string>;
  businessType?: pulumi.Input<string>;
  /** YYYY-MM-DD. */
  incorporationDate?: pulumi.Input<string>;
  website?: pulumi.Input<string>;
  address?: pulumi.Input<AddressArgs>;
  /**
   * Take over an organization already registered in FinHub (dynamic resources cannot be imported):
   * its UUID. The registration fields must describe it (the email is compared).
   */
  existingOrganizationId?: pulumi.Input<string>;
}

/**
 * A FinHub organization (business customer): `POST /api/v2.1/customer/organization/registration`.
 * `id` is the organization UUID that Director, Shareholder, Employee and Activation take. Consider
 * `protect: true`: a replacement registers a new organization and replaces its personnel.
 */
export class Organization extends pulumi.dynamic.Resource {
  declare readonly legalName: pulumi.Output<string>;
  declare readonly email: pulumi.Output<string>;
  declare readonly country: pulumi.Output<string>;
  declare readonly registrationNumber: pulumi.Output<string>;
  declare readonly address: pulumi.Output<Address | undefined>;
  /** The organization UUID (same as id). */
  declare readonly organizationId: pulumi.Output<string>;
  /** The organization's customer id. */
  declare readonly customerId: pulumi.Output<string>;
  declare readonly tenantId: pulumi.Output<string>;
  /** REGISTERED, ACTIVATING or ACTIVE (refresh updates it). */
  declare readonly status: pulumi.Output<string>;
  declare readonly kybStatus: pulumi.Output<string>;
  declare readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: OrganizationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      { ...args, organizationId: undefined, customerId: undefined, tenantId: undefined, status: undefined, kybStatus: undefined, adopted: undefined },
      opts,
      "finhub",
      "Organization",
    );
  }
}
