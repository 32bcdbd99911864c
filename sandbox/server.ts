// The sandbox's HTTP machinery, shared by every vendor module: a router with path parameters, a state
// object kept in a JSON file (so it outlives one run), a log of every request and answer (the contract
// tests validate it against the vendor spec; bounded, and off for big benchmarks), cheap counters
// (requests per route, answers per status, events such as logins and e-mails), injected faults (an
// error status, a delay, or an answer dropped after the work is done), a vendor latency, and
// sliding-window rate limits. Vendor behaviour lives in the modules (bitgo.ts, finhub.ts, ...); this
// file knows nothing of either vendor.
import * as fs from "fs";
import * as http from "http";
import * as crypto from "crypto";
import type { AddressInfo } from "net";

export type Json = any;

/** Everything the sandbox knows; each module owns one top-level key (`bitgo`, `finhub`, ...). */
export type SandboxState = Record<string, Json>;

export interface Reply {
  status: number;
  body?: Json;
  headers?: Record<string, string>;
}

export interface Ctx {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  body: Json;
  headers: http.IncomingHttpHeaders;
  state: SandboxState;
  requestId: string;
  sandbox: Sandbox;
}

export type Handler = (ctx: Ctx) => Reply | Promise<Reply>;

/** An error a handler throws: the module's `errorBody` turns it into the vendor's error shape. */
export class SandboxError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = "",
    readonly context: Json = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface SandboxModule {
  /** The state key this module owns and the path prefixes it answers. */
  name: string;
  prefixes: string[];
  seed(): Json;
  /** Runs once every module is seeded: a module that extends another's seed (users, enterprises) does it here. */
  afterSeed?(state: SandboxState): void;
  routes(router: Router): void;
  /** The vendor's error body for a SandboxError. */
  errorBody(err: SandboxError, requestId: string): Json;
  /** Headers the vendor puts on every answer. */
  answerHeaders?(requestId: string): Record<string, string>;
}

interface Route {
  method: string;
  /** The pattern as registered, e.g. `/api/v2/enterprise/:enterpriseId/user` (the stats key). */
  pattern: string;
  parts: string[];
  handler: Handler;
  literalCount: number;
}

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): void {
    const parts = pattern.split("/").filter(Boolean);
    this.routes.push({ method, pattern, parts, handler, literalCount: parts.filter((p) => !p.startsWith(":")).length });
    // Literal segments win over parameters (`/walletshares` before `/:coin`).
    this.routes.sort((a, b) => b.literalCount - a.literalCount);
  }

  match(method: string, path: string): { handler: Handler; params: Record<string, string>; pattern: string } | "method" | undefined {
    const segs = path.split("/").filter(Boolean);
    let pathMatched = false;
    for (const r of this.routes) {
      if (r.parts.length !== segs.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segs.length && ok; i++) {
        if (r.parts[i].startsWith(":")) params[r.parts[i].slice(1)] = decodeURIComponent(segs[i]);
        else ok = r.parts[i] === segs[i];
      }
      if (!ok) continue;
      if (r.method !== method) {
        pathMatched = true;
        continue;
      }
      return { handler: r.handler, params, pattern: r.pattern };
    }
    return pathMatched ? "method" : undefined;
  }
}

export interface Fault {
  method?: string;
  /** Matches when the request path starts with it. */
  path: string;
  /** Answer with this status (and the vendor's error body) instead of handling the request. */
  status?: number;
  /** Handle the request (the change is made), then reset the connection: a lost answer. */
  dropAnswerAfterHandling?: boolean;
  delayMs?: number;
  /** How many requests it applies to (default 1). */
  count?: number;
  headers?: Record<string, string>;
}

export interface LoggedRequest {
  seq: number;
  module: string;
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  requestBody: Json;
  status: number;
  responseBody: Json;
  responseHeaders: Record<string, string>;
  /** The request's headers, names lowercased, with Authorization redacted (contract tests check them). */
  requestHeaders?: Record<string, string>;
  dropped?: boolean;
}

export interface RateLimit {
  limit: number;
  windowMs: number;
}

export interface SandboxOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Where state is kept between runs; omitted keeps it in memory. */
  stateFile?: string;
  /** Enforce the vendors' documented rate limits (default true). */
  rateLimits?: boolean;
  /** Modules to serve (default: all of sandbox/index.ts). */
  modules?: SandboxModule[];
  /** Log each request to stdout. */
  verbose?: boolean;
  /** Every vendor answer is delayed by this many milliseconds (default 0); the work is done after the wait. */
  latencyMs?: number;
  /** Keep the request log (default true); off for big benchmarks, where GET /__sandbox/stats still counts. */
  requestLog?: boolean;
  /** The most entries the request log keeps (default 5000); older ones are dropped first. */
  requestLogLimit?: number;
}

/** Counters since the last reset: cheap enough to keep on for any benchmark. */
export interface SandboxStats {
  since: string;
  /** Requests per "METHOD route-pattern", e.g. "GET /api/v2/user/:id". */
  requests: Record<string, number>;
  /** Answers per HTTP status, e.g. { "200": 12, "429": 3 }. */
  statuses: Record<string, number>;
  /** Events the modules count: `logins` (successful), `emails` (sent by the vendor), ... */
  events: Record<string, number>;
}

function emptyStats(): SandboxStats {
  return { since: new Date().toISOString(), requests: {}, statuses: {}, events: {} };
}

export class Sandbox {
  readonly router = new Router();
  state: SandboxState = {};
  requests: LoggedRequest[] = [];
  faults: Fault[] = [];
  rateLimitsOn: boolean;
  latencyMs: number;
  requestLogOn: boolean;
  stats: SandboxStats = emptyStats();
  private seq = 0;
  private readonly windows = new Map<string, number[]>();
  private server?: http.Server;
  url = "";

  constructor(
    readonly modules: SandboxModule[],
    readonly opts: SandboxOptions = {},
  ) {
    this.rateLimitsOn = opts.rateLimits ?? true;
    this.latencyMs = opts.latencyMs ?? 0;
    this.requestLogOn = opts.requestLog ?? true;
    for (const m of modules) m.routes(this.router);
    this.load();
  }

  /** Seeds every module, or reloads the state file when there is one. */
  load(): void {
    const file = this.opts.stateFile;
    if (file && fs.existsSync(file)) this.state = JSON.parse(fs.readFileSync(file, "utf8"));
    for (const m of this.modules) if (this.state[m.name] === undefined) this.state[m.name] = m.seed();
    for (const m of this.modules) m.afterSeed?.(this.state);
    this.save();
  }

  reset(): void {
    this.state = {};
    for (const m of this.modules) this.state[m.name] = m.seed();
    for (const m of this.modules) m.afterSeed?.(this.state);
    this.requests = [];
    this.faults = [];
    this.windows.clear();
    this.stats = emptyStats();
    this.save();
  }

  /** Counts a module event (`logins`, `emails`, ...) in the stats. */
  countEvent(name: string, n = 1): void {
    this.stats.events[name] = (this.stats.events[name] ?? 0) + n;
  }

  /** The stats as GET /__sandbox/stats answers them. */
  statsBody(): Json {
    const s = this.stats;
    const total = Object.values(s.requests).reduce((a, b) => a + b, 0);
    return {
      since: s.since,
      total,
      requests: s.requests,
      statuses: s.statuses,
      rateLimited: s.statuses["429"] ?? 0,
      logins: s.events.logins ?? 0,
      emails: s.events.emails ?? 0,
      events: s.events,
    };
  }

  save(): void {
    const file = this.opts.stateFile;
    if (!file) return;
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.state, null, 1));
    fs.renameSync(tmp, file);
  }

  /**
   * Counts one call against a sliding-window limit; throws the vendor's 429 when over, with
   * Retry-After: the seconds until the oldest call in the window leaves it (a refused call is not
   * counted). Keyed by whatever the vendor keys on (the user, the user and the route, the email).
   */
  rateLimit(key: string, limit: RateLimit, message = "Too many requests, slow down"): void {
    if (!this.rateLimitsOn) return;
    const now = Date.now();
    let hits = this.windows.get(key);
    if (!hits) this.windows.set(key, (hits = []));
    while (hits.length && now - hits[0] >= limit.windowMs) hits.shift(); // at most `limit` entries
    if (hits.length >= limit.limit) {
      const retryAfter = Math.max(1, Math.ceil((limit.windowMs - (now - hits[0])) / 1000));
      throw new SandboxError(429, message, "RateLimitExceeded", { limit: limit.limit, windowSeconds: limit.windowMs / 1000, retryAfter }, { "retry-after": String(retryAfter) });
    }
    hits.push(now);
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(this.opts.port ?? 0, "127.0.0.1", () => resolve()); // loopback only
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private moduleFor(path: string): SandboxModule {
    return this.modules.find((m) => m.prefixes.some((p) => path.startsWith(p))) ?? this.modules[0];
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const path = url.pathname;
    const query: Record<string, string | string[]> = {};
    for (const key of new Set(url.searchParams.keys())) {
      const all = url.searchParams.getAll(key);
      query[key] = all.length === 1 ? all[0] : all;
    }
    let raw = "";
    for await (const chunk of req) raw += chunk;
    let body: Json = undefined;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const method = (req.method ?? "GET").toUpperCase();

    if (path.startsWith("/__sandbox/")) return this.control(method, path, query, body, res);

    const module = this.moduleFor(path);
    const requestId = crypto.randomBytes(12).toString("hex");
    const fault = this.takeFault(method, path);
    const found = this.router.match(method, path);
    const routeKey = `${method} ${found && found !== "method" ? found.pattern : "(no route)"}`;
    this.stats.requests[routeKey] = (this.stats.requests[routeKey] ?? 0) + 1;
    // Latency and an injected delay come BEFORE the work: a client that gave up meanwhile sees the
    // effect only once the wait is over, as with a slow vendor.
    const wait = this.latencyMs + (fault?.delayMs ?? 0);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));

    let reply: Reply;
    if (fault?.status) {
      reply = {
        status: fault.status,
        body: module.errorBody(new SandboxError(fault.status, `injected fault ${fault.status}`, fault.status === 429 ? "RateLimitExceeded" : "InjectedFault"), requestId),
        headers: fault.headers,
      };
    } else {
      reply = await this.dispatch(module, found, { method, path, params: {}, query, body, headers: req.headers, state: this.state, requestId, sandbox: this });
    }
    const headers: Record<string, string> = {
      "content-type": "application/json",
      ...(module.answerHeaders?.(requestId) ?? {}),
      ...(reply.headers ?? {}),
    };
    const dropped = !!fault?.dropAnswerAfterHandling;
    this.stats.statuses[reply.status] = (this.stats.statuses[reply.status] ?? 0) + 1;
    if (this.requestLogOn) this.log({
      module: module.name,
      method,
      path,
      query,
      requestBody: body,
      status: reply.status,
      responseBody: reply.body,
      responseHeaders: headers,
      requestHeaders: loggedHeaders(req.headers),
      dropped,
    });
    if (this.opts.verbose) console.log(`sandbox: ${method} ${path} -> ${reply.status}${dropped ? " (answer dropped)" : ""}`);
    if (dropped) {
      req.socket.destroy(); // the work is done, the caller never hears of it
      return;
    }
    if (res.destroyed) return; // the caller gave up during the wait; the work is done all the same
    res.writeHead(reply.status, headers);
    res.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
  }

  /** Appends to the request log, dropping the oldest entries beyond the limit. */
  private log(entry: Omit<LoggedRequest, "seq">): void {
    this.requests.push({ seq: ++this.seq, ...entry });
    const limit = this.opts.requestLogLimit ?? 5000;
    if (this.requests.length > limit) this.requests.splice(0, this.requests.length - limit);
  }

  private async dispatch(module: SandboxModule, found: ReturnType<Router["match"]>, ctx: Ctx): Promise<Reply> {
    try {
      if (found === undefined) throw new SandboxError(404, `No route for ${ctx.method} ${ctx.path}`, "NotFound");
      if (found === "method") throw new SandboxError(405, `Method ${ctx.method} is not allowed on ${ctx.path}`, "MethodNotAllowed");
      ctx.params = found.params;
      const reply = await found.handler(ctx);
      if (ctx.method !== "GET") this.save();
      return reply;
    } catch (e) {
      if (e instanceof SandboxError) return { status: e.status, body: module.errorBody(e, ctx.requestId), headers: e.headers };
      console.error("sandbox: handler failed", e);
      return { status: 500, body: module.errorBody(new SandboxError(500, "internal sandbox error", "InternalError"), ctx.requestId) };
    }
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const i = this.faults.findIndex((f) => (!f.method || f.method.toUpperCase() === method) && path.startsWith(f.path));
    if (i < 0) return undefined;
    const f = this.faults[i];
    f.count = (f.count ?? 1) - 1;
    if (f.count <= 0) this.faults.splice(i, 1);
    return f;
  }

  /**
   * Control endpoints for tests and the demo (not part of any vendor API):
   *   GET/DELETE /__sandbox/requests   the request log (DELETE clears it)
   *   POST/DELETE /__sandbox/faults    inject faults: { method?, path, status?, dropAnswerAfterHandling?, delayMs?, count? }
   *   POST /__sandbox/reset            back to the seed
   *   GET /__sandbox/state             the whole state
   *   POST /__sandbox/ratelimits       { enabled: boolean }
   *   GET/POST /__sandbox/latency      { ms }: every vendor answer waits ms first (answer { ms })
   *   GET/DELETE /__sandbox/stats      counters since the last reset (DELETE zeroes them):
   *                                    { since, total, requests{"METHOD pattern": n}, statuses{"200": n},
   *                                      rateLimited, logins, emails, events{} }
   *   POST /__sandbox/requestlog       { enabled: boolean }: keep the request log or not
   *   anything else under /__sandbox/ goes to the modules' `control` routes (acting as another user).
   */
  private async control(method: string, path: string, query: Record<string, string | string[]>, body: Json, res: http.ServerResponse) {
    const send = (status: number, payload: Json) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(payload ?? {}));
    };
    const sub = path.slice("/__sandbox".length);
    if (sub === "/requests" && method === "GET") {
      const since = Number(query.since ?? 0);
      return send(200, { requests: this.requests.filter((r) => r.seq > since) });
    }
    if (sub === "/requests" && method === "DELETE") {
      this.requests = [];
      return send(200, {});
    }
    if (sub === "/faults" && method === "POST") {
      for (const f of Array.isArray(body) ? body : [body]) this.faults.push(f);
      return send(200, { faults: this.faults });
    }
    if (sub === "/faults" && method === "DELETE") {
      this.faults = [];
      return send(200, {});
    }
    if (sub === "/reset" && method === "POST") {
      this.reset();
      return send(200, {});
    }
    if (sub === "/state" && method === "GET") return send(200, this.state);
    if (sub === "/latency" && method === "GET") return send(200, { ms: this.latencyMs });
    if (sub === "/latency" && method === "POST") {
      const ms = Number(body?.ms);
      if (!Number.isFinite(ms) || ms < 0) return send(400, { error: "ms must be a number of milliseconds, 0 or more" });
      this.latencyMs = ms;
      return send(200, { ms });
    }
    if (sub === "/stats" && method === "GET") return send(200, this.statsBody());
    if (sub === "/stats" && method === "DELETE") {
      this.stats = emptyStats();
      return send(200, this.statsBody());
    }
    if (sub === "/requestlog" && method === "POST") {
      this.requestLogOn = !!body?.enabled;
      return send(200, { enabled: this.requestLogOn });
    }
    if (sub === "/ratelimits" && method === "POST") {
      this.rateLimitsOn = !!body?.enabled;
      this.windows.clear();
      return send(200, { enabled: this.rateLimitsOn });
    }
    // Module control routes are registered on the router under /__sandbox/...
    const found = this.router.match(method, path);
    if (found && found !== "method") {
      try {
        const reply = await found.handler({ method, path, params: found.params, query, body, headers: {}, state: this.state, requestId: "control", sandbox: this });
        this.save();
        return send(reply.status, reply.body);
      } catch (e) {
        if (e instanceof SandboxError) return send(e.status, { error: e.message, name: e.code });
        return send(500, { error: String(e) });
      }
    }
    return send(404, { error: `no sandbox control route ${method} ${path}` });
  }
}

let lastIdMs = 0;
let idCounter = 0;

/**
 * A 32-hex id, as BitGo uses for every object. Like BitGo's (Mongo) ids they grow with creation time
 * (milliseconds, then a counter, then random bits), so a listing ordered by id pages in creation order
 * and `prevId` stays valid even when the object it names is gone.
 */
export function hexId(): string {
  const now = Date.now();
  idCounter = now === lastIdMs ? (idCounter + 1) & 0xffff : 0;
  lastIdMs = now;
  return now.toString(16).padStart(12, "0") + idCounter.toString(16).padStart(4, "0") + crypto.randomBytes(8).toString("hex");
}

/**
 * One page of `items` (ordered by id) the way BitGo pages: up to `limit` after the id `prevId`, and
 * `nextBatchPrevId` (the last id of this page) only when more follow.
 */
export function pageById<T extends { id: string }>(items: T[], limit: number, prevId?: string): { page: T[]; nextBatchPrevId?: string } {
  const sorted = [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rest = prevId === undefined ? sorted : sorted.filter((x) => x.id > prevId);
  const page = rest.slice(0, limit);
  return rest.length > limit ? { page, nextBatchPrevId: page[page.length - 1].id } : { page };
}

export function nowIso(): string {
  return new Date().toISOString();
}

/** Request headers for the log: names lowercased, credentials never kept. */
function loggedHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    const text = Array.isArray(v) ? v.join(",") : String(v);
    // Keep the scheme so a check can see a bearer token was sent; never the token itself.
    out[k.toLowerCase()] = /^(authorization|cookie)$/i.test(k) ? (/^Bearer /i.test(text) ? "Bearer [redacted]" : "[redacted]") : text;
  }
  return out;
}
