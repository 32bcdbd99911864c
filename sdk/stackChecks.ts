// Checks that span several resources of one stack (admins without a video approver, FinHub's
// organization-wide rules). The provider only ever sees one resource, so the program checks them:
// resources note themselves when declared, and one turn of the event loop later (programs declare
// their resources synchronously) the batch is checked, with the program kept alive until it is done.
import * as pulumi from "@pulumi/pulumi";

/** Returns a `note(item)` that collects items and runs `check` on each batch. */
export function stackWideCheck<T>(check: (batch: T[]) => Promise<void>): (item: T) => void {
  let declared: T[] = [];
  let scheduled = false;
  return (item: T) => {
    declared.push(item);
    if (scheduled) return;
    scheduled = true;
    const done = pulumi.runtime.rpcKeepAlive();
    setImmediate(() => {
      const batch = declared;
      declared = [];
      scheduled = false;
      check(batch)
        .catch(() => undefined)
        .finally(done);
    });
  };
}

/** Resolves an input; undefined when it is not known yet (a preview of a resource still to be created). */
export async function known(value: unknown): Promise<any> {
  if (value === undefined) return undefined;
  const out: any = pulumi.output(value as any);
  const v = typeof out.promise === "function" ? await out.promise(true) : undefined;
  return pulumi.isUnknown(v) ? undefined : v;
}

// ---- one enterprise, wallet or organization managed both ways ----

/** A resource that manages the users of an enterprise, a wallet or an organization. */
export interface AccessNote {
  scope: "enterprise" | "wallet" | "organization";
  /** The enterprise's, wallet's or organization's id (an Output while a preview does not know it). */
  id: unknown;
  kind: string;
  name: string;
  /** An access list (EnterpriseAccess, WalletAccess, OrganizationAccess), not a per-member resource. */
  authoritative: boolean;
  /** An access list's keep list, for the plan's note on who is left alone. */
  keep?: unknown;
}

/** The notes of one program run (an inline program may run several times in one process). */
interface Run {
  notes: AccessNote[];
  reported: Set<string>;
}
const runs = new WeakMap<object, Run>();
const outsideAnyRun = {};
function currentRun(): Run {
  const key = (pulumi.runtime as any).getStackResource?.() ?? outsideAnyRun;
  let run = runs.get(key);
  if (!run) runs.set(key, (run = { notes: [], reported: new Set() }));
  return run;
}

const checkAccess = stackWideCheck<{ run: Run; note: AccessNote }>(async (batch) => {
  for (const run of new Set(batch.map((b) => b.run))) {
    const fresh = batch.filter((b) => b.run === run).map((b) => b.note);
    run.notes.push(...fresh);
    const { errors, infos } = await accessFindings(run.notes, fresh);
    for (const e of errors) {
      if (run.reported.has(e)) continue;
      run.reported.add(e);
      await pulumi.log.error(e);
    }
    for (const i of infos) await pulumi.log.info(i);
  }
});

/**
 * Notes a resource for the check across the whole program: an enterprise, wallet or organization with
 * an access list and per-member resources, or two access lists, is refused at preview (the list would
 * remove whoever the others add). Notes accumulate over the program run, so resources declared later
 * (in an apply) are checked against the earlier ones.
 */
export function noteAccess(note: AccessNote): void {
  checkAccess({ run: currentRun(), note });
}

/** Groups by the id when it is known, else by the identity of the Output passed (a preview of a new object). */
const outputKeys = new WeakMap<object, string>();
let outputCount = 0;
async function groupKey(value: unknown): Promise<string | undefined> {
  const v = await known(value);
  if (typeof v === "string") return v;
  if (value && typeof value === "object") {
    let k = outputKeys.get(value);
    if (!k) outputKeys.set(value, (k = `(not yet known #${++outputCount})`));
    return k;
  }
  return undefined;
}

/** Conflicts among every note so far (errors), and the left-alone note of each access list in `fresh` (infos). */
export async function accessFindings(notes: AccessNote[], fresh: AccessNote[] = []): Promise<{ errors: string[]; infos: string[] }> {
  const groups = new Map<string, AccessNote[]>();
  for (const n of notes) {
    const id = await groupKey(n.id);
    if (!id) continue;
    const key = `${n.scope} ${id}`;
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  const errors: string[] = [];
  for (const [key, list] of groups) {
    const lists = list.filter((n) => n.authoritative);
    const members = list.filter((n) => !n.authoritative);
    if (lists.length === 0) continue;
    const [scope, ...rest] = key.split(" ");
    const what = `BitGo ${scope} ${rest.join(" ")}`;
    const named = (ns: AccessNote[]) => ns.map((n) => `${n.kind} "${n.name}"`).join(", ");
    if (lists.length > 1) {
      errors.push(`orgstack: ${what} has ${lists.length} access lists (${named(lists)}); each would remove the users of the other: merge them into one list.`);
    }
    if (members.length > 0) {
      errors.push(
        `orgstack: ${what} is managed both by the access list ${named(lists)} and by ${named(members)}; the list removes whoever it does not declare, and the per-member resources add them back. ` +
          `Manage it one way: declare those users in the list and take the per-member resources out of the stack (pulumi state delete <urn> first, so nothing is removed at BitGo), or drop the list.`,
      );
    }
  }
  const infos: string[] = [];
  for (const n of fresh.filter((x) => x.authoritative)) {
    const keep = ((await known(n.keep)) as string[] | undefined) ?? [];
    const login = new pulumi.Config("bitgo").get("email");
    infos.push(
      `orgstack: ${n.kind} "${n.name}" leaves alone, whatever its list says, the identity orgstack runs as${login ? ` (${login})` : ""}` +
        `${keep.length ? ` and those in keep (${keep.join(", ")})` : ""}: they are never removed or changed.`,
    );
  }
  return { errors, infos };
}
