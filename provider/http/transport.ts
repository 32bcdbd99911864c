// The transport every vendor client is built on. It owns what must hold for every HTTP call:
//   - HTTPS, unless the API is on this machine (loopback): a bearer token never crosses a network in
//     plain text; the error names the setting to fix;
//   - a timeout on every call (Pulumi's cancellation and custom timeouts never reach a provider);
//   - pacing under the vendor's documented rate limits (pacer.ts), and a cap on calls in flight;
//   - retries with jittered backoff, only where a resend cannot do a thing twice: reads, idempotent
//     and keyed writes are retried on 429, 5xx and lost answers; a guarded or once-only write is sent
//     once, and a lost answer comes back to the caller as an ambiguous error (the kit then looks for
//     its effect before anything is sent again). A 429 means the vendor refused before doing anything,
//     so every kind waits it out (Retry-After, up to the vendor's window) and sends again;
//   - the vendor's request id in every error; no secret in any error, its context or a log line.
// Every call says which kind it is; a write that does not is a programming error.
import axios, { AxiosInstance, AxiosResponse } from "axios";
import { Pacer } from "./pacer";
import { log, redact } from "../kit/secrets";
import { loadEvents } from "./cache";
import { VendorError } from "../kit/errors";
import { sleep } from "../kit/util";

/**
 * What a resend of the call would do:
 *   read        nothing (GET, or a POST that only reads);
 *   idempotent  the same again (freezing, accepting a consent): safe to resend;
 *   keyed       nothing: the vendor deduplicates by an idempotency key in the request;
 *   guarded     a second effect (a second approval, a second record): never resent here; the kit looks
 *               for its effect first;
 *   once        a second effect nobody can look for (an e-mail, a registration with no lookup):
 *               never resent at all.
 */
export type CallKind = "read" | "idempotent" | "keyed" | "guarded" | "once";

export interface Call {
  kind: CallKind;
  query?: Record<string, string | number | boolean | string[] | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Statuses the caller handles (no error), such as 404 on a read or a removal. */
  accept?: number[];
  /** The rate-limit windows the call counts against (default ["all"]). */
  buckets?: string[];
  /** Sent without the session's credentials (the login itself). */
  anonymous?: boolean;
}

export interface VendorErrorDetails {
  code?: string;
  message?: string;
  requestId?: string;
  context?: unknown;
}

export interface VendorAnswer<T = any> {
  status: number;
  data: T;
  requestId?: string;
}

export interface TransportOptions {
  vendor: string; // "BitGo", "FinHub": in messages
  baseUrl: string;
  /** The setting that holds baseUrl, named in errors ("bitgo:apiUrl"). */
  urlSetting: string;
  timeoutMs?: number;
  maxRetries?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  maxInFlight?: number;
  headers?: Record<string, string>;
  pacer: Pacer;
  /** Reads the vendor's error body. */
  describeError(status: number, body: unknown, headers: Record<string, string>): VendorErrorDetails;
  /** Headers that authenticate a call (awaited before each call: a login may be under way). */
  authorize?(): Promise<Record<string, string>>;
  /** After a 401 with these credentials: renew the session if that can help; true sends the call once more. */
  renewSession?(failed: Record<string, string>): Promise<boolean>;
}

// The vendor's error lives in the kit (the kit judges lost writes by it); callers import it from here too.
export { VendorError, isVendorError } from "../kit/errors";

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|::1)$/i;

/** Refuses an API URL that would send credentials in plain text over a network. */
export function checkApiUrl(url: string, setting: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`${setting}: "${redact(url)}" is not a URL; set it to the vendor's https:// address`);
  }
  if (u.protocol === "https:") return url.replace(/\/+$/, "");
  if (u.protocol === "http:" && LOOPBACK.test(u.hostname)) return url.replace(/\/+$/, "");
  throw new Error(
    `${setting}: ${u.protocol}//${u.host} is not https: orgstack sends tokens and passwords only over https (plain http is allowed for this machine's loopback address alone). Set ${setting} to an https:// URL.`,
  );
}

/**
 * A path from a template and its parameters: "/api/v2/enterprise/{enterpriseId}/user". Every value
 * is checked (no empty part, no "." or "..", no slash) and percent-encoded: nothing a user types can
 * change which route is called.
 */
export function route(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const raw = params[name];
    const v = raw === undefined || raw === null ? "" : String(raw);
    if (v === "" || v === "." || v === ".." || v.includes("/") || v.includes("\\") || v.length > 200) {
      throw new Error(`refusing to call ${template}: ${name} "${redact(v).slice(0, 60)}" is not a valid path segment`);
    }
    return encodeURIComponent(v);
  });
}

const NEVER_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);

export class Transport {
  private readonly http: AxiosInstance;
  private readonly o: Required<Pick<TransportOptions, "timeoutMs" | "maxRetries" | "backoffMs" | "maxBackoffMs" | "maxInFlight">> & TransportOptions;
  private inFlight = 0;
  private readonly queue: (() => void)[] = [];
  /** Counters for tests and the benchmark. */
  readonly stats = { calls: 0, retries: 0, rateLimited: 0, serverErrors: 0 };

  constructor(options: TransportOptions) {
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as TransportOptions;
    this.o = { timeoutMs: 30_000, maxRetries: 4, backoffMs: 250, maxBackoffMs: 8_000, maxInFlight: 16, ...given };
    this.http = axios.create({
      baseURL: checkApiUrl(options.baseUrl, options.urlSetting),
      timeout: this.o.timeoutMs,
      headers: { "Content-Type": "application/json", Accept: "application/json", ...options.headers },
      validateStatus: () => true, // statuses are judged below
      maxRedirects: 0, // a redirect could carry the token elsewhere
      paramsSerializer: { indexes: null }, // state=a&state=b, as both vendors read arrays
      proxy: false,
    });
  }

  get timeoutMs(): number {
    return this.o.timeoutMs;
  }

  async request<T = any>(method: "GET" | "POST" | "PUT" | "DELETE", path: string, call: Call): Promise<VendorAnswer<T>> {
    if (method !== "GET" && !call?.kind) throw new Error(`internal: ${method} ${path} does not say what a resend would do (call.kind)`);
    const resendable = call.kind === "read" || call.kind === "idempotent" || call.kind === "keyed";
    const buckets = call.buckets ?? ["all"];
    let renewed = false;
    let rateLimitedTimes = 0;
    for (let attempt = 0; ; attempt++) {
      loadEvents.queued();
      await this.o.pacer.acquire(buckets);
      const auth = this.o.authorize && !call.anonymous ? await this.o.authorize() : {};
      let res: AxiosResponse | undefined;
      let networkError: any;
      await this.slot();
      try {
        this.stats.calls++;
        loadEvents.departing();
        res = await this.http.request({ method, url: path, params: call.query, data: call.body, headers: { ...call.headers, ...auth } });
      } catch (e) {
        networkError = e;
      } finally {
        this.release();
      }

      if (networkError) {
        const neverSent = NEVER_SENT.has(networkError?.code);
        const error = this.networkError(method, path, networkError, !neverSent);
        if ((resendable || neverSent) && attempt < this.o.maxRetries) {
          await this.backoff(attempt, error.message);
          continue;
        }
        throw error;
      }

      const headers = lowerHeaders(res!.headers);
      const status = res!.status;
      const requestId = headers["request-id"] ?? headers["x-request-id"];
      if ((status >= 200 && status < 300) || call.accept?.includes(status)) return { status, data: res!.data as T, requestId };

      const error = this.statusError(method, path, status, res!.data, headers);
      if (status === 401 && !renewed && !call.anonymous && this.o.renewSession && (await this.o.renewSession(auth))) {
        renewed = true; // refused before anything was done: the same call once more with a new session
        attempt--;
        continue;
      }
      if (status === 429) {
        this.stats.rateLimited++;
        const wait = Math.min(retryAfterMs(headers["retry-after"]) ?? this.backoffMs(rateLimitedTimes), this.o.pacer.longestWindow(buckets));
        this.o.pacer.pause(buckets, wait);
        if (rateLimitedTimes++ < Math.max(this.o.maxRetries, 3)) {
          log(`${this.o.vendor}: rate limit reached on ${method} ${path}; waiting ${Math.round(wait / 1000)} s as the vendor asks, then sending again`);
          attempt--;
          continue;
        }
        throw error;
      }
      if (status >= 500) {
        this.stats.serverErrors++;
        if (resendable && attempt < this.o.maxRetries) {
          await this.backoff(attempt, error.message);
          continue;
        }
      }
      throw error;
    }
  }

  private async slot(): Promise<void> {
    if (this.inFlight < this.o.maxInFlight) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.queue.push(resolve));
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.inFlight--;
  }

  private backoffMs(attempt: number): number {
    return Math.round(Math.random() * Math.min(this.o.maxBackoffMs, this.o.backoffMs * 2 ** attempt));
  }

  private async backoff(attempt: number, why: string): Promise<void> {
    const wait = this.backoffMs(attempt);
    this.stats.retries++;
    log(`${this.o.vendor}: ${why}; retry ${attempt + 1}/${this.o.maxRetries} in ${wait} ms`);
    await sleep(wait);
  }

  private statusError(method: string, path: string, status: number, body: unknown, headers: Record<string, string>): VendorError {
    const d = this.o.describeError(status, body, headers);
    const requestId = d.requestId ?? headers["request-id"] ?? headers["x-request-id"];
    const parts = [`${this.o.vendor} answered ${status}${d.code ? ` ${d.code}` : ""} to ${method} ${path}`];
    if (d.message) parts.push(`: ${d.message}`);
    if (requestId) parts.push(` (request id ${requestId})`);
    return new VendorError({ vendor: this.o.vendor, method, path, status, code: d.code, requestId, context: d.context, message: parts.join(""), ambiguous: status >= 500 });
  }

  private networkError(method: string, path: string, e: any, ambiguous: boolean): VendorError {
    const timedOut = e?.code === "ECONNABORTED" || e?.code === "ETIMEDOUT";
    const what = timedOut ? `no answer within ${this.o.timeoutMs} ms` : `${e?.code ?? "network error"}`;
    return new VendorError({ vendor: this.o.vendor, method, path, message: `${this.o.vendor} ${method} ${path} failed: ${what}`, ambiguous });
  }
}

function lowerHeaders(h: any): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k.toLowerCase()] = Array.isArray(v) ? v.join(",") : String(v);
  return out;
}

function retryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}
