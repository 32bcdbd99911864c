// finhub:Organization: a FinHub business customer, registered with
// POST /api/v2.1/customer/organization/registration (the runner page's nested body).
//
//   find    GET /api/v2.1/customer/organization/{id} ("Get Organization Details": its answer is
//           undocumented; the status is read at data.status when there); 404 = gone.
//   create  registers it, once: FinHub documents no lookup of organizations, so a lost answer is never
//           sent again (nobody could tell a second registration from the first); the error says how to
//           take the one that may exist over (existingOrganizationId). With existingOrganizationId set,
//           create takes that organization over instead of registering.
//   remove  DELETE /api/v2.1/customer/organization/{id} (undocumented: the shape the rest suggests);
//           404 = already gone; 405 = FinHub has no such route: it stays in FinHub, the stack forgets it.
//
// Replaces: every registration field (FinHub documents no route to change them). A replacement
// registers anew, and so replaces every person of the organization: protect the resource.
import * as crypto from "crypto";
import { z } from "zod";
import { countryCode, email, field, isoDate, list, text, uuid } from "../kit/fields";
import { vendorId } from "../kit/ids";
import { defineResource, stripUndefined } from "../kit/resource";
import { addSecret, log } from "../kit/secrets";
import { done } from "../kit/writes";
import * as api from "./api";
import { addressInput } from "./people";
import { finhub } from "./vendor";

const id = vendorId("finhub:Organization", "organizationId", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);

const registration = <T extends z.ZodType>(doc: string, schema: T) => field(schema, { replaceOnChange: true, doc });

interface Current extends api.OrganizationInfo {
  customerId?: string;
  tenantId?: string;
  initialAdminPassword?: string;
}

/** A password FinHub's registration would accept for the initial admin user (letters, digits, a symbol). */
function generatedPassword(): string {
  return `Os-${crypto.randomBytes(18).toString("base64url")}9!`;
}

export const organization = defineResource<Current>()({
  type: "finhub:Organization",
  doc: "A FinHub business customer (POST /api/v2.1/customer/organization/registration), registered once.",
  vendor: finhub,
  inputs: {
    legalName: registration("The registered company name.", text({ max: 200 })),
    tradingName: registration("The trading name (default: the legal name, as FinHub's customerName).", text({ max: 200 }).optional()),
    registrationNumber: registration("The company registry number.", text({ max: 100 })),
    taxId: registration("The tax id.", text({ max: 100 }).optional()),
    email: registration("The organization's email: also the login of its initial admin user.", email("the organization's contact email, such as ops@acme.example")),
    country: registration("ISO 3166-1 alpha-2: the registered country, sent as the country of the registered address (without address, an address of the country alone).", countryCode().optional()),
    incorporationDate: registration("YYYY-MM-DD.", isoDate({ past: true, example: "2015-03-20" }).optional()),
    legalForm: registration("Such as LIMITED_LIABILITY_COMPANY.", text({ max: 60 }).optional()),
    industry: registration("Such as TECHNOLOGY.", text({ max: 60 }).optional()),
    businessDescription: registration("What the business does.", text({ max: 1000 }).optional()),
    website: registration("The website.", text({ max: 300 }).optional()),
    phone: registration("The organization's telephone number.", text({ max: 30 }).optional()),
    address: registration("The registered address.", addressInput.optional()),
    customerCategory: registration(
      "FinHub's customer category ({ id, name }, from GET /customer/individual/categorization/hierarchy/{tenantId}).",
      z.object({ id: text({ max: 100 }), name: text({ max: 200 }) }).strict().optional(),
    ),
    roleIds: registration("The initial admin user's roles (default ACCOUNT_OWNER, ADMIN).", list(text({ max: 60 }), { max: 10 }).optional()),
    adminPassword: field(text({ max: 200, min: 12 }).optional(), {
      secret: true,
      writeOnly: true,
      doc: "The initial admin user's password (secret, never recorded). Left out, orgstack generates one and returns it once as the secret output initialAdminPassword.",
    }),
    existingOrganizationId: field(uuid("an organization id").optional(), {
      behaviour: true,
      doc: "Take over this already registered organization instead of registering a new one (FinHub documents no lookup by email).",
    }),
  },
  outputs: {
    organizationId: field(z.string(), { doc: "The organization's id." }),
    customerId: field(z.string(), { doc: "The organization customer's id (data.id of the registration answer)." }),
    tenantId: field(z.string(), { doc: "The tenant." }),
    status: field(z.string(), { doc: "PENDING_VERIFICATION, PENDING_ACTIVATION, ACTIVATING or ACTIVE, where FinHub shows it." }),
    initialAdminPassword: field(z.string(), { secret: true, doc: "The password orgstack generated for the initial admin user (secret); empty when adminPassword was given or the organization was taken over." }),
  },
  id,
  adopt: "own",
  rules: (i) =>
    i.country && i.address && i.country !== i.address.country
      ? [{ property: "country", reason: `country: ${i.country} differs from address.country ${i.address.country}; the registered address has one country: leave country out or make them agree` }]
      : [],
  // FinHub keeps the admin user's email unique in a tenant: the old registration goes first.
  deleteBeforeReplace: (olds, news) => olds.email === news.email,

  idOf: (cur) => id.build({ organizationId: cur!.organizationId }),
  derive: (o) => ({ tenantId: o.tenantId ?? "", status: o.status ?? "", initialAdminPassword: o.initialAdminPassword ?? "", customerId: o.customerId ?? o.organizationId }),

  async find(ctx, ref, since): Promise<Current | undefined> {
    const organizationId = ref.olds?.organizationId ?? ref.id ?? ref.inputs?.existingOrganizationId;
    if (!organizationId) return undefined; // a new registration: FinHub has no lookup to look in
    const found = await api.organization(ctx.c, organizationId, since);
    // Only a create takes an organization over; later (read, delete) one that is gone is simply gone.
    const takingOver = !ref.olds && !ref.id && ref.inputs?.existingOrganizationId;
    if (found && takingOver && found.email && found.email.toLowerCase() !== ref.inputs!.email) {
      throw new Error(`finhub: existingOrganizationId: organization ${organizationId} is registered with ${found.email}, not ${ref.inputs!.email}; declare its email to take it over`);
    }
    if (!found && takingOver) {
      throw new Error(`finhub: existingOrganizationId: no organization ${organizationId} in tenant ${ctx.c.settings.tenantId}; check the id and finhub:tenantId`);
    }
    // Found with this tenant's X-Tenant-ID: it is in this tenant, whether or not the (undocumented) answer says so.
    return found && { ...found, tenantId: found.tenantId ?? ctx.c.settings.tenantId };
  },

  flatten: (cur) => ({ organizationId: cur.organizationId, status: cur.status, customerId: cur.customerId, tenantId: cur.tenantId, initialAdminPassword: cur.initialAdminPassword }),

  async create(ctx, i) {
    const generated = i.adminPassword ? undefined : generatedPassword();
    const password = i.adminPassword ?? generated!;
    addSecret(password);
    const roleIds = i.roleIds ?? ["ACCOUNT_OWNER", "ADMIN"];
    // The runner body has no top-level country: it is the registered address's.
    const address = i.address
      ? [{ type: i.address.addressType ?? "REGISTERED", street: [i.address.addressLine1, i.address.addressLine2].filter(Boolean).join(", "), city: i.address.city, postalCode: i.address.postalCode, country: i.address.country, isPrimary: true }]
      : i.country
        ? [{ type: "REGISTERED", country: i.country, isPrimary: true }]
        : undefined;
    const body = {
      email: i.email,
      password,
      matchingPassword: password,
      roleIds,
      ...(i.customerCategory ? { customerCategory: i.customerCategory } : {}),
      organizationCustomer: {
        customerName: i.tradingName ?? i.legalName,
        organization: stripUndefined({
          legalName: i.legalName,
          tradingName: i.tradingName,
          registrationNumber: i.registrationNumber,
          taxId: i.taxId,
          incorporationDate: i.incorporationDate,
          legalForm: i.legalForm,
          industry: i.industry,
          businessDescription: i.businessDescription,
          website: i.website,
          email: i.email,
          phone: i.phone,
          addresses: address,
        }),
        user: { username: i.email, email: i.email, password, status: "ACTIVE", roles: roleIds },
      },
    };
    return ctx.write({
      what: `registering organization ${i.legalName} (${i.email})`,
      once: true,
      whenLost: `FinHub documents no lookup of organizations, so orgstack does not register again blindly: if FinHub shows an organization for ${i.email}, set existingOrganizationId to its id and run pulumi up; if it shows none, run pulumi up again`,
      send: async () => {
        const r = await api.register(ctx.c, body);
        log(`finhub: registered organization ${r.organizationId} (${i.legalName})`);
        // The registration answer has no status: FinHub's own (where its organization answer shows one), never assumed.
        const seen = await api.organization(ctx.c, r.organizationId, Date.now()).catch(() => undefined);
        return done({ organizationId: r.organizationId, customerId: r.customerId, tenantId: r.tenantId ?? ctx.c.settings.tenantId, status: seen?.status, initialAdminPassword: generated });
      },
    });
  },

  async remove(ctx, olds) {
    const status = await api.removeOrganization(ctx.c, olds.organizationId);
    if (status === 405) log(`finhub: FinHub has no route to remove organization ${olds.organizationId} (${olds.legalName}); it stays in FinHub and leaves the stack`);
    return done();
  },
});
