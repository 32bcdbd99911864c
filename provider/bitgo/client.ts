// The one HTTP client for BitGo: configuration, authentication (token, or login with email, password
// and OTP/TOTP), BitGo's error body, per-run caches of what many resources read, and typed calls.
import * as crypto from "crypto";
import { Transport, VendorError, isVendorError } from "../transport";
import { httpOverrides, setting } from "../config";
import { RunCache } from "../cache";

export const BITGO_TEST_URL = "https://app.bitgo-test.com";

/** Where settings come from: Pulumi config (`bitgo:*`) first, then the environment. */
export interface ConfigSource {
  get(key: string): string | undefined;
}

export interface BitGoSettings {
  apiUrl: string;
  accessToken?: string;
  email?: string;
  password?: string;
  otp?: string;
  totpSecret?: string;
  timeoutMs?: number;
  maxRetries?: number;
  backoffMs?: number;
}

const ENV: Record<string, string> = {
  accessToken: "BITGO_ACCESS_TOKEN",
  apiUrl: "BITGO_API_URL",
  email: "BITGO_EMAIL",
  password: "BITGO_PASSWORD",
  otp: "BITGO_OTP",
  totpSecret: "BITGO_TOTP_SECRET",
};

export function bitgoSettings(config?: ConfigSource, env: NodeJS.ProcessEnv = process.env): BitGoSettings {
  const pick = (key: string) => setting(config, `bitgo:${key}`, ENV[key], env);
  return {
    apiUrl: pick("apiUrl") ?? BITGO_TEST_URL,
    accessToken: pick("accessToken"),
    email: pick("email"),
    password: pick("password"),
    otp: pick("otp"),
    totpSecret: pick("totpSecret"),
    ...httpOverrides(env),
  };
}

/** BitGo's recommended way to send a password: hex HMAC-SHA256 of it, keyed by the lowercased email. */
export function hashPassword(email: string, password: string): string {
  return crypto.createHmac("sha256", email.toLowerCase()).update(password).digest("hex");
}

/** RFC 6238 TOTP (SHA-1, 30-second steps, 6 digits) from a base32 secret, so CI can log in by itself. */
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
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return code.toString().padStart(6, "0");
}

// ---- answer shapes (the fields orgstack reads; see bitgo-openapi-subset.yaml) ----

export interface Enterprise {
  id: string;
  name: string;
  type?: string;
  organizationId?: string;
  [k: string]: unknown;
}

export interface EnterpriseMember {
  id: string;
  username: string;
  isAdmin: boolean;
}

export interface User {
  id: string;
  username: string;
  enterprises?: { id: string; permissions?: string[] }[];
  organizations?: { id?: string; role?: string; permissions?: string[] }[];
  [k: string]: unknown;
}

export interface PendingApproval {
  id: string;
  state: string;
  creator?: string;
  enterprise?: string;
  info?: { type?: string; updateEnterpriseRequest?: { action?: string; email?: string; permissions?: string; userId?: string } };
  [k: string]: unknown;
}

/** Approval states after which nothing more will happen. */
export const APPROVED_STATES = ["approved", "processing"];
export const REJECTED_STATES = ["rejected", "canceled", "cancelled", "failed"];

export class BitGoClient {
  readonly settings: BitGoSettings;
  private readonly transport: Transport;
  private token?: string;
  private scopes?: Promise<string[]>;
  private loggedIn = false;
  private readonly cache = new RunCache(10_000);
  /** How long a read is reused within one run (0 turns the cache off). */
  get cacheTtlMs(): number {
    return this.cache.ttlMs;
  }
  set cacheTtlMs(ms: number) {
    this.cache.ttlMs = ms;
  }

  constructor(settings: BitGoSettings, log: (line: string) => void = (l) => console.log(l)) {
    this.settings = settings;
    this.token = settings.accessToken;
    this.transport = new Transport({
      vendor: "BitGo",
      baseUrl: settings.apiUrl,
      timeoutMs: settings.timeoutMs,
      maxRetries: settings.maxRetries,
      backoffMs: settings.backoffMs,
      describeError: describeBitGoError,
      secrets: () =>
        [this.token, settings.accessToken, settings.password, settings.totpSecret, settings.otp].filter(
          (s): s is string => !!s,
        ),
      log,
    });
  }

  /** Sends one call with the bearer token; logs in first when only email and password are set. */
  async call<T = any>(method: "GET" | "POST" | "PUT" | "DELETE", path: string, options: Parameters<Transport["request"]>[2] = {}) {
    if (!this.token) await this.login();
    return this.transport.request<T>(method, path, {
      ...options,
      headers: { ...options.headers, Authorization: `Bearer ${this.token}` },
    });
  }

  canLogin(): boolean {
    return !!(this.settings.email && this.settings.password && (this.settings.otp || this.settings.totpSecret));
  }

  /** Mints a short-lived token (the only kind that carries user_manage). */
  async login(): Promise<void> {
    const s = this.settings;
    if (!this.canLogin()) {
      throw new Error(
        "BitGo: no credentials. Set bitgo:accessToken (secret) or BITGO_ACCESS_TOKEN, or bitgo:email, " +
          "bitgo:password (secret) and bitgo:otp or bitgo:totpSecret (secret) so orgstack can log in.",
      );
    }
    const otp = s.totpSecret ? totp(s.totpSecret) : s.otp!;
    const res = await this.transport.request("POST", "/api/v2/user/login", {
      body: { email: s.email, password: hashPassword(s.email!, s.password!), otp },
      idempotent: true, // a second login only mints a second token
    });
    const token = res.data?.access_token;
    if (typeof token !== "string") throw new Error("BitGo login answered without an access_token");
    this.token = token;
    this.loggedIn = true;
    this.scopes = Promise.resolve(Array.isArray(res.data.scope) ? res.data.scope : []);
  }

  /** The token's scopes, from GET /api/v2/user/session (once per run). */
  sessionScopes(): Promise<string[]> {
    if (!this.scopes) {
      this.scopes = this.call("GET", "/api/v2/user/session").then((r) => r.data?.session?.scope ?? []);
      this.scopes.catch(() => (this.scopes = undefined));
    }
    return this.scopes;
  }

  /**
   * Makes sure the token carries `scope`. Long-lived API tokens never carry user_manage, so with login
   * credentials configured orgstack logs in for a short-lived one; without them the error says so.
   */
  async requireScope(scope: string, forWhat: string): Promise<void> {
    const scopes = await this.sessionScopes();
    if (scopes.includes(scope)) return;
    if (!this.loggedIn && this.canLogin()) {
      await this.login();
      if ((await this.sessionScopes()).includes(scope)) return;
    }
    throw new Error(
      `BitGo: ${forWhat} needs a token with the ${scope} scope, and this token lacks it. ` +
        (scope === "user_manage"
          ? "Only short-lived tokens from login carry user_manage: set bitgo:email, bitgo:password (secret) and " +
            "bitgo:otp or bitgo:totpSecret (secret) so orgstack logs in for one."
          : "Create a token with that scope in the BitGo web UI."),
    );
  }

  /** Reuses a read for cacheTtlMs within one provider process (many resources read the same object). */
  cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    return this.cache.get(key, load);
  }

  /** Forgets cached reads whose key starts with prefix (after a write). */
  invalidate(prefix: string): void {
    this.cache.invalidate(prefix);
  }

  // ---- enterprises and their users ----

  getEnterprise(enterpriseId: string): Promise<Enterprise> {
    return this.cached(`enterprise:${enterpriseId}`, async () => (await this.call("GET", `/api/v2/enterprise/${enterpriseId}`)).data);
  }

  /** Members of an enterprise, admins flagged (GET /api/v1/enterprise/{id}/user). */
  listEnterpriseUsers(enterpriseId: string): Promise<EnterpriseMember[]> {
    return this.cached(`members:${enterpriseId}`, async () => {
      const { data } = await this.call("GET", `/api/v1/enterprise/${enterpriseId}/user`, {
        query: { allowInactiveUsers: true },
      });
      const map = (list: any[] | undefined, isAdmin: boolean): EnterpriseMember[] =>
        (list ?? []).map((u) => ({ id: String(u.id), username: String(u.username ?? u.email?.email ?? ""), isAdmin }));
      return [...map(data?.adminUsers, true), ...map(data?.nonAdminUsers, false)];
    });
  }

  /** A user by id, email or `me`. BitGo limits this call (60 per 600 s), so it is cached per run. */
  getUser(idOrEmail: string): Promise<User> {
    return this.cached(`user:${idOrEmail.toLowerCase()}`, async () => {
      const user: User = (await this.call("GET", `/api/v2/user/${encodeURIComponent(idOrEmail)}`)).data.user;
      this.userAliases.set(user.id, String(user.username ?? "").toLowerCase());
      this.userAliases.set(String(user.username ?? "").toLowerCase(), user.id);
      return user;
    });
  }

  /** Which id goes with which email, learned from getUser, so a write forgets both cached keys. */
  private readonly userAliases = new Map<string, string>();

  /** Forgets one user's cached record (by id or email), not everyone's: a stack of many users reads each once. */
  forgetUser(idOrEmail: string): void {
    const key = idOrEmail.toLowerCase();
    this.cache.delete(`user:${key}`);
    const alias = this.userAliases.get(key);
    if (alias) this.cache.delete(`user:${alias}`);
  }

  async addEnterpriseUser(enterpriseId: string, username: string, permissions: string[], videoApprover: boolean) {
    this.invalidate(`members:${enterpriseId}`);
    try {
      return await this.call("POST", `/api/v2/enterprise/${enterpriseId}/user`, {
        body: { username, permission: permissions.length === 1 ? permissions[0] : permissions, videoIdUser: videoApprover },
      });
    } finally {
      this.invalidate(`members:${enterpriseId}`);
      this.forgetUser(username);
    }
  }

  async setEnterpriseUserRole(enterpriseId: string, userId: string, role: string) {
    try {
      // Not retried blindly: a lost 202 would make a second approval. The resource re-reads instead.
      return await this.call("PUT", `/api/v2/enterprise/${enterpriseId}/user`, { query: { userId, role }, idempotent: false });
    } finally {
      this.invalidate(`members:${enterpriseId}`);
      this.forgetUser(userId);
    }
  }

  /** Removes a user; 404 (already gone) comes back as status 404, not an error. */
  async removeEnterpriseUser(enterpriseId: string, username: string) {
    try {
      // Not retried blindly: a lost 202 would make a second approval. The resource re-reads instead.
      return await this.call("DELETE", `/api/v2/enterprise/${enterpriseId}/user`, { body: { username }, accept: [404], idempotent: false });
    } finally {
      this.invalidate(`members:${enterpriseId}`);
      this.forgetUser(username);
    }
  }

  // ---- pending approvals ----

  async getPendingApproval(id: string): Promise<PendingApproval | undefined> {
    const res = await this.call("GET", `/api/v2/pendingapprovals/${id}`, { accept: [404] });
    return res.status === 404 ? undefined : res.data;
  }

  async listPendingApprovals(query: { enterpriseId?: string; organizationId?: string; walletId?: string }): Promise<PendingApproval[]> {
    const { data } = await this.call("GET", "/api/v2/pendingapprovals", { query });
    return data?.pendingApprovals ?? [];
  }

  async setPendingApprovalState(id: string, state: "approved" | "rejected") {
    return this.call("PUT", `/api/v2/pendingapprovals/${id}`, { body: { state } });
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
  if (status === 401 && body.needsOTP) return "The session needs a fresh OTP: set bitgo:otp or bitgo:totpSecret";
  if (status === 401 && body.needsUnlock) return "The session must be unlocked (POST /api/v2/user/unlock with an OTP)";
  if (status === 401 || headers["x-auth-required"] === "true")
    return "The token is missing, wrong or expired: set bitgo:accessToken (secret), or bitgo:email, bitgo:password and bitgo:otp/bitgo:totpSecret to log in";
  if (status === 403) return "The token's user lacks the right for this call: it must be an enterprise admin, and adding users needs a short-lived token with the user_manage scope";
  if (status === 404) return "No such object, or the token cannot see it";
  if (status === 409) return "It conflicts with the object's current state: refresh and try again";
  if (status === 429) return "BitGo's rate limit was hit: orgstack backs off and retries; lower the stack's parallelism if this persists";
  if (status >= 500) return "BitGo failed on its side; orgstack retried idempotent calls before giving up";
  return undefined;
}

// One client per set of settings per process: the provider process serves every resource of a run,
// so caches and the login token are shared between them.
const clients = new Map<string, BitGoClient>();

/** Forgets every client (tokens, caches): tests that change the vendor behind the provider's back. */
export function resetBitGoClients(): void {
  clients.clear();
}

export function bitgoClient(settings: BitGoSettings): BitGoClient {
  const key = JSON.stringify(settings);
  let client = clients.get(key);
  if (!client) {
    client = new BitGoClient(settings);
    clients.set(key, client);
  }
  return client;
}

export { VendorError, isVendorError };
