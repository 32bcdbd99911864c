// The shapes of Pulumi's dynamic provider interface, restated so that provider/ never imports
// @pulumi/pulumi (the provider process loads it from the program's node_modules; only sdk/ needs it).
export type { CheckFailure } from "./kit/check";
export { UNKNOWN, withoutPulumiKeys } from "./kit/check";

/** Where settings come from at run time: the stack's config (`bitgo:accessToken`), then the environment. */
export interface ConfigSource {
  get(key: string): string | undefined;
}

/** What Pulumi's dynamic provider calls (sdk/shim.ts forwards each method here). */
export interface DynamicProvider {
  check(olds: any, news: any): Promise<{ inputs?: any; failures?: { property: string; reason: string }[] }>;
  diff(id: string, olds: any, news: any): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }>;
  create(inputs: any): Promise<{ id: string; outs: any }>;
  read(id: string, props: any): Promise<{ id: string; props?: any; inputs?: any }>;
  update(id: string, olds: any, news: any): Promise<{ outs: any }>;
  delete(id: string, props: any): Promise<void>;
}
