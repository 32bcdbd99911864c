// The error every vendor call fails with: what the kit needs to judge a write (did it maybe happen?)
// and what a person needs (the request id for support), scrubbed of secrets.
import { redact, redactDeep } from "./secrets";

/** An error from a vendor call: safe to show (no secrets), with the request id to give support. */
export class VendorError extends Error {
  readonly vendor: string;
  readonly status?: number;
  readonly code?: string;
  readonly requestId?: string;
  readonly method: string;
  readonly path: string;
  /** True when the call may have been carried out although no usable answer arrived. */
  readonly ambiguous: boolean;
  context?: unknown;

  constructor(a: { vendor: string; method: string; path: string; status?: number; code?: string; requestId?: string; message: string; ambiguous: boolean; context?: unknown }) {
    super(redact(a.message));
    this.name = "VendorError";
    this.vendor = a.vendor;
    this.status = a.status;
    this.code = a.code;
    this.requestId = a.requestId;
    this.method = a.method;
    this.path = a.path;
    this.ambiguous = a.ambiguous;
    this.context = a.context === undefined ? undefined : redactDeep(a.context);
  }
}

export function isVendorError(e: unknown, status?: number): e is VendorError {
  return e instanceof VendorError && (status === undefined || e.status === status);
}
