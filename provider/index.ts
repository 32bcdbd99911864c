// The provider side of orgstack: what the provider process loads (through the shim in sdk/shim.ts)
// to run a resource's check, diff, create, read, update and delete.
import { setConfig } from "./config";
import { withoutPulumiKeys } from "./types";
import type { ConfigSource, ResourceProvider } from "./types";
import { enterpriseUser } from "./bitgo/enterpriseUser";
import { organizationUser } from "./bitgo/organizationUser";
import { childEnterprise } from "./bitgo/childEnterprise";
import { walletShare } from "./bitgo/walletShare";
import { organization } from "./finhub/organization";
import { director } from "./finhub/director";
import { shareholder } from "./finhub/shareholder";
import { employee } from "./finhub/employee";
import { activation } from "./finhub/activation";

const providers: Record<string, ResourceProvider> = {
  "bitgo:EnterpriseUser": enterpriseUser,
  "bitgo:OrganizationUser": organizationUser,
  "bitgo:ChildEnterprise": childEnterprise,
  "bitgo:WalletShare": walletShare,
  "finhub:Organization": organization,
  "finhub:Director": director,
  "finhub:Shareholder": shareholder,
  "finhub:Employee": employee,
  "finhub:Activation": activation,
};

/** Every resource kind this package provides. */
export function kinds(): string[] {
  return Object.keys(providers);
}

export function configure(config: ConfigSource | undefined): void {
  setConfig(config);
}

export function provider(kind: string): ResourceProvider {
  const p = lookup(kind);
  // The engine passes Pulumi's own keys (`__provider`) in inputs and state and adds them back to
  // what the methods return, so resources never see them.
  const clean = withoutPulumiKeys as (v: any) => any;
  return {
    check: (olds, news) => p.check(clean(olds), clean(news)),
    diff: (id, olds, news) => p.diff(id, clean(olds), clean(news)),
    create: (inputs) => p.create(clean(inputs)),
    read: (id, props) => p.read(id, clean(props)),
    update: (id, olds, news) => p.update(id, clean(olds), clean(news)),
    delete: (id, props) => p.delete(id, clean(props)),
  };
}

function lookup(kind: string): ResourceProvider {
  const p = providers[kind];
  if (!p) {
    throw new Error(
      `orgstack: no provider for ${kind} in the installed orgstack package; ` +
        `the stack's state was written by another version: install that version, or a newer one that knows ${kind}`,
    );
  }
  return p;
}

export { setConfig };
export * from "./types";
