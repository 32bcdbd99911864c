// The resource classes users import, built from each resource's declaration (provider/kit): the Args
// type, the output properties, which inputs are wrapped as secrets and which outputs are kept secret
// all come from the declaration's zod schema, never restated here.
import * as pulumi from "@pulumi/pulumi";
import type { Resource } from "../provider/kit/resource";
import { providerText } from "./shim";

/** A value as a program may pass it: itself, a promise or an Output, at every level. */
export type Input<T> = T extends readonly (infer E)[]
  ? pulumi.Input<Input<E>[]>
  : T extends object
    ? pulumi.Input<{ [K in keyof T]: Input<T[K]> }>
    : pulumi.Input<T>;

/** What a program passes to a resource. */
export type Args<R> = R extends Resource<infer A, any> ? { [K in keyof A]: Input<A[K]> } : never;

/** What a resource gives back: one Output per field. */
export type Outputs<R> = R extends Resource<any, infer O> ? { readonly [K in keyof O]-?: pulumi.Output<O[K]> } : never;

export interface ResourceClass<R> {
  new (name: string, args: Args<R>, opts?: pulumi.CustomResourceOptions): pulumi.CustomResource & Outputs<R>;
}

export interface ClassHooks {
  /** Inputs the class adds itself (ChildEnterprise's logicalName). */
  extraInputs?(name: string): Record<string, unknown>;
  /** Runs once a resource is declared (not read with `id`): the stack-wide checks note it here. */
  declared?(resource: pulumi.Resource, name: string, args: any, opts?: pulumi.CustomResourceOptions): void;
}

/**
 * The class of a dynamic resource: what pulumi.dynamic.Resource makes (the same type token and
 * `__provider` input), with the provider text written by shim.ts instead of a serialized object.
 */
export function resourceClass<R extends Resource>(declaration: R, hooks: ClassHooks = {}): ResourceClass<R> {
  const [module, type] = declaration.type.split(":");
  const token = `pulumi-nodejs:dynamic/${module}:${type}`;
  const provider = providerText(declaration.type);
  // Every output must be a property of the inputs, or Pulumi makes no Output for it.
  const placeholders = Object.fromEntries(Object.keys(declaration.outputShape).map((k) => [k, undefined]));
  class Generated extends pulumi.CustomResource {
    constructor(name: string, args: Args<R>, opts?: pulumi.CustomResourceOptions) {
      const props: Record<string, unknown> = { ...placeholders, ...(args as object), ...hooks.extraInputs?.(name), __provider: provider };
      for (const k of declaration.secretInputs) if (props[k] !== undefined) props[k] = pulumi.secret(props[k] as pulumi.Input<unknown>);
      super(token, name, props, { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...declaration.secretOutputs] });
      if (!opts?.id) hooks.declared?.(this, name, args, opts);
    }
  }
  return Generated as unknown as ResourceClass<R>;
}
