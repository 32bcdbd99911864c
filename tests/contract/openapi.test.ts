// The contract checker itself: it must pass what the spec allows and name what it does not.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Ajv from "ajv";
import { startSandbox, RunningSandbox, SEED } from "../../sandbox";
import type { LoggedRequest } from "../../sandbox/server";
import { enterpriseBody } from "../../sandbox/bitgo";
import {
  bitgoContract,
  checkExchange,
  exercisedOperations,
  expectBitGoContract,
  specOperations,
  toJsonSchema,
} from "./openapi";

const HEX = "59cd72485007a239fb00282ed480da1f";
const ENTERPRISE = SEED.enterprises.custody.id;
const session = { session: { id: HEX, user: HEX, scope: ["user_manage"], isExtensible: false, expires: "2026-01-05T10:00:00.000Z" } };
const bitgoError = { error: "enterprise not found", name: "EnterpriseNotFound", requestId: "abc123", context: {} };

describe("OpenAPI → JSON Schema", () => {
  const ajv = new Ajv({ strict: false });
  it("lets null through a nullable string, and only there", () => {
    const v = ajv.compile(toJsonSchema({ type: "string", nullable: true, example: "x" }));
    expect(v(null)).toBe(true);
    expect(v("x")).toBe(true);
    expect(v(1)).toBe(false);
    expect(ajv.compile(toJsonSchema({ type: "string" }))(null)).toBe(false);
  });
  it("adds null to a nullable enum and to nullable combinations", () => {
    const e = ajv.compile(toJsonSchema({ type: "string", enum: ["a"], nullable: true }));
    expect(e(null)).toBe(true);
    expect(e("b")).toBe(false);
    const c = ajv.compile(toJsonSchema({ allOf: [{ type: "number" }], nullable: true }));
    expect(c(null)).toBe(true);
    expect(c("1")).toBe(false);
  });
  it("drops OpenAPI-only keywords and unknown formats, keeps known ones", () => {
    const s = toJsonSchema({ type: "string", format: "dateTime", example: "e", xml: {}, discriminator: {}, readOnly: true, "x-internal": true });
    expect(s).toEqual({ type: "string" });
    expect(toJsonSchema({ type: "string", format: "date-time" })).toEqual({ type: "string", format: "date-time" });
  });
});

describe("path matching", () => {
  const c = bitgoContract();
  it("prefers literal segments over {param}", () => {
    expect(c.matchPath("/api/v2/walletshares")?.template).toBe("/api/v2/walletshares");
    expect(c.matchPath("/api/v2/user/session")?.template).toBe("/api/v2/user/session");
    expect(c.matchPath(`/api/v2/user/${HEX}`)).toEqual({ template: "/api/v2/user/{id}", params: { id: HEX } });
    expect(c.matchPath(`/api/v2/organization/${HEX}/enterprise/search`)?.template).toBe("/api/v2/organization/{organizationId}/enterprise/search");
    expect(c.matchPath(`/api/v2/tbtc/walletshare/${HEX}`)?.template).toBe("/api/v2/{coin}/walletshare/{shareId}");
  });
  it("is case-sensitive, and says so when only the case differs", () => {
    expect(c.matchPath("/api/v2/pendingApprovals")?.template).toBe("/api/v2/pendingApprovals");
    expect(c.matchPath("/api/v2/pendingapprovals")?.template).toBe("/api/v2/pendingapprovals");
    expect(c.matchPath(`/api/v2/PendingApprovals/${HEX}`)).toBeUndefined();
    const problems = checkExchange({ method: "GET", path: `/api/v2/PendingApprovals/${HEX}`, status: 400, responseBody: bitgoError });
    expect(problems).toEqual([expect.stringMatching(/matches the spec's \/api\/v2\/pendingapprovals\/\{approvalId\} only when case is ignored/)]);
  });
  it("reports an unknown path and an undocumented method", () => {
    expect(checkExchange({ method: "GET", path: "/api/v2/nothing/here", status: 200, responseBody: {} })).toEqual([
      "path /api/v2/nothing/here is not in the spec",
    ]);
    expect(checkExchange({ method: "PATCH", path: `/api/v2/enterprise/${ENTERPRISE}`, status: 200, responseBody: {} })).toEqual([
      "PATCH is not documented for /api/v2/enterprise/{enterpriseId} (documented: GET, PUT)",
    ]);
  });
});

describe("checkExchange", () => {
  it("passes a correct answer", () => {
    expect(checkExchange({ method: "GET", path: "/api/v2/user/session", query: {}, status: 200, responseBody: session })).toEqual([]);
    const enterprise = enterpriseBody({ id: ENTERPRISE, name: "Acme", type: "enterprise", organizationId: HEX, approvalsRequired: 1, members: [], createdAt: "2026-01-05T10:00:00.000Z" });
    expect(checkExchange({ method: "GET", path: `/api/v2/enterprise/${ENTERPRISE}`, status: 200, responseBody: enterprise })).toEqual([]);
  });

  it("names a missing required field", () => {
    const { isExtensible: _, ...rest } = session.session;
    expect(checkExchange({ method: "GET", path: "/api/v2/user/session", status: 200, responseBody: { session: rest } })).toEqual([
      "response 200 body /session must have required property 'isExtensible'",
    ]);
    const enterprise = enterpriseBody({ id: ENTERPRISE, name: "Acme", type: "enterprise", organizationId: HEX, approvalsRequired: 1, members: [], createdAt: "2026-01-05T10:00:00.000Z" });
    delete enterprise.kycState;
    expect(checkExchange({ method: "GET", path: `/api/v2/enterprise/${ENTERPRISE}`, status: 200, responseBody: enterprise }).join("\n")).toContain(
      "must have required property 'kycState'",
    );
  });

  it("fails a wrong type and a wrong pattern", () => {
    const problems = checkExchange({
      method: "GET",
      path: "/api/v2/user/session",
      status: 200,
      responseBody: { session: { ...session.session, isExtensible: "no", user: "not-an-id" } },
    });
    expect(problems).toContain("response 200 body /session/isExtensible must be boolean");
    expect(problems).toContain('response 200 body /session/user must match pattern "^[0-9a-f]{32}$"');
  });

  it("fails an undocumented 2xx status, even with a valid body", () => {
    expect(checkExchange({ method: "GET", path: "/api/v2/user/session", status: 202, responseBody: session })).toEqual([
      "status 202 is not documented for GET /api/v2/user/session (documented: 200, 401)",
    ]);
  });

  it("accepts an undocumented error status only with BitGo's error shape", () => {
    expect(checkExchange({ method: "POST", path: `/api/v2/enterprise/${ENTERPRISE}/user`, requestBody: { username: "a@b.example", permission: "admin" }, status: 403, responseBody: bitgoError })).toEqual([]);
    expect(checkExchange({ method: "POST", path: `/api/v2/enterprise/${ENTERPRISE}/user`, requestBody: { username: "a@b.example", permission: "admin" }, status: 403, responseBody: { message: "no" } })).toEqual([
      expect.stringMatching(/^status 403 is not documented for POST \/api\/v2\/enterprise\/\{enterpriseId\}\/user .* not BitGo's error shape/),
    ]);
    // A documented error status is checked against its schema (PlatformError needs context).
    const { context: _, ...noContext } = bitgoError;
    expect(checkExchange({ method: "GET", path: "/api/v2/user/session", status: 401, responseBody: noContext })).toEqual([
      "response 401 body must have required property 'context'",
    ]);
  });

  it("checks request bodies against the operation's schema", () => {
    const problems = checkExchange({ method: "POST", path: "/api/v2/user/login", requestBody: { email: "ops@acme.example", password: 12 }, status: 400, responseBody: bitgoError });
    expect(problems).toContain("request body must have required property 'otp'");
    expect(problems).toContain("request body /password must be string");
    expect(problems).toHaveLength(2);
    const add = checkExchange({ method: "POST", path: `/api/v2/enterprise/${ENTERPRISE}/user`, requestBody: { username: "not-an-email", permission: "owner" }, status: 400, responseBody: bitgoError });
    expect(add).toContain('request body /username must match format "email"');
    expect(add).toContain('request body /permission must be equal to one of the allowed values ["admin","auditor","wallet.create"]');
    expect(add.every((p) => /^request body (\/|must)/.test(p))).toBe(true);
    expect(checkExchange({ method: "GET", path: "/api/v2/user/session", requestBody: { x: 1 }, status: 200, responseBody: session })).toEqual([
      "request body sent, but GET /api/v2/user/session documents none",
    ]);
  });

  it("checks required query parameters, their enums, and path parameters", () => {
    const path = `/api/v2/enterprise/${ENTERPRISE}/user`;
    expect(checkExchange({ method: "PUT", path, query: { userId: HEX, role: "member" }, status: 200, responseBody: {} })).toEqual([]);
    const missing = checkExchange({ method: "PUT", path, query: { role: "admin" }, status: 200, responseBody: {} });
    expect(missing).toEqual(["query parameter userId is required by PUT /api/v2/enterprise/{enterpriseId}/user but missing"]);
    const wrong = checkExchange({ method: "PUT", path, query: { userId: HEX, role: "owner" }, status: 200, responseBody: {} });
    expect(wrong.join("\n")).toMatch(/query parameter role="owner" must be equal to one of the allowed values/);
    const badId = checkExchange({ method: "GET", path: "/api/v2/enterprise/acme", status: 400, responseBody: bitgoError });
    expect(badId).toEqual(['path parameter enterpriseId="acme" must match pattern "^[0-9a-f]{32}$"']);
  });

  it("coerces query strings to their types: booleans, and one value for an array", () => {
    const path = "/api/v2/pendingapprovals";
    const ok = { pendingApprovals: [] };
    const check = (query: Record<string, string | string[]>) => checkExchange({ method: "GET", path, query, status: 200, responseBody: ok });
    expect(check({ allTokens: "true", state: "pending", enterpriseId: [HEX, HEX] })).toEqual([]);
    expect(check({ state: ["pending", "approved"] })).toEqual([]);
    // In three of the spec's overlapping state unions: a oneOf read strictly would refuse it.
    expect(check({ state: "pendingVideoApproval" })).toEqual([]);
    expect(check({ allTokens: "yes" })).toEqual(['query parameter allTokens="yes" must be boolean']);
    expect(check({ scope: "planet" }).join("\n")).toMatch(/query parameter scope="planet" must be equal to one of the allowed values/);
    expect(check({ state: "bogus" }).join("\n")).toMatch(/query parameter state="bogus" \/0 must be equal to one of the allowed values/);
    expect(check({ walletId: "w1" })).toEqual(['query parameter walletId="w1" must match pattern "^[0-9a-f]{32}$"']);
  });
});

describe("the sandbox log", () => {
  let sb: RunningSandbox;
  let login: LoggedRequest;
  beforeAll(async () => {
    sb = await startSandbox({ rateLimits: false });
    const res = await fetch(`${sb.url}/api/v2/user/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: SEED.operator.email, password: SEED.operator.password, otp: "000000" }),
    });
    expect(res.status).toBe(200);
    await fetch(`${sb.url}/__sandbox/state`);
    login = sb.sandbox.requests.find((r) => r.path === "/api/v2/user/login")!;
  });
  afterAll(() => sb?.stop());

  it("handles nullable fields of a real answer (LoginResponse.user.phone.phone)", () => {
    const withPhone = (phone: unknown) => ({ ...login, responseBody: { ...login.responseBody, user: { ...login.responseBody.user, phone: { phone, verified: false } } } });
    expect(checkExchange(login)).toEqual([]);
    expect(checkExchange(withPhone(null))).toEqual([]);
    expect(checkExchange(withPhone("408-718-6885"))).toEqual([]);
    expect(checkExchange(withPhone(42))).toEqual(["response 200 body /user/phone/phone must be string,null"]);
  });

  it("expectBitGoContract lists every problem with method, path and status, and skips control routes", () => {
    expect(() => expectBitGoContract(sb.sandbox.requests)).not.toThrow();
    const broken: LoggedRequest[] = [
      { ...login, seq: 900, responseBody: { ...login.responseBody, user: { ...login.responseBody.user, username: undefined, id: 7 } } },
      { ...login, seq: 901, method: "GET", path: "/api/v2/user/session", requestBody: undefined, status: 202, responseBody: session },
      { ...login, seq: 902, path: "/__sandbox/bitgo/tokens", status: 500, responseBody: "nonsense" },
      { ...login, seq: 903, module: "finhub", path: "/finhub/api/whatever", status: 500, responseBody: "nonsense" },
    ];
    let message = "";
    try {
      expectBitGoContract(broken);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^3 BitGo contract problem\(s\) in 2 exchange\(s\)/);
    expect(message).toContain("#900 POST /api/v2/user/login -> 200: response 200 body /user must have required property 'username'");
    expect(message).toContain("#900 POST /api/v2/user/login -> 200: response 200 body /user/id must be string");
    expect(message).toContain("#901 GET /api/v2/user/session -> 202: status 202 is not documented");
    expect(message).not.toContain("__sandbox");
    expect(message).not.toContain("finhub");
    expect(() => expectBitGoContract([])).toThrow(/nothing was checked/);
  });

  it("lists the operations a log exercised", () => {
    expect(exercisedOperations(sb.sandbox.requests)).toEqual(["POST /api/v2/user/login"]);
    expect(specOperations()).toHaveLength(40);
    expect(specOperations()).toContain("GET /api/v2/pendingApprovals");
  });
});
