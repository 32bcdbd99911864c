// The one HTTP client for FinHub: settings (Pulumi config `finhub:*`, then FINHUB_* env), the headers
// every call carries (X-Tenant-ID, bearer token, User-Agent; compliance calls add X-User-ID,
// X-User-Roles and X-Forwarded-For), the `{ code, message, data }` envelope, FinHub's errors with a next
// step, and a per-run cache of the personnel lists many resources read.
import * as os from "os";
import { Transport, VendorError, isVendorError, redact } from "../transport";
import { httpOverrides, setting } from "../config";
import { RunCache } from "../cache";
import type { ConfigSource } from "../types";

export const FINHUB_SANDBOX_URL = "https://sandbox.finhub.cloud";

export interface FinHubSettings {
  apiUrl: string;
  token?: string;
  tenantId?: string;
  /** X-Forwarded-For on compliance calls: the address of the person acting (default: this machine's). */
  forwardedFor?: string;
  timeoutMs?: number;
  maxRetries?: number;
  backoffMs?: number;
}

const ENV: Record<string, string> = {
  apiUrl: "FINHUB_API_URL",
  token: "FINHUB_TOKEN",
  tenantId: "FINHUB_TENANT_ID",
  forwardedFor: "FINHUB_FORWARDED_FOR",
};

export function finhubSettings(config?: ConfigSource, env: NodeJS.ProcessEnv = process.env): FinHubSettings {
  const pick = (key: string) => setting(config, `finhub:${key}`, ENV[key], env);
  const out: FinHubSettings = {
    apiUrl: pick("apiUrl") ?? FINHUB_SANDBOX_URL,
    token: pick("token"),
    tenantId: pick("tenantId"),
    forwardedFor: pick("forwardedFor"),
    ...httpOverrides(env),
  };
  // Unset optional settings are left out rather than set to undefined.
  for (const k of Object.keys(out) as (keyof FinHubSettings)[]) if (out[k] === undefined) delete out[k];
  return out;
}

/** What is missing from the settings, as check failures can say it (empty when complete). */
export function missingSettings(s: FinHubSettings): string[] {
  const out: string[] = [];
  if (!s.tenantId) out.push("finhub:tenantId is not set: run `pulumi config set finhub:tenantId <your tenant id>` or set FINHUB_TENANT_ID");
  if (!s.token) out.push("finhub:token is not set: run `pulumi config set --secret finhub:token <JWT>` or set FINHUB_TOKEN");
  return out;
}

// Temporary passwords seen in this process: redacted from every error and log line.
const seenSecrets = new Set<string>();
export function rememberSecret(s: string | undefined): void {
  if (s && s.length >= 4) seenSecrets.add(s);
}

// ---- shapes (the fields orgstack reads) ----

export interface PersonRecord {
  id: string;
  organizationId: string;
  individualCustomerId?: string;
  username?: string;
  temporaryPassword?: string;
  person: Record<string, any>;
  role?: string;
  roles?: string[];
  department?: string | null;
  ownershipPercentage?: number;
  primaryContact?: boolean;
  addresses?: any[];
  telephoneNumbers?: any[];
  status?: string;
}

export interface OrganizationRecord {
  id: string;
  organizationId: string;
  tenantId?: string;
  email?: string;
  status?: string;
  kybStatus?: string;
  [k: string]: any;
}

export interface Readiness {
  ready?: boolean;
  missing?: string[];
  status?: string;
  kybStatus?: string;
  consents?: Record<string, boolean>;
  [k: string]: any;
}

export type Compliance = { userId: string; roles: string[] };

export class FinHubClient {
  readonly settings: FinHubSettings;
  private readonly transport: Transport;
  private readonly cache = new RunCache(5_000);
  /** How long a read is reused within one run (0 turns the cache off). */
  get cacheTtlMs(): number {
    return this.cache.ttlMs;
  }
  set cacheTtlMs(ms: number) {
    this.cache.ttlMs = ms;
  }

  constructor(settings: FinHubSettings, log: (line: string) => void = (l) => console.log(l)) {
    this.settings = settings;
    this.transport = new Transport({
      vendor: "FinHub",
      baseUrl: settings.apiUrl,
      timeoutMs: settings.timeoutMs,
      maxRetries: settings.maxRetries,
      backoffMs: settings.backoffMs,
      headers: { "User-Agent": userAgent() },
      describeError: describeFinHubError,
      secrets: () => this.secrets(),
      log,
    });
  }

  secrets(): string[] {
    return [this.settings.token, ...seenSecrets].filter((s): s is string => !!s);
  }

  /** One call: the tenant, the token, and for compliance calls the acting user; returns `data` of the envelope. */
  async call<T = any>(
    method: "GET" | "POST" | "PUT" | "DELETE",
    path: string,
    options: Parameters<Transport["request"]>[2] & { compliance?: Compliance } = {},
  ): Promise<{ status: number; data: T; message?: string; requestId?: string }> {
    const missing = missingSettings(this.settings);
    if (missing.length) throw new Error(`FinHub: ${missing.join("; ")}`);
    const headers: Record<string, string> = {
      ...options.headers,
      "X-Tenant-ID": this.settings.tenantId!,
      Authorization: `Bearer ${this.settings.token}`,
    };
    if (options.compliance) {
      headers["X-User-ID"] = options.compliance.userId;
      headers["X-User-Roles"] = options.compliance.roles.join(",");
      headers["X-Forwarded-For"] = this.settings.forwardedFor ?? localAddress();
    }
    const { compliance: _c, ...rest } = options;
    const res = await this.transport.request<any>(method, path, { ...rest, headers });
    const body = res.data;
    const enveloped = body && typeof body === "object" && !Array.isArray(body) && "data" in body;
    return { status: res.status, data: (enveloped ? body.data : body) as T, message: enveloped ? body.message : undefined, requestId: res.requestId };
  }

  cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    return this.cache.get(key, load);
  }

  invalidate(prefix: string): void {
    this.cache.invalidate(prefix);
  }

  // ---- organizations ----

  async registerOrganization(body: Record<string, unknown>): Promise<OrganizationRecord> {
    return (await this.call<OrganizationRecord>("POST", "/api/v2.1/customer/organization/registration", { body })).data;
  }

  /** Not in the vendor's page (the shape the rest of the API suggests); undefined when gone. */
  async getOrganization(organizationId: string): Promise<OrganizationRecord | undefined> {
    const res = await this.call<OrganizationRecord>("GET", `/api/v2.1/customer/organization/${enc(organizationId)}`, { accept: [404] });
    return res.status === 404 ? undefined : res.data;
  }

  async deleteOrganization(organizationId: string): Promise<number> {
    this.invalidate(`org:${organizationId}`);
    return (await this.call("DELETE", `/api/v2.1/customer/organization/${enc(organizationId)}`, { accept: [404, 405] })).status;
  }

  // ---- personnel lists (cached per run, invalidated by every write) ----

  listDirectors(organizationId: string, fresh = false): Promise<PersonRecord[]> {
    if (fresh) this.invalidate(`org:${organizationId}:directors`);
    return this.cached(`org:${organizationId}:directors`, async () =>
      list((await this.call("GET", `/api/v2.1/customer/organization/${enc(organizationId)}/directors`)).data, "directors list"),
    );
  }

  listShareholders(organizationId: string, fresh = false): Promise<PersonRecord[]> {
    if (fresh) this.invalidate(`org:${organizationId}:shareholders`);
    return this.cached(`org:${organizationId}:shareholders`, async () =>
      list((await this.call("GET", `/api/v2/organizations/${enc(organizationId)}/shareholders`)).data, "shareholders list"),
    );
  }

  listEmployees(organizationId: string, fresh = false): Promise<PersonRecord[]> {
    if (fresh) this.invalidate(`org:${organizationId}:employees`);
    return this.cached(`org:${organizationId}:employees`, async () =>
      list((await this.call("GET", `/api/v2.1/customer/organization/${enc(organizationId)}/employees`)).data, "employees list"),
    );
  }

  async addDirector(organizationId: string, body: unknown): Promise<PersonRecord> {
    try {
      return (await this.call<PersonRecord>("POST", `/api/v2.1/customer/organization/${enc(organizationId)}/director`, { body })).data;
    } finally {
      this.invalidate(`org:${organizationId}:directors`);
    }
  }

  async removeDirector(organizationId: string, id: string): Promise<number> {
    try {
      return (await this.call("DELETE", `/api/v2.1/customer/organization/${enc(organizationId)}/directors/${enc(id)}`, { accept: [404] })).status;
    } finally {
      this.invalidate(`org:${organizationId}:directors`);
    }
  }

  async addShareholders(organizationId: string, body: unknown[]): Promise<PersonRecord[]> {
    const path = `/api/v2.1/customer/organization/${enc(organizationId)}/shareholders`;
    try {
      const res = await this.call("POST", path, { body });
      try {
        return list(res.data, "shareholders add");
      } catch (e) {
        // FinHub took the array (2xx) but its answer cannot be read: the adds may have happened.
        throw new VendorError({ vendor: "FinHub", method: "POST", path, status: res.status, message: this.redact((e as Error).message), ambiguous: true });
      }
    } finally {
      this.invalidate(`org:${organizationId}:shareholders`);
    }
  }

  async updateShareholder(organizationId: string, id: string, body: unknown): Promise<PersonRecord> {
    try {
      return (await this.call<PersonRecord>("PUT", `/api/v2.1/shareholder/update/${enc(id)}`, { body })).data;
    } finally {
      this.invalidate(`org:${organizationId}:shareholders`);
    }
  }

  async removeShareholder(organizationId: string, id: string): Promise<number> {
    try {
      return (await this.call("DELETE", `/api/v2/organizations/${enc(organizationId)}/shareholders/${enc(id)}`, { accept: [404] })).status;
    } finally {
      this.invalidate(`org:${organizationId}:shareholders`);
    }
  }

  async addEmployee(organizationId: string, body: unknown): Promise<PersonRecord> {
    try {
      return (await this.call<PersonRecord>("POST", `/api/v2.1/customer/organization/${enc(organizationId)}/employee`, { body })).data;
    } finally {
      this.invalidate(`org:${organizationId}:employees`);
    }
  }

  async setEmployeeRoles(organizationId: string, id: string, body: { role: string; roles: string[] }): Promise<PersonRecord> {
    try {
      return (await this.call<PersonRecord>("PUT", `/api/v2.1/customer/organization/${enc(organizationId)}/employees/${enc(id)}/roles`, { body })).data;
    } finally {
      this.invalidate(`org:${organizationId}:employees`);
    }
  }

  /** Not documented by the vendor: the shape the rest of the API suggests. */
  async removeEmployee(organizationId: string, id: string): Promise<number> {
    try {
      return (await this.call("DELETE", `/api/v2.1/customer/organization/${enc(organizationId)}/employees/${enc(id)}`, { accept: [404] })).status;
    } finally {
      this.invalidate(`org:${organizationId}:employees`);
    }
  }

  // ---- compliance ----

  async verify(organizationId: string, compliance: Compliance) {
    return (await this.call("POST", `/api/v2.1/customer/organization/${enc(organizationId)}/verify`, { compliance, idempotent: true })).data;
  }

  async acceptConsent(organizationId: string, consent: string, version: string) {
    return (await this.call("POST", `/api/v2.1/customer/organization/${enc(organizationId)}/consents/${enc(consent)}`, {
      body: { accepted: true, version },
      idempotent: true, // accepting twice is harmless
    })).data;
  }

  async readiness(organizationId: string): Promise<Readiness> {
    return (await this.call<Readiness>("GET", `/api/v2.1/customer/organization/${enc(organizationId)}/activation/readiness`)).data ?? {};
  }

  async activate(organizationId: string, compliance: Compliance) {
    return this.call("POST", `/api/v2.1/customer/organization/${enc(organizationId)}/activation`, { compliance, idempotent: true });
  }

  redact(text: string): string {
    return redact(text, this.secrets());
  }
}

const enc = encodeURIComponent;

/**
 * The records of a list answer. An answer in no known shape (an HTML page from a proxy, another API)
 * is an error: read as "no records", it would make refresh report every person gone.
 */
function list(data: unknown, what = "list"): PersonRecord[] {
  if (Array.isArray(data)) return data as PersonRecord[];
  if (data === null || data === undefined) return [];
  const d = data as any;
  for (const k of ["items", "content", "directors", "shareholders", "employees"]) if (Array.isArray(d?.[k])) return d[k];
  throw new Error(
    `FinHub answered the ${what} with ${typeof data === "string" ? "text, not JSON" : "JSON in an unknown shape"}; ` +
      `check finhub:apiUrl (the FinHub API host, such as https://sandbox.finhub.cloud)`,
  );
}

function userAgent(): string {
  let version = "0";
  try {
    version = require("../../package.json").version;
  } catch {
    try {
      version = require("../../../package.json").version;
    } catch {
      /* the version is only informative */
    }
  }
  return `orgstack/${version} (pulumi dynamic provider; node ${process.version})`;
}

function localAddress(): string {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return "127.0.0.1";
}

/** Reads FinHub's error envelope `{ code, message, data: { error } }` and adds what to do next. */
export function describeFinHubError(status: number, body: any, headers: Record<string, string>) {
  const b = body && typeof body === "object" ? body : {};
  const detail = typeof b.data?.error === "string" ? b.data.error : "";
  let message = typeof b.message === "string" ? b.message : detail;
  if (detail && detail !== message) message = message ? `${message} (${detail})` : detail;
  let code: string | undefined;
  const text = `${message}`.toLowerCase();
  if ((status === 400 || status === 409) && /email/.test(text) && /(exist|duplicate|already|unique)/.test(text)) code = "DUPLICATE_EMAIL";
  else if (status === 400 && /admin_user/.test(text)) code = "MISSING_ADMIN_USER";
  const hint = finhubHint(status, code);
  if (hint) message = message ? `${message}. ${hint}` : hint;
  return { code, message, requestId: headers["x-request-id"] ?? headers["request-id"] };
}

function finhubHint(status: number, code?: string): string | undefined {
  if (code === "DUPLICATE_EMAIL") return "Each person (director, shareholder, employee) needs an email that is unique within the tenant: use another email, or remove the other record first";
  if (code === "MISSING_ADMIN_USER") return "The first employee of an organization must hold ADMIN_USER: declare the admin employee first and give every other Employee dependsOn: [admin]";
  if (status === 401) return "The token is missing, wrong or expired, or belongs to another tenant: set finhub:token (secret) and finhub:tenantId";
  if (status === 403) return "The acting user lacks the role for this call (activation needs an ADMIN_USER or COMPLIANCE_OFFICER employee)";
  if (status === 404) return "No such object in this tenant (check finhub:tenantId), or it was removed";
  if (status === 429) return "FinHub's rate limit was hit: orgstack backs off and retries";
  if (status >= 500) return "FinHub failed on its side; orgstack retried idempotent calls before giving up";
  return undefined;
}

const clients = new Map<string, FinHubClient>();

/** One client per set of settings per process: caches are shared by every resource of a run. */
export function finhubClient(settings: FinHubSettings): FinHubClient {
  const key = JSON.stringify(settings);
  let c = clients.get(key);
  if (!c) {
    c = new FinHubClient(settings);
    clients.set(key, c);
  }
  return c;
}

export function resetFinHubClients(): void {
  clients.clear();
}

export { VendorError, isVendorError };
