// Malformed inputs, across every kind: each is refused at `check` (preview) with a failure that names
// the field and says what to do, and none reaches the vendor (the sandbox sees no request at all).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FINHUB_SEED, RunningSandbox, SEED, startSandbox } from "../../sandbox";
import { provider } from "../../provider";
import { setConfig } from "../../provider/config";

const HEX = "62c5ae8174ac860007aff138a2d74df7";
const UUID = "2f6ddd86-9ef1-45b6-a16d-058b3ccf29e4";
const MB = "x".repeat(1_000_000);
const person = { firstName: "Ada", lastName: "Ng", email: "ada@acme.example", dateOfBirth: "1985-02-01", nationality: "GB" };

/** A valid base per kind, and the malformed variants: [what, patch, the field the failure must name]. */
const corpus: Record<string, { base: Record<string, unknown>; cases: [string, Record<string, unknown>, string][] }> = {
  "bitgo:EnterpriseUser": {
    base: { enterpriseId: HEX, username: "ops@acme.example", permissions: ["admin"] },
    cases: [
      ["path traversal in the id", { enterpriseId: ".." }, "enterpriseId"],
      ["a path in the id", { enterpriseId: `${HEX}/../x` }, "enterpriseId"],
      ["an empty id", { enterpriseId: "" }, "enterpriseId"],
      ["upper-case hex", { enterpriseId: HEX.toUpperCase() }, "enterpriseId"],
      ["33 characters", { enterpriseId: `${HEX}0` }, "enterpriseId"],
      ["a number for the id", { enterpriseId: 42 }, "enterpriseId"],
      ["a megabyte id", { enterpriseId: MB }, "enterpriseId"],
      ["no id", { enterpriseId: undefined }, "enterpriseId"],
      ["not an email", { username: "ops" }, "username"],
      ["an empty email", { username: "" }, "username"],
      ["a 300-character email", { username: `${"a".repeat(290)}@acme.example` }, "username"],
      ["a megabyte email", { username: MB }, "username"],
      ["an unknown permission", { permissions: ["owner"] }, "permissions"],
      ["a permission twice", { permissions: ["admin", "admin"] }, "permissions"],
      ["permissions as a string", { permissions: "admin" }, "permissions"],
      ["no permission for a new user", { permissions: [] }, "permissions"],
      ["videoApprover as text", { videoApprover: "yes" }, "videoApprover"],
      ["a zero wait", { waitForApproval: { timeoutSeconds: 0 } }, "waitForApproval.timeoutSeconds"],
      ["a wait over a day", { waitForApproval: { timeoutSeconds: 100_000 } }, "waitForApproval.timeoutSeconds"],
      ["an unknown key in the wait", { waitForApproval: { timeoutSeconds: 5, timeout: 1 } }, "waitForApproval.timeout"],
      ["an unknown adopt policy", { adoptExisting: "sometimes" }, "adoptExisting"],
      ["a misspelt field", { usernme: "ops@acme.example" }, "usernme"],
      ["a stray field", { colour: "red" }, "colour"],
      ["a permission list as an object", { permissions: { admin: true } }, "permissions"],
      ["four permissions", { permissions: ["admin", "auditor", "wallet.create", "view"] }, "permissions"],
    ],
  },
  "bitgo:OrganizationUser": {
    base: { organizationId: HEX, username: "ops@acme.example", role: "member" },
    cases: [
      ["path traversal", { organizationId: "../../api" }, "organizationId"],
      ["an empty id", { organizationId: "" }, "organizationId"],
      ["a UUID where BitGo uses hex", { organizationId: UUID }, "organizationId"],
      ["a megabyte id", { organizationId: MB }, "organizationId"],
      ["not an email", { username: "ops@" }, "username"],
      ["a number for the email", { username: 7 }, "username"],
      ["a role BitGo gives itself", { role: "serviceUser" }, "role"],
      ["a customer role", { role: "customer" }, "role"],
      ["no role", { role: undefined }, "role"],
      ["an unknown mode", { mode: "observe" }, "mode"],
      ["an unknown adopt policy", { adoptExisting: "yes" }, "adoptExisting"],
      ["a misspelt field", { rol: "admin" }, "rol"],
      ["a negative wait", { waitForApproval: { timeoutSeconds: -1 } }, "waitForApproval.timeoutSeconds"],
      ["a fractional wait", { waitForApproval: { timeoutSeconds: 1.5 } }, "waitForApproval.timeoutSeconds"],
      ["a poll too fast", { waitForApproval: { timeoutSeconds: 5, pollSeconds: 0.001 } }, "waitForApproval.pollSeconds"],
      ["a megabyte email", { username: MB }, "username"],
      ["a null id", { organizationId: null }, "organizationId"],
    ],
  },
  "bitgo:ChildEnterprise": {
    base: { organizationId: HEX, email: "jane@customer.example", logicalName: "p/s/jane" },
    cases: [
      ["path traversal", { organizationId: ".." }, "organizationId"],
      ["not an email", { email: "jane" }, "email"],
      ["an admin that is no id", { additionalAdmins: ["ops@acme.example"] }, "additionalAdmins.0"],
      ["an admin twice", { additionalAdmins: [HEX, HEX] }, "additionalAdmins"],
      ["fifty-one admins", { additionalAdmins: Array.from({ length: 51 }, (_, i) => i.toString(16).padStart(32, "0")) }, "additionalAdmins"],
      ["an unknown account type", { accountType: "company" }, "accountType"],
      ["an identifier with no label", { thirdPartyIdentifier: [{ id: "c-1" }] }, "thirdPartyIdentifier.0.label"],
      ["an identifier with an empty id", { thirdPartyIdentifier: [{ id: "", label: "crm" }] }, "thirdPartyIdentifier.0.id"],
      ["an identifier with an unknown key", { thirdPartyIdentifier: [{ id: "c-1", label: "crm", url: "x" }] }, "thirdPartyIdentifier.0.url"],
      ["the same identifier twice", { thirdPartyIdentifier: [{ id: "c-1", label: "crm" }, { id: "c-1", label: "crm" }] }, "thirdPartyIdentifier"],
      ["a megabyte idempotency key", { idempotencyKey: MB }, "idempotencyKey"],
      ["a long idempotency key", { idempotencyKey: "k".repeat(201) }, "idempotencyKey"],
      ["an empty idempotency key", { idempotencyKey: "" }, "idempotencyKey"],
      ["an unknown onDelete", { onDelete: "delete" }, "onDelete"],
      ["a zero freeze", { freezeSeconds: 0 }, "freezeSeconds"],
      ["a fractional freeze", { freezeSeconds: 1.5 }, "freezeSeconds"],
      ["isCaaS as text", { isCaaS: "true" }, "isCaaS"],
      ["no logical name", { logicalName: undefined }, "logicalName"],
      ["a misspelt field", { emial: "x@y.example" }, "emial"],
    ],
  },
  "bitgo:EnterpriseAccess": {
    base: { enterpriseId: HEX, members: [{ username: "ops@acme.example", permissions: ["admin"], videoApprover: true }] },
    cases: [
      ["path traversal in the id", { enterpriseId: ".." }, "enterpriseId"],
      ["a megabyte id", { enterpriseId: MB }, "enterpriseId"],
      ["no members", { members: undefined }, "members"],
      ["members as an object", { members: { "ops@acme.example": ["admin"] } }, "members"],
      ["a member that is no email", { members: [{ username: "ops", permissions: ["admin"], videoApprover: true }] }, "members.0.username"],
      ["a megabyte username", { members: [{ username: MB, permissions: ["admin"], videoApprover: true }] }, "members.0.username"],
      ["an unknown permission", { members: [{ username: "ops@acme.example", permissions: ["owner"], videoApprover: true }] }, "members.0.permissions.0"],
      ["a misspelt member field", { members: [{ username: "ops@acme.example", permissions: ["admin"], videoAprover: true }] }, "members.0.videoAprover"],
      ["a member twice", { members: [{ username: "ops@acme.example", permissions: ["admin"], videoApprover: true }, { username: "OPS@acme.example", permissions: ["auditor"] }] }, "members.1.username"],
      ["no admin in the list", { members: [{ username: "ops@acme.example", permissions: ["auditor"] }] }, "members"],
      ["no video approver among the admins", { members: [{ username: "ops@acme.example", permissions: ["admin"] }] }, "members"],
      ["a video approver who is no admin", { members: [{ username: "ops@acme.example", permissions: ["admin"], videoApprover: true }, { username: "audit@acme.example", permissions: ["auditor"], videoApprover: true }] }, "members"],
      ["1001 members", { members: Array.from({ length: 1001 }, (_, n) => ({ username: `u${n}@acme.example`, permissions: ["admin"], videoApprover: true })) }, "members"],
      ["an unknown unmanaged policy", { unmanaged: "ignore" }, "unmanaged"],
      ["keep that is no email", { keep: ["svc"] }, "keep.0"],
      ["a kept user also declared", { keep: ["ops@acme.example"] }, "keep"],
      ["an unknown onDelete", { onDelete: "destroy" }, "onDelete"],
      ["a zero wait", { waitForApproval: { timeoutSeconds: 0 } }, "waitForApproval.timeoutSeconds"],
      ["a stray field", { colour: "red" }, "colour"],
    ],
  },
  "bitgo:WalletAccess": {
    base: { coin: "tbtc", walletId: HEX, users: [{ user: "auditor@acme.example", permissions: ["view"] }] },
    cases: [
      ["path traversal in the wallet id", { walletId: "../../x" }, "walletId"],
      ["a coin with a slash", { coin: "tbtc/../x" }, "coin"],
      ["no users", { users: undefined }, "users"],
      ["a user that is neither email nor id", { users: [{ user: "auditor", permissions: ["view"] }] }, "users.0.user"],
      ["no permission", { users: [{ user: "auditor@acme.example", permissions: [] }] }, "users.0.permissions"],
      ["an unknown permission", { users: [{ user: "auditor@acme.example", permissions: ["owner"] }] }, "users.0.permissions.0"],
      ["a user twice", { users: [{ user: "auditor@acme.example", permissions: ["view"] }, { user: "Auditor@acme.example", permissions: ["admin"] }] }, "users.1.user"],
      ["a misspelt user field", { users: [{ user: "auditor@acme.example", permission: ["view"] }] }, "users.0.permission"],
      ["spend without a key", { users: [{ user: "auditor@acme.example", permissions: ["spend", "view"] }] }, "walletPassphrase"],
      ["a passphrase and skipKeychain", { walletPassphrase: "secret-passphrase", skipKeychain: true }, "skipKeychain"],
      ["a megabyte passphrase", { walletPassphrase: MB }, "walletPassphrase"],
      ["keep that is no user", { keep: ["svc"] }, "keep.0"],
      ["a kept user also declared", { keep: ["auditor@acme.example"] }, "keep"],
      ["an unknown unmanaged policy", { unmanaged: "warn" }, "unmanaged"],
      ["a message over 1000 characters", { message: "m".repeat(1001) }, "message"],
      ["an unknown onDelete", { onDelete: "revoke" }, "onDelete"],
      ["a stray field", { walletLabel: "x" }, "walletLabel"],
    ],
  },
  "bitgo:OrganizationAccess": {
    base: { organizationId: HEX, users: [{ username: "ops@acme.example", role: "admin" }] },
    cases: [
      ["path traversal in the id", { organizationId: "../.." }, "organizationId"],
      ["a UUID where BitGo uses hex", { organizationId: UUID }, "organizationId"],
      ["no users", { users: undefined }, "users"],
      ["a user that is no email", { users: [{ username: "ops", role: "admin" }] }, "users.0.username"],
      ["a role BitGo gives itself", { users: [{ username: "ops@acme.example", role: "serviceUser" }] }, "users.0.role"],
      ["a customer role", { users: [{ username: "ops@acme.example", role: "customer" }] }, "users.0.role"],
      ["a user twice", { users: [{ username: "ops@acme.example", role: "admin" }, { username: "ops@acme.example", role: "member" }] }, "users.1.username"],
      ["no admin in the list", { users: [{ username: "ops@acme.example", role: "member" }] }, "users"],
      ["a kept user also declared", { keep: ["ops@acme.example"] }, "keep"],
      ["an unknown unmanaged policy", { unmanaged: "keep" }, "unmanaged"],
      ["a megabyte email", { users: [{ username: MB, role: "admin" }] }, "users.0.username"],
      ["a misspelt field", { user: [] }, "user"],
    ],
  },
  "bitgo:WalletShare": {
    base: { coin: "tbtc", walletId: "a1b2c3d4e5f60718293a4b5c6d7e8f01", user: "auditor@acme.example", permissions: ["view"] },
    cases: [
      ["a coin with a slash", { coin: "tbtc/../../x" }, "coin"],
      ["a coin with spaces", { coin: "t btc" }, "coin"],
      ["a megabyte coin", { coin: MB }, "coin"],
      ["an empty coin", { coin: "" }, "coin"],
      ["path traversal in the wallet", { walletId: ".." }, "walletId"],
      ["a short wallet id", { walletId: "a1b2" }, "walletId"],
      ["a user that is neither", { user: "auditor" }, "user"],
      ["a megabyte user", { user: MB }, "user"],
      ["no permission", { permissions: [] }, "permissions"],
      ["an unknown permission", { permissions: ["owner"] }, "permissions.0"],
      ["a permission twice", { permissions: ["view", "view"] }, "permissions"],
      ["spend without a key", { permissions: ["spend"] }, "walletPassphrase"],
      ["spend with two ways to the key", { permissions: ["spend"], skipKeychain: true, walletPassphrase: "secret-passphrase" }, "walletPassphrase"],
      ["a key on a view share", { walletPassphrase: "secret-passphrase" }, "keychain"],
      ["a keychain missing its path", { permissions: ["spend"], keychain: { pub: "x", encryptedPrv: "y", fromPubKey: "a", toPubKey: "b" } }, "keychain.path"],
      ["a message over 1000 characters", { message: "m".repeat(1001) }, "message"],
      ["resendInvitation as an object", { resendInvitation: { at: 1 } }, "resendInvitation"],
      ["reshare as text", { reshare: "yes" }, "reshare"],
      ["an unknown adopt policy", { adoptExisting: "maybe" }, "adoptExisting"],
      ["a misspelt field", { permisions: ["view"] }, "permisions"],
      ["a wallet id with a query", { walletId: "a1b2c3d4e5f60718293a4b5c6d7e8f01?x=1" }, "walletId"],
      ["a coin with a dot-dot", { coin: ".." }, "coin"],
    ],
  },
  "finhub:Organization": {
    base: { legalName: "Acme Ltd", registrationNumber: "12345678", email: "ops@acme.example" },
    cases: [
      ["no legal name", { legalName: undefined }, "legalName"],
      ["an empty legal name", { legalName: "   " }, "legalName"],
      ["a megabyte legal name", { legalName: MB }, "legalName"],
      ["a 201-character legal name", { legalName: "L".repeat(201) }, "legalName"],
      ["not an email", { email: "ops" }, "email"],
      ["a country name, not a code", { country: "United Kingdom" }, "country"],
      ["a day that does not exist", { incorporationDate: "2020-02-30" }, "incorporationDate"],
      ["a date in the future", { incorporationDate: "2999-01-01" }, "incorporationDate"],
      ["a date written the other way", { incorporationDate: "01/02/2019" }, "incorporationDate"],
      ["a takeover id that is no UUID", { existingOrganizationId: ".." }, "existingOrganizationId"],
      ["an address without a city", { address: { addressLine1: "1 Main St", country: "GB" } }, "address.city"],
      ["an address with an unknown key", { address: { addressLine1: "1 Main St", city: "London", country: "GB", zip: "x" } }, "address.zip"],
      ["a short admin password", { adminPassword: "short" }, "adminPassword"],
      ["a category without a name", { customerCategory: { id: "x" } }, "customerCategory.name"],
      ["a role id twice", { roleIds: ["ADMIN", "ADMIN"] }, "roleIds"],
      ["a misspelt field", { legalNme: "Acme" }, "legalNme"],
    ],
  },
  "finhub:Director": {
    base: { organizationId: UUID, person, role: "MANAGING_DIRECTOR" },
    cases: [
      ["path traversal", { organizationId: "../x" }, "organizationId"],
      ["a hex id where FinHub uses UUIDs", { organizationId: HEX }, "organizationId"],
      ["the types table's word", { role: "EXECUTIVE" }, "role"],
      ["an unknown role", { role: "CEO" }, "role"],
      ["ownership over 100", { ownershipPercentage: 101 }, "ownershipPercentage"],
      ["negative ownership", { ownershipPercentage: -1 }, "ownershipPercentage"],
      ["ownership as text", { ownershipPercentage: "10" }, "ownershipPercentage"],
      ["a person with no email", { person: { ...person, email: undefined } }, "person.email"],
      ["a birthday that does not exist", { person: { ...person, dateOfBirth: "1985-02-30" } }, "person.dateOfBirth"],
      ["a birthday in the future", { person: { ...person, dateOfBirth: "2999-01-01" } }, "person.dateOfBirth"],
      ["a nationality name", { person: { ...person, nationality: "British" } }, "person.nationality"],
      ["a megabyte first name", { person: { ...person, firstName: MB } }, "person.firstName"],
      ["an unknown person field", { person: { ...person, title: "Dr" } }, "person.title"],
      ["a bad telephone number", { person: { ...person, telephoneNumbers: [{ number: "call me" }] } }, "person.telephoneNumbers.0.number"],
      ["primaryContact as text", { primaryContact: "yes" }, "primaryContact"],
      ["a misspelt field", { rol: "BOARD_MEMBER" }, "rol"],
    ],
  },
  "finhub:Shareholder": {
    base: { organizationId: UUID, person, ownershipPercentage: 50 },
    cases: [
      ["path traversal", { organizationId: ".." }, "organizationId"],
      ["no ownership", { ownershipPercentage: undefined }, "ownershipPercentage"],
      ["ownership over 100", { ownershipPercentage: 100.5 }, "ownershipPercentage"],
      ["ownership with four decimals", { ownershipPercentage: 33.3333 }, "ownershipPercentage"],
      ["an unknown shareholder type", { shareholderType: "TRUST" }, "shareholderType"],
      ["a document that expired on a day that does not exist", { identityDocument: { type: "PASSPORT", number: "N1", expiryDate: "2031-02-30" } }, "identityDocument.expiryDate"],
      ["a document without a number", { identityDocument: { type: "PASSPORT", expiryDate: "2031-05-30" } }, "identityDocument.number"],
      ["an address with a country name", { person: { ...person, addresses: [{ addressLine1: "1 Main St", city: "London", country: "England" }] } }, "person.addresses.0.country"],
      ["the same address twice", { person: { ...person, addresses: [{ addressLine1: "1", city: "L", country: "GB" }, { addressLine1: "1", city: "L", country: "GB" }] } }, "person.addresses"],
      ["eleven addresses", { person: { ...person, addresses: Array.from({ length: 11 }, (_, i) => ({ addressLine1: `${i}`, city: "L", country: "GB" })) } }, "person.addresses"],
      ["a person that is a string", { person: "Ada Ng" }, "person"],
      ["a misspelt field", { ownership: 50 }, "ownership"],
    ],
  },
  "finhub:Employee": {
    base: { organizationId: UUID, person, role: "ADMIN_USER" },
    cases: [
      ["path traversal", { organizationId: "/../../x" }, "organizationId"],
      ["the overview table's role", { role: "ADMIN" }, "role"],
      ["a role twice", { roles: ["ADMIN_USER", "ADMIN_USER"] }, "roles"],
      ["roles without the primary one", { roles: ["EMPLOYEE"] }, "roles"],
      ["an unknown role in the list", { roles: ["ADMIN_USER", "OPERATOR"] }, "roles.1"],
      ["an empty department", { department: "" }, "department"],
      ["a megabyte department", { department: MB }, "department"],
      ["a person with no last name", { person: { ...person, lastName: undefined } }, "person.lastName"],
      ["a person with a megabyte email", { person: { ...person, email: MB } }, "person.email"],
      ["a misspelt field", { deparment: "Finance" }, "deparment"],
    ],
  },
  "finhub:Activation": {
    base: { organizationId: UUID, consents: ["terms", "privacy", "data-processing"], actingUserId: UUID },
    cases: [
      ["path traversal", { organizationId: ".." }, "organizationId"],
      ["a missing consent", { consents: ["terms", "privacy"] }, "consents"],
      ["an unknown consent", { consents: ["terms", "privacy", "data-processing", "marketing"] }, "consents"],
      ["a consent twice", { consents: ["terms", "terms", "privacy", "data-processing"] }, "consents"],
      ["an acting user that is no UUID", { actingUserId: "ada@acme.example" }, "actingUserId"],
      ["no acting user", { actingUserId: undefined }, "actingUserId"],
      ["an acting role that is not FinHub's", { actingRoles: ["OWNER"] }, "actingRoles.0"],
      ["no acting role", { actingRoles: [] }, "actingRoles"],
      ["a timeout over a day", { timeoutSeconds: 90_000 }, "timeoutSeconds"],
      ["a poll too fast", { pollIntervalMs: 1 }, "pollIntervalMs"],
      ["a long consent version", { consentVersion: "v".repeat(21) }, "consentVersion"],
      ["a misspelt field", { consent: ["terms"] }, "consent"],
      ["consents as a string", { consents: "terms,privacy,data-processing" }, "consents"],
    ],
  },
};

let sb: RunningSandbox;
beforeAll(async () => {
  sb = await startSandbox({ rateLimits: false });
  const t = FINHUB_SEED.tenants.acme;
  const s: Record<string, string> = {
    "bitgo:apiUrl": sb.url,
    "bitgo:email": SEED.operator.email,
    "bitgo:password": SEED.operator.password,
    "bitgo:otp": "000000",
    "finhub:apiUrl": sb.finhubUrl,
    "finhub:tenantId": t.id,
    "finhub:token": t.token,
  };
  setConfig({ get: (k) => s[k] });
});
afterAll(() => sb?.stop());

const all = Object.entries(corpus).flatMap(([kind, { base, cases }]) => cases.map(([what, patch, field]) => ({ kind, what, base, patch, field })));
// A failure says what to do, not only what is wrong.
const FIX = /must|use |such as|is required|did you mean|at most|at least|give only one|remove|declare|set |pass |include|list/i;

describe(`${all.length} malformed inputs are refused at check, naming the field and the fix`, () => {
  it("the corpus has at least 150 inputs and covers every kind", async () => {
    const { kinds } = await import("../../provider");
    expect(all.length).toBeGreaterThanOrEqual(150);
    expect(Object.keys(corpus).sort()).toEqual(kinds().sort());
  });

  it.each(all.map((c) => [`${c.kind}: ${c.what}`, c] as const))("%s", async (_name, c) => {
    const raw = Object.fromEntries(Object.entries({ ...c.base, ...c.patch }).filter(([, v]) => v !== undefined));
    const before = sb.sandbox.requests.length;
    const { failures, inputs } = await provider(c.kind).check(undefined, raw);
    expect(inputs).toBeUndefined();
    const named = (failures ?? []).find((f) => f.property === c.field || f.property.startsWith(`${c.field}.`));
    expect(named, `no failure names ${c.field}: ${JSON.stringify(failures)}`).toBeDefined();
    expect(named!.reason.startsWith(`${named!.property}:`)).toBe(true);
    expect(named!.reason).toMatch(FIX);
    expect(named!.reason.length).toBeLessThan(600); // a megabyte input is not echoed back
    expect(sb.sandbox.requests.length).toBe(before);
  });

  it("the valid bases pass, so each case fails for its own reason", async () => {
    for (const [kind, { base }] of Object.entries(corpus)) expect((await provider(kind).check(undefined, base)).failures ?? [], kind).toEqual([]);
  });
});
