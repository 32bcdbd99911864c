// The Pulumi package schema of the resources, derived from their declarations: the zod schemas give
// the types (objects, lists, enums, defaults, required inputs), the field metadata gives descriptions,
// secret fields and replace-on-change fields, and each resource's IdFormat gives its import id. The
// provider plugin serves it (GetSchema); the SDKs for Go, Python and .NET are generated from it.
//
// Type names, per module (bitgo, finhub): an object or enum used by one resource is named after it
// (`EnterpriseUserPermission`); one shared by several resources of the module (the same zod schema
// object) gets its own name (`Person`, `AdoptExisting`). A new resource never renames the types of an
// existing one.
import { z } from "zod";
import { FieldMeta, metaOf } from "./fields";
import type { Resource } from "./resource";

/** One provider setting (`orgstack:<name>`), as the plugin's configuration declares it. */
export interface ConfigVariable {
  name: string;
  type: "string" | "boolean";
  description: string;
  secret?: boolean;
  default?: string | boolean;
}

export interface SchemaOptions {
  /** The package's name, and the first part of every token (`orgstack`). */
  name: string;
  version: string;
  config: ConfigVariable[];
  /** Go SDK import path of the package (`github.com/…/sdks/go/orgstack`). */
  goImportBasePath: string;
}

type Json = Record<string, any>;

const WRAPPERS = ["optional", "default", "prefault", "nullable", "readonly", "nonoptional", "catch"];

/** The schema without its wrappers (optional, default, the input side of a pipe). */
export function unwrap(schema: z.ZodType): z.ZodType {
  let s: any = schema;
  for (let i = 0; i < 20 && s?.def; i++) {
    if (WRAPPERS.includes(s.def.type)) s = s.def.innerType;
    else if (s.def.type === "pipe") s = s.def.in;
    else break;
  }
  return s;
}

/** The field's metadata from its outermost schema inwards (field() may wrap an optional or a pipe). */
function metaDeep(schema: z.ZodType): FieldMeta {
  let s: any = schema;
  for (let i = 0; i < 20 && s?.def; i++) {
    const m = metaOf(s);
    if (Object.keys(m).length) return m;
    if (WRAPPERS.includes(s.def.type)) s = s.def.innerType;
    else if (s.def.type === "pipe") s = s.def.in;
    else break;
  }
  return {};
}

/** A program may leave the field out (optional, or a default fills it). */
function isOptional(schema: z.ZodType): boolean {
  let s: any = schema;
  for (let i = 0; i < 20 && s?.def; i++) {
    if (["optional", "default", "prefault"].includes(s.def.type)) return true;
    if (WRAPPERS.includes(s.def.type)) s = s.def.innerType;
    else if (s.def.type === "pipe") s = s.def.in;
    else break;
  }
  return false;
}

/** The default a program gets when it leaves the field out, when it is a plain value. */
function defaultOf(schema: z.ZodType): unknown {
  let s: any = schema;
  for (let i = 0; i < 20 && s?.def; i++) {
    if (s.def.type === "default") {
      const v = typeof s.def.defaultValue === "function" ? s.def.defaultValue() : s.def.defaultValue;
      return ["string", "number", "boolean"].includes(typeof v) && v !== "" ? v : undefined;
    }
    if (WRAPPERS.includes(s.def.type)) s = s.def.innerType;
    else if (s.def.type === "pipe") s = s.def.in;
    else break;
  }
  return undefined;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "addresses" → "address", "permissions" → "permission": the name of one item of a list. */
export function singular(word: string): string {
  if (/sses$/.test(word)) return word.slice(0, -2);
  if (/ies$/.test(word)) return word.slice(0, -3) + "y";
  if (/[^s]s$/.test(word) && word.length > 3) return word.slice(0, -1);
  return word;
}

/** "wallet.create" → "WalletCreate", "ADMIN_USER" → "AdminUser": an enum value's name in the SDKs. */
export function enumValueName(value: string): string {
  const words = value.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const name = words.map((w) => (w === w.toUpperCase() ? cap(w.toLowerCase()) : cap(w))).join("");
  return /^[0-9]/.test(name) ? `V${name}` : name || "Empty";
}

/** A named type (object or enum) found while walking the resources, before it gets its final name. */
interface Named {
  schema: z.ZodType;
  kind: "object" | "enum";
  /** The name it takes when only one resource uses it, and when several do. */
  own: string;
  shared: string;
  resources: Set<Resource>;
}

function moduleOf(r: Resource): string {
  return r.type.split(":")[0];
}
function nameOf(r: Resource): string {
  return r.type.split(":")[1];
}

/** Finds every object and enum the resources (of one module) use, keyed by the zod schema object itself. */
function collect(resources: Resource[]): Map<z.ZodType, Named> {
  const found = new Map<z.ZodType, Named>();
  const visit = (r: Resource, schema: z.ZodType, own: string, shared: string, depth: number) => {
    const s: any = unwrap(schema);
    if (!s?.def || depth > 10) return;
    const note = (kind: "object" | "enum") => {
      let n = found.get(s);
      if (!n) found.set(s, (n = { schema: s, kind, own, shared, resources: new Set() }));
      n.resources.add(r);
    };
    switch (s.def.type) {
      case "object":
        note("object");
        for (const [k, v] of Object.entries(s.def.shape as Record<string, z.ZodType>)) visit(r, v, `${found.get(s)!.own}${cap(k)}`, cap(k), depth + 1);
        break;
      case "array":
        visit(r, s.def.element, singular(own), singular(shared), depth + 1);
        break;
      case "enum":
        note("enum");
        break;
      case "union":
        for (const o of s.def.options) visit(r, o, own, shared, depth + 1);
        break;
    }
  };
  for (const r of resources) {
    for (const [k, v] of Object.entries(r.inputSchema.shape as Record<string, z.ZodType>)) visit(r, v, `${nameOf(r)}${cap(k)}`, cap(k), 0);
    for (const [k, v] of Object.entries(r.outputShape)) visit(r, v, `${nameOf(r)}${cap(k)}`, cap(k), 0);
  }
  return found;
}

const enumValues = (s: any): string[] => Object.values(s.def.entries as Record<string, string>);

/**
 * The final token of every named type. Enums with the same values and the same name are one type. When
 * different schemas would get the same token, the one used by the resource registered first keeps it
 * (so a new resource never renames an existing type); the others take their resource's name in front.
 */
function tokens(pkg: string, module: string, found: Map<z.ZodType, Named>, order: Resource[]): Map<z.ZodType, string> {
  const candidate = (n: Named) => `${pkg}:${module}:${n.resources.size > 1 ? n.shared : n.own}`;
  const first = (n: Named) => Math.min(...[...n.resources].map((r) => order.indexOf(r)));
  const byToken = new Map<string, Named[]>();
  for (const n of found.values()) byToken.set(candidate(n), [...(byToken.get(candidate(n)) ?? []), n]);
  const out = new Map<z.ZodType, string>();
  const taken = new Set(byToken.keys());
  for (const [token, group] of byToken) {
    const sameEnum = (n: Named) => n.kind === "enum" && group[0].kind === "enum" && JSON.stringify(enumValues(n.schema)) === JSON.stringify(enumValues(group[0].schema));
    const sorted = [...group].sort((a, b) => first(a) - first(b));
    for (const [i, n] of sorted.entries()) {
      if (i === 0 || sameEnum(n)) {
        out.set(n.schema, token);
        continue;
      }
      const name = token.split(":")[2];
      let t = `${pkg}:${module}:${nameOf(order[first(n)])}${name}`;
      for (let j = 2; taken.has(t); j++) t = `${pkg}:${module}:${nameOf(order[first(n)])}${name}${j}`;
      taken.add(t);
      out.set(n.schema, t);
    }
  }
  return out;
}

/** JSON Schema's view of a leaf (string, number, integer, boolean), from zod itself. */
function leafType(schema: z.ZodType): string {
  const js = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Json;
  const t = Array.isArray(js.type) ? js.type[0] : js.type;
  return ["string", "number", "integer", "boolean"].includes(t) ? t : "string";
}

/** The Pulumi type spec of a field (the parts of a PropertySpec that say its type). */
function typeSpec(schema: z.ZodType, names: Map<z.ZodType, string>): Json {
  const s: any = unwrap(schema);
  const ref = names.get(s);
  if (ref) return { $ref: `#/types/${ref}` };
  switch (s?.def?.type) {
    case "array":
      return { type: "array", items: typeSpec(s.def.element, names) };
    case "object":
    case "record":
      return { type: "object", additionalProperties: { $ref: "pulumi.json#/Any" } };
    case "union": {
      const options = (s.def.options as z.ZodType[]).map((o) => typeSpec(o, names));
      const distinct = [...new Map(options.map((o) => [JSON.stringify(o), o])).values()];
      return distinct.length === 1 ? distinct[0] : { oneOf: distinct };
    }
    case "string":
    case "number":
    case "boolean":
      return { type: leafType(s) };
    default:
      return { $ref: "pulumi.json#/Any" };
  }
}

/** One property: its type, description, default, secret and replace-on-change marks. */
function propertySpec(schema: z.ZodType, names: Map<z.ZodType, string>, extra: { secret?: boolean; replaceOnChanges?: boolean } = {}): Json {
  const meta = metaDeep(schema);
  const spec: Json = { ...typeSpec(schema, names) };
  if (meta.doc) spec.description = meta.doc;
  const dflt = defaultOf(schema);
  if (dflt !== undefined && !spec.$ref?.startsWith("#/types/")) spec.default = dflt;
  if (extra.secret ?? meta.secret) spec.secret = true;
  if (extra.replaceOnChanges ?? meta.replaceOnChange) spec.replaceOnChanges = true;
  return spec;
}

function objectTypeSpec(s: any, names: Map<z.ZodType, string>): Json {
  const shape = s.def.shape as Record<string, z.ZodType>;
  const properties = Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, propertySpec(v, names, { replaceOnChanges: false })]));
  const required = Object.entries(shape)
    .filter(([, v]) => !isOptional(v))
    .map(([k]) => k);
  const meta = metaDeep(s);
  return { type: "object", ...(meta.doc ? { description: meta.doc } : {}), properties, ...(required.length ? { required } : {}) };
}

function enumTypeSpec(s: any): Json {
  const meta = metaDeep(s);
  return { type: "string", ...(meta.doc ? { description: meta.doc } : {}), enum: enumValues(s).map((value) => ({ name: enumValueName(value), value })) };
}

/** The import id section of a resource's description. */
function importDoc(pkg: string, r: Resource): string {
  return [
    "## Import",
    "",
    `Import an existing ${nameOf(r)} by its id, \`${r.id.form}\`:`,
    "",
    "```sh",
    `$ pulumi import ${pkg}:${r.type} <name> ${r.id.form}`,
    "```",
  ].join("\n");
}

function resourceSpec(pkg: string, r: Resource, names: Map<z.ZodType, string>): Json {
  const inShape = r.inputSchema.shape as Record<string, z.ZodType>;
  const secretIn = new Set(r.secretInputs);
  const secretOut = new Set([...r.secretInputs, ...r.secretOutputs]);
  const replace = new Set(r.replaceOnChange);
  const inputProperties = Object.fromEntries(
    Object.entries(inShape).map(([k, v]) => [k, propertySpec(v, names, { secret: secretIn.has(k), replaceOnChanges: replace.has(k) })]),
  );
  const requiredInputs = Object.entries(inShape)
    .filter(([, v]) => !isOptional(v))
    .map(([k]) => k);
  const properties = Object.fromEntries(
    Object.entries(r.outputShape).map(([k, v]) => [k, propertySpec(v, names, { secret: secretOut.has(k), replaceOnChanges: false })]),
  );
  // Always present in the outputs: the required inputs (every id part is one) and what the kit always sets.
  const always = ["adopted", ...(inShape.waitForApproval ? ["state", "pendingApprovalId"] : [])];
  const required = Object.keys(r.outputShape).filter((k) => requiredInputs.includes(k) || always.includes(k));
  return {
    description: `${r.doc}\n\n${importDoc(pkg, r)}`,
    inputProperties,
    requiredInputs,
    properties,
    required,
  };
}

function configSpec(config: ConfigVariable[]): { variables: Json; inputProperties: Json } {
  const one = (c: ConfigVariable) => ({ type: c.type, description: c.description, ...(c.secret ? { secret: true } : {}), ...(c.default !== undefined ? { default: c.default } : {}) });
  const variables = Object.fromEntries(config.map((c) => [c.name, one(c)]));
  return { variables, inputProperties: variables };
}

/** The Pulumi package schema (PackageSpec, as JSON) of the given resources. */
export function packageSchema(resources: Resource[], opts: SchemaOptions): Json {
  const pkg = opts.name;
  const types: Json = {};
  const specs: Json = {};
  for (const module of [...new Set(resources.map(moduleOf))]) {
    const members = resources.filter((r) => moduleOf(r) === module);
    const names = tokens(pkg, module, collect(members), resources);
    for (const [s, token] of [...names].sort((a, b) => a[1].localeCompare(b[1]))) {
      types[token] ??= (s as any).def.type === "enum" ? enumTypeSpec(s) : objectTypeSpec(s, names);
    }
    for (const r of members) specs[`${pkg}:${r.type}`] = resourceSpec(pkg, r, names);
  }
  const config = configSpec(opts.config);
  return {
    name: pkg,
    displayName: "orgstack",
    version: opts.version,
    description: "BitGo and FinHub organizations as code: enterprise users, organizations, child enterprises, wallet shares and FinHub personnel.",
    keywords: ["pulumi", "bitgo", "finhub", "category/utility"],
    homepage: "https://github.com/orgstack/orgstack",
    repository: "https://github.com/orgstack/orgstack",
    license: "Apache-2.0",
    publisher: "orgstack",
    meta: { moduleFormat: "(.*)", supportPack: true },
    config: { variables: config.variables },
    provider: {
      description: "The orgstack provider: where BitGo and FinHub are, and the credentials to reach them. Every setting falls back to its environment variable.",
      inputProperties: config.inputProperties,
      properties: config.inputProperties,
    },
    types: Object.fromEntries(Object.entries(types).sort(([a], [b]) => a.localeCompare(b))),
    resources: specs,
    language: {
      go: { importBasePath: opts.goImportBasePath, generateResourceContainerTypes: true, respectSchemaVersion: true },
      python: { packageName: `pulumi_${pkg}`, respectSchemaVersion: true, pyproject: { enabled: true }, requires: { pulumi: ">=3.146.0,<4.0.0" } },
      csharp: { rootNamespace: "OrgStack", respectSchemaVersion: true, packageReferences: { Pulumi: "3.*" } },
      nodejs: { packageName: `@${pkg}/pulumi`, respectSchemaVersion: true },
    },
  };
}
