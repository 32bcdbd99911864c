// Moving a stack from the dynamic resources to the provider plugin without touching the vendors: the
// state is rewritten, never the objects. A dynamic resource `pulumi-nodejs:dynamic/bitgo:WalletShare`
// becomes `orgstack:bitgo:WalletShare` with the same name, id, inputs and outputs (secrets stay the
// stack's ciphertext), served by a default `orgstack` provider that this adds to the state. What the
// engine would otherwise plan for a changed type (a replacement: delete and create at the vendor) never
// happens, and the resources keep what no vendor read can give back (generated passwords, pending
// approvals, write-only inputs).
//
// `pulumi stack export` → migrateDeployment → `pulumi stack import` (cli/migrate.ts runs it).
import { randomUUID } from "crypto";
import { stringify } from "yaml";
import { SETTINGS } from "./config";
import { SIG, SECRET_SIG } from "./wire";
import type { Resource } from "../provider/kit/resource";
import { unwrap } from "../provider/kit/schema";

export const DYNAMIC_PREFIX = "pulumi-nodejs:dynamic/";
const DYNAMIC_PROVIDER_TYPE = "pulumi:providers:pulumi-nodejs";
const ORGSTACK_PROVIDER_TYPE = "pulumi:providers:orgstack";

/** A resource as `pulumi stack export` writes it (apitype.ResourceV3): the fields this touches. */
export interface StateResource {
  urn: string;
  type: string;
  custom?: boolean;
  id?: string;
  parent?: string;
  provider?: string;
  inputs?: Record<string, any>;
  outputs?: Record<string, any>;
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
  deletedWith?: string;
  protect?: boolean;
  [key: string]: unknown;
}

export interface Deployment {
  resources?: StateResource[];
  pending_operations?: unknown[];
  [key: string]: unknown;
}

export interface MigrationOptions {
  /** The registry's resources (provider/index.ts): only their kinds move. */
  resources: Resource[];
  /**
   * The version a program's SDK asks for (the generated Go, Python and .NET SDKs ask for the package's
   * version; a Pulumi YAML program asks for none). The default provider is named after it.
   */
  providerVersion?: string;
  /**
   * Mark every moved resource protected: the old program, if it runs again by mistake, is refused at
   * preview instead of deleting them. The new program's first `up` lifts it (unless it declares protect).
   */
  protect?: boolean;
  /** Non-secret stack config (`pulumi config --json`), used when the state has no dynamic provider to copy settings from. */
  config?: Record<string, { value?: string; secret?: boolean }>;
}

export interface Migration {
  deployment: Deployment;
  /** The resources moved: old URN → new URN. */
  moved: Map<string, string>;
  /** The moved resources the program itself protected (new URNs). */
  protectedByProgram: Set<string>;
  providerUrn: string;
}

/** The kind of an orgstack dynamic resource ("bitgo:WalletShare"), or undefined for anything else. */
export function dynamicKind(r: StateResource, kinds: Set<string>): string | undefined {
  if (!r.type.startsWith(DYNAMIC_PREFIX)) return undefined;
  const kind = r.type.slice(DYNAMIC_PREFIX.length);
  const provider = String(r.inputs?.__provider ?? r.outputs?.__provider ?? "");
  return kinds.has(kind) && provider.includes("orgstack/provider") ? kind : undefined;
}

/** "urn:pulumi:dev::proj::Parent$pulumi-nodejs:dynamic/bitgo:X::name" with every moved type in its type chain renamed. */
function renameTypes(urn: string, renamed: Map<string, string>): string {
  const parts = urn.split("::");
  if (parts.length < 4) return urn;
  parts[2] = parts[2]
    .split("$")
    .map((t) => renamed.get(t) ?? t)
    .join("$");
  return parts.join("::");
}

function withoutPulumiKeys(props: Record<string, any> | undefined): Record<string, any> | undefined {
  if (!props) return props;
  return Object.fromEntries(Object.entries(props).filter(([k]) => k !== "__provider"));
}

/** The default provider's settings, copied from the dynamic provider's (same values, same ciphertext). */
function providerInputs(resources: StateResource[], opts: MigrationOptions): Record<string, any> {
  const dynamic = resources.find((r) => r.type === DYNAMIC_PROVIDER_TYPE && r.urn.endsWith("::default"));
  const inputs: Record<string, any> = {};
  for (const s of SETTINGS) {
    const value = dynamic?.inputs?.[s.vendorKey] ?? (opts.config?.[s.vendorKey]?.secret ? undefined : opts.config?.[s.vendorKey]?.value);
    if (value !== undefined) inputs[s.name] = value;
  }
  if (opts.providerVersion) inputs.version = opts.providerVersion;
  return inputs;
}

/**
 * The deployment with every orgstack dynamic resource moved to the plugin. Throws when the stack has an
 * operation in flight (its outcome is unknown: run `pulumi refresh` first) or holds the plugin's
 * resources already.
 */
export function migrateDeployment(input: Deployment, opts: MigrationOptions): Migration {
  if (input.pending_operations?.length) {
    throw new Error(`the stack has ${input.pending_operations.length} operation(s) whose outcome is unknown (an interrupted update): run \`pulumi refresh\` and answer its question about them, then migrate`);
  }
  const resources = input.resources ?? [];
  const kinds = new Set(opts.resources.map((r) => r.type));
  const renamed = new Map<string, string>();
  for (const r of resources) {
    const kind = dynamicKind(r, kinds);
    if (kind) renamed.set(r.type, `orgstack:${kind}`);
  }
  if (renamed.size === 0) return { deployment: input, moved: new Map(), protectedByProgram: new Set(), providerUrn: "" };
  const root = resources.find((r) => r.type === "pulumi:pulumi:Stack") ?? resources[0];
  const [prefix, project] = root.urn.split("::");
  const providerName = opts.providerVersion ? `default_${opts.providerVersion.replace(/[.-]/g, "_")}` : "default";
  const providerUrn = `${prefix}::${project}::${ORGSTACK_PROVIDER_TYPE}::${providerName}`;
  if (resources.some((r) => r.urn === providerUrn)) throw new Error(`the stack already has ${providerUrn}: it was migrated before`);
  const providerRef = `${providerUrn}::${randomUUID()}`;

  const moved = new Map<string, string>();
  const protectedByProgram = new Set<string>();
  for (const r of resources) {
    const urn = renameTypes(r.urn, renamed);
    if (urn !== r.urn) moved.set(r.urn, urn);
  }
  const urnOf = (u: string | undefined) => (u === undefined ? u : (moved.get(u) ?? u));
  const out: StateResource[] = [];
  for (const r of resources) {
    const kind = dynamicKind(r, kinds);
    if (kind && out.every((x) => x.type !== ORGSTACK_PROVIDER_TYPE)) {
      const inputs = providerInputs(resources, opts);
      out.push({ urn: providerUrn, custom: true, id: providerRef.split("::").pop()!, type: ORGSTACK_PROVIDER_TYPE, inputs, outputs: inputs });
    }
    const next: StateResource = {
      ...r,
      urn: urnOf(r.urn)!,
      parent: urnOf(r.parent),
      deletedWith: urnOf(r.deletedWith),
      dependencies: r.dependencies?.map((d) => urnOf(d)!),
      propertyDependencies: r.propertyDependencies && Object.fromEntries(Object.entries(r.propertyDependencies).filter(([k]) => k !== "__provider").map(([k, v]) => [k, v.map((d) => urnOf(d)!)])),
    };
    if (kind) {
      Object.assign(next, { type: `orgstack:${kind}`, provider: providerRef, inputs: withoutPulumiKeys(r.inputs), outputs: withoutPulumiKeys(r.outputs) });
      if (r.protect) protectedByProgram.add(next.urn);
      if (opts.protect) next.protect = true;
    }
    for (const k of ["parent", "deletedWith", "dependencies", "propertyDependencies"] as const) if (next[k] === undefined) delete next[k];
    out.push(next);
  }
  // The dynamic provider goes when nothing uses it any more (else the next update would show it deleted).
  const used = (ref: string) => out.some((r) => r.provider?.startsWith(`${ref}::`));
  const resourcesOut = out.filter((r) => !(r.type === DYNAMIC_PROVIDER_TYPE && !used(r.urn)));
  return { deployment: { ...input, resources: resourcesOut }, moved, protectedByProgram, providerUrn };
}

const isSecret = (v: unknown) => v !== null && typeof v === "object" && (v as any)[SIG] === SECRET_SIG;
const containsSecret = (v: unknown): boolean => isSecret(v) || (v !== null && typeof v === "object" && Object.values(v as object).some(containsSecret));

export interface ProgramNotes {
  /** Stack config the program reads for secret inputs, with the resource and field each stands for. */
  secrets: { key: string; resource: string; field: string }[];
}

/**
 * A Pulumi YAML program declaring the moved resources as the state records them: their inputs (values
 * that came from another resource as `${name.id}` or `${name.output}`; defaults left out), their
 * dependencies and the protection the old program gave them. A secret input reads a secret stack config key the program declares.
 */
export function yamlProgram(
  project: string,
  deployment: Deployment,
  opts: { resources: Resource[]; pluginPath?: string; protectedByProgram?: Set<string> },
): { text: string; notes: ProgramNotes } {
  const byKind = new Map(opts.resources.map((r) => [`orgstack:${r.type}`, r]));
  const all = deployment.resources ?? [];
  const byUrn = new Map(all.map((r) => [r.urn, r]));
  const nameOf = (urn: string) => urn.split("::").pop()!;
  const notes: ProgramNotes = { secrets: [] };
  const config: Record<string, unknown> = {};
  const resources: Record<string, unknown> = {};
  for (const r of all) {
    const decl = byKind.get(r.type);
    if (!decl) continue;
    const name = nameOf(r.urn);
    const properties: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r.inputs ?? {})) {
      if (k.startsWith("__") || isDefault(decl, k, v)) continue;
      const ref = reference(v, r.propertyDependencies?.[k] ?? [], byUrn, nameOf);
      if (ref) properties[k] = ref;
      else if (containsSecret(v)) {
        const key = `${camel(name)}${k.charAt(0).toUpperCase()}${k.slice(1)}`;
        const objectField = (unwrap(decl.inputSchema.shape[k]) as any)?.def?.type === "object";
        config[key] = { type: objectField ? "object" : "string", secret: true };
        properties[k] = `\${${key}}`;
        notes.secrets.push({ key, resource: name, field: k });
      } else properties[k] = v;
    }
    const propertyDeps = new Set(Object.values(r.propertyDependencies ?? {}).flat());
    const dependsOn = (r.dependencies ?? []).filter((d) => !propertyDeps.has(d) && byUrn.get(d)?.custom).map((d) => `\${${nameOf(d)}}`);
    const options: Record<string, unknown> = {};
    if (dependsOn.length) options.dependsOn = dependsOn;
    if (opts.protectedByProgram?.has(r.urn)) options.protect = true;
    resources[name] = { type: r.type, properties, ...(Object.keys(options).length ? { options } : {}) };
  }
  const program: Record<string, unknown> = { name: project, runtime: "yaml" };
  if (opts.pluginPath) program.plugins = { providers: [{ name: "orgstack", path: opts.pluginPath }] };
  if (Object.keys(config).length) program.config = config;
  program.resources = resources;
  const header = `# The orgstack resources of this stack, as its state records them (written by \`orgstack migrate\`).\n`;
  return { text: header + stringify(program, { aliasDuplicateObjects: false, lineWidth: 0 }), notes };
}

/** `${name.id}` or `${name.output}` when the value came from the one resource its property depends on. */
function reference(value: unknown, deps: string[], byUrn: Map<string, StateResource>, nameOf: (urn: string) => string): string | undefined {
  if (deps.length !== 1 || typeof value !== "string" || value === "") return undefined;
  const dep = byUrn.get(deps[0]);
  if (!dep?.custom) return undefined;
  if (dep.id === value) return `\${${nameOf(dep.urn)}.id}`;
  const output = Object.entries(dep.outputs ?? {}).find(([k, v]) => !k.startsWith("__") && v === value)?.[0];
  return output ? `\${${nameOf(dep.urn)}.${output}}` : undefined;
}

/** The value a program gets anyway when it leaves the field out. */
function isDefault(decl: Resource, key: string, value: unknown): boolean {
  const omitted = (decl.inputSchema.shape[key] as any)?.safeParse?.(undefined);
  return !!omitted?.success && omitted.data !== undefined && JSON.stringify(omitted.data) === JSON.stringify(value);
}

const camel = (s: string) => s.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ""));
