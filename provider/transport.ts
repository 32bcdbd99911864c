// The transport every vendor client is built on: one axios instance per client, a timeout on every
// call, retries with jittered backoff on 429 and 5xx, and errors that carry the vendor's request id
// but never a secret. Kept vendor-neutral; each vendor's client.ts says how to read its errors.
import axios, { AxiosInstance, AxiosResponse, Method } from "axios";

export interface TransportOptions {
  vendor: string; // "BitGo", "FinHub": used in messages
  baseUrl: string;
  timeoutMs?: number;
  maxRetries?: number;
  /** First backoff step; doubles each retry, with full jitter, capped at maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  headers?: Record<string, string>;
  /** Reads the vendor's error body: its stable code, human text and request id. */
  describeError(status: number, body: unknown, headers: Record<string, string>): VendorErrorDetails;
  /** Strings that must never appear in an error or a log line (tokens, passwords, keys). */
  secrets(): string[];
  log?: (line: string) => void;
}

export interface VendorErrorDetails {
  code?: string;
  message?: string;
  requestId?: string;
  context?: unknown;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | string[] | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * Whether a call that may have reached the vendor can be sent again. GET, PUT and DELETE are
   * idempotent; a POST that creates something is not, so its ambiguous failures (timeouts, resets,
   * 5xx) come back to the caller, which reads before it writes again. 429 is always retried: the
   * vendor refused the call before doing anything.
   */
  idempotent?: boolean;
  /** Statuses the caller handles itself (no error thrown), e.g. 404 on a read. */
  accept?: number[];
}

export interface VendorResponse<T = any> {
  status: number;
  data: T;
  requestId?: string;
}

/** An error from a vendor call: safe to show (no secrets), with the request id to give support. */
export class VendorError extends Error {
  readonly vendor: string;
  readonly status?: number;
  readonly code?: string;
  readonly requestId?: string;
  readonly method: string;
  readonly path: string;
  /** True when the call may have been carried out even though no answer arrived. */
  readonly ambiguous: boolean;
  readonly context?: unknown;

  constructor(args: {
    vendor: string;
    method: string;
    path: string;
    status?: number;
    code?: string;
    requestId?: string;
    message: string;
    ambiguous: boolean;
    context?: unknown;
  }) {
    super(args.message);
    this.name = "VendorError";
    this.vendor = args.vendor;
    this.status = args.status;
    this.code = args.code;
    this.requestId = args.requestId;
    this.method = args.method;
    this.path = args.path;
    this.ambiguous = args.ambiguous;
    this.context = args.context;
  }
}

export function isVendorError(e: unknown, status?: number): e is VendorError {
  return e instanceof VendorError && (status === undefined || e.status === status);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Replaces every known secret in a text. Applied to every message this module produces. */
export function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join("[secret]");
  }
  // Anything that still looks like a bearer credential.
  return out.replace(/(Bearer\s+)[^\s"',]+/gi, "$1[secret]");
}

export class Transport {
  private readonly http: AxiosInstance;
  readonly opts: Required<Pick<TransportOptions, "timeoutMs" | "maxRetries" | "backoffMs" | "maxBackoffMs">> &
    TransportOptions;

  constructor(opts: TransportOptions) {
    // Settings left undefined (no env override) keep the defaults rather than erase them.
    const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as TransportOptions;
    this.opts = { timeoutMs: 30_000, maxRetries: 4, backoffMs: 250, maxBackoffMs: 8_000, ...given };
    this.http = axios.create({
      baseURL: opts.baseUrl.replace(/\/+$/, ""),
      timeout: this.opts.timeoutMs,
      headers: { "Content-Type": "application/json", Accept: "application/json", ...opts.headers },
      validateStatus: () => true, // statuses are judged below, not by axios
      maxRedirects: 0,
      // Query arrays as BitGo and FinHub read them: state=a&state=b.
      paramsSerializer: { indexes: null },
      proxy: false,
    });
  }

  async request<T = any>(method: Method, path: string, options: RequestOptions = {}): Promise<VendorResponse<T>> {
    const upper = method.toUpperCase();
    const idempotent = options.idempotent ?? upper !== "POST";
    for (let attempt = 0; ; attempt++) {
      let res: AxiosResponse | undefined;
      let networkError: any;
      try {
        res = await this.http.request({
          method,
          url: path,
          params: options.query,
          data: options.body,
          headers: options.headers,
        });
      } catch (e) {
        networkError = e;
      }

      if (networkError) {
        // Refused before connecting: nothing was sent, so any call may be tried again.
        const neverSent = ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"].includes(networkError.code);
        const error = this.networkError(upper, path, networkError, !neverSent);
        if ((idempotent || neverSent) && attempt < this.opts.maxRetries) {
          await this.backoff(attempt, `${error.message}`);
          continue;
        }
        throw error;
      }

      const response = res!;
      const headers = lowerHeaders(response.headers);
      const status = response.status;
      if ((status >= 200 && status < 300) || options.accept?.includes(status)) {
        return { status, data: response.data as T, requestId: headers["request-id"] ?? headers["x-request-id"] };
      }
      const error = this.statusError(upper, path, status, response.data, headers);
      const retriable = status === 429 || (status >= 500 && idempotent);
      if (retriable && attempt < this.opts.maxRetries) {
        await this.backoff(attempt, error.message, retryAfterMs(headers["retry-after"]));
        continue;
      }
      throw error;
    }
  }

  private async backoff(attempt: number, why: string, retryAfter?: number): Promise<void> {
    const cap = Math.min(this.opts.maxBackoffMs, this.opts.backoffMs * 2 ** attempt);
    const wait = retryAfter !== undefined ? Math.min(retryAfter, 60_000) : Math.round(Math.random() * cap);
    this.opts.log?.(
      redact(`${this.opts.vendor}: ${why}; retry ${attempt + 1}/${this.opts.maxRetries} in ${wait} ms`, this.opts.secrets()),
    );
    await sleep(wait);
  }

  private statusError(method: string, path: string, status: number, body: unknown, headers: Record<string, string>) {
    const d = this.opts.describeError(status, body, headers);
    const requestId = d.requestId ?? headers["request-id"] ?? headers["x-request-id"];
    const parts = [`${this.opts.vendor} answered ${status}${d.code ? ` ${d.code}` : ""} to ${method} ${path}`];
    if (d.message) parts.push(`: ${d.message}`);
    if (requestId) parts.push(` (request id ${requestId})`);
    return new VendorError({
      vendor: this.opts.vendor,
      method,
      path,
      status,
      code: d.code,
      requestId,
      context: d.context,
      message: redact(parts.join(""), this.opts.secrets()),
      ambiguous: status >= 500,
    });
  }

  private networkError(method: string, path: string, e: any, ambiguous: boolean) {
    const what = e?.code === "ECONNABORTED" || e?.code === "ETIMEDOUT" ? `no answer within ${this.opts.timeoutMs} ms` : `${e?.code ?? "network error"}`;
    return new VendorError({
      vendor: this.opts.vendor,
      method,
      path,
      message: redact(`${this.opts.vendor} ${method} ${path} failed: ${what}`, this.opts.secrets()),
      ambiguous,
    });
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
