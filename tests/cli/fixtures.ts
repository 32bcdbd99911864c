// Hand-made stack exports and live readings for the review's unit tests.
import type { Live, LiveEnterprise, LiveFinhub, LiveOrganization, LiveWallet } from "../../cli/live";

export interface FakeResource {
  kind: string;
  name: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  id?: string;
  /** The type token as a plugin would write it, instead of the dynamic provider's. */
  plugin?: boolean;
  delete?: boolean;
}

/** What `pulumi stack export` writes for these resources (plus the stack and the default provider). */
export function stackExport(resources: FakeResource[]): any {
  return {
    version: 3,
    deployment: {
      manifest: { time: "2026-11-01T00:00:00Z" },
      resources: [
        { urn: "urn:pulumi:dev::team::pulumi:pulumi:Stack::team-dev", type: "pulumi:pulumi:Stack", custom: false },
        { urn: "urn:pulumi:dev::team::pulumi:providers:pulumi-nodejs::default", type: "pulumi:providers:pulumi-nodejs", custom: true, id: "x" },
        ...resources.map((r) => {
          const type = r.plugin ? `orgstack:${r.kind}` : `pulumi-nodejs:dynamic/${r.kind}`;
          return {
            urn: `urn:pulumi:dev::team::${type}::${r.name}`,
            type,
            id: r.id ?? `id-${r.name}`,
            custom: true,
            inputs: { __provider: "exports.handler = require('orgstack/provider').dynamicProvider('x')", ...r.inputs },
            outputs: { __provider: "…", ...r.inputs, ...r.outputs },
            ...(r.delete ? { delete: true } : {}),
          };
        }),
      ],
    },
  };
}

/** A secret value as the state keeps it. */
export const secret = (ciphertext = "v1:abc:def") => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext });

export const IDS = {
  operator: "5a1b2c3d4e5f60718293a4b5c6d7e8f9",
  ops: "7c3d4e5f60718293a4b5c6d7e8f90a1b",
  auditor: "8d4e5f60718293a4b5c6d7e8f90a1b2c",
  mallory: "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f",
  enterprise: "62c5ae8174ac860007aff138a2d74df7",
  wallet: "a1b2c3d4e5f60718293a4b5c6d7e8f01",
  organization: "62c5ae8174ac860007aff1555ffb960d",
  finhub: "7a6fbdca-a80c-47a4-ba98-837e96f84f55",
};

export function liveOf(parts: { enterprises?: LiveEnterprise[]; wallets?: LiveWallet[]; organizations?: LiveOrganization[]; finhub?: LiveFinhub[]; errors?: string[] }): Live {
  return {
    operator: { userId: IDS.operator, username: "ops-lead@acme.example" },
    enterprises: new Map((parts.enterprises ?? []).map((e) => [e.id, e])),
    wallets: new Map((parts.wallets ?? []).map((w) => [w.id, w])),
    organizations: new Map((parts.organizations ?? []).map((o) => [o.id, o])),
    finhub: new Map((parts.finhub ?? []).map((f) => [f.id, f])),
    errors: parts.errors ?? [],
  };
}

export function liveEnterprise(over: Partial<LiveEnterprise> = {}): LiveEnterprise {
  return { id: IDS.enterprise, name: "Acme Custody", organizationId: IDS.organization, approvalsRequired: 1, membersRead: !over.errors?.length, members: [], videoApprovers: [], approvals: [], errors: [], ...over };
}

export function liveWallet(over: Partial<LiveWallet> = {}): LiveWallet {
  return { id: IDS.wallet, coin: "tbtc", label: "Hot", enterpriseId: IDS.enterprise, users: [], shares: [], approvals: [], errors: [], ...over };
}
