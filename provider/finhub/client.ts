// The one HTTP client for FinHub: settings (Pulumi config `finhub:*`, then FINHUB_* env), the headers
// every call carries, FinHub's answer envelope and its errors, and the read cache. Endpoints live in
// api.ts. Shapes follow ../shared/vendor-docs/finhub-responses.md.
//
// Headers: X-Tenant-ID (exact, case-sensitive), the bearer token and a User-Agent on every call (API
// notes), and the runner pages' set as well (X-Forwarded-For, X-Forwarded-From, platform, deviceId),
// which is safe on every reading of FinHub's pages. Compliance calls add X-User-ID and X-User-Roles.
// Envelope: `{ code, message, data }`, `{ success, data }` or both; the HTTP status decides, `data` is
// the answer. FinHub documents a 429 but no numbers: calls are capped in flight, not paced by window.
import * as os from "os";
import { ReadCache } from "../http/cache";
import { Pacer } from "../http/pacer";
import { Transport, VendorError, isVendorError, route } from "../http/transport";
import { HttpSettings, httpSettings, setting } from "../config";
import { addSecret } from "../kit/secrets";
import type { ConfigSource } from "../types";

export const FINHUB_SANDBOX_URL = "https://sandbox.finhub.cloud";

export interface FinHubSettings extends HttpSettings {
  apiUrl: string;
  token?: string;
  tenantId?: string;
  /** X-Forwarded-For: the address of the person acting (default: this machine's). */
  forwardedFor?: string;
}

const ENV: Record<string, string> = { apiUrl: "FINHUB_API_URL", token: "FINHUB_TOKEN", tenantId: "FINHUB_TENANT_ID", forwardedFor: "FINHUB_FORWARDED_FOR" };

export function finhubSettings(config?: ConfigSource, env: NodeJS.ProcessEnv = process.env): FinHubSettings {
  const pick = (key: string) => setting(config, `finhub:${key}`, ENV[key], env);
  const s: FinHubSettings = { apiUrl: pick("apiUrl") ?? FINHUB_SANDBOX_URL, token: pick("token"), tenantId: pick("tenantId"), forwardedFor: pick("forwardedFor"), ...httpSettings(env) };
  addSecret(s.token);
  return s;
}

/** What is missing from the settings, as check failures say it (empty when complete). */
export function missingSettings(s: FinHubSettings): string[] {
  const out: string[] = [];
  if (!s.tenantId) out.push("finhub:tenantId is not set: run `pulumi config set finhub:tenantId <your tenant id>` or set FINHUB_TENANT_ID");
  if (!s.token) out.push("finhub:token is not set: run `pulumi config set --secret finhub:token <JWT>` or set FINHUB_TOKEN");
  return out;
}

/** The acting user of a compliance call (verify, activation). */
export interface Actor {
  userId: string;
  roles: string[];
}

export interface Answer<T = any> {
  status: number;
  data: T;
  message?: string;
  requestId?: string;
}

let clientCount = 0;

export class FinHubClient {
  /** Tells clients apart (batches never mix two configurations' calls). */
  readonly id = ++clientCount;
  readonly settings: FinHubSettings;
  readonly transport: Transport;
  readonly cache = new ReadCache();

  constructor(settings: FinHubSettings) {
    this.settings = settings;
    this.transport = new Transport({
      vendor: "FinHub",
      baseUrl: settings.apiUrl,
      urlSetting: "finhub:apiUrl",
      timeoutMs: settings.timeoutMs,
      maxRetries: settings.maxRetries,
      backoffMs: settings.backoffMs,
      maxInFlight: 8,
      pacer: new Pacer({}, settings.paced),
      headers: {
        "User-Agent": userAgent(),
        "X-Forwarded-For": settings.forwardedFor ?? localAddress(),
        "X-Forwarded-From": "orgstack",
        platform: "api",
        deviceId: `orgstack-${os.hostname()}`.slice(0, 64),
      },
      describeError: describeFinHubError,
      authorize: async () => {
        const missing = missingSettings(this.settings);
        if (missing.length) throw new Error(`FinHub: ${missing.join("; ")}`);
        return { "X-Tenant-ID": this.settings.tenantId!, Authorization: `Bearer ${this.settings.token}` };
      },
    });
  }

  /** One call; answers `data` of the envelope (or the body, when there is no envelope). */
  async call<T = any>(
    method: "GET" | "POST" | "PUT" | "DELETE",
    template: string,
    params: Record<string, string | number>,
    call: Parameters<Transport["request"]>[2] & { actor?: Actor } = { kind: "read" },
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...call.headers };
    if (call.actor) {
      headers["X-User-ID"] = call.actor.userId;
      headers["X-User-Roles"] = call.actor.roles.join(",");
    }
    const { actor: _actor, ...rest } = call;
    const res = await this.transport.request<any>(method, route(template, params), { ...rest, headers });
    const body = res.data;
    const enveloped = body && typeof body === "object" && !Array.isArray(body) && ("data" in body || "code" in body || "success" in body);
    return { status: res.status, data: (enveloped ? body.data : body) as T, message: enveloped ? body.message : undefined, requestId: res.requestId };
  }
}

function userAgent(): string {
  let version = "0";
  for (const p of ["../../package.json", "../../../package.json"]) {
    try {
      version = require(p).version;
      break;
    } catch {
      /* the version is only informative */
    }
  }
  return `orgstack/${version} (pulumi; node ${process.version})`;
}

function localAddress(): string {
  for (const addrs of Object.values(os.networkInterfaces())) for (const a of addrs ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  return "127.0.0.1";
}

/**
 * FinHub's error `{ code, message, data: { error, details?, field?, suggestions? } }` (or
 * `data.errors[{ field, message }]`), with a code orgstack acts on and what to do next.
 */
export function describeFinHubError(status: number, body: any, headers: Record<string, string>) {
  const b = body && typeof body === "object" ? body : {};
  const d = b.data && typeof b.data === "object" ? b.data : {};
  const parts = [typeof b.message === "string" ? b.message : "", typeof d.details === "string" ? d.details : ""].filter(Boolean);
  if (Array.isArray(d.errors)) parts.push(d.errors.map((x: any) => `${x?.field}: ${x?.message}`).join("; "));
  if (typeof d.field === "string") parts.push(`field ${d.field}`);
  let message = parts.join(" — ");
  const type = typeof d.error === "string" ? d.error : "";
  const text = `${type} ${message}`.toLowerCase();
  let code: string | undefined = type || undefined;
  if (/duplicate_email|email_already_exists/i.test(type) || ((status === 400 || status === 409) && /email/.test(text) && /(exist|duplicate|already|unique)/.test(text))) code = "DUPLICATE_EMAIL";
  else if (status === 400 && /admin_user/.test(text)) code = "MISSING_ADMIN_USER";
  const hint = finhubHint(status, code);
  if (hint) message = message ? `${message}. ${hint}` : hint;
  return { code, message, requestId: headers["x-request-id"] ?? headers["request-id"], context: Array.isArray(d.suggestions) ? { suggestions: d.suggestions } : undefined };
}

function finhubHint(status: number, code?: string): string | undefined {
  if (code === "DUPLICATE_EMAIL") return "Each person (director, shareholder, employee) needs an email that is unique within the tenant: use another email, or remove the other record first";
  if (code === "MISSING_ADMIN_USER") return "The first employee of an organization must hold ADMIN_USER: declare the admin employee first and give every other Employee dependsOn: [admin]";
  if (status === 401) return "The token is missing, wrong or expired, or belongs to another tenant: set finhub:token (secret) and finhub:tenantId";
  if (status === 403) return "The acting user lacks the role for this call (activation needs an ADMIN_USER or COMPLIANCE_OFFICER employee of the organization)";
  if (status === 404) return "No such object in this tenant (check finhub:tenantId), or it was removed";
  if (status === 422) return "FinHub's business rules refuse it as things stand";
  if (status === 429) return "FinHub's rate limit was hit";
  if (status >= 500) return "FinHub failed on its side";
  return undefined;
}

const clients = new Map<string, FinHubClient>();

/** One client per set of settings per process: caches are shared by every resource of a run. */
export function finhubClient(settings: FinHubSettings): FinHubClient {
  const key = JSON.stringify(settings);
  let c = clients.get(key);
  if (!c) clients.set(key, (c = new FinHubClient(settings)));
  return c;
}

/** Forgets clients (caches): every one, or those of one API URL (tests that reset the vendor). */
export function resetFinHubClients(apiUrl?: string): void {
  for (const [key, c] of clients) if (!apiUrl || c.settings.apiUrl === apiUrl) clients.delete(key);
}

export { VendorError, isVendorError };
