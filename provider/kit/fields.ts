// The building blocks of every resource's zod schema. A field carries, besides its type, what the rest
// of the system derives from it (`FieldMeta`): its description (docs, the package schema), whether a
// change replaces the object, whether it is secret, and whether it is write-only (sent to the vendor,
// never recorded). The builders below give every string a length cap, every id its documented form,
// every date a real calendar date, and every message the field's fix; `check` puts the field's path in
// front of the message.
import { z } from "zod";

export interface FieldMeta {
  /** What the field means, for the docs and the package schema. */
  doc?: string;
  /** A change to it cannot be made in place: the object is replaced. */
  replaceOnChange?: boolean;
  /** A secret: SDK classes wrap the input in pulumi.secret and list the output in additionalSecretOutputs. */
  secret?: boolean;
  /** Sent to the vendor but never recorded in outputs or state (a passphrase, a keychain). */
  writeOnly?: boolean;
  /** Not compared by diff: a setting of the provider's own behaviour that needs no vendor change. */
  behaviour?: boolean;
  /** Optional, and computed when left out (an idempotency key): leaving it out is no change. */
  computedWhenOmitted?: boolean;
}

/** The metadata of every field, looked up by the schema object itself. */
export const fieldMeta = z.registry<FieldMeta>();

/** Attaches metadata to a field's (outermost) schema and returns it. */
export function field<T extends z.ZodType>(schema: T, meta: FieldMeta): T {
  fieldMeta.add(schema, meta);
  return schema;
}

export function metaOf(schema: z.ZodType): FieldMeta {
  return fieldMeta.get(schema) ?? {};
}

// ---- strings ----

/** Free text with a length cap (trimmed). */
export function text(opts: { max?: number; min?: number; hint?: string } = {}) {
  const max = opts.max ?? 200;
  const min = opts.min ?? 1;
  return z
    .string({ error: (i) => (i.input === undefined ? `is required${opts.hint ? `: ${opts.hint}` : ""}` : "must be text") })
    .trim()
    .min(min, { message: min === 1 ? "must not be empty (leave the field out instead)" : `must be at least ${min} characters` })
    .max(max, { message: `must be at most ${max} characters` });
}

export function email(hint = "an email address such as ops@acme.example") {
  return z
    .string({ error: (i) => (i.input === undefined ? `is required: ${hint}` : `must be ${hint}`) })
    .max(254, { message: `must be at most 254 characters: ${hint}` })
    .trim()
    .toLowerCase()
    .pipe(z.email({ message: `must be ${hint}` }));
}

/** A 32-character lowercase hex id, as BitGo names every object. */
export function hex32(what: string, example = "62c5ae8174ac860007aff138a2d74df7") {
  return z
    .string({ error: (i) => (i.input === undefined ? `is required: ${what} (32 lowercase hex characters)` : `must be ${what}: 32 lowercase hex characters`) })
    .max(32, { message: `must be ${what}: 32 lowercase hex characters such as ${example}` })
    .regex(/^[0-9a-f]{32}$/, { message: `must be ${what}: 32 lowercase hex characters such as ${example}` });
}

export function uuid(what: string, example = "2f6ddd86-9ef1-45b6-a16d-058b3ccf29e4") {
  return z
    .string({ error: (i) => (i.input === undefined ? `is required: ${what} (a UUID)` : `must be ${what}: a UUID`) })
    .max(36, { message: `must be ${what}: a UUID such as ${example}` })
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { message: `must be ${what}: a UUID such as ${example}` });
}

/** ISO 3166-1 alpha-2, upper-cased. */
export function countryCode() {
  return z
    .string({ error: (i) => (i.input === undefined ? "is required: an ISO 3166-1 alpha-2 code such as GB" : "must be an ISO 3166-1 alpha-2 code such as GB") })
    .max(2, { message: "must be an ISO 3166-1 alpha-2 code such as GB" })
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}$/, { message: "must be an ISO 3166-1 alpha-2 code such as GB" });
}

/** True when YYYY-MM-DD names a day that exists (2020-02-30 does not). */
export function isCalendarDate(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && y >= 1850;
}

/** A calendar date written YYYY-MM-DD; `past` refuses today and later. */
export function isoDate(opts: { past?: boolean; example?: string } = {}) {
  const example = opts.example ?? "1985-02-01";
  return z
    .string({ error: (i) => (i.input === undefined ? `is required: a date written YYYY-MM-DD such as ${example}` : `must be a date written YYYY-MM-DD such as ${example}`) })
    .max(10, { message: `must be a date written YYYY-MM-DD such as ${example}` })
    .refine(isCalendarDate, { message: `must be a real calendar date written YYYY-MM-DD such as ${example}` })
    .refine((v) => !opts.past || Date.parse(v) < Date.now(), { message: `must be a date in the past, such as ${example}` });
}

// ---- choices and lists ----

export function oneOf<const T extends readonly [string, ...string[]]>(values: T, what = "value") {
  return z.enum(values, { error: (i) => (i.input === undefined ? `is required: one of ${values.join(", ")}` : `"${String(i.input).slice(0, 60)}" is not a ${what}: use ${values.join(", ")}`) });
}

/** A list with a size cap; `unique` refuses duplicates (after normalization); `sorted` orders it, as a set. */
export function list<T extends z.ZodType>(item: T, opts: { max?: number; min?: number; unique?: boolean; sorted?: boolean; hint?: string } = {}) {
  const max = opts.max ?? 100;
  let schema = z.array(item, { error: (i) => (i.input === undefined ? `is required${opts.hint ? `: ${opts.hint}` : ""}` : `must be a list${opts.hint ? `: ${opts.hint}` : ""}`) }).max(max, { message: `must list at most ${max} entries` });
  if (opts.min) schema = schema.min(opts.min, { message: `must list at least ${opts.min} ${opts.min === 1 ? "entry" : "entries"}${opts.hint ? `: ${opts.hint}` : ""}` });
  const unique = opts.unique ?? true;
  const refined = unique
    ? schema.refine((l) => new Set(l.map((x) => JSON.stringify(x))).size === l.length, { message: "lists the same entry twice" })
    : schema;
  return opts.sorted ? refined.transform((l) => [...l].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))) : refined;
}

export function bool(hint = "true or false") {
  return z.boolean({ error: `must be ${hint}` });
}

export function int(min: number, max: number, unit = "") {
  return z
    .number({ error: `must be a whole number from ${min} to ${max}${unit}` })
    .int({ message: `must be a whole number from ${min} to ${max}${unit}` })
    .min(min, { message: `must be from ${min} to ${max}${unit}` })
    .max(max, { message: `must be from ${min} to ${max}${unit}` });
}

export function percentage() {
  return z
    .number({ error: "must be a number from 0 to 100 (a percentage of the shares)" })
    .min(0, { message: "must be from 0 to 100 (a percentage of the shares)" })
    .max(100, { message: "must be from 0 to 100 (a percentage of the shares)" })
    .refine((v) => Math.abs(Math.round(v * 1000) - v * 1000) < 1e-6, { message: "must have at most three decimals" });
}
