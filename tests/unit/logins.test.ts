// One login per provider process, whatever the concurrency: the engine runs creates and deletes in
// parallel, and BitGo allows 15 logins per 300 s. Counted at the sandbox, with its rate limits on.
import { afterAll, beforeAll, expect, it } from "vitest";
import { RunningSandbox, SEED, startSandbox } from "../../sandbox";
import { provider } from "../../provider";
import { withConfig } from "../../provider/config";
import { resetBitGoClients } from "../../provider/bitgo/client";

let sb: RunningSandbox;
const logins = () => sb.sandbox.requests.filter((r) => r.path === "/api/v2/user/login").length;
const config = () => {
  const s: Record<string, string> = { "bitgo:apiUrl": sb.url, "bitgo:email": SEED.operator.email, "bitgo:password": SEED.operator.password, "bitgo:otp": "000000" };
  return { get: (k: string) => s[k] };
};

beforeAll(async () => {
  sb = await startSandbox({ rateLimits: true });
});
afterAll(() => sb?.stop());

it("20 ChildEnterprise creates at once, logging in with email and password, make one login", async () => {
  resetBitGoClients();
  const p = provider("bitgo:ChildEnterprise");
  await withConfig(config(), () =>
    Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const { inputs } = await p.check(undefined, { organizationId: SEED.organization.id, email: `customer${i}@example.com`, logicalName: `p/s/c${i}` });
        return p.create(inputs);
      }),
    ),
  );
  expect(logins()).toBe(1);
  expect(sb.sandbox.requests.filter((r) => r.status === 429).length).toBe(0);
}, 60_000);

it("adding and then destroying 100 users logs in once", async () => {
  resetBitGoClients();
  sb.sandbox.requests.length = 0;
  const p = provider("bitgo:EnterpriseUser");
  await withConfig(config(), async () => {
    const made = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const { inputs } = await p.check(undefined, { enterpriseId: SEED.enterprises.custody.id, username: `member${i}@acme.example`, permissions: ["auditor"] });
        return p.create(inputs);
      }),
    );
    await Promise.all(made.map((m) => p.delete(m.id, m.outs)));
  });
  expect(logins()).toBe(1);
  const members = sb.sandbox.state.bitgo.enterprises.find((e: any) => e.id === SEED.enterprises.custody.id).members;
  expect(members.length).toBe(1); // only the operator is left
}, 120_000);
