// The demo stack: the admins of one BitGo enterprise, declared as code.
//
//   npm run demo         runs it against the built-in sandbox (up, change a role, preview --diff, up, destroy)
//   pulumi up            with the official CLI, against whatever bitgo:apiUrl points at
import * as pulumi from "@pulumi/pulumi";
import * as bitgo from "orgstack/bitgo";

const config = new pulumi.Config("demo");
// The sandbox's seeded enterprise "Acme Custody"; set demo:enterpriseId for a real one.
const enterpriseId = config.get("enterpriseId") ?? "62c5ae8174ac860007aff138a2d74df7";

const enterprise = bitgo.getEnterpriseOutput({ enterpriseId });

// Two admins, one of whom does video approvals (BitGo requires one for withdrawals above $250,000).
new bitgo.EnterpriseUser("ops-admin", {
  enterpriseId: enterprise.id,
  username: "ops@acme.example",
  permissions: ["admin"],
  videoApprover: true,
});

// The permission the demo changes between its two runs (demo:auditorPermission).
new bitgo.EnterpriseUser("auditor", {
  enterpriseId: enterprise.id,
  username: "auditor@acme.example",
  permissions: [config.get("auditorPermission") ?? "auditor"] as bitgo.EnterprisePermission[],
});

export const enterpriseName = enterprise.name;
export const organizationId = enterprise.organizationId;
