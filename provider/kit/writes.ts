// Exactly-once writes. A state-changing call is keyed (the vendor deduplicates; the transport may
// resend it) or guarded: when its answer is lost (a timeout, a reset connection, a 5xx) or the vendor
// says the thing already exists, nothing is sent again until the effect of the first call has been
// looked for — the object as it should be after the write, or the open approval the write made. A
// slow vendor gets time to finish first (the settle window), so a read made too early does not
// conclude "it did not happen". Only when the effect is still absent after the window is the call
// sent once more; a once-only write (an e-mail, a registration nobody can look up) never is.
import { isVendorError } from "./errors";
import { log } from "./secrets";
import { envNumber, sleep } from "./util";

/** What a write step tells the kit: done (with what it made), or waiting for another person's approval. */
export type Outcome<T> = { done: true; value?: T } | { done: false; approvalId: string };

export const done = <T>(value?: T): Outcome<T> => ({ done: true, value });
export const pending = <T = never>(approvalId: string): Outcome<T> => ({ done: false, approvalId });

export interface GuardedWrite<T> {
  /** In words, for logs and errors: "adding ops@acme.example to enterprise 62c5…". */
  what: string;
  send(): Promise<Outcome<T>>;
  /**
   * The write's effect if it is there, from a read that started at or after `since`; undefined when
   * it is not. Absent: nobody can look.
   */
  effect?(since: number): Promise<T | undefined>;
  /** The open approval this write would have made, if any (its id), read since `since`. */
  approval?(since: number): Promise<string | undefined>;
  /** "once": never sent a second time (nobody can tell whether it happened). */
  once?: boolean;
  /** For a once-only write: what the person should do when its answer is lost. */
  whenLost?: string;
}

/** How long a lost write is given to show its effect: twice the call timeout, 5 to 60 seconds. */
export function settleWindowMs(timeoutMs: number): number {
  return envNumber("ORGSTACK_SETTLE_MS", Math.min(60_000, Math.max(5_000, 2 * timeoutMs)));
}

/** Whether an error says the write may have happened, or that its object is already there. */
export function mayHaveHappened(e: unknown): boolean {
  if (!isVendorError(e)) return false;
  return e.ambiguous || e.status === 409 || /already|exists|duplicate/i.test(`${e.code ?? ""} ${e.message}`);
}

/** Statistics for the fault campaign and the benchmark. */
export const writeStats = { sent: 0, lost: 0, foundAfterLoss: 0, resent: 0 };

/** A write whose answer was lost and whose effect could not be found (or looked for): nothing more was sent. */
export class LostWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LostWriteError";
  }
}

export async function guardedWrite<T>(w: GuardedWrite<T>, settleMs: number): Promise<Outcome<T>> {
  for (let attempt = 1; ; attempt++) {
    let lost: unknown;
    try {
      writeStats.sent++;
      return await w.send();
    } catch (e) {
      if (!mayHaveHappened(e)) throw e;
      lost = e;
    }
    writeStats.lost++;
    log(`orgstack: ${w.what} may or may not have happened (${(lost as Error).message}); looking for its effect before anything is sent again`);
    // A lost answer gets the settle window (the vendor may still be at it); a conflict is a finished
    // answer ("it exists"), so one look now is enough.
    const conflict = isVendorError(lost) && !lost.ambiguous;
    const found = w.effect || w.approval ? await settle(w, conflict ? 0 : settleMs) : undefined;
    if (found) {
      writeStats.foundAfterLoss++;
      log(`orgstack: ${w.what} is done (found after its answer was lost); it is not sent again`);
      return found;
    }
    // The vendor said it exists, yet it cannot be found: its own words explain more than ours.
    if (isVendorError(lost) && !lost.ambiguous) throw lost;
    if (w.once || attempt >= 2) {
      const looked = w.effect || w.approval ? ` and its effect has not appeared after ${Math.round(settleMs / 1000)} s` : "";
      throw new LostWriteError(
        `${w.what}: the answer was lost (${(lost as Error).message})${looked}. ` +
          (w.once
            ? w.whenLost ?? "It cannot be looked up, so orgstack does not send it again: check with the vendor whether it happened before running pulumi up again."
            : "orgstack sent it twice already and stops here rather than risk a duplicate: run pulumi up again later (it looks first), or check with the vendor."),
      );
    }
    writeStats.resent++;
    log(`orgstack: ${w.what} did not happen (no effect, no approval after ${Math.round(settleMs / 1000)} s); sending it once more`);
  }
}

/** Polls for the effect or the approval until the window closes. */
async function settle<T>(w: GuardedWrite<T>, settleMs: number): Promise<Outcome<T> | undefined> {
  const deadline = Date.now() + settleMs;
  let pause = 200;
  // Each look needs a read that started after the previous look ended (concurrent guards share it).
  let since = Date.now();
  for (;;) {
    try {
      const value = await w.effect?.(since);
      if (value !== undefined) return done(value);
      const approvalId = await w.approval?.(since);
      if (approvalId) return pending(approvalId);
    } catch (e) {
      if (!isVendorError(e)) throw e; // a failed look is not an answer: look again
    }
    if (Date.now() >= deadline) return undefined;
    await sleep(Math.min(pause, deadline - Date.now()));
    pause = Math.min(pause * 2, 2_000);
    since = Date.now();
  }
}
