// A BitGo-as-a-Service organization as code: the organization looked up (with every child enterprise
// and its admins and members), an organization admin that BitGo support made (asserted, not granted),
// a member managed by the stack, and one child enterprise per end customer with the operator as an
// additional admin. Runs against the sandbox with `npm run example -- baas-organization`.
//
// Config (all optional but the bitgo:* credentials):
//   bitgo:apiUrl, bitgo:accessToken or bitgo:email + bitgo:password + bitgo:otp/totpSecret
//   baas:organizationId   default: the organization in which the token's user is an admin or the service user
//   baas:memberEmail      an enterprise user to make an organization member (default auditor@acme.example)
//   baas:customers        [{ "name", "email", "accountType"? }] (default: three sandbox customers)
//   baas:onDelete         "leave" (default) or "freeze": what destroying a child enterprise does
import * as pulumi from "@pulumi/pulumi";
import * as bitgo from "orgstack/bitgo";

interface Customer {
  name: string;
  email: string;
  accountType?: "individual" | "entity";
}

const config = new pulumi.Config("baas");

async function main() {
  const me = await bitgo.getUser({ id: "me" });
  const organizationId =
    config.get("organizationId") ?? me.organizations.find((o) => o.role === "admin" || o.role === "serviceUser")?.id;
  if (!organizationId) {
    throw new Error(`${me.username} is not an admin or the service user of any BitGo organization: set baas:organizationId`);
  }
  const myRole = me.organizations.find((o) => o.id === organizationId)?.role;
  const org = await bitgo.getOrganization({ organizationId });

  // Organization admins are made by BitGo support: the stack asserts the role instead of granting it.
  const operatorIsAdmin =
    myRole === "admin"
      ? new bitgo.OrganizationUser("operator-is-org-admin", { organizationId, username: me.username, role: "admin", mode: "assert" })
      : undefined;

  new bitgo.OrganizationUser("analyst-member", {
    organizationId,
    username: config.get("memberEmail") ?? "auditor@acme.example",
    role: "member",
  });

  const customers = config.getObject<Customer[]>("customers") ?? [
    { name: "alice", email: "alice@customer.example" },
    { name: "bob", email: "bob@customer.example" },
    { name: "carol-gmbh", email: "treasury@carol-gmbh.example", accountType: "entity" },
  ];
  const onDelete = (config.get("onDelete") ?? "leave") as "leave" | "freeze";

  const children: Record<string, bitgo.ChildEnterprise> = {};
  for (const c of customers) {
    children[c.name] = new bitgo.ChildEnterprise(
      `customer-${c.name}`,
      { organizationId, email: c.email, accountType: c.accountType ?? "individual", additionalAdmins: [me.id], onDelete },
      { dependsOn: operatorIsAdmin ? [operatorIsAdmin] : [] },
    );
  }

  return {
    organization: { id: org.id, name: org.name, enterprisesBefore: org.enterprises.length, admins: org.admins.map((u) => u.username), members: org.members.map((u) => u.username) },
    customers: Object.fromEntries(
      Object.entries(children).map(([name, e]) => [name, { enterpriseId: e.enterpriseId, endUserId: e.userId, name: e.name, onDelete: e.onDeleteNote }]),
    ),
  };
}

export = main();
