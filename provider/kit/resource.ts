// One lifecycle for every resource. A resource declares its schema (inputs and outputs, built from
// fields.ts) and the steps that are particular to its vendor: find the object, flatten the vendor's
// answer into outputs, and the create / update / remove calls. Everything else lives here, once:
//   check    the schema, with messages that name the field and the fix, unknown values at preview;
//   diff     from the schema: a changed field updates in place, or replaces when it is marked so;
//   create   adopt-or-create: an object already there is taken over (when it matches, or as the
//            adoptExisting input says), an open approval to make it is waited on instead of asked
//            again, and the write itself is guarded (writes.ts);
//   read     gone on "not found" (an empty id), fields the vendor does not show keep their declared
//            value (unknown is not drift), and it works from the id alone (import);
//   update   only what changed; an open approval for the same change is reused;
//   delete   "already gone" is success; an approval still open is reported and never asked twice;
//   approvals the waitForApproval input, the state/pendingApprovalId outputs, partial state on timeout.
// Secrets: secret inputs and outputs are registered (secrets.ts) as soon as they are seen.
import { z } from "zod";
import { CheckFailure, UNKNOWN, checkInputs, containsUnknown, withoutPulumiKeys } from "./check";
import { FieldMeta, bool, field, int, metaOf, oneOf } from "./fields";
import { IdFormat } from "./ids";
import { addSecretsIn, log } from "./secrets";
import { GuardedWrite, Outcome, guardedWrite } from "./writes";
import { pick, same, sleep } from "./util";

// ---- what a resource declares ----

export type Action = "create" | "update" | "delete";
export type ApprovalState = "open" | "approved" | "rejected";

/** A vendor as the kit needs it: a client for the stack's settings, and its approvals if it has any. */
export interface Vendor<C> {
  name: string;
  client(): C;
  /** How long a lost write is given to show its effect (writes.ts). */
  settleMs(c: C): number;
  /** Settings missing or wrong, reported at preview. */
  settingsFailures?(): CheckFailure[];
  approvals?: {
    /** Where an approval stands now (a fresh read); an approval that is gone counts as rejected. */
    state(c: C, approvalId: string): Promise<ApprovalState>;
    /** Withdraws an approval nobody has decided (the resource is destroyed before it was approved). */
    withdraw(c: C, approvalId: string): Promise<void>;
  };
}

/** What is known of an object: its id (read, delete, import), the inputs (create) or the outputs in state. */
export interface Ref<I, O> {
  id?: string;
  inputs?: I;
  olds?: O;
}

export interface Ctx<C, Cur> {
  c: C;
  /** Runs a write with explicit guards (writes.ts). */
  write<T>(w: GuardedWrite<T>): Promise<Outcome<T>>;
  /** Runs the operation's write, guarded by the resource's own find and openApproval. */
  guarded(what: string, send: () => Promise<Outcome<unknown>>): Promise<Outcome<Cur>>;
}

export interface ResourceSpec<C, IS extends z.ZodRawShape, OS extends z.ZodRawShape, Cur> {
  /** The type token, "bitgo:EnterpriseUser". */
  type: string;
  doc: string;
  vendor: Vendor<C>;
  inputs: IS;
  outputs: OS;
  id: IdFormat<string>;
  /**
   * "input": an object already there is taken over when it matches, as the adoptExisting input says;
   * "own": an object found is this resource's own (found by its idempotency key), always taken over.
   */
  adopt: "input" | "own";
  /** The vendor's changes may wait for another person's approval (BitGo). */
  approvals?: boolean;
  /** Rules across fields that zod cannot say; `olds` are the previous inputs (undefined for a new object). */
  rules?(inputs: Inputs<IS>, olds: Partial<Inputs<IS>> | undefined): CheckFailure[];
  /** Replacements the field marks cannot say (they depend on the values). */
  replaces?(olds: Outputs<IS, OS>, news: Inputs<IS>): string[];
  deleteBeforeReplace?(olds: Outputs<IS, OS>, news: Inputs<IS>, replaces: string[]): boolean;

  /**
   * The object as the vendor has it, or undefined. `since`: only a read that started at or after that
   * moment will do (a lost write's effect, an approval just decided); without it a cached read is fine.
   */
  find(ctx: Ctx<C, Cur>, ref: Ref<Inputs<IS>, Outputs<IS, OS>>, since?: number): Promise<Cur | undefined>;
  /** The id of the object found (or, for an approval still open, of the inputs alone). */
  idOf(cur: Cur | undefined, inputs: Partial<Inputs<IS>>): string;
  /** Outputs and inputs as the vendor shows them; a field left out is unknown and keeps its declared value. */
  flatten(cur: Cur, declared: Partial<Inputs<IS>>): Partial<Inputs<IS> & Outputs<IS, OS>>;
  /** The object is not finished (an activation still under way): diff plans an update, which carries on. */
  unfinished?(olds: Outputs<IS, OS>): boolean;
  /** An object found that no longer does anything (a cancelled share): delete has nothing to take away. */
  isGone?(cur: Cur): boolean;
  /** Outputs that follow from the inputs and outputs alone (no vendor call), such as a note on what delete does. */
  derive?(outs: Outputs<IS, OS>): Partial<Outputs<IS, OS>>;
  /** Why an object already there cannot be taken over as declared (default: the fields that differ). */
  adoptable?(cur: Cur, inputs: Inputs<IS>): string | undefined;
  create(ctx: Ctx<C, Cur>, inputs: Inputs<IS>): Promise<Outcome<Cur>>;
  update?(ctx: Ctx<C, Cur>, olds: Outputs<IS, OS>, news: Inputs<IS>, changed: string[], cur: Cur | undefined): Promise<Outcome<Cur>>;
  remove(ctx: Ctx<C, Cur>, olds: Outputs<IS, OS>, cur: Cur): Promise<Outcome<unknown>>;
  /** The open approval that would make this change, so a rerun waits on it instead of asking again. */
  openApproval?(ctx: Ctx<C, Cur>, ref: Ref<Inputs<IS>, Outputs<IS, OS>>, action: Action, cur?: Cur, since?: number): Promise<string | undefined>;
}

// ---- the fields the kit adds ----

const waitForApproval = field(
  z
    .object({
      timeoutSeconds: int(1, 86_400, " seconds (a day at most)"),
      pollSeconds: z.number({ error: "must be a number of seconds" }).min(0.05, { message: "must be at least 0.05" }).max(300, { message: "must be at most 300" }).default(5),
    })
    .strict()
    .optional(),
  {
    behaviour: true,
    doc:
      "When a change needs another admin's approval, wait for the decision (polling every pollSeconds, up to timeoutSeconds) instead of recording the resource as pending. A rejection fails with a clear error; a timeout keeps the resource as pending and the next pulumi up waits again.",
  },
);

const adoptExisting = field(oneOf(["matching", "always", "never"], "adoptExisting value").default("matching"), {
  behaviour: true,
  doc: 'What create does when the object already exists: "matching" (default) takes it over when it matches the declaration and fails otherwise; "always" takes it over and changes it to match; "never" fails.',
});

const approvalOutputs = {
  state: field(oneOf(["active", "pending"]), { doc: '"active", or "pending" while the change waits for another admin\'s approval.' }),
  pendingApprovalId: field(z.string(), { doc: "The approval the change waits for; empty when none." }),
};
const adoptedOutput = { adopted: field(bool(), { doc: "True when create found the object already there and took it over." }) };

// ---- types derived from the declaration ----

type StdInputs = { waitForApproval: typeof waitForApproval; adoptExisting: typeof adoptExisting };
export type Inputs<IS extends z.ZodRawShape> = z.output<z.ZodObject<IS>> & { waitForApproval?: { timeoutSeconds: number; pollSeconds: number }; adoptExisting?: "matching" | "always" | "never" };
export type Outputs<IS extends z.ZodRawShape, OS extends z.ZodRawShape> = Inputs<IS> &
  z.output<z.ZodObject<OS>> & { state?: string; pendingApprovalId?: string; adopted?: boolean };

/** The inputs a program writes (defaults optional), as the SDK's Args type derives them. */
export type ArgsOf<IS extends z.ZodRawShape, A, D> = z.input<z.ZodObject<IS>> &
  (A extends true ? { waitForApproval?: { timeoutSeconds: number; pollSeconds?: number } } : {}) &
  (D extends "input" ? { adoptExisting?: "matching" | "always" | "never" } : {});
/** Every output, as the SDK's output properties derive them. */
export type OutsOf<IS extends z.ZodRawShape, OS extends z.ZodRawShape, A> = z.output<z.ZodObject<IS>> &
  z.output<z.ZodObject<OS>> & { adopted: boolean } & (A extends true ? { state: "active" | "pending"; pendingApprovalId: string } : {});

/** What the registry, the SDK and the package schema see of a resource. */
export interface Resource<Args = any, Outs = any> {
  /** Types only (never set): what a program passes and what it gets back. */
  readonly types?: { args: Args; outs: Outs };
  type: string;
  doc: string;
  /** The inputs schema users write (with the kit's own fields), strict. */
  inputSchema: z.ZodObject<any>;
  /** Every output: the recorded inputs, the resource's outputs and the kit's. */
  outputShape: Record<string, z.ZodType>;
  id: IdFormat<string>;
  inputKeys: string[];
  secretInputs: string[];
  secretOutputs: string[];
  replaceOnChange: string[];
  check(olds: unknown, news: unknown): Promise<{ inputs?: any; failures?: CheckFailure[] }>;
  diff(id: string, olds: any, news: any): Promise<DiffResult>;
  create(inputs: any): Promise<{ id: string; outs: any }>;
  read(id: string, props: any): Promise<{ id: string; props?: any; inputs?: any }>;
  update(id: string, olds: any, news: any): Promise<{ outs: any }>;
  delete(id: string, props: any): Promise<void>;
}

export interface DiffResult {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
  /** Every input that differs (in place or replacing): the detailed diff. */
  changed: string[];
}

/** An error that still records the resource (Pulumi's partial state), so the next run picks it up. */
export function partialFailure(message: string, id: string, outs: object): Error {
  return Object.assign(new Error(message), { id, properties: stripUndefined(outs), reasons: [message] });
}

export function stripUndefined<T>(v: T): T {
  if (Array.isArray(v)) return v.map(stripUndefined) as unknown as T;
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, stripUndefined(x)])) as T;
  return v;
}

// ---- the lifecycle ----

/**
 * Declares a resource. `Cur` is the vendor's object as the resource reads it (what `find` returns);
 * the rest is inferred from the declaration: `defineResource<Current>()({ ... })`.
 */
export function defineResource<Cur>() {
  return <C, IS extends z.ZodRawShape, OS extends z.ZodRawShape, A extends boolean | undefined = undefined, D extends "input" | "own" = "own">(
    spec: ResourceSpec<C, IS, OS, Cur> & { approvals?: A; adopt: D },
  ): Resource<ArgsOf<IS, A, D>, OutsOf<IS, OS, A>> => lifecycle(spec);
}

function lifecycle<C, IS extends z.ZodRawShape, OS extends z.ZodRawShape, Cur>(spec: ResourceSpec<C, IS, OS, Cur>): Resource {
  type I = Inputs<IS>;
  type O = Outputs<IS, OS>;
  const std: Partial<StdInputs> = {};
  if (spec.approvals) std.waitForApproval = waitForApproval;
  if (spec.adopt === "input") std.adoptExisting = adoptExisting;
  const inputShape = { ...spec.inputs, ...std } as unknown as Record<string, z.ZodType>;
  const inputSchema = z.object(inputShape).strict();
  const metas = Object.fromEntries(Object.entries(inputShape).map(([k, s]) => [k, metaOf(s)])) as Record<string, FieldMeta>;
  const inputKeys = Object.keys(inputShape);
  const recordedKeys = inputKeys.filter((k) => !metas[k].writeOnly);
  const comparedKeys = recordedKeys.filter((k) => !metas[k].behaviour);
  const outputShape: Record<string, z.ZodType> = {
    ...Object.fromEntries(recordedKeys.map((k) => [k, inputShape[k]])),
    ...spec.outputs,
    ...(spec.approvals ? approvalOutputs : {}),
    ...adoptedOutput,
  };
  const secretInputs = inputKeys.filter((k) => metas[k].secret);
  const secretOutputs = Object.keys(spec.outputs).filter((k) => metaOf(spec.outputs[k] as z.ZodType).secret);

  const recorded = (o: Partial<O> | Partial<I> | undefined): Partial<I> => {
    const out: any = {};
    for (const k of recordedKeys) if ((o as any)?.[k] !== undefined) out[k] = (o as any)[k];
    return out;
  };
  /** Recorded inputs from state with the schema's defaults filled in (state written by an older version may lack them). */
  const normalized = (o: Partial<O> | undefined): Partial<I> => {
    const r = recorded(o);
    const parsed = inputSchema.partial().safeParse(r);
    return parsed.success ? (parsed.data as Partial<I>) : r;
  };
  const parseInputs = (raw: unknown): I => {
    // Only the inputs: what the engine passes may carry outputs recorded by an older version.
    const r = checkInputs(spec.type, inputSchema, pick((raw ?? {}) as object, inputKeys));
    if (r.failures?.length) throw new Error(`${spec.type}: ${r.failures.map((f) => f.reason).join("; ")}`);
    addSecretsIn(secretInputs.map((k) => (r.inputs as any)[k]));
    return r.inputs as I;
  };
  const remember = (outs: any) => addSecretsIn(secretOutputs.map((k) => outs?.[k]));

  /** The vendor's view of the object: only what it shows (a field it leaves out keeps its declared value). */
  const shownBy = (cur: Cur | undefined, declared: Partial<I>) => (cur === undefined ? {} : stripUndefined(spec.flatten(cur, declared)));

  function outputsOf(cur: Cur | undefined, inputs: Partial<I>, extra: Partial<O> = {}): O {
    const outs: any = { ...recorded(inputs), adopted: false, ...shownBy(cur, inputs), ...stripUndefined(extra) };
    if (spec.approvals) outs.state ??= "active";
    if (spec.approvals) outs.pendingApprovalId ??= "";
    for (const k of inputKeys) if (metas[k].behaviour && (inputs as any)[k] !== undefined) outs[k] = (inputs as any)[k];
    return finish(outs);
  }

  /** Derived outputs filled in, secrets registered, undefined left out. */
  function finish(outs: any): O {
    Object.assign(outs, stripUndefined(spec.derive?.(outs) ?? {}));
    remember(outs);
    return stripUndefined(outs);
  }

  /** Whether an input differs from what is recorded (an omitted computed input is no change). */
  const differs = (k: string, recordedValue: unknown, declared: unknown) => !(metas[k].computedWhenOmitted && declared === undefined) && !same(recordedValue, declared);

  function context(c: C, action: Action, ref: Ref<I, O>, changed: string[] = []): Ctx<C, Cur> {
    const settleMs = spec.vendor.settleMs(c);
    const ctx: Ctx<C, Cur> = {
      c,
      write: (w) => guardedWrite(w, settleMs),
      guarded: (what, send) =>
        guardedWrite<Cur>(
          {
            what,
            send: send as () => Promise<Outcome<Cur>>,
            effect: async (since) => {
              const cur = await spec.find(ctx, ref, since);
              if (action === "delete") return cur === undefined || spec.isGone?.(cur) ? ({} as Cur) : undefined;
              if (cur === undefined) return undefined;
              if (action === "update") {
                const shown = shownBy(cur, ref.inputs ?? {}) as any;
                return changed.every((k) => shown[k] === undefined || same(shown[k], (ref.inputs as any)?.[k])) ? cur : undefined;
              }
              return cur;
            },
            approval: spec.openApproval ? (since) => spec.openApproval!(ctx, ref, action, undefined, since) : undefined,
          },
          settleMs,
        ),
    };
    return ctx;
  }

  /** After a change came back waiting for approval: wait if asked to, else record it as pending. */
  async function settleApproval(c: C, ctx: Ctx<C, Cur>, ref: Ref<I, O>, outs: O, what: string): Promise<O> {
    const id = spec.idOf(undefined, outs);
    const wait = (outs as any).waitForApproval as I["waitForApproval"];
    if (!wait) {
      log(`${spec.vendor.name}: ${what} awaits approval ${outs.pendingApprovalId} by another admin; recorded as "pending" until then (pulumi refresh or up picks up the decision)`);
      return outs;
    }
    const decision = await waitForDecision(c, outs.pendingApprovalId!, wait, what);
    if (decision === "rejected") {
      throw new Error(`${spec.vendor.name}: approval ${outs.pendingApprovalId} for ${what} was rejected; nothing changed. Ask the approving admin why, then run pulumi up again to ask anew.`);
    }
    if (decision === "open") {
      throw partialFailure(
        `${spec.vendor.name}: approval ${outs.pendingApprovalId} for ${what} is still pending after ${wait.timeoutSeconds} s; the resource is recorded as pending and the next pulumi up waits again`,
        id,
        outs,
      );
    }
    const cur = await spec.find(ctx, ref, Date.now());
    return outputsOf(cur, { ...(ref.inputs ?? recorded(outs)), ...behaviourOf(outs) } as Partial<I>, { state: "active", pendingApprovalId: "", adopted: outs.adopted } as Partial<O>);
  }

  async function waitForDecision(c: C, approvalId: string, wait: { timeoutSeconds: number; pollSeconds: number }, what: string): Promise<ApprovalState> {
    const deadline = Date.now() + wait.timeoutSeconds * 1000;
    for (;;) {
      const state = await spec.vendor.approvals!.state(c, approvalId);
      if (state !== "open" || Date.now() >= deadline) return state;
      log(`${spec.vendor.name}: waiting for approval ${approvalId} (${what})`);
      await sleep(Math.min(wait.pollSeconds * 1000, Math.max(0, deadline - Date.now())));
    }
  }

  const behaviourOf = (o: any) => Object.fromEntries(inputKeys.filter((k) => metas[k].behaviour && o?.[k] !== undefined).map((k) => [k, o[k]]));

  function differences(cur: Cur, inputs: I): string | undefined {
    if (spec.adoptable) return spec.adoptable(cur, inputs);
    const shown = shownBy(cur, inputs) as any;
    const differ = comparedKeys.filter((k) => shown[k] !== undefined && !same(shown[k], (inputs as any)[k]));
    return differ.length ? differ.map((k) => `${k} is ${JSON.stringify(shown[k])} there, ${JSON.stringify((inputs as any)[k])} here`).join("; ") : undefined;
  }

  async function update(id: string, olds: O, news: I): Promise<{ outs: O }> {
    const c = spec.vendor.client();
    const ref: Ref<I, O> = { id, inputs: news, olds };
    let base = olds;
    if (spec.approvals && olds.state === "pending" && olds.pendingApprovalId) {
      const ctx = context(c, "update", ref);
      const state = news.waitForApproval ? await waitForDecision(c, olds.pendingApprovalId, news.waitForApproval, `the change to ${id}`) : await spec.vendor.approvals!.state(c, olds.pendingApprovalId);
      if (state === "open") {
        if (news.waitForApproval) throw partialFailure(`${spec.vendor.name}: approval ${olds.pendingApprovalId} for ${id} is still pending after ${news.waitForApproval.timeoutSeconds} s; the next pulumi up waits again`, id, { ...olds, ...behaviourOf(news) });
        log(`${spec.vendor.name}: ${id} still awaits approval ${olds.pendingApprovalId}; nothing more is sent until it is decided`);
        return { outs: finish({ ...olds, ...behaviourOf(news) }) };
      }
      const cur = await spec.find(ctx, ref, Date.now());
      if (!cur) throw new Error(`${spec.vendor.name}: ${id} is not there: its approval ${olds.pendingApprovalId} was ${state}. Run pulumi refresh, then pulumi up to ask again.`);
      base = outputsOf(cur, recorded(olds), { adopted: olds.adopted, state: "active", pendingApprovalId: "" } as Partial<O>);
    }
    const previous = normalized(base) as any;
    const changed = comparedKeys.filter((k) => differs(k, previous[k], (news as any)[k]));
    if (changed.length === 0 && !spec.unfinished?.(base)) return { outs: finish({ ...base, ...recorded(news), ...behaviourOf(news) }) };
    if (!spec.update) throw new Error(`${spec.type}: ${changed.join(", ")} cannot change in place; this change replaces the object`);
    const ctx = context(c, "update", ref, changed);
    const waiting = await spec.openApproval?.(ctx, ref, "update");
    const outcome: Outcome<Cur> = waiting ? { done: false, approvalId: waiting } : await spec.update(ctx, base, news, changed, await spec.find(ctx, ref));
    if (!outcome.done) {
      // Until approved the object keeps its old values; the pending state says why.
      const outs = finish({ ...base, ...behaviourOf(news), state: "pending", pendingApprovalId: outcome.approvalId });
      return { outs: await settleApproval(c, ctx, ref, outs, `the change of ${changed.join(", ")} on ${id}`) };
    }
    const cur = outcome.value ?? (await spec.find(ctx, ref, Date.now()));
    if (!cur) throw new Error(`${spec.vendor.name}: ${id} is no longer there; run pulumi refresh, then pulumi up to make it again`);
    return { outs: outputsOf(cur, news, { adopted: base.adopted } as Partial<O>) };
  }

  const resource: Resource = {
    type: spec.type,
    doc: spec.doc,
    inputSchema,
    outputShape,
    id: spec.id,
    inputKeys,
    secretInputs,
    secretOutputs,
    replaceOnChange: inputKeys.filter((k) => metas[k].replaceOnChange),

    async check(olds, news) {
      const settings = spec.vendor.settingsFailures?.() ?? [];
      const r = checkInputs(spec.type, inputSchema, news);
      const failures = [...settings, ...(r.failures ?? [])];
      if (r.inputs && !containsUnknown(r.inputs)) {
        addSecretsIn(secretInputs.map((k) => (r.inputs as any)[k]));
        const previous = withoutPulumiKeys(olds);
        failures.push(...(spec.rules?.(r.inputs as I, Object.keys(previous).length ? (previous as Partial<I>) : undefined) ?? []));
      }
      return failures.length ? { failures } : { inputs: r.inputs };
    },

    async diff(_id, olds: O, raw: I) {
      // Both sides with the schema's defaults filled in; values not known yet stay as they came.
      const previous = normalized(olds) as any;
      const news = (containsUnknown(raw) ? raw : { ...raw, ...normalized(raw as Partial<O>) }) as I;
      const changed: string[] = [];
      let behaviourChanged = false;
      for (const k of recordedKeys) {
        if (!differs(k, previous[k], (news as any)[k])) continue;
        if (metas[k].behaviour) behaviourChanged = true;
        else changed.push(k);
      }
      const replaces = changed.filter((k) => metas[k].replaceOnChange);
      if (!containsUnknown(news)) for (const k of spec.replaces?.(olds, news) ?? []) if (!replaces.includes(k)) replaces.push(k);
      const waitingOnApproval = !!spec.approvals && olds.state === "pending" && !!(news as any).waitForApproval;
      return {
        changes: changed.length > 0 || replaces.length > 0 || behaviourChanged || waitingOnApproval || !!spec.unfinished?.(olds),
        replaces,
        deleteBeforeReplace: replaces.length > 0 && !!spec.deleteBeforeReplace?.(olds, news, replaces),
        changed: [...new Set([...changed, ...replaces])],
      };
    },

    async create(raw) {
      const inputs = parseInputs(raw);
      const c = spec.vendor.client();
      const ref: Ref<I, O> = { inputs };
      const ctx = context(c, "create", ref);

      const existing = await spec.find(ctx, ref);
      if (existing !== undefined) {
        const id = spec.idOf(existing, inputs);
        if (spec.adopt === "own") {
          log(`${spec.vendor.name}: ${id} was already made by an earlier attempt of this resource; taking it over instead of making a second`);
          return { id, outs: outputsOf(existing, inputs, { adopted: true } as Partial<O>) };
        }
        const why = differences(existing, inputs);
        if (inputs.adoptExisting === "never" || (why && inputs.adoptExisting !== "always")) {
          throw new Error(
            `${spec.vendor.name}: ${id} already exists${why ? `, and differs from the stack: ${why}` : ""}. ` +
              (inputs.adoptExisting === "never"
                ? 'adoptExisting is "never": remove it from the vendor first, or set adoptExisting: "matching" to take it over.'
                : 'Declare what it has so orgstack takes it over (or `pulumi import` it with the provider plugin), or set adoptExisting: "always" to take it over and change it to match.'),
          );
        }
        log(`${spec.vendor.name}: ${id} already exists; taking it over instead of making it again`);
        const adopted = outputsOf(existing, inputs, { adopted: true } as Partial<O>);
        if (!why) return { id, outs: adopted };
        const { outs } = await update(id, adopted, inputs);
        return { id, outs: { ...outs, adopted: true } };
      }

      const waiting = spec.approvals ? await spec.openApproval?.(ctx, ref, "create") : undefined;
      const outcome = waiting ? ({ done: false, approvalId: waiting } as Outcome<Cur>) : await spec.create(ctx, inputs);
      if (!outcome.done) {
        if (waiting) log(`${spec.vendor.name}: an approval to make ${spec.idOf(undefined, inputs)} is already waiting (${waiting}); using it instead of asking again`);
        const outs = outputsOf(undefined, inputs, { state: "pending", pendingApprovalId: outcome.approvalId } as Partial<O>);
        return { id: spec.idOf(undefined, inputs), outs: await settleApproval(c, ctx, ref, outs, `making ${spec.idOf(undefined, inputs)}`) };
      }
      const cur = outcome.value ?? (await spec.find(ctx, ref, Date.now()));
      if (cur === undefined) throw new Error(`${spec.vendor.name}: the vendor accepted ${spec.type} but it cannot be found afterwards; run pulumi refresh, then pulumi up`);
      return { id: spec.idOf(cur, inputs), outs: outputsOf(cur, inputs) };
    },

    async read(id, props: O) {
      const c = spec.vendor.client();
      let olds = props ?? ({} as O);
      const ref: Ref<I, O> = { id, olds };
      const ctx = context(c, "update", ref);
      let since: number | undefined;
      if (spec.approvals && olds.state === "pending" && olds.pendingApprovalId) {
        const state = await spec.vendor.approvals!.state(c, olds.pendingApprovalId);
        if (state === "open") return { id, props: olds, inputs: { ...recorded(olds), ...behaviourOf(olds) } };
        if (state === "rejected") log(`${spec.vendor.name}: approval ${olds.pendingApprovalId} for ${id} was rejected`);
        olds = { ...olds, state: "active", pendingApprovalId: "" };
        since = Date.now(); // the decision just changed the object: what this run read before is stale
      }
      const cur = await spec.find(ctx, { ...ref, olds }, since);
      if (cur === undefined) return { id: "" };
      const declared = recorded(olds);
      const outs = outputsOf(cur, declared, { ...olds, ...shownBy(cur, declared) } as Partial<O>);
      const inputs = inputSchema.safeParse({ ...recorded(outs), ...behaviourOf(olds) });
      return { id, props: outs, inputs: inputs.success ? inputs.data : { ...recorded(outs), ...behaviourOf(olds) } };
    },

    async update(id, olds: O, raw) {
      return update(id, olds, parseInputs(raw));
    },

    async delete(id, props: O) {
      const c = spec.vendor.client();
      const ref: Ref<I, O> = { id, olds: props, inputs: recorded(props) as I };
      const ctx = context(c, "delete", ref);
      if (spec.approvals && props.state === "pending" && props.pendingApprovalId) {
        if ((await spec.vendor.approvals!.state(c, props.pendingApprovalId)) === "open") {
          await spec.vendor.approvals!.withdraw(c, props.pendingApprovalId);
          log(`${spec.vendor.name}: withdrew approval ${props.pendingApprovalId} that ${id} was waiting for`);
        }
      }
      const cur = await spec.find(ctx, ref);
      if (cur === undefined || spec.isGone?.(cur)) {
        log(`${spec.vendor.name}: ${id} was already gone`);
        return;
      }
      const waiting = await spec.openApproval?.(ctx, ref, "delete", cur);
      const outcome = waiting ? ({ done: false, approvalId: waiting } as Outcome<unknown>) : await spec.remove(ctx, props, cur);
      if (outcome.done) return;
      const wait = (props as any).waitForApproval as I["waitForApproval"];
      const decision = wait ? await waitForDecision(c, outcome.approvalId, wait, `removing ${id}`) : "open";
      if (decision === "approved") return;
      throw new Error(
        decision === "rejected"
          ? `${spec.vendor.name}: the removal of ${id} was rejected (approval ${outcome.approvalId}); it stays`
          : `${spec.vendor.name}: removing ${id} needs another admin's approval (pending approval ${outcome.approvalId}${waiting ? ", asked for by an earlier run" : ""}). ` +
              `Approve it in ${spec.vendor.name === "bitgo" ? "BitGo" : "the vendor"}, then run the same command again (it will not ask twice); or set waitForApproval to wait for it.`,
      );
    },
  };
  return resource;
}

export { UNKNOWN };
