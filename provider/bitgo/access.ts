// What the authoritative access resources (EnterpriseAccess, WalletAccess, OrganizationAccess) share:
// the fields every one of them has (unmanaged, keep, onDelete, waitForApproval), the outputs they add
// to each list entry, the way a recorded list is compared with a declared one, running a list of
// writes, waiting for approvals, and the plan written out by name in the preview.
//
// One list field is both the input and the live output. Its entries carry output-only keys (userId,
// status, source, approvalId, requested); comparing the recorded list with the program's list goes
// through `comparable`, which keeps what the stack still has to act on, in what it is heading to:
//   - entries left alone (keep, the operator, unmanaged members only reported) are not compared;
//   - a change waiting for approval counts as made (`requested`), a removal waiting for approval as
//     done: pending approvals are state, so the plan stays quiet and nothing is asked twice;
//   - an addition that was rejected or a share that was cancelled is no entry: the next up asks again;
//   - declared entries come first, sorted by their key, unmanaged ones after them, so `preview --diff`
//     shows an unmanaged member as a removal at the end of the list, by name.
import { z } from "zod";
import { field, int, list, oneOf } from "../kit/fields";
import { Resource, partialFailure } from "../kit/resource";
import { log } from "../kit/secrets";
import { sleep } from "../kit/util";
import type { GuardedWrite, Outcome } from "../kit/writes";
import type { BitGoClient } from "./client";
import { bitgo } from "./vendor";

export const STATUSES = ["active", "invited", "pendingApproval", "pendingRemoval", "rejected", "canceled", "missing"] as const;
export type Status = (typeof STATUSES)[number];
export const SOURCES = ["declared", "unmanaged", "reported", "keep", "operator"] as const;
export type Source = (typeof SOURCES)[number];

/**
 * Statuses of an entry that grants nothing (the next up asks again) or is on its way out. A declared
 * user that is not there at all is recorded too ("missing"), so a later read still knows it is declared.
 */
const NOT_HELD: Status[] = ["rejected", "canceled", "pendingRemoval", "missing"];
/** Sources the stack never changes. */
const LEFT_ALONE: Source[] = ["reported", "keep", "operator"];

// ---- fields ----

export const unmanagedField = field(oneOf(["remove", "report"], "unmanaged policy").default("remove"), {
  doc: 'What happens to a live user the list does not declare (and keep does not name): "remove" (default) takes them away on up; "report" lists them in the outputs and changes nothing.',
});

export function keepField(item: z.ZodType, what: string) {
  return field(list(item, { max: 200, sorted: true, hint: `a list of ${what} the stack never touches` }).default([]), {
    doc: `${what[0].toUpperCase()}${what.slice(1)} never added, changed or removed, whatever the list says (a service account, break-glass admins). The identity orgstack runs as is always left alone too.`,
  });
}

export const onDeleteField = field(oneOf(["leave", "remove"], "onDelete value").default("leave"), {
  doc: '"leave" (default): destroying the resource leaves every user as they are (the stack stops managing them); "remove": takes away the users the list declares (never the operator or those in keep).',
});

/** The kit's waitForApproval, compared like any input: a change to it re-plans (and may wait). */
export const waitForApprovalField = field(
  z
    .object({
      timeoutSeconds: int(1, 86_400, " seconds (a day at most)"),
      pollSeconds: z.number({ error: "must be a number of seconds" }).min(0.05, { message: "must be at least 0.05" }).max(300, { message: "must be at most 300" }).default(5),
    })
    .strict()
    .optional(),
  {
    doc: "When changes need another admin's approval, wait for the decisions (polling every pollSeconds, up to timeoutSeconds) instead of recording them as pending. A rejection fails with a clear error; a timeout keeps them pending and the next pulumi up waits again.",
  },
);

/** The output-only keys of a list entry (a program that sets them has them ignored). */
export const entryOutputs = {
  userId: z.string().max(32).optional(),
  status: z.enum(STATUSES).optional(),
  source: z.enum(SOURCES).optional(),
  approvalId: z.string().max(32).optional(),
};
const OUTPUT_KEYS = ["userId", "status", "source", "approvalId", "requested"];

export const accessOutputs = {
  state: field(z.string(), { doc: '"active", or "pending" while a change of this list waits for another admin\'s approval.' }),
  pendingApprovalIds: field(z.array(z.string()), { doc: "The approvals the list's changes wait for (additions, changes, removals); empty when none." }),
  operator: field(z.string(), { doc: "The identity orgstack runs as (its email, or its user id): always left alone." }),
};

// ---- comparing lists ----

interface Entry {
  status?: Status;
  source?: Source;
  requested?: Record<string, unknown>;
}

/**
 * The list as the stack has to act on it (see the top of this file): left-alone entries out, pending
 * changes as requested, entries that grant nothing out, output-only keys stripped, declared entries
 * sorted by key and unmanaged ones after them.
 */
export function comparable<E extends Entry>(entries: E[], key: (e: E) => string, extraOutputKeys: string[] = []): E[] {
  const strip = (e: E) => Object.fromEntries(Object.entries(e).filter(([k]) => !OUTPUT_KEYS.includes(k) && !extraOutputKeys.includes(k))) as E;
  const kept: { e: E; unmanaged: boolean }[] = [];
  for (const e of entries) {
    if (e.source && LEFT_ALONE.includes(e.source)) continue;
    if (e.requested) kept.push({ e: { ...strip(e), ...e.requested } as E, unmanaged: false });
    else if (!e.status || !NOT_HELD.includes(e.status)) kept.push({ e: strip(e), unmanaged: e.source === "unmanaged" });
  }
  const byKey = (a: { e: E }, b: { e: E }) => key(a.e).localeCompare(key(b.e));
  return [...kept.filter((k) => !k.unmanaged).sort(byKey), ...kept.filter((k) => k.unmanaged).sort(byKey)].map((k) => k.e);
}

/** A list field keyed by one of its entries' fields: size cap, no key twice, compared through `comparable`. */
export function keyedList<T extends z.ZodType>(item: T, keyName: string, opts: { max: number; hint: string; extraOutputKeys?: string[] }) {
  const keyOf = (e: any) => String(e?.[keyName] ?? "").toLowerCase();
  return z
    .array(item, { error: (i) => (i.input === undefined ? `is required: ${opts.hint}` : `must be a list: ${opts.hint}`) })
    .max(opts.max, { message: `must list at most ${opts.max} entries` })
    .superRefine((l, ctx) => {
      const seen = new Set<string>();
      l.forEach((e: any, i) => {
        if (e?.source && e.source !== "declared") return; // the recorded list also holds users the stack does not declare
        const k = keyOf(e);
        if (seen.has(k)) ctx.addIssue({ code: "custom", path: [i, keyName], message: `lists ${k} twice: give each ${keyName} once` });
        seen.add(k);
      });
    })
    .transform((l) => comparable(l as Entry[], keyOf, opts.extraOutputKeys) as z.output<T>[]);
}

// ---- running writes ----

/** What a list's steps need of the kit's context: the client, and guarded writes. */
export interface AccessCtx {
  c: BitGoClient;
  write<T>(w: GuardedWrite<T>): Promise<Outcome<T>>;
}

/** Runs `fn` over the items, `limit` at a time; every item gets its own settled result. */
export async function eachLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const out: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) {
      try {
        out[i] = { status: "fulfilled", value: await fn(items[i]) };
      } catch (reason) {
        out[i] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Forgets a list's reads at the end of an operation: what the vendor holds is in the outputs now, and
 * a later operation in the same process (a replacement, a test) must read it anew.
 */
export function forgetReads(c: BitGoClient, keys: string[]): void {
  for (const k of keys) c.cache.forget(k);
}

/** Waits for every approval to be decided, or for the timeout; says which ended how. */
export async function waitForDecisions(c: BitGoClient, ids: string[], wait: { timeoutSeconds: number; pollSeconds: number }, what: string) {
  const deadline = Date.now() + wait.timeoutSeconds * 1000;
  const result = { approved: [] as string[], rejected: [] as string[], open: [...new Set(ids)] };
  for (;;) {
    const states = await Promise.all(result.open.map(async (id) => [id, await bitgo.approvals!.state(c, id)] as const));
    result.open = [];
    for (const [id, state] of states) result[state === "open" ? "open" : state].push(id);
    if (result.open.length === 0 || Date.now() >= deadline) return result;
    log(`bitgo: waiting for ${result.open.length} approval(s) of ${what}: ${result.open.join(", ")}`);
    await sleep(Math.min(wait.pollSeconds * 1000, Math.max(0, deadline - Date.now())));
  }
}

/**
 * After waiting for a list's approvals: fails with a partial state (the list as it is now) when one was
 * rejected or is still open, so the next up picks up from there.
 */
export function unlessAllApproved(decided: { rejected: string[]; open: string[] }, wait: { timeoutSeconds: number }, what: string, id: string, outs: object): void {
  if (decided.rejected.length) {
    throw partialFailure(`bitgo: approval(s) ${decided.rejected.join(", ")} for ${what} were rejected; those changes were not made. Ask the approving admin why, then run pulumi up again to ask anew.`, id, outs);
  }
  if (decided.open.length) {
    throw partialFailure(`bitgo: approval(s) ${decided.open.join(", ")} for ${what} are still pending after ${wait.timeoutSeconds} s; they are recorded as pending and the next pulumi up waits again`, id, outs);
  }
}

/**
 * The end of a destroy whose removals wait for approval: waits for the decisions when asked to, else
 * says which approvals to give (the next run finds them open and asks nothing twice).
 */
export async function settleRemovals(c: BitGoClient, open: string[], earlier: boolean, wait: { timeoutSeconds: number; pollSeconds: number } | undefined, what: string, where: string): Promise<void> {
  if (open.length === 0) return;
  const decided = wait ? await waitForDecisions(c, open, wait, what) : { approved: [], rejected: [], open };
  if (decided.rejected.length) throw new Error(`bitgo: the removal(s) ${decided.rejected.join(", ")} from ${where} were rejected; those users stay`);
  if (decided.open.length) {
    throw new Error(
      `bitgo: ${what} needs another admin's approval (pending approval ${decided.open.join(", ")}${earlier ? ", asked for by an earlier run" : ""}). ` +
        "Approve it in BitGo, then run the same command again (it will not ask twice); or set waitForApproval to wait for it.",
    );
  }
}

// ---- the plan, by name ----

export interface PlanDescriber {
  /** The list field ("members", "users"). */
  list: string;
  /** An entry's key ("username", "user") and how its value reads ("admin, auditor"). */
  key(e: any): string;
  value(e: any): string;
}

/** The plan of an access list in words: who is added, changed, removed, only reported, left alone. */
export function describePlan(d: PlanDescriber, olds: any, news: any): string[] {
  const recorded: any[] = Array.isArray(olds?.[d.list]) ? olds[d.list] : [];
  const declared: any[] = Array.isArray(news?.[d.list]) ? news[d.list] : [];
  const same = (a: any, b: any) => d.key(a).toLowerCase() === d.key(b).toLowerCase();
  const lines: string[] = [];
  for (const e of declared) {
    const was = recorded.find((r) => same(r, e) && (!r.source || r.source === "declared" || r.source === "unmanaged"));
    const held = was && !(was.status && NOT_HELD.includes(was.status) && !was.requested);
    if (!held) lines.push(`+ ${d.key(e)} (${d.value(e)})`);
    else if (d.value({ ...was, ...was.requested }) !== d.value(e)) lines.push(`~ ${d.key(e)}: ${d.value({ ...was, ...was.requested })} => ${d.value(e)}`);
  }
  const report = news?.unmanaged === "report";
  for (const r of recorded) {
    if (declared.some((e) => same(e, r))) continue;
    if (r.source === "unmanaged" || r.source === "reported" || (r.source === "declared" && !["rejected", "canceled", "missing"].includes(r.status))) {
      if (r.status === "pendingRemoval") lines.push(`- ${d.key(r)} (${d.value(r)}): removal awaits approval ${r.approvalId ?? ""}`.trimEnd());
      else if (report && r.source !== "declared") lines.push(`? ${d.key(r)} (${d.value(r)}): not declared; unmanaged is "report", so only reported`);
      else lines.push(`- ${d.key(r)} (${d.value(r)})${r.source === "declared" ? "" : ": not declared"}`);
    } else if (r.source === "keep" || r.source === "operator") {
      lines.push(`= ${d.key(r)} (${d.value(r)}): left alone (${r.source === "keep" ? "in keep" : "the identity orgstack runs as"})`);
    }
  }
  return lines;
}

/**
 * The resource with a diff that also writes its plan by name (Pulumi shows what a provider prints
 * under the resource in `preview`): index-based list diffs do not say who is added or removed.
 */
export function withPlanInPreview<R extends Resource>(resource: R, d: PlanDescriber): R {
  return {
    ...resource,
    async diff(id, olds, news) {
      const result = await resource.diff(id, olds, news);
      const lines = describePlan(d, olds, news);
      const changes = lines.filter((l) => !l.startsWith("="));
      if (changes.length || lines.length) {
        log(`${resource.type} ${id}: ${changes.length ? "plan" : "no change"}${lines.length ? `:\n  ${lines.join("\n  ")}` : ""}`);
      }
      return result;
    },
  };
}
