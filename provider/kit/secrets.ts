// Every secret the provider process has seen, registered once, and scrubbed from every error, error
// context and log line by construction: the transport, the kit's lifecycle and `log` all pass their
// text through `redact`. Secrets come from the configuration (tokens, passwords, TOTP secrets), from
// what is derived from them (the password's HMAC, which works as the password; the one-time code;
// the session token), from secret inputs (a wallet passphrase, a keychain) and from secret outputs
// (a temporary password).

const long = new Set<string>(); // scrubbed wherever they appear
const short = new Set<string>(); // one-time codes: scrubbed only as a whole word (a 6-digit code may sit inside an id)

/** Registers a secret. Values shorter than 4 characters cannot be told from ordinary text and are skipped. */
export function addSecret(value: unknown): void {
  if (typeof value !== "string") return;
  const v = value.trim();
  if (v.length >= 8) long.add(v);
  else if (v.length >= 4) short.add(v);
}

/** Registers every string inside a value (a secret object such as a keychain). */
export function addSecretsIn(value: unknown): void {
  if (typeof value === "string") addSecret(value);
  else if (Array.isArray(value)) value.forEach(addSecretsIn);
  else if (value && typeof value === "object") Object.values(value).forEach(addSecretsIn);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The text with every registered secret, and anything shaped like a bearer credential, replaced. */
export function redact(text: string): string {
  let out = String(text);
  // Longest first, so a secret that contains another is replaced whole.
  for (const s of [...long].sort((a, b) => b.length - a.length)) if (out.includes(s)) out = out.split(s).join("[secret]");
  for (const s of short) out = out.replace(new RegExp(`(?<![0-9A-Za-z])${escape(s)}(?![0-9A-Za-z])`, "g"), "[secret]");
  return out.replace(/(Bearer\s+)[^\s"',\]]+/gi, "$1[secret]");
}

/** A copy of any value (an error's context, a vendor's echoed request) with every secret string scrubbed. */
export function redactDeep<T>(value: T, depth = 0): T {
  if (depth > 20) return "[…]" as unknown as T;
  if (typeof value === "string") return redact(value) as unknown as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1)) as unknown as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = /password|passphrase|secret|token|otp|prv|privatekey/i.test(k) && typeof v === "string" ? "[secret]" : redactDeep(v, depth + 1);
    return out as T;
  }
  return value;
}

/** Scrubs an error in place (message, stack, context, reasons) before it leaves the provider. */
export function redactError<E>(e: E): E {
  if (!(e instanceof Error)) return (typeof e === "string" ? redact(e) : e) as E;
  e.message = redact(e.message);
  if (e.stack) e.stack = redact(e.stack);
  const anyE = e as any;
  if (anyE.context !== undefined) anyE.context = redactDeep(anyE.context);
  if (Array.isArray(anyE.reasons)) anyE.reasons = anyE.reasons.map((r: unknown) => redact(String(r)));
  return e;
}

/** The provider's one way to print: Pulumi shows console.log from the provider process in the CLI. */
export function log(line: string): void {
  console.log(redact(line));
}

/** For tests: forget every registered secret. */
export function forgetSecrets(): void {
  long.clear();
  short.clear();
}
