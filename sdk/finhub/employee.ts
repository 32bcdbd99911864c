import * as pulumi from "@pulumi/pulumi";
import { dynamicProvider } from "../shim";
import { noteForRules } from "./rules";
import { EmployeeRole, Person, PersonArgs, PERSON_OUTPUTS } from "./types";

const provider = dynamicProvider("finhub:Employee");

export interface EmployeeArgs {
  /** The organization's UUID (org.id). Changing it replaces the employee. */
  organizationId: pulumi.Input<string>;
  /** Personal information, addresses and telephone numbers: any change replaces the employee. */
  person: pulumi.Input<PersonArgs>;
  /** The primary role; changes in place. The organization's first employee must be an ADMIN_USER. */
  role: pulumi.Input<EmployeeRole>;
  /** Every role the employee holds, including the primary one (default [role]); changes in place. */
  roles?: pulumi.Input<pulumi.Input<EmployeeRole>[]>;
  /** Such as Finance, Compliance, Management. FinHub has no route to change it: a change replaces. */
  department?: pulumi.Input<string>;
}

/**
 * An employee: `POST /api/v2.1/customer/organization/{id}/employee`; roles change in place through
 * `PUT .../employees/{id}/roles`. Give every non-admin employee `dependsOn: [admin]`: FinHub refuses
 * a first employee without ADMIN_USER.
 */
export class Employee extends pulumi.dynamic.Resource {
  declare readonly organizationId: pulumi.Output<string>;
  declare readonly person: pulumi.Output<Person>;
  declare readonly role: pulumi.Output<EmployeeRole>;
  declare readonly roles: pulumi.Output<EmployeeRole[]>;
  declare readonly department: pulumi.Output<string | undefined>;
  declare readonly organizationRecordId: pulumi.Output<string>;
  declare readonly individualCustomerId: pulumi.Output<string>;
  declare readonly username: pulumi.Output<string>;
  /** The temporary password for the first login (secret; "" when the record was taken over). */
  declare readonly temporaryPassword: pulumi.Output<string>;
  declare readonly status: pulumi.Output<string>;
  declare readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: EmployeeArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      { ...args, ...PERSON_OUTPUTS },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "temporaryPassword"] },
      "finhub",
      "Employee",
    );
    if (!opts?.id) {
      noteForRules({
        kind: "employee",
        resource: this,
        name,
        organizationId: args.organizationId,
        email: pulumi.output(args.person).apply((p) => p?.email),
        role: args.role,
        roles: args.roles,
        dependsOn: opts?.dependsOn,
      });
    }
  }
}
