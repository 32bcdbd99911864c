// BitGo's pending approvals as every BitGo resource meets them: a change answered 202 waits for
// another admin. The resource records it as pending, or (with waitForApproval) polls for the decision.
import { z } from "zod";
import { BitGoClient, APPROVED_STATES, REJECTED_STATES } from "./client";
import { sleep } from "../types";

export interface WaitForApproval {
  timeoutSeconds: number;
  pollSeconds: number;
}

/** The `waitForApproval` input of every BitGo resource whose changes may need another admin. */
export const waitForApprovalInput = z
  .object({
    timeoutSeconds: z.number().int().min(1).max(86_400, { message: "timeoutSeconds must be at most 86400 (a day)" }),
    pollSeconds: z.number().min(0.05).max(300).default(5),
  })
  .strict()
  .optional();

/** The `adoptExisting` input: what create does when the object is already there. */
export const adoptExistingInput = z
  .enum(["matching", "always", "never"], { error: 'adoptExisting must be "matching" (default), "always" or "never"' })
  .default("matching");

/** True while nobody has decided yet. */
export const isOpenApproval = (state: string) => !APPROVED_STATES.includes(state) && !REJECTED_STATES.includes(state);

/** The approval id in a 202 answer: the approval itself, or `{ pendingApprovals: [...] }`. */
export function approvalIdOf(data: any): string {
  return String(data?.id ?? data?.pendingApprovals?.[0]?.id ?? "");
}

/** Waits for an approval to be decided; undefined on timeout. */
export async function waitForDecision(c: BitGoClient, approvalId: string, wait: WaitForApproval): Promise<"approved" | "rejected" | undefined> {
  const deadline = Date.now() + wait.timeoutSeconds * 1000;
  for (;;) {
    const approval = await c.getPendingApproval(approvalId);
    if (!approval) return "rejected"; // withdrawn
    if (APPROVED_STATES.includes(approval.state)) return "approved";
    if (REJECTED_STATES.includes(approval.state)) return "rejected";
    if (Date.now() >= deadline) return undefined;
    console.log(`bitgo: waiting for pending approval ${approvalId} (state ${approval.state})`);
    await sleep(Math.min(wait.pollSeconds * 1000, Math.max(0, deadline - Date.now())));
  }
}

/** An error that still records the resource (Pulumi's partial state), so a rerun picks it up. */
export function partialFailure(message: string, id: string, outs: object): Error {
  return Object.assign(new Error(message), { id, properties: outs, reasons: [message] });
}

/**
 * After a change came back 202: without waitForApproval, say what happens next and return the pending
 * outputs; with it, wait: approved → `onApproved` (re-read the object), rejected → a clear error,
 * timeout → a partial-state error that keeps the resource as pending for the next run.
 */
export async function settleApproval<O extends { pendingApprovalId: string; waitForApproval?: WaitForApproval }>(
  c: BitGoClient,
  outs: O,
  args: { id: string; what: string; who: string; onApproved(outs: O): Promise<O> },
): Promise<O> {
  const { what, who } = args;
  if (!outs.waitForApproval) {
    console.log(`bitgo: ${what} of ${who} awaits approval ${outs.pendingApprovalId} by another admin; state is "pending" until then (pulumi refresh updates it)`);
    return outs;
  }
  const decision = await waitForDecision(c, outs.pendingApprovalId, outs.waitForApproval);
  if (decision === "rejected") {
    throw new Error(`bitgo: approval ${outs.pendingApprovalId} for the ${what} of ${who} was rejected; nothing changed in BitGo. Ask the approving admin why, then run pulumi up again to ask anew.`);
  }
  if (decision === undefined) {
    throw partialFailure(
      `bitgo: approval ${outs.pendingApprovalId} for the ${what} of ${who} is still pending after ${outs.waitForApproval.timeoutSeconds} s; the resource is recorded as pending and the next pulumi up waits for it again`,
      args.id,
      outs,
    );
  }
  return args.onApproved(outs);
}
