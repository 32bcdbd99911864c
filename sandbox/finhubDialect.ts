// The FinHub "dialect": knobs that make the sandbox serve, instead of the documented shape, one of the
// contradictory alternatives that ../shared/vendor-docs/finhub-responses.md tells a client to tolerate.
// The default is the documented shape (or the sandbox's choice where FinHub documents nothing). The
// dialect lives in the FinHub state (state.finhub.dialect) so it survives a state-file reload; a reset
// (POST /__sandbox/reset) restores the defaults. Set with POST /__sandbox/finhub/dialect { knob: value }.
import { Json, SandboxError } from "./server";

export interface FinHubDialect {
  /** Generated credentials in director and employee add answers: none (default), in `data.individual`, or at the top of `data`. */
  credentials: "absent" | "individual" | "top";
  /** Shareholder list: `data.shareholders[]` (default) or `data` as a bare array. */
  shareholdersList: "wrapped" | "bare";
  /** Key of a shareholder item (add answer and list). */
  shareholderKey: "shareholderId" | "id";
  /** Name of the percentage in a shareholder list item. */
  percentageField: "ownershipPercentage" | "sharePercentage";
  /** Shareholder add answer: always an array (default) or one object when one shareholder was sent. */
  shareholderAdd: "array" | "single";
  /** HTTP status of a successful director, shareholder or employee add. */
  addStatus: 200 | 201;
  /** HTTP status of a successful removal: 204 without a body (default) or 200 with an envelope. */
  deleteStatus: 204 | 200;
  /** Success envelope: per endpoint as documented (default), or everywhere `{code,message,data}`, `{success,data}`, or both flags. */
  envelope: "documented" | "code" | "success" | "both";
  /** Whether GET organization carries `data.status`. */
  organizationStatus: "present" | "absent";
}

export const DEFAULT_DIALECT: FinHubDialect = {
  credentials: "absent",
  shareholdersList: "wrapped",
  shareholderKey: "shareholderId",
  percentageField: "ownershipPercentage",
  shareholderAdd: "array",
  addStatus: 200,
  deleteStatus: 204,
  envelope: "documented",
  organizationStatus: "present",
};

/** Every value each knob takes; the first is the default. */
export const DIALECT_CHOICES: { [K in keyof FinHubDialect]: readonly FinHubDialect[K][] } = {
  credentials: ["absent", "individual", "top"],
  shareholdersList: ["wrapped", "bare"],
  shareholderKey: ["shareholderId", "id"],
  percentageField: ["ownershipPercentage", "sharePercentage"],
  shareholderAdd: ["array", "single"],
  addStatus: [200, 201],
  deleteStatus: [204, 200],
  envelope: ["documented", "code", "success", "both"],
  organizationStatus: ["present", "absent"],
};

/** The dialect with `patch` applied; an unknown knob or value is refused (400) and nothing changes. */
export function mergeDialect(current: FinHubDialect, patch: Json): FinHubDialect {
  if (!patch || typeof patch !== "object" || Array.isArray(patch)) throw new SandboxError(400, "the dialect is an object of knobs", "BadDialect");
  const next: Json = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    const choices = (DIALECT_CHOICES as Record<string, readonly unknown[]>)[k];
    if (!choices) throw new SandboxError(400, `unknown dialect knob ${k}; knobs: ${Object.keys(DIALECT_CHOICES).join(", ")}`, "BadDialect");
    if (!choices.includes(v)) throw new SandboxError(400, `dialect ${k} must be one of ${choices.join(", ")}`, "BadDialect");
    next[k] = v;
  }
  return next as FinHubDialect;
}

/** Which success envelope an endpoint's own page shows. */
export type DocumentedEnvelope = "code" | "success";

/**
 * A success body. `documented` is the endpoint's own envelope; the dialect may override it. `message`
 * undefined means the documented answer has none (the list pages); the code form still needs one.
 * `data` undefined means no `data` key at all (consents, role change).
 */
export function envelope(d: FinHubDialect, documented: DocumentedEnvelope, status: number, message: string | undefined, data?: Json): Json {
  const form = d.envelope === "documented" ? documented : d.envelope;
  const withData = data === undefined ? {} : { data };
  if (form === "code") return { code: status, message: message ?? "Success", ...withData };
  if (form === "success") return { success: true, ...(message === undefined ? {} : { message }), ...withData };
  return { code: status, success: true, message: message ?? "Success", ...withData };
}
