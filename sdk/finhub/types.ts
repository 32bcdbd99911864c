import type { Args } from "../resourceClass";
import type { director } from "../../provider/finhub/director";
import { CONSENTS } from "../../provider/finhub/activation";
import { DIRECTOR_ROLES, EMPLOYEE_ROLES } from "../../provider/finhub/people";

export type EmployeeRole = (typeof EMPLOYEE_ROLES)[number];
export type DirectorRole = (typeof DIRECTOR_ROLES)[number];
export type Consent = (typeof CONSENTS)[number];
/** FinHub's PersonDto with addresses and telephone numbers, as every person resource takes it. */
export type PersonArgs = Args<typeof director>["person"];
