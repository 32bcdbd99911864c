// The shapes of Pulumi's dynamic provider interface, restated here so that provider/ never imports
// @pulumi/pulumi (the provider process loads it from the program's node_modules, and only the shim
// in sdk/ needs it).
import type { ZodError, ZodType } from "zod";

export interface CheckFailure {
  property: string;
  reason: string;
}
export interface CheckResult<T> {
  inputs?: T;
  failures?: CheckFailure[];
}
export interface DiffResult {
  changes?: boolean;
  replaces?: string[];
  deleteBeforeReplace?: boolean;
}
export interface CreateResult<O> {
  id: string;
  outs?: O;
}
export interface ReadResult<O, I = any> {
  id?: string;
  props?: O;
  inputs?: I;
}
export interface UpdateResult<O> {
  outs?: O;
}

/** What every resource file exports: Pulumi's CRUD plus check and diff. */
export interface ResourceProvider<I = any, O = any> {
  check(olds: any, news: any): Promise<CheckResult<I>>;
  diff(id: string, olds: O, news: I): Promise<DiffResult>;
  create(inputs: I): Promise<CreateResult<O>>;
  read(id: string, props: O): Promise<ReadResult<O, I>>;
  update(id: string, olds: O, news: I): Promise<UpdateResult<O>>;
  delete(id: string, props: O): Promise<void>;
}

/** Where settings come from at run time: the stack's config (`bitgo:accessToken`), then the environment. */
export interface ConfigSource {
  get(key: string): string | undefined;
}

/** Inputs as the engine sends them, without Pulumi's own keys (`__provider`). */
export function withoutPulumiKeys(inputs: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inputs ?? {})) if (!k.startsWith("__")) out[k] = v;
  return out;
}

/** Turns zod's issues into check failures that name the field and say what to do. */
export function zodFailures(error: Pick<ZodError, "issues">): CheckFailure[] {
  return error.issues.map((issue) => ({
    property: issue.path.map(String).join(".") || "(inputs)",
    reason: `${issue.path.map(String).join(".") || "inputs"}: ${issue.message}`,
  }));
}

/**
 * Runs a zod schema as `check` does: failures, or the normalized inputs. At preview, a value that is
 * not known yet (an output of a resource still to be created) arrives as UNKNOWN, in place of a whole
 * property or of one list item: failures about such values wait for the real value, and the inputs
 * go through as they came (the engine shows them as unknown).
 */
export function checkWith<T>(schema: ZodType<T>, news: unknown): CheckResult<T> {
  const raw = withoutPulumiKeys(news as Record<string, unknown>);
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { inputs: parsed.data };
  const real = parsed.error.issues.filter((issue) => !reachesUnknown(raw, issue.path));
  if (real.length > 0) return { failures: zodFailures({ issues: real }) };
  return { inputs: raw as T };
}

/** Whether the value at `path` (or one of its parents) is not known yet. */
function reachesUnknown(value: unknown, path: PropertyKey[]): boolean {
  let v: any = value;
  for (const key of path) {
    if (v === UNKNOWN) return true;
    if (v === null || typeof v !== "object") return false;
    v = v[key as any];
  }
  return v === UNKNOWN || (Array.isArray(v) && v.includes(UNKNOWN));
}

/**
 * Values that are not known yet during a preview (an output of a resource not yet created) arrive
 * as this sentinel; checks of their format must wait for the real value.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
