// What the plugin adds to the resources' values: the detailed diff's behaviour settings, the preview's
// outputs, and import's two needs: inputs as a person writes them (defaults left out), and a note of what
// the vendor could not show, so that the declared value stands for it.
import type { z } from "zod";
import { UNKNOWN } from "../provider/kit/check";
import { metaOf } from "../provider/kit/fields";
import type { Resource } from "../provider/kit/resource";
import { same } from "../provider/kit/util";
import type { Props } from "./wire";

/**
 * Settings of the provider's own behaviour (a share's message, waitForApproval) that changed: no vendor
 * change, but the new value is recorded, so the preview shows it beside the vendor changes.
 */
export function behaviourChanges(r: Resource, olds: Props, news: Props, changed: string[]): string[] {
  const shape = r.inputSchema.shape as Record<string, z.ZodType>;
  const normalized = (k: string, v: unknown) => {
    const parsed = shape[k].safeParse(v);
    return parsed.success ? parsed.data : v;
  };
  return r.inputKeys.filter((k) => !changed.includes(k) && k in r.outputShape && metaOf(shape[k]).behaviour && !same(normalized(k, olds[k]), normalized(k, news[k])));
}

/**
 * Outputs key that lists the inputs an import could not see: the vendor does not show them (FinHub's
 * list has a person's name and email, not the date of birth), or shows them only in part.
 */
export const UNSHOWN = "__orgstackUnshown";

/** The inputs a read from the id alone could not see, absent or incomplete by their own field's schema. */
export function unshownBy(r: Resource, inputs: Props): string[] {
  const shape = r.inputSchema.shape as Record<string, z.ZodType>;
  return r.inputKeys.filter((k) => k in r.outputShape && (inputs[k] === undefined || !shape[k].safeParse(inputs[k]).success));
}

/**
 * Old outputs completed from the declaration where an import could not see them: such a field is
 * unknown, never drift (as the kit keeps a field the vendor does not show). A part the vendor showed
 * still counts: a person whose shown email differs from the declared one is a change.
 */
export function withUnshownDeclared(olds: Props, news: Props): Props {
  const unshown = olds[UNSHOWN];
  if (!Array.isArray(unshown)) return olds;
  const isObject = (v: unknown): v is Props => v !== null && typeof v === "object" && !Array.isArray(v);
  const out = { ...olds };
  for (const k of unshown) {
    const [o, n] = [olds[k], news[k]];
    if (o === undefined || (isObject(o) && isObject(n) && Object.entries(o).every(([f, v]) => same(v, n[f])))) out[k] = n;
  }
  return out;
}

/** Inputs without the values their field's default gives anyway. */
export function withoutDefaults(r: Resource, inputs: Props): Props {
  const shape = r.inputSchema.shape as Record<string, { safeParse(v: unknown): { success: boolean; data?: unknown } }>;
  return Object.fromEntries(
    Object.entries(inputs).filter(([k, v]) => {
      const omitted = shape[k]?.safeParse(undefined);
      return !(omitted?.success && omitted.data !== undefined && same(omitted.data, v));
    }),
  );
}

/** The inputs a resource records (those its outputs repeat): write-only ones, such as a passphrase, are not. */
export function recordedOf(r: Resource, props: Props): Props {
  return Object.fromEntries(Object.entries(props).filter(([k]) => k in r.outputShape));
}

/** What a preview shows before the object exists: the recorded inputs, and every other output not known yet. */
export function previewOutputs(r: Resource, props: Props): Props {
  const outs: Props = recordedOf(r, props);
  for (const k of Object.keys(r.outputShape)) if (!r.inputKeys.includes(k)) outs[k] = UNKNOWN;
  return outs;
}
