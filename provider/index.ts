// The provider side of orgstack: what the provider process loads (through the shim in sdk/shim.ts,
// or the plugin in plugin/) to run a resource's check, diff, create, read, update and delete.
// This is the boundary every error crosses on its way to Pulumi: here it is scrubbed of secrets, and
// a partial state keeps the serialized provider so the next run can load it.
import { setConfig } from "./config";
import { withoutPulumiKeys } from "./kit/check";
import type { Resource } from "./kit/resource";
import { redactError } from "./kit/secrets";
import type { ConfigSource, DynamicProvider } from "./types";
import { enterpriseUser } from "./bitgo/enterpriseUser";
import { organizationUser } from "./bitgo/organizationUser";
import { childEnterprise } from "./bitgo/childEnterprise";
import { walletShare } from "./bitgo/walletShare";
import { enterpriseAccess } from "./bitgo/enterpriseAccess";
import { walletAccess } from "./bitgo/walletAccess";
import { organizationAccess } from "./bitgo/organizationAccess";
import { organization } from "./finhub/organization";
import { director } from "./finhub/director";
import { shareholder } from "./finhub/shareholder";
import { employee } from "./finhub/employee";
import { activation } from "./finhub/activation";

export const resources: Resource[] = [enterpriseUser, organizationUser, childEnterprise, walletShare, organization, director, shareholder, employee, activation, enterpriseAccess, walletAccess, organizationAccess];
const byType = new Map(resources.map((r) => [r.type, r]));

/** Every resource kind this package provides. */
export function kinds(): string[] {
  return resources.map((r) => r.type);
}

export function configure(config: ConfigSource | undefined): void {
  setConfig(config);
}

export function resource(kind: string): Resource {
  const r = byType.get(kind);
  if (!r) {
    throw new Error(
      `orgstack: no provider for ${kind} in the installed orgstack package; the stack's state was written by another version: install that version, or a newer one that knows ${kind}`,
    );
  }
  return r;
}

/** Runs one method: errors leave scrubbed, and a partial state keeps Pulumi's own keys. */
async function boundary<T>(run: () => Promise<T>, raw?: Record<string, unknown>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    const err = redactError(e) as any;
    if (err && typeof err === "object" && err.properties && raw) {
      for (const [k, v] of Object.entries(raw)) if (k.startsWith("__")) err.properties[k] = v;
    }
    throw err;
  }
}

/** The dynamic provider for one kind. The engine passes Pulumi's own keys (`__provider`); resources never see them. */
export function provider(kind: string): DynamicProvider {
  const r = resource(kind);
  const clean = withoutPulumiKeys;
  return {
    check: (olds, news) => boundary(() => r.check(clean(olds), news)),
    diff: (id, olds, news) =>
      boundary(async () => {
        const d = await r.diff(id, clean(olds), clean(news));
        return { changes: d.changes, replaces: d.replaces, deleteBeforeReplace: d.deleteBeforeReplace };
      }),
    create: (inputs) => boundary(() => r.create(clean(inputs)), inputs),
    read: (id, props) => boundary(() => r.read(id, clean(props)), props),
    update: (id, olds, news) => boundary(() => r.update(id, clean(olds), clean(news)), news),
    delete: (id, props) => boundary(() => r.delete(id, clean(props))),
  };
}

/** What the `__provider` text in state asks for (sdk/shim.ts): Pulumi's dynamic provider object for a kind. */
export function dynamicProvider(kind: string): DynamicProvider & { configure(req: { config?: ConfigSource }): Promise<void> } {
  return { ...provider(kind), configure: async (req) => configure(req?.config) };
}

export { setConfig };
export * from "./types";
