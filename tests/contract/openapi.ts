// A contract checker for BitGo built on the vendor's OpenAPI 3.0.3 file
// (../shared/vendor-docs/bitgo-openapi-subset.yaml): every request the sandbox saw and every answer it
// gave is matched to the spec's operation and validated with ajv.
//
// What it checks, per exchange:
//   - the path (and method) exists in the spec; literal segments win over `{param}` templates
//     (`/api/v2/walletshares` never matches `/api/v2/{coin}/...`); matching is case-sensitive, and a
//     path that only matches ignoring case is reported as such (then checked against that operation);
//   - path parameters against their schemas (32-hex ids);
//   - query parameters: required ones present, values against their schemas (enum, pattern, type,
//     with the string coercion query strings need);
//   - the request body against the operation's requestBody schema (missing when required, present when
//     the operation documents none);
//   - the status is documented for the operation; an undocumented 4xx/5xx is accepted only when its
//     body has BitGo's error shape `{ error, name, requestId }`;
//   - the response body against the documented schema of that status.
// What it reads leniently: `oneOf` as `anyOf` (the spec's unions overlap); a single query value for an
// array parameter as a one-item list.
// What it does not check: headers (request-id, auth), content types other than JSON, semantics
// (whether the answer matches the request), properties the spec does not mention (OpenAPI's default
// additionalProperties: true is kept), unknown formats (`dateTime`, `number` are ignored).
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import type { LoggedRequest } from "../../sandbox/server";

export const SPEC_FILE =
  process.env.BITGO_OPENAPI_SPEC ?? path.resolve(__dirname, "../../../shared/vendor-docs/bitgo-openapi-subset.yaml");

const COMPONENTS_ID = "bitgo-openapi-components";
const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];
/** Formats ajv-formats knows; any other format in the spec (e.g. `dateTime`, `number`) is ignored. */
const KNOWN_FORMATS = new Set([
  "date", "time", "date-time", "iso-time", "iso-date-time", "duration", "uri", "uri-reference", "uri-template",
  "url", "email", "hostname", "ipv4", "ipv6", "regex", "uuid", "json-pointer", "json-pointer-uri-fragment",
  "relative-json-pointer", "byte", "int32", "int64", "float", "double", "password", "binary",
]);
/** OpenAPI-only keywords that JSON Schema does not have (or that mean something else there). */
const DROP = new Set(["example", "examples", "xml", "discriminator", "externalDocs", "deprecated", "readOnly", "writeOnly", "nullable"]);

type Schema = Record<string, any>;

export interface Exchange {
  method: string;
  path: string;
  query?: Record<string, string | string[]>;
  requestBody?: unknown;
  status: number;
  responseBody?: unknown;
}

export interface SpecOperation {
  method: string; // upper case
  template: string;
  operationId?: string;
  key: string; // "GET /api/v2/user/{id}"
  op: any;
  pathItem: any;
  segments: string[];
}

/** OpenAPI 3.0 schema object → JSON Schema (draft-07 as ajv takes it). */
export function toJsonSchema(node: any): any {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== "object") return node;
  if (typeof node.$ref === "string") {
    // In OpenAPI 3.0 siblings of $ref are ignored, except that this spec puts `nullable` beside some.
    const ref = { $ref: rewriteRef(node.$ref) };
    return node.nullable === true ? { anyOf: [{ type: "null" }, ref] } : ref;
  }
  const out: Schema = {};
  for (const [k, v] of Object.entries(node)) {
    if (DROP.has(k) || k.startsWith("x-")) continue;
    if (k === "format" && !KNOWN_FORMATS.has(String(v))) continue;
    if (k === "properties" || k === "patternProperties" || k === "definitions") {
      out[k] = Object.fromEntries(Object.entries(v as object).map(([name, s]) => [name, toJsonSchema(s)]));
    } else if (k === "exclusiveMinimum" || k === "exclusiveMaximum") {
      // OpenAPI 3.0: a boolean that turns minimum/maximum exclusive.
      if (v === true) out[k] = node[k === "exclusiveMinimum" ? "minimum" : "maximum"];
      else if (typeof v === "number") out[k] = v;
    } else if (k === "oneOf") {
      // The spec's oneOf lists are unions generated from io-ts types whose branches overlap (the
      // pending states `awaitingSignature`, `pendingVideoApproval`, ... are in three of them), so a
      // valid value often matches several: read them as anyOf.
      out.anyOf = toJsonSchema(v);
    } else {
      out[k] = typeof v === "object" ? toJsonSchema(v) : v;
    }
  }
  if (node.exclusiveMinimum === true) delete out.minimum;
  if (node.exclusiveMaximum === true) delete out.maximum;
  if (node.nullable === true) {
    const combined = out.allOf || out.anyOf || out.oneOf || out.not;
    if (typeof out.type === "string" && !combined) {
      out.type = [out.type, "null"];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
      return out;
    }
    return { anyOf: [{ type: "null" }, out] };
  }
  return out;
}

function rewriteRef(ref: string): string {
  const m = /^#\/components\/(schemas|parameters|requestBodies|responses)\/(.+)$/.exec(ref);
  if (!m) throw new Error(`openapi: unsupported $ref ${ref}`);
  return `${COMPONENTS_ID}#/${m[1]}/${m[2]}`;
}

export class OpenApiContract {
  readonly spec: any;
  readonly operations: SpecOperation[];
  private readonly ajv: Ajv;
  /** Coerces query and path strings to the parameter's type before checking. */
  private readonly paramAjv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(specText: string) {
    this.spec = YAML.parse(specText);
    const components = {
      $id: COMPONENTS_ID,
      schemas: mapValues(this.spec.components?.schemas ?? {}, toJsonSchema),
    };
    const make = (coerce: boolean) => {
      const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true, coerceTypes: coerce });
      addFormats(ajv);
      ajv.addSchema(components);
      return ajv;
    };
    this.ajv = make(false);
    this.paramAjv = make(true);
    this.operations = [];
    for (const [template, pathItem] of Object.entries<any>(this.spec.paths ?? {})) {
      for (const m of METHODS) {
        const op = pathItem[m];
        if (!op) continue;
        this.operations.push({
          method: m.toUpperCase(),
          template,
          operationId: op.operationId,
          key: `${m.toUpperCase()} ${template}`,
          op,
          pathItem,
          segments: template.split("/").filter(Boolean),
        });
      }
    }
  }

  /**
   * The spec's path template for a concrete path: templates with the same number of segments whose
   * literal segments all equal the path's; the one with a literal at the first position where they
   * differ wins. `ignoreCase` is the fallback for a path the spec spells with another case.
   */
  matchPath(concrete: string, ignoreCase = false): { template: string; params: Record<string, string> } | undefined {
    const segs = concrete.split("/").filter(Boolean);
    const norm = (s: string) => (ignoreCase ? s.toLowerCase() : s);
    const templates = [...new Set(this.operations.map((o) => o.template))];
    let best: { template: string; parts: string[]; params: Record<string, string> } | undefined;
    for (const template of templates) {
      const parts = template.split("/").filter(Boolean);
      if (parts.length !== segs.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const p = /^\{(.+)\}$/.exec(parts[i]);
        if (p) params[p[1]] = safeDecode(segs[i]);
        else ok = norm(parts[i]) === norm(segs[i]);
      }
      if (!ok) continue;
      if (!best || moreSpecific(parts, best.parts)) best = { template, parts, params };
    }
    return best && { template: best.template, params: best.params };
  }

  /** The operation for a method and concrete path, with the problems found in finding it. */
  findOperation(method: string, concrete: string): { operation?: SpecOperation; params: Record<string, string>; problems: string[] } {
    const problems: string[] = [];
    let match = this.matchPath(concrete);
    if (!match) {
      match = this.matchPath(concrete, true);
      if (!match) return { params: {}, problems: [`path ${concrete} is not in the spec`] };
      problems.push(`path ${concrete} matches the spec's ${match.template} only when case is ignored (the spec is case-sensitive)`);
    }
    const operation = this.operations.find((o) => o.template === match!.template && o.method === method.toUpperCase());
    if (!operation) {
      const documented = this.operations.filter((o) => o.template === match!.template).map((o) => o.method);
      problems.push(`${method.toUpperCase()} is not documented for ${match.template} (documented: ${documented.join(", ")})`);
    }
    return { operation, params: match.params, problems };
  }

  /** Every problem with one request and its answer, in words. Empty when it keeps the contract. */
  checkExchange(e: Exchange): string[] {
    const method = e.method.toUpperCase();
    const found = this.findOperation(method, e.path);
    const problems = [...found.problems];
    const operation = found.operation;
    if (!operation) return problems;
    const { op, pathItem, key } = operation;

    // Parameters: the operation's override the path item's by (in, name).
    const params = new Map<string, any>();
    for (const p of [...(pathItem.parameters ?? []), ...(op.parameters ?? [])]) {
      const resolved = this.resolveParameter(p);
      params.set(`${resolved.in}:${resolved.name}`, resolved);
    }
    problems.push(...this.checkParams(key, "path", [...params.values()].filter((p) => p.in === "path"), found.params));
    problems.push(...this.checkParams(key, "query", [...params.values()].filter((p) => p.in === "query"), e.query ?? {}));

    // Request body.
    const bodySchema = op.requestBody?.content?.["application/json"]?.schema;
    const hasBody = e.requestBody !== undefined && e.requestBody !== "";
    if (!op.requestBody && hasBody) problems.push(`request body sent, but ${key} documents none`);
    if (op.requestBody?.required && !hasBody) problems.push(`request body missing: ${key} requires one`);
    if (bodySchema && hasBody) {
      problems.push(...this.validate(`${key}#request`, bodySchema, e.requestBody).map((m) => `request body ${m}`));
    }

    // Status and response body.
    const responses = op.responses ?? {};
    const status = String(e.status);
    const documented =
      responses[status] ?? responses[`${status[0]}XX`] ?? responses[`${status[0]}xx`] ?? responses.default;
    if (!documented) {
      const list = Object.keys(responses).join(", ");
      if (e.status >= 400 && isBitGoError(e.responseBody)) return problems; // BitGo's error shape: accepted
      problems.push(
        e.status >= 400
          ? `status ${e.status} is not documented for ${key} (documented: ${list}) and the body is not BitGo's error shape {error, name, requestId}`
          : `status ${e.status} is not documented for ${key} (documented: ${list})`,
      );
      return problems;
    }
    const resolved = documented.$ref ? this.resolveComponent(documented.$ref) : documented;
    const schema = resolved?.content?.["application/json"]?.schema;
    if (schema) {
      if (e.responseBody === undefined || e.responseBody === "") problems.push(`response ${e.status} has no body, but ${key} documents a JSON one`);
      else problems.push(...this.validate(`${key}#${status}`, schema, e.responseBody).map((m) => `response ${e.status} body ${m}`));
    }
    return problems;
  }

  /** Operations ("GET /api/v2/user/{id}") the exchanges reached, whatever their status. */
  exercised(exchanges: Exchange[]): string[] {
    const keys = new Set<string>();
    for (const e of exchanges) {
      const { operation } = this.findOperation(e.method, e.path);
      if (operation) keys.add(operation.key);
    }
    return [...keys].sort();
  }

  private checkParams(key: string, where: "path" | "query", defs: any[], values: Record<string, string | string[]>): string[] {
    const problems: string[] = [];
    for (const p of defs) {
      const value = values[p.name];
      if (value === undefined) {
        if (p.required) problems.push(`${where} parameter ${p.name} is required by ${key} but missing`);
        continue;
      }
      const cacheKey = `${key}#${where}:${p.name}`;
      let validate = this.compiled.get(cacheKey);
      if (!validate) {
        // Wrapped in an object so ajv can coerce the string ("25" -> 25, "true" -> true) in place.
        validate = this.paramAjv.compile({ type: "object", properties: { v: toJsonSchema(p.schema ?? {}) } });
        this.compiled.set(cacheKey, validate);
      }
      if (validate({ v: Array.isArray(value) ? [...value] : value })) continue;
      let errors = [...(validate.errors ?? [])];
      // A single value for an array parameter arrives as a string (?state=pending): try it as a list.
      if (typeof value === "string") {
        if (validate({ v: [value] })) continue;
        const wantedList = errors.length === 1 && errors[0].keyword === "type" && String((errors[0].params as any).type).includes("array");
        if (wantedList) errors = [...(validate.errors ?? [])];
      }
      for (const err of dedupe(errors.map((e) => describe({ ...e, instancePath: e.instancePath.replace(/^\/v/, "") })))) {
        problems.push(`${where} parameter ${p.name}=${JSON.stringify(value)} ${err}`);
      }
    }
    return problems;
  }

  private validate(cacheKey: string, openapiSchema: any, data: unknown): string[] {
    let validate = this.compiled.get(cacheKey);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema(openapiSchema));
      this.compiled.set(cacheKey, validate);
    }
    if (validate(data)) return [];
    return dedupe((validate.errors ?? []).map((e) => describe(e)));
  }

  private resolveParameter(p: any): any {
    return p.$ref ? this.resolveComponent(p.$ref) : p;
  }

  private resolveComponent(ref: string): any {
    const parts = ref.replace(/^#\//, "").split("/");
    let node = this.spec;
    for (const part of parts) node = node?.[part];
    if (!node) throw new Error(`openapi: ${ref} is not in the spec`);
    return node;
  }
}

function describe(err: ErrorObject): string {
  const at = err.instancePath;
  let text = `${at ? `${at} ` : ""}${err.message ?? err.keyword}`;
  if (err.keyword === "enum") text += ` ${JSON.stringify((err.params as any).allowedValues)}`;
  if (err.keyword === "additionalProperties") text += ` (${(err.params as any).additionalProperty})`;
  return text;
}

function dedupe(list: string[]): string[] {
  return [...new Set(list)];
}

function mapValues<T, U>(o: Record<string, T>, f: (v: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** a is more specific than b: at the first position where one is a literal and the other a parameter, a has the literal. */
function moreSpecific(a: string[], b: string[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const aParam = a[i].startsWith("{");
    const bParam = b[i].startsWith("{");
    if (aParam !== bParam) return !aParam;
  }
  return false;
}

/** BitGo's error body: `{ error, name, requestId }` (strings), as API-NOTES.md describes it. */
export function isBitGoError(body: unknown): boolean {
  const b = body as any;
  return !!b && typeof b === "object" && typeof b.error === "string" && typeof b.name === "string" && typeof b.requestId === "string";
}

let shared: OpenApiContract | undefined;

/** The BitGo contract, parsed once per process. */
export function bitgoContract(): OpenApiContract {
  shared ??= new OpenApiContract(fs.readFileSync(SPEC_FILE, "utf8"));
  return shared;
}

/** Problems with one exchange against BitGo's spec (see the file's header for what is checked). */
export function checkExchange(e: Exchange): string[] {
  return bitgoContract().checkExchange(e);
}

/** The logged exchanges that are BitGo API calls (not the sandbox's own control routes). */
export function bitgoExchanges(requests: LoggedRequest[]): LoggedRequest[] {
  return requests.filter((r) => r.module === "bitgo" && !r.path.startsWith("/__sandbox"));
}

/** Every problem of every BitGo exchange, one line each: `#seq METHOD path -> status: problem`. */
export function bitgoContractProblems(requests: LoggedRequest[]): string[] {
  const lines: string[] = [];
  for (const r of bitgoExchanges(requests)) {
    const qs = new URLSearchParams(
      Object.entries(r.query ?? {}).flatMap(([k, v]): [string, string][] => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])),
    ).toString();
    for (const p of checkExchange(r)) lines.push(`#${r.seq} ${r.method} ${r.path}${qs ? `?${qs}` : ""} -> ${r.status}: ${p}`);
  }
  return lines;
}

/** Fails (throws) with every problem listed when any logged BitGo exchange breaks the contract. */
export function expectBitGoContract(requests: LoggedRequest[]): void {
  const exchanges = bitgoExchanges(requests);
  if (exchanges.length === 0) throw new Error("expectBitGoContract: no BitGo exchanges were logged, so nothing was checked");
  const problems = bitgoContractProblems(requests);
  if (problems.length > 0) {
    throw new Error(
      `${problems.length} BitGo contract problem(s) in ${exchanges.length} exchange(s) (spec: ${SPEC_FILE}):\n  ` + problems.join("\n  "),
    );
  }
}

/** The spec operations ("METHOD /template") the logged BitGo exchanges exercised. */
export function exercisedOperations(requests: LoggedRequest[]): string[] {
  return bitgoContract().exercised(bitgoExchanges(requests));
}

/** Every operation in the spec ("METHOD /template"). */
export function specOperations(): string[] {
  return bitgoContract().operations.map((o) => o.key).sort();
}
