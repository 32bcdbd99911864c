import * as pulumi from "@pulumi/pulumi";
import { employee } from "../../provider/finhub/employee";
import { Args, resourceClass } from "../resourceClass";
import { noteForRules } from "./rules";

export type EmployeeArgs = Args<typeof employee>;

/**
 * An employee of a FinHub organization; role and roles change in place. The first employee of an
 * organization must hold ADMIN_USER: give the others dependsOn: [admin]. Its userId output is what
 * an Activation acts as.
 */
export class Employee extends resourceClass(employee, {
  declared: (resource, name, args, opts) =>
    noteForRules({
      kind: "employee",
      resource,
      name,
      organizationId: args.organizationId,
      email: pulumi.output(args.person).apply((p: any) => p?.email),
      role: args.role,
      roles: args.roles,
      dependsOn: opts?.dependsOn,
    }),
}) {}
