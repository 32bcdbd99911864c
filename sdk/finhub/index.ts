// orgstack/finhub: a FinHub organization and its personnel as Pulumi resources.
export { Organization, OrganizationArgs } from "./organization";
export { Director, DirectorArgs } from "./director";
export { Shareholder, ShareholderArgs } from "./shareholder";
export { Employee, EmployeeArgs } from "./employee";
export { Activation, ActivationArgs } from "./activation";
export { checkRules } from "./rules";
export * from "./types";
