// The thin shim Pulumi serializes into every resource's state (`__provider`).
//
// Pulumi copies whatever a dynamic provider's methods capture into the state and runs it later in
// a separate process, so these methods capture nothing but the resource kind and load the real
// implementation from the installed package at call time. The serialized text stays small and
// the same across orgstack upgrades, so an upgrade shows no diff on every resource.
import * as pulumi from "@pulumi/pulumi";

export function dynamicProvider(kind: string): pulumi.dynamic.ResourceProvider {
  return {
    async configure(req: pulumi.dynamic.ConfigureRequest) {
      require("orgstack/provider").configure(req.config);
    },
    async check(olds: any, news: any) {
      return require("orgstack/provider").provider(kind).check(olds, news);
    },
    async diff(id: string, olds: any, news: any) {
      return require("orgstack/provider").provider(kind).diff(id, olds, news);
    },
    async create(inputs: any) {
      return require("orgstack/provider").provider(kind).create(inputs);
    },
    async read(id: string, props: any) {
      return require("orgstack/provider").provider(kind).read(id, props);
    },
    async update(id: string, olds: any, news: any) {
      return require("orgstack/provider").provider(kind).update(id, olds, news);
    },
    async delete(id: string, props: any) {
      return require("orgstack/provider").provider(kind).delete(id, props);
    },
  };
}
