// Resource ids, built and parsed in one place. An id is either the vendor's own id of the object (an
// enterprise id, a FinHub record id) or the parts that name it, joined by "/" (enterpriseId/username).
// An id is never made of a missing value: building one from an empty part, "undefined" or "null"
// throws instead of recording an id that names nothing. Parsing is what `pulumi import` and `read`
// rely on, so a malformed id gets an error that shows the expected form.

export interface IdFormat<K extends string> {
  /** The parts in order, e.g. ["enterpriseId", "username"]. */
  readonly parts: readonly K[];
  /** The form users see in errors and docs, e.g. "<enterpriseId>/<username>". */
  readonly form: string;
  build(values: Record<K, string>): string;
  parse(id: string): Record<K, string>;
}

const MISSING = new Set(["", "undefined", "null", "NaN", "[object Object]"]);

function checkPart(kind: string, name: string, value: unknown, pattern?: RegExp): string {
  const v = typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
  if (MISSING.has(v)) throw new Error(`${kind}: cannot make an id: ${name} is missing (the vendor's answer did not include it); nothing was recorded`);
  if (v.includes("/")) throw new Error(`${kind}: cannot make an id: ${name} "${v}" contains "/"`);
  if (pattern && !pattern.test(v)) throw new Error(`${kind}: cannot make an id: ${name} "${v}" is not in the expected form`);
  return v;
}

/** An id made of named parts joined by "/", each optionally checked against a pattern. */
export function compositeId<K extends string>(kind: string, parts: readonly K[], patterns: Partial<Record<K, RegExp>> = {}): IdFormat<K> {
  const form = parts.map((p) => `<${p}>`).join("/");
  return {
    parts,
    form,
    build(values) {
      return parts.map((p) => checkPart(kind, p, values[p], patterns[p])).join("/");
    },
    parse(id) {
      const pieces = String(id ?? "").split("/");
      if (pieces.length !== parts.length || pieces.some((x, i) => MISSING.has(x) || (patterns[parts[i]] && !patterns[parts[i]]!.test(x)))) {
        throw new Error(`${kind}: "${id}" is not an id of this resource; the form is ${form}`);
      }
      return Object.fromEntries(parts.map((p, i) => [p, pieces[i]])) as Record<K, string>;
    },
  };
}

/** The vendor's own id of the object (one part), checked against its documented form. */
export function vendorId<K extends string>(kind: string, name: K, pattern: RegExp): IdFormat<K> {
  return compositeId(kind, [name], { [name]: pattern } as Partial<Record<K, RegExp>>);
}
