// The one HTTP client for BitGo: settings, authentication, BitGo's error body, pacing under BitGo's
// documented per-user rate limits, and the read cache. Endpoints live in api.ts.
//
// Authentication: an access token, or a login with email, password (sent as BitGo's SDK sends it, an
// HMAC keyed by the email) and a one-time code (or a TOTP secret, so CI logs in by itself). Only
// short-lived tokens from a login carry user_manage, which adding users needs. One login per provider
// process, shared by every resource (concurrent callers wait on the same login), reused until shortly
// before it expires, renewed once on a 401.
import * as crypto from "crypto";
import { ReadCache } from "../http/cache";
import { Pacer } from "../http/pacer";
import { Transport, VendorError, isVendorError, route } from "../http/transport";
import { HttpSettings, flag, httpSettings, setting } from "../config";
import { addSecret, log } from "../kit/secrets";
import type { ConfigSource } from "../types";

export const BITGO_TEST_URL = "https://app.bitgo-test.com";

export interface BitGoSettings extends HttpSettings {
  apiUrl: string;
  accessToken?: string;
  email?: string;
  password?: string;
  otp?: string;
  totpSecret?: string;
  /** bitgo:apiUrl is a BitGo Express instance (it builds spend-share keychains itself). */
  express: boolean;
}

const ENV: Record<string, string> = {
  accessToken: "BITGO_ACCESS_TOKEN",
  apiUrl: "BITGO_API_URL",
  email: "BITGO_EMAIL",
  password: "BITGO_PASSWORD",
  otp: "BITGO_OTP",
  totpSecret: "BITGO_TOTP_SECRET",
  express: "BITGO_EXPRESS",
};

export function bitgoSettings(config?: ConfigSource, env: NodeJS.ProcessEnv = process.env): BitGoSettings {
  const pick = (key: string) => setting(config, `bitgo:${key}`, ENV[key], env);
  const s: BitGoSettings = {
    apiUrl: pick("apiUrl") ?? BITGO_TEST_URL,
    accessToken: pick("accessToken"),
    email: pick("email")?.toLowerCase(),
    password: pick("password"),
    otp: pick("otp"),
    totpSecret: pick("totpSecret"),
    express: flag(pick("express"), "bitgo:express") ?? false,
    ...httpSettings(env),
  };
  for (const secret of [s.accessToken, s.password, s.totpSecret, s.otp]) addSecret(secret);
  if (s.email && s.password) addSecret(hashPassword(s.email, s.password));
  return s;
}

/** BitGo's recommended way to send a password: hex HMAC-SHA256 of it, keyed by the lowercased email. */
export function hashPassword(email: string, password: string): string {
  return crypto.createHmac("sha256", email.toLowerCase()).update(password).digest("hex");
}

/** RFC 6238 TOTP (SHA-1, 30-second steps, 6 digits) from a base32 secret. */
export function totp(base32Secret: string, now = Date.now()): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const clean = base32Secret.replace(/[\s=-]/g, "").toUpperCase();
  let bits = "";
  for (const ch of clean) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error("bitgo:totpSecret is not base32 (letters A-Z and digits 2-7)");
    bits += v.toString(2).padStart(5, "0");
  }
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / 30)));
  const mac = crypto.createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return ((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).toString().padStart(6, "0");
}

/** BitGo's documented per-user limits (API-NOTES.md). Calls name the windows they count against. */
export const BITGO_LIMITS = {
  all: { limit: 360, windowMs: 60_000 },
  login: { limit: 15, windowMs: 300_000 },
  userRead: { limit: 60, windowMs: 600_000 },
  sharingKey: { limit: 5, windowMs: 300_000 },
};

/**
 * Who BitGo counts the calls of, for the pacer's memory across processes: the login's email; a
 * token's user is unknown, so every token of one API URL shares one memory (slower at worst, never a
 * 429 the pacer could have seen).
 */
export function pacingUser(s: Pick<BitGoSettings, "apiUrl" | "accessToken" | "email">): string {
  return `bitgo ${s.apiUrl} ${s.accessToken ? "token" : (s.email ?? "").toLowerCase()}`;
}

interface Session {
  token: string;
  /** When the token stops working (ms); Infinity for a configured access token. */
  expiresAt: number;
  scopes?: string[];
  fromLogin: boolean;
}

/** Renew a login's token this long before BitGo says it expires. */
const RENEW_BEFORE_MS = 120_000;

export class BitGoClient {
  readonly settings: BitGoSettings;
  readonly transport: Transport;
  readonly cache = new ReadCache();
  readonly pacer: Pacer;
  /** Logins made by this client (one per process is the rule; tests count them). */
  logins = 0;
  /** Tells clients apart (batches never mix two configurations' calls). */
  readonly id = ++clientCount;
  private session?: Promise<Session>;

  constructor(settings: BitGoSettings) {
    this.settings = settings;
    this.pacer = new Pacer(BITGO_LIMITS, settings.paced, pacingUser(settings));
    this.transport = new Transport({
      vendor: "BitGo",
      baseUrl: settings.apiUrl,
      urlSetting: "bitgo:apiUrl",
      timeoutMs: settings.timeoutMs,
      maxRetries: settings.maxRetries,
      backoffMs: settings.backoffMs,
      pacer: this.pacer,
      describeError: describeBitGoError,
      authorize: async () => ({ Authorization: `Bearer ${(await this.currentSession()).token}` }),
      renewSession: async (failed) => {
        if (!this.canLogin()) return false;
        // Many calls may fail with the same token at once: the first renews, the others use its session.
        const current = await this.session?.catch(() => undefined);
        if (!current || failed.Authorization === `Bearer ${current.token}`) this.session = this.login();
        await this.session;
        return true;
      },
    });
  }

  /** One authenticated call (api.ts says which kind each endpoint is). */
  call<T = any>(method: "GET" | "POST" | "PUT" | "DELETE", template: string, params: Record<string, string | number>, call: Parameters<Transport["request"]>[2] = { kind: "read" }) {
    return this.transport.request<T>(method, route(template, params), call);
  }

  canLogin(): boolean {
    const s = this.settings;
    return !!(s.email && s.password && (s.otp || s.totpSecret));
  }

  /** The session every call uses: the configured token, or one login shared by every caller. */
  private async currentSession(): Promise<Session> {
    if (!this.session) {
      this.session = this.settings.accessToken ? Promise.resolve({ token: this.settings.accessToken, expiresAt: Infinity, fromLogin: false }) : this.login();
    }
    const current = this.session;
    const s = await current;
    if (s.fromLogin && s.expiresAt - Date.now() < RENEW_BEFORE_MS) {
      if (this.session === current) this.session = this.login(); // the first caller renews; the others wait on it
      return this.session;
    }
    return s;
  }

  private login(): Promise<Session> {
    const attempt = this.loginOnce();
    // A failed login is not kept: the next call tries again (the pacer keeps it under 15 per 300 s).
    attempt.catch(() => {
      if (this.session === attempt) this.session = undefined;
    });
    return attempt;
  }

  private async loginOnce(): Promise<Session> {
    const s = this.settings;
    if (!this.canLogin()) {
      throw new Error(
        "BitGo: no credentials. Set bitgo:accessToken (secret) or BITGO_ACCESS_TOKEN, or bitgo:email, bitgo:password (secret) " +
          "and bitgo:otp or bitgo:totpSecret (secret) so orgstack can log in.",
      );
    }
    const otp = s.totpSecret ? totp(s.totpSecret) : s.otp!;
    addSecret(otp);
    this.logins++;
    // A second login only mints a second token: safe to resend (the "login" window keeps it rare).
    const res = await this.transport.request("POST", "/api/v2/user/login", {
      kind: "idempotent",
      buckets: ["login"],
      anonymous: true,
      body: { email: s.email, password: hashPassword(s.email!, s.password!), otp },
    });
    const token = res.data?.access_token;
    if (typeof token !== "string" || !token) throw new Error("BitGo: the login answered without an access_token");
    addSecret(token);
    const expiresAt = typeof res.data.expires_at === "number" ? res.data.expires_at * 1000 : Date.now() + Number(res.data.expires_in ?? 3600) * 1000;
    log(`bitgo: logged in as ${s.email} (one login for this run)`);
    return { token, expiresAt, scopes: Array.isArray(res.data.scope) ? res.data.scope : [], fromLogin: true };
  }

  /** The token's scopes: from the login, or GET /api/v2/user/session (once per session, shared by concurrent callers). */
  async scopes(): Promise<string[]> {
    const session = await this.currentSession();
    if (session.scopes) return session.scopes;
    let asked = this.scopesAsked.get(session);
    if (!asked) {
      asked = this.call("GET", "/api/v2/user/session", {}).then((res) => (Array.isArray(res.data?.session?.scope) ? res.data.session.scope : []));
      this.scopesAsked.set(session, asked);
      asked.catch(() => this.scopesAsked.delete(session));
    }
    return (session.scopes = await asked);
  }
  private readonly scopesAsked = new WeakMap<Session, Promise<string[]>>();
  /** The login made because a configured token lacks a scope (one, whoever asks). */
  private loginForScope?: Promise<Session>;

  /**
   * Makes sure the token carries `scope`. Long-lived tokens never carry user_manage: with login
   * credentials configured orgstack logs in for a short-lived one; without, the error says how.
   */
  async requireScope(scope: string, forWhat: string): Promise<void> {
    if ((await this.scopes()).includes(scope)) return;
    const session = await this.currentSession();
    if (!session.fromLogin && this.canLogin()) {
      this.loginForScope ??= this.login();
      this.session = this.loginForScope;
      if ((await this.scopes()).includes(scope)) return;
    }
    throw new Error(
      `BitGo: ${forWhat} needs a token with the ${scope} scope, and this token lacks it. ` +
        (scope === "user_manage"
          ? "Only short-lived tokens from a login carry user_manage: set bitgo:email, bitgo:password (secret) and bitgo:otp or bitgo:totpSecret (secret) so orgstack logs in for one."
          : "Create a token with that scope in the BitGo web UI."),
    );
  }
}

/** Reads BitGo's error body `{ error, name, requestId, context }` and adds what to do next. */
export function describeBitGoError(status: number, body: any, headers: Record<string, string>) {
  const b = body && typeof body === "object" ? body : {};
  let message: string = typeof b.error === "string" ? b.error : typeof b.message === "string" ? b.message : "";
  const hint = bitgoHint(status, b, headers);
  if (hint) message = message ? `${message}. ${hint}` : hint;
  return { code: typeof b.name === "string" ? b.name : undefined, message, requestId: b.requestId ?? headers["request-id"], context: b.context };
}

function bitgoHint(status: number, body: any, headers: Record<string, string>): string | undefined {
  if (status === 401 && body.needsOTP) return "The session needs a fresh one-time code: set bitgo:otp or bitgo:totpSecret";
  if (status === 401 && body.needsUnlock) return "The session must be unlocked (POST /api/v2/user/unlock with a one-time code)";
  if (status === 401 || headers["x-auth-required"] === "true")
    return "The token is missing, wrong or expired: set bitgo:accessToken (secret), or bitgo:email, bitgo:password and bitgo:otp/bitgo:totpSecret to log in";
  if (status === 403) return "The token's user lacks the right for this call: it must be an admin of the enterprise (or wallet, or organization), and adding users needs a short-lived token with the user_manage scope";
  if (status === 404) return "No such object, or the token cannot see it";
  if (status === 409) return "It conflicts with the object's current state";
  if (status === 429) return "BitGo's rate limit was hit even though orgstack paces its calls (another program using the same user?)";
  if (status >= 500) return "BitGo failed on its side";
  return undefined;
}

let clientCount = 0;

// One client per set of settings per process: the provider process serves every resource of a run,
// so the login, the pacing windows and the caches are shared between them.
const clients = new Map<string, BitGoClient>();

export function bitgoClient(settings: BitGoSettings): BitGoClient {
  const key = JSON.stringify(settings);
  let client = clients.get(key);
  if (!client) clients.set(key, (client = new BitGoClient(settings)));
  return client;
}

/** Forgets clients (tokens, caches, windows): every one, or those of one API URL (tests that reset the vendor). */
export function resetBitGoClients(apiUrl?: string): void {
  for (const [key, c] of clients) if (!apiUrl || c.settings.apiUrl === apiUrl) clients.delete(key);
}

export { VendorError, isVendorError };
