// Onboards a company with FinHub from empty to ACTIVE in one `pulumi up`: the organization, four
// employees (the first an ADMIN_USER; the others depend on it), two directors, three shareholders owning
// 100 % between them (directors never count toward it), then KYB, the three consents and activation,
// acting as the admin employee. Run it against the local sandbox (`npm run example -- finhub-onboarding`,
// see README.md) or against FinHub's sandbox host with your own tenant.
//
// Config (Pulumi stack config):
//   finhub:apiUrl                       default https://sandbox.finhub.cloud
//   finhub:token (secret)               the tenant's JWT
//   finhub:tenantId                     the tenant (X-Tenant-ID)
//   finhub-onboarding:emailDomain       the domain of every email (default acme.example); emails are unique per tenant
//   finhub-onboarding:pollIntervalMs    how often activation looks at FinHub (default 2000)
//   finhub-onboarding:founderPercentage the founder's shares (default 60): changes in place
//   finhub-onboarding:esopPercentage    the ESOP trust's shares (default 15): a change replaces it
//   finhub-onboarding:actingUserId      the admin's FinHub user id, only when its add answer was lost
//                                       (the error says so): FinHub's employee list does not show it
import * as pulumi from "@pulumi/pulumi";
import * as finhub from "orgstack/finhub";

const config = new pulumi.Config("finhub-onboarding");
const domain = config.get("emailDomain") ?? "acme.example";
const pollIntervalMs = config.getNumber("pollIntervalMs") ?? 2000;

const office = { addressLine1: "1 Finsbury Avenue", city: "London", postalCode: "EC2M 2PP", country: "GB", addressType: "BUSINESS" };

function person(firstName: string, lastName: string, dateOfBirth: string, extension: string, nationality = "GB") {
  return {
    firstName,
    lastName,
    email: `${firstName}.${lastName}@${domain}`.toLowerCase(),
    dateOfBirth,
    nationality,
    addresses: [office],
    telephoneNumbers: [{ number: `+44 20 7946 ${extension}`, type: "WORK" }],
  };
}

const org = new finhub.Organization("acme", {
  legalName: "Acme Payments Ltd",
  tradingName: "Acme Pay",
  registrationNumber: "12345678",
  country: "GB",
  email: `compliance@${domain}`,
  legalForm: "PRIVATE_LIMITED_COMPANY",
  incorporationDate: "2019-04-01",
  address: office,
  // Taking over an organization registered before (FinHub has no lookup by email): its id.
  existingOrganizationId: config.get("existingOrganizationId"),
});
const organizationId = org.id;

// Employees: the first must hold ADMIN_USER, so the others depend on the admin.
const admin = new finhub.Employee("admin", {
  organizationId,
  person: person("Ada", "Ng", "1985-02-01", "0001"),
  role: "ADMIN_USER",
  roles: ["ADMIN_USER", "COMPLIANCE_OFFICER"],
  department: "Management",
});
const employees = [
  admin,
  new finhub.Employee("compliance", { organizationId, person: person("Carl", "Okafor", "1979-07-12", "0002", "NG"), role: "COMPLIANCE_OFFICER", department: "Compliance" }, { dependsOn: [admin] }),
  new finhub.Employee("approver", { organizationId, person: person("Tara", "Iyer", "1990-11-30", "0003", "IN"), role: "TRANSACTION_APPROVER", roles: ["TRANSACTION_APPROVER", "EMPLOYEE"], department: "Finance" }, { dependsOn: [admin] }),
  new finhub.Employee("analyst", { organizationId, person: person("Ben", "Costa", "1995-03-14", "0004", "PT"), role: "EMPLOYEE", department: "Finance" }, { dependsOn: [admin] }),
];

// Directors: FinHub's 100 % rule counts shareholders only, so the directors hold no shares here.
const directors = [
  new finhub.Director("ceo", { organizationId, person: person("Maya", "Reyes", "1975-05-20", "0010", "ES"), role: "MANAGING_DIRECTOR", primaryContact: true }),
  new finhub.Director("chair", { organizationId, person: person("Liam", "Walsh", "1962-09-03", "0011", "IE"), role: "NON_EXECUTIVE_DIRECTOR" }),
];

// Shareholders: 100 % between them, added in one call by the provider (FinHub takes them as an array).
// The founder declares an identity document, a phone and a postal code: FinHub's update route needs
// them, so a change to the founder's percentage is made in place (the others' would replace them).
const shareholders = [
  new finhub.Shareholder("founder", {
    organizationId,
    person: person("Noor", "Haddad", "1981-12-02", "0020", "JO"),
    ownershipPercentage: config.getNumber("founderPercentage") ?? 60,
    identityDocument: { type: "PASSPORT", number: "N1234567", expiryDate: "2031-05-30" },
  }),
  new finhub.Shareholder("angel", { organizationId, person: person("Eli", "Berg", "1970-01-15", "0021", "SE"), ownershipPercentage: 25 }),
  new finhub.Shareholder("esop-trust", { organizationId, person: person("Ruth", "Mensah", "1968-06-06", "0022", "GH"), ownershipPercentage: config.getNumber("esopPercentage") ?? 15 }),
];

// Activation acts as the admin employee: FinHub's X-User-ID is the userId its add answer returned
// (or, when that answer was lost, the one set in config from FinHub's console).
const activation = new finhub.Activation(
  "go-live",
  { organizationId, consents: ["terms", "privacy", "data-processing"], consentVersion: "2026-01", actingUserId: config.get("actingUserId") ?? admin.userId, actingRoles: ["ADMIN_USER", "COMPLIANCE_OFFICER"], pollIntervalMs },
  { dependsOn: [...employees, ...directors, ...shareholders] },
);

export const organization = { id: org.id, status: activation.status };
/** The organization's own login (its email) was registered with this generated password: secret. */
export const initialAdminPassword = org.initialAdminPassword;
/** Login names to hand out, by person. */
export const usernames = pulumi
  .all([...employees, ...directors, ...shareholders].map((r) => pulumi.all([r.person, r.username])))
  .apply((list) => Object.fromEntries(list.map(([p, u]) => [p.email, u])));
/** Temporary passwords for the first login: secret (pulumi stack output --show-secrets temporaryPasswords). */
export const temporaryPasswords = pulumi.secret(
  pulumi
    .all([...employees, ...directors, ...shareholders].map((r) => pulumi.all([r.person, r.temporaryPassword])))
    .apply((list) => Object.fromEntries(list.map(([p, t]) => [p.email, t]))),
);
/**
 * Whether each person's first-login credentials were captured: "captured", "not returned" (FinHub's answer
 * had none), "lost" (the answer was lost) or "issued earlier" (taken over). Otherwise reset the person's
 * password in FinHub (docs/finhub.md, "Credentials").
 */
export const credentialStatus = pulumi
  .all([...employees, ...directors, ...shareholders].map((r) => pulumi.all([r.person, r.credentialStatus])))
  .apply((list) => Object.fromEntries(list.map(([p, s]) => [p.email, s])));
export const beneficialOwners = pulumi
  .all(shareholders.map((r) => pulumi.all([r.person, r.beneficialOwner])))
  .apply((list) => list.filter(([, b]) => b).map(([p]) => p.email));
