// `check`, the same for every resource: Pulumi's own keys removed, a size guard before anything is
// parsed (a megabyte string never reaches a regular expression or a URL), the resource's zod schema,
// and failures that name the field and the fix. An unknown field is named with the closest known one.
// At preview, values not known yet (outputs of resources still to be created) arrive as UNKNOWN:
// failures about them wait for the real value.
import type { z } from "zod";

export interface CheckFailure {
  property: string;
  reason: string;
}

/** Pulumi's sentinel for a value not known yet during a preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const MAX_STRING = 10_000;
const MAX_LIST = 1_000;
const MAX_DEPTH = 8;

/** Inputs as the engine sends them, without Pulumi's own keys (`__provider`). */
export function withoutPulumiKeys(inputs: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((inputs as Record<string, unknown>) ?? {})) if (!k.startsWith("__")) out[k] = v;
  return out;
}

export function containsUnknown(v: unknown, depth = 0): boolean {
  if (v === UNKNOWN) return true;
  if (depth > MAX_DEPTH || v === null || typeof v !== "object") return false;
  return Object.values(v as object).some((x) => containsUnknown(x, depth + 1));
}

/** Failures for values too big to be anything but a mistake, found before the schema runs. */
function sizeFailures(v: unknown, path: string[], depth = 0): CheckFailure[] {
  const where = path.join(".") || "(inputs)";
  if (typeof v === "string" && v.length > MAX_STRING) return [{ property: where, reason: `${where}: must be at most ${MAX_STRING} characters (no field takes more); it is ${v.length} characters long` }];
  if (v === null || typeof v !== "object") return [];
  if (depth > MAX_DEPTH) return [{ property: where, reason: `${where}: must be nested at most ${MAX_DEPTH} levels deep` }];
  if (Array.isArray(v) && v.length > MAX_LIST) return [{ property: where, reason: `${where}: must list at most ${MAX_LIST} entries (no field takes more); it lists ${v.length}` }];
  return Object.entries(v).flatMap(([k, x]) => sizeFailures(x, [...path, k], depth + 1));
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const keep = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = keep;
    }
  }
  return row[b.length];
}

/** The known key closest to an unknown one, when it is plausibly a typo. */
export function closest(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(key, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function knownKeysAt(schema: z.ZodType, path: PropertyKey[]): string[] {
  let s: any = schema;
  for (const key of path) {
    while (s?.def && ["optional", "default", "nullable", "pipe", "prefault"].includes(s.def.type)) s = s.def.innerType ?? s.def.in;
    if (s?.def?.type === "array") s = s.def.element;
    else if (s?.def?.type === "object") s = s.def.shape[key as string];
    else return [];
  }
  while (s?.def && ["optional", "default", "nullable", "pipe", "prefault"].includes(s.def.type)) s = s.def.innerType ?? s.def.in;
  return s?.def?.type === "object" ? Object.keys(s.def.shape) : [];
}

/** Turns zod's issues into failures that name the field (with its path) and say what to do. */
export function issuesToFailures(kind: string, schema: z.ZodType, issues: z.core.$ZodIssue[]): CheckFailure[] {
  const out: CheckFailure[] = [];
  for (const issue of issues) {
    const path = issue.path.map(String);
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(schema, issue.path);
      for (const key of issue.keys) {
        const where = [...path, key].join(".");
        const guess = closest(key, known);
        out.push({
          property: where,
          reason: `${where}: is not an input of ${kind}: ${guess ? `did you mean ${guess}?` : "remove it"} (the inputs${path.length ? ` of ${path.join(".")}` : ""} are ${known.join(", ")})`,
        });
      }
      continue;
    }
    const where = path.join(".") || "(inputs)";
    out.push({ property: where, reason: `${where}: ${friendly(issue)}` });
  }
  return out;
}

const KINDS: Record<string, string> = { object: "an object of fields", array: "a list", string: "text", number: "a number", boolean: "true or false" };

/** zod's own wording says what is wrong; where a builder gave no message, say what to give instead. */
function friendly(issue: z.core.$ZodIssue): string {
  if (!issue.message.startsWith("Invalid input")) return issue.message;
  if (issue.code === "invalid_type") return `must be ${KINDS[issue.expected] ?? issue.expected}${issue.input === undefined ? " (it is required)" : ""}`;
  if (issue.code === "invalid_union") return "must be one of the forms the field takes (see its description)";
  return `is not valid here: ${issue.message}`;
}

/** Whether the value at `path` (or one of its parents) is not known yet. */
function reachesUnknown(value: unknown, path: PropertyKey[]): boolean {
  let v: any = value;
  for (const key of path) {
    if (v === UNKNOWN) return true;
    if (v === null || typeof v !== "object") return false;
    v = v[key as any];
  }
  return containsUnknown(v);
}

export interface Checked<T> {
  inputs?: T;
  failures?: CheckFailure[];
}

/**
 * Checks raw inputs against a schema. With values not known yet, failures that reach them wait and
 * the inputs go through as they came (normalizing a sentinel would corrupt it).
 */
export function checkInputs<T>(kind: string, schema: z.ZodType<T>, news: unknown): Checked<T> {
  const raw = withoutPulumiKeys(news);
  const tooBig = sizeFailures(raw, []);
  if (tooBig.length) return { failures: tooBig };
  const parsed = schema.safeParse(raw);
  const pending = containsUnknown(raw);
  if (parsed.success) return { inputs: pending ? (raw as T) : parsed.data };
  const real = parsed.error.issues.filter((issue) => !reachesUnknown(raw, issue.path));
  if (real.length > 0) return { failures: issuesToFailures(kind, schema, real) };
  return { inputs: raw as T };
}
