// finhub:Organization: a FinHub business customer, registered with
// POST /api/v2.1/customer/organization/registration.
//
//   create  registers it; with existingOrganizationId set, takes over an organization already
//           registered instead (dynamic resources cannot be imported). A lost answer is not registered
//           twice: FinHub documents no lookup by email, so the error says how to take the one that
//           may exist over.
//   read    GET /api/v2.1/customer/organization/{id} (not in the vendor's page: the shape the rest of
//           the API suggests); 404 = gone (empty id). status and kybStatus are refreshed.
//   update  only existingOrganizationId (nothing is sent).
//   delete  DELETE /api/v2.1/customer/organization/{id} (not documented either); 404 = already gone;
//           405 = FinHub has no such route: the organization stays in FinHub and leaves the stack.
//
// Replaces: every registration field (FinHub documents no route to change them); a replacement
// re-registers and so replaces every person of the organization: protect the resource.
import { z } from "zod";
import { CheckResult, DiffResult, ResourceProvider, UNKNOWN, checkWith } from "../types";
import { OrganizationRecord } from "./client";
import { addressSchema, client, mayHaveHappened, only, sameJson, settingsFailures } from "./person";

const iso2 = (field: string) =>
  z
    .string({ error: `${field} is required: an ISO 3166-1 alpha-2 code such as GB` })
    .transform((v) => (v === UNKNOWN ? v : v.toUpperCase()))
    .refine((v) => v === UNKNOWN || /^[A-Z]{2}$/.test(v), { message: `${field} must be an ISO 3166-1 alpha-2 code such as GB` });

export const organizationInputs = z
  .object({
    legalName: z.string({ error: "legalName is required: the registered company name" }).trim().min(1, { message: "legalName must not be empty" }),
    tradingName: z.string().trim().optional(),
    registrationNumber: z.string({ error: "registrationNumber is required: the company registry number" }).trim().min(1, { message: "registrationNumber must not be empty" }),
    country: iso2("country"),
    email: z
      .string({ error: "email is required: the organization's contact email" })
      .trim()
      .toLowerCase()
      .refine((v) => v === UNKNOWN || z.email().safeParse(v).success, { message: "email must be an email address such as ops@acme.example" }),
    businessType: z.string().trim().optional(),
    incorporationDate: z
      .string()
      .refine((v) => v === UNKNOWN || (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v))), { message: "incorporationDate must be YYYY-MM-DD" })
      .optional(),
    website: z.string().trim().optional(),
    address: addressSchema.optional(),
    /** Take over this already registered organization instead of registering a new one. */
    existingOrganizationId: z.string().optional(),
  })
  .strict();

export type OrganizationInputs = z.infer<typeof organizationInputs>;

export interface OrganizationOutputs extends OrganizationInputs {
  organizationId: string;
  /** The organization's customer id (`data.id` of the registration answer). */
  customerId: string;
  tenantId: string;
  /** REGISTERED, ACTIVATING or ACTIVE (refresh updates it). */
  status: string;
  kybStatus: string;
  adopted: boolean;
}

const REGISTRATION_KEYS = ["legalName", "tradingName", "registrationNumber", "country", "email", "businessType", "incorporationDate", "website", "address"] as const;

function registration(inputs: OrganizationInputs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of REGISTRATION_KEYS) if (inputs[k] !== undefined) out[k] = inputs[k];
  return out;
}

function outputsOf(inputs: OrganizationInputs, r: OrganizationRecord, adopted = false): OrganizationOutputs {
  return {
    ...inputs,
    organizationId: String(r.organizationId),
    customerId: String(r.id ?? ""),
    tenantId: String(r.tenantId ?? client().settings.tenantId ?? ""),
    status: String(r.status ?? "REGISTERED"),
    kybStatus: String(r.kybStatus ?? "NOT_STARTED"),
    adopted,
  };
}

export const organization: ResourceProvider<OrganizationInputs, OrganizationOutputs> = {
  async check(_olds, news): Promise<CheckResult<OrganizationInputs>> {
    const failures = settingsFailures();
    const result = checkWith(organizationInputs, news);
    if (failures.length) return { failures: [...failures, ...(result.failures ?? [])] };
    return result;
  },

  async diff(_id, olds, news): Promise<DiffResult> {
    const replaces = REGISTRATION_KEYS.filter((k) => !sameJson(olds[k], news[k]));
    const changes = replaces.length > 0 || (olds.existingOrganizationId ?? "") !== (news.existingOrganizationId ?? "");
    // FinHub keeps organization emails unique in a tenant: remove the old registration first.
    return { changes, replaces, deleteBeforeReplace: replaces.length > 0 && olds.email === news.email };
  },

  async create(raw) {
    const inputs = organizationInputs.parse(only(raw, [...REGISTRATION_KEYS, "existingOrganizationId"]));
    const c = client();
    if (inputs.existingOrganizationId) {
      const found = await c.getOrganization(inputs.existingOrganizationId);
      if (!found) {
        throw new Error(`finhub: existingOrganizationId: no organization ${inputs.existingOrganizationId} in tenant ${c.settings.tenantId}; check the id and finhub:tenantId`);
      }
      if (found.email && String(found.email).toLowerCase() !== inputs.email) {
        throw new Error(`finhub: existingOrganizationId: organization ${inputs.existingOrganizationId} is registered with ${found.email}, not ${inputs.email}; declare its email to take it over`);
      }
      console.log(`finhub: taking over organization ${found.organizationId} (${inputs.legalName}) instead of registering it again`);
      return { id: String(found.organizationId), outs: outputsOf(inputs, found, true) };
    }
    try {
      const r = await c.registerOrganization(registration(inputs));
      return { id: String(r.organizationId), outs: outputsOf(inputs, r) };
    } catch (e) {
      if (mayHaveHappened(e)) {
        throw new Error(
          `finhub: registering ${inputs.legalName} may or may not have happened (${(e as Error).message}). FinHub documents no lookup ` +
            `of organizations by email, so orgstack will not register it again blindly: if FinHub shows an organization for ${inputs.email}, ` +
            `set existingOrganizationId to its id and run pulumi up; otherwise just run pulumi up again.`,
        );
      }
      throw e;
    }
  },

  async read(id, props) {
    const found = await client().getOrganization(id);
    if (!found) return { id: "" };
    const outs = { ...props, status: String(found.status ?? props.status), kybStatus: String(found.kybStatus ?? props.kybStatus) };
    const inputs: any = {};
    for (const k of [...REGISTRATION_KEYS, "existingOrganizationId"] as const) if (props[k] !== undefined) inputs[k] = props[k];
    return { id, props: outs, inputs };
  },

  async update(_id, olds, raw) {
    const news = organizationInputs.parse(only(raw, [...REGISTRATION_KEYS, "existingOrganizationId"]));
    return { outs: { ...olds, ...news } };
  },

  async delete(id, props) {
    const status = await client().deleteOrganization(id);
    if (status === 404) console.log(`finhub: organization ${id} was already gone`);
    if (status === 405) {
      console.log(`finhub: FinHub has no route to remove organization ${id} (${props.legalName}); it stays in FinHub and leaves the stack`);
    }
  },
};
