import { organization } from "../../provider/finhub/organization";
import { Args, resourceClass } from "../resourceClass";

export type OrganizationArgs = Args<typeof organization>;

/**
 * A FinHub business customer, registered once (POST /api/v2.1/customer/organization/registration).
 * FinHub documents no route to change a registration: every change replaces it (and its people), so
 * protect it. existingOrganizationId takes over one registered before. See docs/finhub.md.
 */
export class Organization extends resourceClass(organization) {}
