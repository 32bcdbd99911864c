// The plugin's configuration through the real CLI: a misspelt key, a plain-http URL and a flag that is
// neither true nor false are refused by checkConfig, naming the key and the fix; missing credentials
// are refused at preview by the resource's check, in the plugin's own key names; nothing reaches the
// vendor.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, SEED, RunningSandbox } from "../../sandbox";
import { YamlStack, lastSeq, yamlStack } from "./harness";

let sandbox: RunningSandbox;
const stacks: YamlStack[] = [];
const program = { resources: { auditor: { type: "orgstack:bitgo:EnterpriseUser", properties: { enterpriseId: SEED.enterprises.custody.id, username: "auditor@acme.example", permissions: ["auditor"] } } } };

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimits: false });
});
afterAll(async () => {
  for (const s of stacks) await s.cleanup();
  await sandbox?.stop();
});

/** The error text of a preview with this config. */
async function previewError(name: string, config: Record<string, { value: string; secret?: boolean }>): Promise<string> {
  const stack = await yamlStack({ name, program, config: { "orgstack:bitgoApiUrl": { value: sandbox.url }, ...config } });
  stacks.push(stack);
  const from = lastSeq(sandbox);
  const err = await stack.stack.preview().then(
    () => undefined,
    (e: Error) => e.message,
  );
  expect(sandbox.sandbox.requests.filter((r) => r.seq > from)).toEqual([]);
  expect(err).toBeDefined();
  return err!;
}

describe("the plugin's configuration", () => {
  it("names a misspelt key and the one meant", async () => {
    const err = await previewError("config-typo", { "orgstack:bitgoAcessToken": { value: "token-123456", secret: true } });
    expect(err).toMatch(/orgstack:bitgoAcessToken is not a setting of the orgstack provider: did you mean orgstack:bitgoAccessToken\?/);
    expect(err).toMatch(/pulumi config set --secret orgstack:bitgoAccessToken/);
    expect(err).not.toContain("token-123456");
  });

  it("takes the dynamic resources' key written under orgstack: for what it means", async () => {
    const err = await previewError("config-vendor-key", { "orgstack:finhub_token": { value: "jwt-abcdef", secret: true } });
    expect(err).toMatch(/orgstack:finhub_token is not a setting of the orgstack provider: did you mean orgstack:finhubToken\?/);
  });

  it("refuses a plain-http API URL off this machine", async () => {
    const err = await previewError("config-http", { "orgstack:bitgoApiUrl": { value: "http://bitgo.example.com" } });
    expect(err).toMatch(/orgstack:bitgoApiUrl: http:\/\/bitgo\.example\.com is not https/);
  });

  it("refuses a flag that is neither true nor false", async () => {
    const err = await previewError("config-flag", { "orgstack:bitgoExpress": { value: "maybe" } });
    expect(err).toMatch(/orgstack:bitgoExpress: "maybe" is not true or false/);
  });

  it("says which of the plugin's keys to set when there are no credentials", async () => {
    const err = await previewError("config-none", {});
    expect(err).toMatch(/set orgstack:bitgoAccessToken \(secret\), or orgstack:bitgoEmail, orgstack:bitgoPassword \(secret\)/);
    expect(err).not.toMatch(/[^:]bitgo:accessToken/);
  });
});
