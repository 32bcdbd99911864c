// The fault campaign: every resource operation, with each of four faults landing on each call the
// operation makes, followed by a rerun as `pulumi up` would make it. Faults:
//   drop   the vendor does the work, then the connection is reset (the answer is lost);
//   500    the vendor fails without doing the work;
//   429    the vendor refuses with Retry-After: 1;
//   slow   the vendor answers after the client's timeout (it does the work late).
// Each run asserts, from the vendor's own state: exactly the expected objects and approvals for the
// declaration (none twice), none after a destroy, and the state equal to the vendor after the rerun
// (a refresh plans no change). Runs go in parallel lanes, each with its own sandbox and settings.
import { expect } from "vitest";
import { FINHUB_SEED, RunningSandbox, SEED, startSandbox } from "../../sandbox";
import { resource } from "../../provider";
import { withConfig } from "../../provider/config";
import { resetBitGoClients } from "../../provider/bitgo/client";
import { resetFinHubClients } from "../../provider/finhub/client";
import type { ConfigSource } from "../../provider/types";

export type Fault = "drop" | "500" | "429" | "slow";
export const FAULTS: Fault[] = ["drop", "500", "429", "slow"];
/** The client gives up after TIMEOUT_MS; a slow answer comes after SLOW_MS. */
export const TIMEOUT_MS = 300;
const SLOW_MS = 900;

export interface Lane {
  sb: RunningSandbox;
  config: ConfigSource;
  /** The sandbox's state (BitGo and FinHub). */
  state(): any;
  control(method: string, path: string, body?: unknown): Promise<any>;
}

export interface Declared {
  id: string;
  outs: any;
}

export interface Scenario {
  name: string;
  kind: string;
  op: "create" | "update" | "delete";
  /** Prepares the vendor after a reset. */
  setup?(lane: Lane): Promise<void>;
  /** The declaration's inputs: for update, the new ones; for delete, unused. */
  inputs(lane: Lane): Record<string, unknown>;
  /** For update and delete: the inputs the object was made with (no faults). */
  before?(lane: Lane): Record<string, unknown>;
  /** After `before` is made: a person's action (approving, accepting) before the operation. */
  between?(lane: Lane, made: Declared): Promise<void>;
  /** The vendor's objects (or grants) this declaration stands for, from the sandbox's state. */
  objects(lane: Lane, made?: Declared): number;
  /** Approvals this declaration asked for. */
  approvals?(lane: Lane): number;
  expect: { objects: number; approvals?: number };
  /** A write nobody can look for (an e-mail): at most once is what can be promised. */
  atMostOnce?: boolean;
  /** The operation's normal outcome is this error (a removal that waits for approval). */
  expectError?: RegExp;
  /** What a person does before rerunning after this error (the error tells them): new inputs, or a replacement. */
  beforeRerun?(lane: Lane, inputs: Record<string, unknown>, error: unknown): Promise<{ inputs: Record<string, unknown>; replace?: boolean }>;
}

export interface Tally {
  runs: number;
  clean: number;
  duplicates: number;
  orphans: number;
  doubleApprovals: number;
  drift: number;
  errors: number;
  problems: string[];
}

export const tally = (): Tally => ({ runs: 0, clean: 0, duplicates: 0, orphans: 0, doubleApprovals: 0, drift: 0, errors: 0, problems: [] });

export function summary(t: Tally): string {
  return `fault campaign: ${t.runs} runs, ${t.clean} clean, ${t.duplicates} duplicates, ${t.orphans} orphans, ${t.doubleApprovals} double approvals, ${t.drift} not equal to the vendor, ${t.errors} unexpected errors`;
}

export async function startLane(): Promise<Lane> {
  const sb = await startSandbox({ rateLimits: false });
  const t = FINHUB_SEED.tenants.acme;
  const settings: Record<string, string> = {
    "bitgo:apiUrl": sb.url,
    "bitgo:email": SEED.operator.email,
    "bitgo:password": SEED.operator.password,
    "bitgo:otp": "000000",
    "finhub:apiUrl": sb.finhubUrl,
    "finhub:tenantId": t.id,
    "finhub:token": t.token,
  };
  return {
    sb,
    config: { get: (k) => settings[k] },
    state: () => sb.sandbox.state,
    control: async (method, path, body) => {
      const res = await fetch(`${sb.url}${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
      return res.json();
    },
  };
}

/** The environment every lane runs under: a short timeout, a short settle window, no pacing (the sandbox enforces no limits). */
export function campaignEnv(): void {
  Object.assign(process.env, {
    ORGSTACK_HTTP_TIMEOUT_MS: String(TIMEOUT_MS),
    ORGSTACK_SETTLE_MS: "1500",
    ORGSTACK_HTTP_BACKOFF_MS: "5",
    ORGSTACK_BATCH_MS: "20",
    ORGSTACK_RATE_LIMITS: "off",
    ORGSTACK_FINHUB_POLL_MS: "50",
  });
}

/** Faults the k-th request the vendor sees from now on (0-based), once. */
function faultNth(lane: Lane, k: number | undefined, fault: Fault): { requests: () => { method: string; path: string }[] } {
  const seen: { method: string; path: string }[] = [];
  const sandbox = lane.sb.sandbox as any;
  sandbox.takeFault = (method: string, path: string) => {
    const index = seen.length;
    seen.push({ method, path });
    if (index !== k) return undefined;
    if (fault === "drop") return { path, dropAnswerAfterHandling: true };
    if (fault === "500") return { path, status: 500 };
    if (fault === "429") return { path, status: 429, headers: { "retry-after": "1" } };
    return { path, delayMs: SLOW_MS };
  };
  return { requests: () => seen };
}

const stopFaults = (lane: Lane) => {
  (lane.sb.sandbox as any).takeFault = () => undefined;
};

async function fresh(lane: Lane): Promise<void> {
  stopFaults(lane);
  lane.sb.sandbox.reset();
  resetBitGoClients(lane.sb.url);
  resetFinHubClients(lane.sb.finhubUrl);
}

/** Checks the inputs as the engine would, then creates. */
async function make(kind: string, raw: Record<string, unknown>): Promise<Declared> {
  const r = resource(kind);
  const checked = await r.check(undefined, raw);
  if (checked.failures?.length) throw new Error(`bad scenario inputs: ${JSON.stringify(checked.failures)}`);
  const { id, outs } = await r.create(checked.inputs);
  return { id, outs };
}

/** One run of the operation as `pulumi up` runs it: the first attempt, and the rerun when it fails. */
async function operate(s: Scenario, lane: Lane, made: Declared | undefined): Promise<{ state?: Declared; error?: unknown; inputs: Record<string, unknown> }> {
  const r = resource(s.kind);
  let raw = s.op === "delete" ? {} : s.inputs(lane);
  let news = s.op === "delete" ? undefined : (await r.check(made?.outs, raw)).inputs;
  let state = made;
  let error: unknown;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (attempt === 1 && error && s.beforeRerun) {
      const next = await s.beforeRerun(lane, raw, error);
      raw = next.inputs;
      if (next.replace) state = undefined; // `pulumi up --replace`: this resource's delete changes nothing at the vendor
      news = (await r.check(state?.outs, raw)).inputs;
    }
    error = undefined;
    try {
      if (s.op === "delete") {
        await r.delete(state!.id, state!.outs);
        state = undefined;
      } else if (!state || (s.op === "create" && attempt === 0)) {
        state = await r.create(news);
      } else {
        state = { id: state.id, outs: (await r.update(state.id, state.outs, news)).outs };
      }
      return { state, inputs: raw };
    } catch (e) {
      error = e;
      // A partial state is recorded by the engine: the rerun updates it.
      const partial = e as { id?: string; properties?: any };
      if (partial.id && partial.properties) state = { id: partial.id, outs: partial.properties };
    }
    stopFaults(lane);
  }
  return { state, error, inputs: raw };
}

/** Every request index × fault for one scenario, each with its rerun and the assertions; returns the tally. */
export async function campaign(s: Scenario, lane: Lane, t: Tally): Promise<void> {
  await withConfig(lane.config, async () => {
    // A clean run tells how many requests the operation makes.
    await fresh(lane);
    await s.setup?.(lane);
    let made = s.before ? await make(s.kind, s.before(lane)) : undefined;
    if (made) await s.between?.(lane, made);
    const probe = faultNth(lane, undefined, "drop");
    const clean = await operate(s, lane, made);
    const n = probe.requests().length;
    await check(s, lane, clean, "clean run", t);

    for (let k = 0; k < n; k++) {
      for (const fault of FAULTS) {
        await fresh(lane);
        await s.setup?.(lane);
        made = s.before ? await make(s.kind, s.before(lane)) : undefined;
        if (made) await s.between?.(lane, made);
        const faulted = faultNth(lane, k, fault);
        const result = await operate(s, lane, made);
        const hit = faulted.requests()[k];
        await check(s, lane, result, `${fault} on request ${k + 1}/${n}${hit ? ` (${hit.method} ${hit.path})` : ""}`, t);
      }
    }
  });
}

async function check(s: Scenario, lane: Lane, result: { state?: Declared; error?: unknown; inputs: Record<string, unknown> }, how: string, t: Tally): Promise<void> {
  t.runs++;
  const label = `${s.name}, ${how}`;
  const problems: string[] = [];
  const objects = s.objects(lane, result.state);
  const approvals = s.approvals?.(lane) ?? 0;
  if (result.error && !(s.expectError && s.expectError.test(String((result.error as Error).message)))) {
    t.errors++;
    problems.push(`error: ${String((result.error as Error)?.message ?? result.error).slice(0, 300)}`);
  }
  if (objects > s.expect.objects) {
    t.duplicates++;
    problems.push(`${objects} vendor objects, expected ${s.expect.objects}`);
  } else if (objects < s.expect.objects && !s.atMostOnce) problems.push(`${objects} vendor objects, expected ${s.expect.objects}`);
  if (s.op !== "delete" && objects > 0 && !result.state?.id) {
    t.orphans++;
    problems.push("the vendor has it, the state does not");
  }
  if (s.expect.approvals !== undefined && approvals !== s.expect.approvals) {
    if (approvals > s.expect.approvals) t.doubleApprovals++;
    problems.push(`${approvals} approvals, expected ${s.expect.approvals}`);
  }
  if (result.state && s.op !== "delete") {
    // The state equals the vendor: a refresh, then a diff against the declaration, plans no change.
    await withConfig(lane.config, async () => {
      // `pulumi refresh` is a new provider process: nothing cached from the run.
      resetBitGoClients(lane.sb.url);
      resetFinHubClients(lane.sb.finhubUrl);
      const r = resource(s.kind);
      const refreshed = await r.read(result.state!.id, result.state!.outs);
      if (!refreshed.id) {
        t.drift++;
        problems.push("refresh finds it gone");
        return;
      }
      const news = (await r.check(refreshed.inputs, result.inputs)).inputs;
      const d = await r.diff(refreshed.id, refreshed.props, news);
      if (d.changes && !(refreshed.props.state === "pending")) {
        t.drift++;
        problems.push(`after refresh a preview would change ${d.changed.join(", ") || "(pending)"}`);
      }
    });
  }
  if (problems.length === 0) t.clean++;
  else t.problems.push(`${label}: ${problems.join("; ")}`);
}

export function expectAllClean(t: Tally): void {
  console.log(summary(t));
  if (t.problems.length) console.log(t.problems.slice(0, 40).join("\n"));
  expect(t.problems).toEqual([]);
}

/** Runs scenarios over a few lanes at once; each scenario stays on one lane. */
export async function runAll(scenarios: Scenario[], lanes: Lane[], t: Tally): Promise<void> {
  const queue = [...scenarios];
  await Promise.all(
    lanes.map(async (lane) => {
      for (let s = queue.shift(); s; s = queue.shift()) await campaign(s, lane, t);
    }),
  );
}
