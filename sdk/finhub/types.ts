import * as pulumi from "@pulumi/pulumi";

export type EmployeeRole = "ADMIN_USER" | "TRANSACTION_APPROVER" | "COMPLIANCE_OFFICER" | "EMPLOYEE";
export type DirectorRole = "MANAGING_DIRECTOR" | "EXECUTIVE_DIRECTOR" | "NON_EXECUTIVE_DIRECTOR" | "BOARD_MEMBER";
export type Consent = "terms" | "privacy" | "data-processing";

/** FinHub's AddressDto. */
export interface AddressArgs {
  addressLine1: pulumi.Input<string>;
  addressLine2?: pulumi.Input<string>;
  city: pulumi.Input<string>;
  state?: pulumi.Input<string>;
  /** ISO 3166-1 alpha-2, such as GB. */
  country: pulumi.Input<string>;
  postalCode?: pulumi.Input<string>;
  /** Such as RESIDENTIAL or BUSINESS. */
  addressType?: pulumi.Input<string>;
}

/** FinHub's TelephoneNumberDto. */
export interface TelephoneNumberArgs {
  number: pulumi.Input<string>;
  /** Such as MOBILE or WORK. */
  type?: pulumi.Input<string>;
  countryCode?: pulumi.Input<string>;
  isPrimary?: pulumi.Input<boolean>;
}

/**
 * FinHub's PersonDto, with the person's addresses and telephone numbers (orgstack sends those beside
 * `person`, where FinHub's add calls take them). `email` and `dateOfBirth` are the person's identity:
 * changing them replaces the record (a new person, with new credentials).
 */
export interface PersonArgs {
  firstName: pulumi.Input<string>;
  middleName?: pulumi.Input<string>;
  lastName: pulumi.Input<string>;
  fullName?: pulumi.Input<string>;
  /** Unique within the tenant across directors, shareholders and employees. */
  email: pulumi.Input<string>;
  /** YYYY-MM-DD. */
  dateOfBirth: pulumi.Input<string>;
  /** ISO 3166-1 alpha-2, such as GB. */
  nationality: pulumi.Input<string>;
  gender?: pulumi.Input<string>;
  phoneNumber?: pulumi.Input<string>;
  countryCode?: pulumi.Input<string>;
  addresses?: pulumi.Input<pulumi.Input<AddressArgs>[]>;
  telephoneNumbers?: pulumi.Input<pulumi.Input<TelephoneNumberArgs>[]>;
}

export interface Address {
  addressLine1: string;
  addressLine2?: string;
  city: string;
  state?: string;
  country: string;
  postalCode?: string;
  addressType?: string;
}
export interface TelephoneNumber {
  number: string;
  type?: string;
  countryCode?: string;
  isPrimary?: boolean;
}
export interface Person {
  firstName: string;
  middleName?: string;
  lastName: string;
  fullName?: string;
  email: string;
  dateOfBirth: string;
  nationality: string;
  gender?: string;
  phoneNumber?: string;
  countryCode?: string;
  addresses: Address[];
  telephoneNumbers: TelephoneNumber[];
}

/** The outputs every person has: FinHub makes an organization record and an individual customer. */
export const PERSON_OUTPUTS = {
  organizationRecordId: undefined,
  individualCustomerId: undefined,
  username: undefined,
  temporaryPassword: undefined,
  status: undefined,
  adopted: undefined,
};
