// The HTTP transport: timeouts, retries with backoff on 429/5xx, no retry of ambiguous creates,
// request ids in errors, and no secret in any message.
import * as http from "http";
import { AddressInfo } from "net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Transport, VendorError } from "../../provider/transport";
import { describeBitGoError, hashPassword, totp } from "../../provider/bitgo/client";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
let handlers: Handler[] = [];
let hits = 0;
let server: http.Server;
let url: string;
const logs: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits++;
    const h = handlers.shift() ?? ((_q, r) => r.writeHead(200, { "content-type": "application/json" }).end("{}"));
    h(req, res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  handlers = [];
  hits = 0;
  logs.length = 0;
});

const SECRET = "tok-very-secret-value";
const transport = (timeoutMs = 2000) =>
  new Transport({
    vendor: "BitGo",
    baseUrl: url,
    timeoutMs,
    maxRetries: 3,
    backoffMs: 1,
    describeError: describeBitGoError,
    secrets: () => [SECRET],
    log: (l) => logs.push(l),
  });

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Handler => (_req, res) =>
  res.writeHead(status, { "content-type": "application/json", "request-id": "rid-123", ...headers }).end(JSON.stringify(body));

describe("transport", () => {
  it("retries 429 and 5xx on a GET, then succeeds", async () => {
    handlers = [json(429, { error: "slow down", name: "RateLimited" }, { "retry-after": "0" }), json(503, { error: "down" }), json(200, { ok: true })];
    const res = await transport().request("GET", "/api/v2/enterprise/x", { headers: { Authorization: `Bearer ${SECRET}` } });
    expect(res.data).toEqual({ ok: true });
    expect(hits).toBe(3);
    expect(logs).toHaveLength(2);
    expect(logs.join("\n")).toContain("retry 1/3");
  });

  it("gives up after maxRetries with the vendor's code and request id", async () => {
    handlers = Array(4).fill(json(500, { error: "boom", name: "InternalError", requestId: "req-9" }));
    const err = await transport().request("GET", "/x").catch((e) => e);
    expect(err).toBeInstanceOf(VendorError);
    expect(hits).toBe(4);
    expect(err.status).toBe(500);
    expect(err.code).toBe("InternalError");
    expect(err.requestId).toBe("req-9");
    expect(err.message).toContain("request id req-9");
  });

  it("does not resend a POST after a 5xx (the create may have happened), but does after 429", async () => {
    handlers = [json(502, { error: "bad gateway" })];
    const err = await transport().request("POST", "/create", { body: {} }).catch((e) => e);
    expect(hits).toBe(1);
    expect(err.ambiguous).toBe(true);

    hits = 0;
    handlers = [json(429, { error: "slow" }, { "retry-after": "0" }), json(200, { id: "1" })];
    const ok = await transport().request("POST", "/create", { body: {} });
    expect(ok.data).toEqual({ id: "1" });
    expect(hits).toBe(2);
  });

  it("times out a call that never answers, and marks it ambiguous", async () => {
    handlers = [() => undefined];
    const err = await transport(200).request("POST", "/slow", { body: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(VendorError);
    expect(err.message).toContain("no answer within 200 ms");
    expect(err.ambiguous).toBe(true);
  });

  it("never puts a secret in an error or a log line, even when the vendor echoes it", async () => {
    handlers = [json(401, { error: `token ${SECRET} is expired`, name: "Unauthorized" }, { "x-auth-required": "true" })];
    const err = await transport().request("GET", "/me", { headers: { Authorization: `Bearer ${SECRET}` } }).catch((e) => e);
    expect(err.status).toBe(401);
    expect(err.message).not.toContain(SECRET);
    expect(err.message).toContain("[secret]");
    expect(err.message).toMatch(/bitgo:accessToken/);
    expect(JSON.stringify(err)).not.toContain(SECRET);
  });

  it("passes statuses the caller accepts (404 on a read) without throwing", async () => {
    handlers = [json(404, { error: "not found", name: "NotFound" })];
    const res = await transport().request("GET", "/gone", { accept: [404] });
    expect(res.status).toBe(404);
  });

  it("maps 403 to an error that says what right is missing", async () => {
    handlers = [json(403, { error: "forbidden", name: "Forbidden" })];
    const err = await transport().request("PUT", "/x").catch((e) => e);
    expect(err.message).toMatch(/user_manage/);
  });
});

describe("BitGo credentials helpers", () => {
  it("computes RFC 6238 codes (SHA-1 test vector)", () => {
    // RFC 6238 appendix B: secret "12345678901234567890", T=59 s gives 94287082 (8 digits).
    expect(totp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 59_000)).toBe("287082");
    expect(totp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 1111111109_000)).toBe("081804");
  });

  it("rejects a TOTP secret that is not base32", () => {
    expect(() => totp("not-base32!")).toThrow(/base32/);
  });

  it("hashes the password as BitGo's SDK does (HMAC-SHA256 keyed by the lowercased email)", () => {
    const a = hashPassword("Ops@Acme.example", "pw");
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).toBe(hashPassword("ops@acme.example", "pw"));
    expect(a).not.toBe(hashPassword("ops@acme.example", "pw2"));
  });
});

describe("defaults", () => {
  it("settings left undefined (no env override) keep the default retries and timeout", async () => {
    const t = new Transport({
      vendor: "BitGo",
      baseUrl: url,
      timeoutMs: undefined,
      maxRetries: undefined,
      backoffMs: 1,
      describeError: describeBitGoError,
      secrets: () => [],
    });
    expect(t.opts.maxRetries).toBe(4);
    expect(t.opts.timeoutMs).toBe(30_000);
    handlers = [json(503, { error: "down" }), json(429, { error: "slow" })];
    const res = await t.request("GET", "/x");
    expect(res.status).toBe(200);
    expect(hits).toBe(3);
  });
});
