// The transport every call goes through, against a scripted HTTP server on loopback: https only off
// loopback, paths that user input cannot steer, retries by what a resend would do, Retry-After waited
// out, the request id in errors, no secret anywhere, one login per process, pacing under the limits.
import * as http from "http";
import type { AddressInfo } from "net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { Pacer } from "../../provider/http/pacer";
import { Transport, VendorError, checkApiUrl, route } from "../../provider/http/transport";
import { BitGoClient, bitgoSettings, describeBitGoError, hashPassword, totp } from "../../provider/bitgo/client";
import { addSecret, forgetSecrets } from "../../provider/kit/secrets";

type Script = (req: http.IncomingMessage, body: string) => { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number };
let script: Script = () => ({ status: 200, body: {} });
const seen: { method: string; url: string; body: string; auth?: string }[] = [];
let server: http.Server;
let url = "";

beforeAll(async () => {
  server = http.createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    seen.push({ method: req.method!, url: req.url!, body, auth: req.headers.authorization });
    const a = script(req, body);
    if (a.delayMs) await new Promise((r) => setTimeout(r, a.delayMs));
    res.writeHead(a.status, { "content-type": "application/json", ...a.headers });
    res.end(a.body === undefined ? "" : JSON.stringify(a.body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
afterEach(() => {
  seen.length = 0;
  forgetSecrets();
  vi.restoreAllMocks();
});

const transport = (over: Partial<ConstructorParameters<typeof Transport>[0]> = {}) =>
  new Transport({ vendor: "V", baseUrl: url, urlSetting: "v:apiUrl", backoffMs: 5, maxRetries: 3, timeoutMs: 2000, pacer: new Pacer({}), describeError: describeBitGoError, ...over });

describe("where calls may go", () => {
  it("refuses plain http off loopback, naming the setting; allows https and this machine", () => {
    expect(() => checkApiUrl("http://app.bitgo-test.com", "bitgo:apiUrl")).toThrow(/bitgo:apiUrl: http:\/\/app.bitgo-test.com is not https/);
    expect(() => checkApiUrl("http://10.0.0.5:3080", "bitgo:apiUrl")).toThrow(/not https/);
    for (const ok of ["https://app.bitgo.com", "http://127.0.0.1:3080", "http://localhost:3080", "http://[::1]:3080"]) expect(checkApiUrl(ok, "k")).toBe(ok);
    expect(() => checkApiUrl("not a url", "finhub:apiUrl")).toThrow(/finhub:apiUrl: .* is not a URL/);
  });

  it("builds paths that user input cannot steer", () => {
    expect(route("/api/v2/enterprise/{id}/user", { id: "abc" })).toBe("/api/v2/enterprise/abc/user");
    expect(route("/api/v2/user/{id}", { id: "a b@c" })).toBe("/api/v2/user/a%20b%40c");
    for (const bad of ["..", ".", "", "a/b", "..\\x"]) expect(() => route("/api/v2/enterprise/{id}", { id: bad })).toThrow(/not a valid path segment/);
  });

  it("refuses a write that does not say what a resend would do", async () => {
    await expect(transport().request("POST", "/x", {} as any)).rejects.toThrow(/call.kind/);
  });
});

describe("retries by what a resend would do", () => {
  it("resends a read after 500s, with the vendor's request id in the final error", async () => {
    let n = 0;
    script = () => (++n < 3 ? { status: 500, body: { error: "boom", name: "Oops" }, headers: { "request-id": "req-7" } } : { status: 200, body: { ok: 1 } });
    expect((await transport().request("GET", "/r", { kind: "read" })).data).toEqual({ ok: 1 });
    expect(n).toBe(3);
    script = () => ({ status: 500, body: { error: "boom", name: "Oops" }, headers: { "request-id": "req-7" } });
    const err = await transport().request("GET", "/r", { kind: "read" }).catch((e) => e);
    expect(err).toBeInstanceOf(VendorError);
    expect(err.message).toMatch(/answered 500 Oops to GET \/r: boom.*request id req-7/);
  });

  it("never resends a guarded write after a 500 or a timeout: one request, an ambiguous error", async () => {
    script = () => ({ status: 502, body: { error: "bad gateway" } });
    const e1 = await transport().request("POST", "/w", { kind: "guarded", body: {} }).catch((e) => e);
    expect([seen.length, e1.ambiguous]).toEqual([1, true]);
    seen.length = 0;
    script = () => ({ status: 200, body: {}, delayMs: 600 });
    const e2 = await transport({ timeoutMs: 150 }).request("POST", "/w", { kind: "guarded", body: {} }).catch((e) => e);
    expect([seen.length, e2.ambiguous, e2.message]).toEqual([1, true, expect.stringContaining("no answer within 150 ms")]);
    seen.length = 0;
    const e3 = await transport({ timeoutMs: 150 }).request("POST", "/w", { kind: "once", body: {} }).catch((e) => e);
    expect([seen.length, e3.ambiguous]).toEqual([1, true]);
  });

  it("resends an idempotent or keyed write after a lost answer", async () => {
    let n = 0;
    script = () => (++n === 1 ? { status: 200, body: {}, delayMs: 400 } : { status: 200, body: { second: true } });
    expect((await transport({ timeoutMs: 150 }).request("POST", "/k", { kind: "keyed", body: {} })).data).toEqual({ second: true });
  });

  it("waits a 429 out as the vendor asks, for every kind, and pauses the window it names", async () => {
    let n = 0;
    script = () => (++n === 1 ? { status: 429, body: { error: "slow down" }, headers: { "retry-after": "1" } } : { status: 200, body: {} });
    const pacer = new Pacer({ all: { limit: 1000, windowMs: 60_000 } });
    const started = Date.now();
    await transport({ pacer }).request("POST", "/w", { kind: "guarded", body: {} });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(n).toBe(2);
  });

  it("does not follow redirects (a redirect could carry the token elsewhere)", async () => {
    script = () => ({ status: 302, headers: { location: "http://example.invalid/" } });
    await expect(transport().request("GET", "/r", { kind: "read" })).rejects.toThrow(/answered 302/);
  });
});

describe("no secret in any error, its context or a log line", () => {
  it("when the vendor echoes the request (the password's HMAC, a passphrase) in its error", async () => {
    const password = "sandbox-password";
    const hash = hashPassword("ops@acme.example", password);
    addSecret(password);
    addSecret(hash);
    addSecret("my wallet passphrase");
    script = (_req, body) => ({ status: 400, body: { error: `invalid request ${body}`, name: "Invalid", context: { echoed: JSON.parse(body) } } });
    const logs: string[] = [];
    vi.spyOn(console, "log").mockImplementation((l: string) => void logs.push(String(l)));
    const err = await transport()
      .request("POST", "/w", { kind: "guarded", body: { password: hash, walletPassphrase: "my wallet passphrase" } })
      .catch((e) => e);
    const everything = JSON.stringify({ message: err.message, stack: err.stack, context: err.context, logs });
    for (const s of [password, hash, "my wallet passphrase"]) expect(everything).not.toContain(s);
    expect(err.message).toContain("[secret]");
  });

  it("when a 429's retry is logged", async () => {
    addSecret("my wallet passphrase");
    let n = 0;
    script = () => (++n === 1 ? { status: 429, body: { error: "slow down: my wallet passphrase" }, headers: { "retry-after": "0" } } : { status: 200, body: {} });
    const logs: string[] = [];
    vi.spyOn(console, "log").mockImplementation((l: string) => void logs.push(String(l)));
    await transport().request("POST", "/w", { kind: "guarded", body: { walletPassphrase: "my wallet passphrase" } });
    expect(logs.join("\n")).not.toContain("my wallet passphrase");
  });
});

describe("one login per process", () => {
  const creds = () => bitgoSettings({ get: (k) => ({ "bitgo:apiUrl": url, "bitgo:email": "ops@acme.example", "bitgo:password": "pw-123456", "bitgo:totpSecret": "JBSWY3DPEHPK3PXP" })[k] });
  let logins = 0;
  const login = (expiresInS = 3600) => ({ status: 200, body: { access_token: `tok-${++logins}`, expires_at: Math.floor(Date.now() / 1000) + expiresInS, scope: ["user_manage"] } });

  it("20 concurrent calls share one login; the password goes hashed, the one-time code from the TOTP secret", async () => {
    logins = 0;
    script = (req) => (req.url!.includes("/login") ? login() : { status: 200, body: {} });
    const c = new BitGoClient(creds());
    await Promise.all(Array.from({ length: 20 }, () => c.call("GET", "/api/v2/enterprise/{id}", { id: "a".repeat(32) })));
    expect(logins).toBe(1);
    const sent = JSON.parse(seen.find((s) => s.url.includes("/login"))!.body);
    expect(sent.password).toBe(hashPassword("ops@acme.example", "pw-123456"));
    expect(sent.otp).toMatch(/^\d{6}$/);
    expect(seen.filter((s) => !s.url.includes("/login")).every((s) => s.auth === "Bearer tok-1")).toBe(true);
  });

  it("renews once, shortly before the token expires, whoever asks", async () => {
    logins = 0;
    script = (req) => (req.url!.includes("/login") ? login(logins === 0 ? 60 : 3600) : { status: 200, body: {} });
    const c = new BitGoClient(creds());
    await c.call("GET", "/api/v2/user/session", {});
    await Promise.all(Array.from({ length: 10 }, () => c.call("GET", "/api/v2/user/session", {})));
    expect(logins).toBe(2);
  });

  it("a 401 on many calls at once renews the session once and sends each call once more", async () => {
    logins = 0;
    script = (req) => (req.url!.includes("/login") ? login() : req.headers.authorization === "Bearer tok-1" ? { status: 401, body: { error: "expired" } } : { status: 200, body: {} });
    const c = new BitGoClient(creds());
    await c.call("GET", "/api/v2/user/session", {}).catch(() => undefined); // logs in (tok-1), 401, renews (tok-2)
    await Promise.all(Array.from({ length: 10 }, () => c.call("GET", "/api/v2/user/session", {})));
    expect(logins).toBe(2);
  });

  it("a wrong password fails at once, without logging in again and again", async () => {
    logins = 0;
    script = (req) => (req.url!.includes("/login") ? (logins++, { status: 401, body: { error: "incorrect email or password" } }) : { status: 200, body: {} });
    const c = new BitGoClient(creds());
    const err = await c.call("GET", "/api/v2/user/session", {}).catch((e) => e);
    expect(err.status).toBe(401);
    expect(logins).toBe(1);
    expect(err.message).not.toContain("pw-123456");
  });

  it("the TOTP code is RFC 6238's", () => {
    expect(totp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 59_000)).toBe("287082"); // RFC 6238 test vector, 8 digits cut to 6
  });
});

describe("the pacer", () => {
  it("keeps a window's limit and waits for room", async () => {
    const pacer = new Pacer({ w: { limit: 3, windowMs: 300 } });
    const started = Date.now();
    for (let i = 0; i < 6; i++) await pacer.acquire(["w"]);
    // Three go at once; the next three wait for the window (plus the slack for the trip).
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(pacer.stats.waits).toBeGreaterThan(0);
  });
  it("is off when asked (a sandbox without limits)", async () => {
    const pacer = new Pacer({ w: { limit: 1, windowMs: 60_000 } }, false);
    const started = Date.now();
    for (let i = 0; i < 5; i++) await pacer.acquire(["w"]);
    expect(Date.now() - started).toBeLessThan(100);
  });
  it("remembers the calls of the process before (a refresh, then an up, count in the vendor's one window)", async () => {
    const who = `test ${process.pid} ${Date.now()} ${Math.random()}`;
    const limits = { w: { limit: 3, windowMs: 60_000 } };
    const first = new Pacer(limits, true, who);
    for (let i = 0; i < 3; i++) await first.acquire(["w"]);
    // A new process of the same vendor user finds the window full; another user, or no memory, does not.
    expect(new Pacer(limits, true, who).waitFor(["w"], Date.now())).toBeGreaterThan(55_000);
    expect(new Pacer(limits, true, `${who} other`).waitFor(["w"], Date.now())).toBe(0);
    expect(new Pacer(limits, true).waitFor(["w"], Date.now())).toBe(0);
    // Departures older than the window are dropped.
    expect(new Pacer({ w: { limit: 3, windowMs: 1 } }, true, who).waitFor(["w"], Date.now() + 5_000)).toBe(0);
  });
});
