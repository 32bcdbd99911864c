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
