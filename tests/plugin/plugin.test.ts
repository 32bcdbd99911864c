// The plugin's parts without the engine: the package schema (derived from the registry, committed in
// sdks/schema.json with the SDKs generated from it), the Python SDK byte-compiling, the configuration's
// checks and wording, the wire format of secrets and unknowns, and the state rewrite of `migrate`.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { describe, expect, it } from "vitest";
import { resources } from "../../provider";
import { schema } from "../../plugin/server";
import { checkConfig, changedSettings, configSource, pluginWording } from "../../plugin/config";
import { SECRET_SIG, SIG, fromStruct, toStruct } from "../../plugin/wire";
import { Deployment, migrateDeployment } from "../../plugin/migration";
import { repoRoot } from "./harness";

describe("the package schema", () => {
  const s = schema();

  it("is the one committed in sdks/schema.json, from which the SDKs were generated", () => {
    const committed = JSON.parse(fs.readFileSync(path.join(repoRoot, "sdks", "schema.json"), "utf8"));
    // A resource added or changed in the registry: run scripts/plugin-sdks.sh and commit sdks/.
    expect(committed).toEqual(JSON.parse(JSON.stringify(s)));
  });

  it("has every resource of the registry, each with its import id and its inputs", () => {
    for (const r of resources) {
      const spec = s.resources[`orgstack:${r.type}`];
      expect(spec, r.type).toBeDefined();
      expect(spec.description).toContain(`pulumi import orgstack:${r.type} <name> ${r.id.form}`);
      expect(Object.keys(spec.inputProperties).sort()).toEqual([...r.inputKeys].sort());
      for (const k of r.replaceOnChange) expect(spec.inputProperties[k].replaceOnChanges, `${r.type}.${k}`).toBe(true);
      for (const k of r.secretInputs) expect(spec.inputProperties[k].secret, `${r.type}.${k}`).toBe(true);
      for (const k of r.secretOutputs) expect(spec.properties[k].secret, `${r.type}.${k}`).toBe(true);
    }
  });

  it("marks the secrets: write-only inputs, generated passwords and the provider's credentials", () => {
    expect(s.resources["orgstack:bitgo:WalletShare"].inputProperties.walletPassphrase.secret).toBe(true);
    expect(s.resources["orgstack:finhub:Organization"].properties.initialAdminPassword.secret).toBe(true);
    expect(s.resources["orgstack:finhub:Employee"].properties.temporaryPassword.secret).toBe(true);
    for (const k of ["bitgoAccessToken", "bitgoPassword", "bitgoTotpSecret", "finhubToken"]) {
      expect(s.config.variables[k].secret, k).toBe(true);
      expect(s.provider.inputProperties[k].secret, k).toBe(true);
    }
    expect(s.config.variables.bitgoApiUrl.secret).toBeUndefined();
  });

  it("turns enums into named types with SDK-friendly value names", () => {
    expect(s.types["orgstack:bitgo:EnterpriseUserPermission"].enum).toEqual([
      { name: "Admin", value: "admin" },
      { name: "Auditor", value: "auditor" },
      { name: "WalletCreate", value: "wallet.create" },
    ]);
    // One zod schema shared by several resources is one type: the FinHub person.
    expect(s.resources["orgstack:finhub:Director"].inputProperties.person.$ref).toBe("#/types/orgstack:finhub:Person");
    expect(s.resources["orgstack:finhub:Employee"].inputProperties.person.$ref).toBe("#/types/orgstack:finhub:Person");
  });

  it("generated a Python SDK that byte-compiles", () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), "orgstack-pycache-"));
    try {
      execFileSync("python3", ["-m", "compileall", "-q", path.join(repoRoot, "sdks", "python", "pulumi_orgstack")], { env: { ...process.env, PYTHONPYCACHEPREFIX: cache } });
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });
});

describe("the provider's configuration", () => {
  it("reads the plugin's keys as the resources name them", () => {
    const c = configSource({ bitgoAccessToken: "t0k3n-abcdef", bitgoExpress: true, finhubTenantId: "acme" });
    expect(c.get("bitgo:accessToken")).toBe("t0k3n-abcdef");
    expect(c.get("bitgo:express")).toBe("true");
    expect(c.get("finhub:tenantId")).toBe("acme");
    expect(c.get("bitgo:email")).toBeUndefined();
  });

  it("checks keys and values, and lets the engine's own keys through", () => {
    expect(checkConfig({ version: "0.1.0", bitgoApiUrl: "https://app.bitgo.com", bitgoExpress: "false" })).toEqual([]);
    const [typo] = checkConfig({ bitgoPasword: "x" });
    expect(typo.reason).toMatch(/did you mean orgstack:bitgoPassword\?.*pulumi config set --secret orgstack:bitgoPassword/);
    expect(checkConfig({ accessToken: "x" })[0].reason).toMatch(/not a setting of the orgstack provider/);
    expect(checkConfig({ finhubApiUrl: "ftp://finhub.example" })[0].reason).toMatch(/orgstack:finhubApiUrl/);
  });

  it("shows a change of where the vendors are, not of credentials", () => {
    expect(changedSettings({ bitgoApiUrl: "https://a.example", bitgoAccessToken: "one" }, { bitgoApiUrl: "https://a.example", bitgoAccessToken: "two" })).toEqual([]);
    expect(changedSettings({ finhubTenantId: "a" }, { finhubTenantId: "b" })).toEqual(["finhubTenantId"]);
  });

  it("words the resources' messages with the plugin's keys, and leaves type tokens alone", () => {
    expect(pluginWording("set bitgo:accessToken or run `pulumi config set finhub:tenantId x`; bitgo:EnterpriseUser")).toBe(
      "set orgstack:bitgoAccessToken or run `pulumi config set orgstack:finhubTenantId x`; bitgo:EnterpriseUser",
    );
  });
});

describe("the wire format", () => {
  it("unwraps secrets (noting which properties held one) and wraps them again", () => {
    const secret = (value: unknown) => ({ [SIG]: SECRET_SIG, value });
    const { props, secrets } = fromStruct(toStruct({ user: "a@b.example", person: { email: "p@b.example", dob: secret("1980-01-01") }, pass: secret("pw") }));
    expect(props).toEqual({ user: "a@b.example", person: { email: "p@b.example", dob: "1980-01-01" }, pass: "pw" });
    expect([...secrets].sort()).toEqual(["pass", "person"]);
    const back = toStruct(props, secrets).toJavaScript() as any;
    expect(back.pass).toEqual(secret("pw"));
    expect(back.person[SIG]).toBe(SECRET_SIG);
    expect(back.user).toBe("a@b.example");
  });

  it("turns every kind of unknown into the one the resources know", () => {
    const { props } = fromStruct(toStruct({ a: "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", b: ["6a19a0b0-7e62-4c92-b797-7f8e31da9cc2"] }));
    expect(props).toEqual({ a: "04da6b54-80e4-46f7-96ec-b56ff0331ba9", b: ["04da6b54-80e4-46f7-96ec-b56ff0331ba9"] });
  });
});

describe("migrate's state rewrite", () => {
  const stackUrn = "urn:pulumi:dev::team::pulumi:pulumi:Stack::team-dev";
  const dynProvider = "urn:pulumi:dev::team::pulumi:providers:pulumi-nodejs::default";
  const shim = 'exports.handler = () => require("orgstack/provider").dynamicProvider("bitgo:EnterpriseUser");\n';
  const deployment = (): Deployment => ({
    resources: [
      { urn: stackUrn, type: "pulumi:pulumi:Stack", custom: false },
      { urn: dynProvider, type: "pulumi:providers:pulumi-nodejs", custom: true, id: "p1", inputs: { "bitgo:apiUrl": "https://app.bitgo.com", "bitgo:password": { [SIG]: SECRET_SIG, ciphertext: "v1:abc" } } },
      { urn: "urn:pulumi:dev::team::my:Component::admins", type: "my:Component", custom: false, parent: stackUrn },
      {
        urn: "urn:pulumi:dev::team::my:Component$pulumi-nodejs:dynamic/bitgo:EnterpriseUser::ops",
        type: "pulumi-nodejs:dynamic/bitgo:EnterpriseUser",
        custom: true,
        id: "e/ops@a.example",
        parent: "urn:pulumi:dev::team::my:Component::admins",
        provider: `${dynProvider}::p1`,
        inputs: { __provider: shim, username: "ops@a.example" },
        outputs: { __provider: shim, username: "ops@a.example", userId: "u1" },
        propertyDependencies: { __provider: [], username: [] },
      },
      { urn: "urn:pulumi:dev::team::pulumi-nodejs:dynamic/other:Thing::x", type: "pulumi-nodejs:dynamic/other:Thing", custom: true, id: "x", provider: `${dynProvider}::p1`, inputs: { __provider: "exports.handler = () => ({})" } },
    ],
  });

  it("renames the type in the resource's URN (under its parent too), points it at a new default provider and drops __provider", () => {
    const m = migrateDeployment(deployment(), { resources, protect: true, providerVersion: "0.1.0" });
    const out = m.deployment.resources!;
    const ops = out.find((r) => r.urn.endsWith("::ops"))!;
    expect(ops.urn).toBe("urn:pulumi:dev::team::my:Component$orgstack:bitgo:EnterpriseUser::ops");
    expect(ops.type).toBe("orgstack:bitgo:EnterpriseUser");
    expect(ops.provider).toMatch(/^urn:pulumi:dev::team::pulumi:providers:orgstack::default_0_1_0::[0-9a-f-]{36}$/);
    expect(ops.inputs).toEqual({ username: "ops@a.example" });
    expect(ops.outputs).toEqual({ username: "ops@a.example", userId: "u1" });
    expect(ops.propertyDependencies).toEqual({ username: [] });
    expect(ops.protect).toBe(true);
    const provider = out.find((r) => r.type === "pulumi:providers:orgstack")!;
    // Settings copied with their ciphertext; the provider sits before the resources that use it.
    expect(provider.inputs).toEqual({ bitgoApiUrl: "https://app.bitgo.com", bitgoPassword: { [SIG]: SECRET_SIG, ciphertext: "v1:abc" }, version: "0.1.0" });
    expect(out.indexOf(provider)).toBeLessThan(out.indexOf(ops));
    // Another dynamic resource stays, and so does the dynamic provider it uses.
    expect(out.find((r) => r.urn.endsWith("::x"))!.type).toBe("pulumi-nodejs:dynamic/other:Thing");
    expect(out.some((r) => r.urn === dynProvider)).toBe(true);
    expect([...m.moved.values()]).toEqual([ops.urn]);
  });

  it("refuses a stack with an operation in flight, and a stack migrated before", () => {
    expect(() => migrateDeployment({ ...deployment(), pending_operations: [{}] }, { resources })).toThrow(/pulumi refresh/);
    const once = migrateDeployment(deployment(), { resources }).deployment;
    expect(migrateDeployment(once, { resources }).moved.size).toBe(0);
  });
});
