// finhub:Activation: takes an organization to ACTIVE: KYB verification, the three consents,
// activation readiness, activation, then FinHub's asynchronous ACTIVATING state followed until ACTIVE.
//
//   create  first the vendor's rules, from the organization's personnel, before any compliance call:
//           at least one director, at least one ADMIN_USER employee, shareholdings (directors' and
//           shareholders' ownership) at exactly 100 %. Then POST .../verify (unless KYB is already
//           under way or done) and poll readiness until KYB is APPROVED; POST .../consents/{type} for
//           each consent not yet accepted; GET .../activation/readiness must say ready; POST
//           .../activation as an ADMIN_USER (or COMPLIANCE_OFFICER) employee of the organization
//           (X-User-ID, X-User-Roles, X-Forwarded-For); then poll until ACTIVE. A timeout records the
//           resource with status ACTIVATING (partial state), and the next pulumi up goes on waiting.
//   read    the organization's status and readiness; the organization gone = empty id.
//   update  accepts consents again for a changed consent version, and resumes a pending activation.
//   delete  FinHub documents no deactivation: the organization stays ACTIVE; only the stack forgets.
import { z } from "zod";
import { CheckResult, DiffResult, ResourceProvider, checkWith, sleep } from "../types";
import { Compliance, FinHubClient, Readiness } from "./client";
import { holdsAdmin } from "./employee";
import { client, everyone, listOrGone, only, organizationIdSchema, ownershipTotal, partialFailure, settingsFailures } from "./person";

export const CONSENTS = ["terms", "privacy", "data-processing"] as const;

export const activationInputs = z
  .object({
    organizationId: organizationIdSchema,
    consents: z
      .array(z.enum(CONSENTS, { error: (i) => `"${String(i.input)}" is not a FinHub consent: use terms, privacy, data-processing` }), {
        error: 'consents is required: ["terms", "privacy", "data-processing"] (all three are needed to activate)',
      })
      .transform((l) => [...new Set(l)].sort())
      .refine((l) => CONSENTS.every((c) => l.includes(c)), {
        message: 'FinHub activates an organization only after all three consents are accepted: list "terms", "privacy" and "data-processing"',
      }),
    /** The version of the legal documents accepted (FinHub's `version`). */
    consentVersion: z.string().trim().min(1).default("1.0"),
    /** The employee who acts (X-User-ID): default the first ADMIN_USER, else a COMPLIANCE_OFFICER. */
    actingEmployeeEmail: z.string().trim().toLowerCase().optional(),
    timeoutSeconds: z.number().int().min(1).max(86_400, { message: "timeoutSeconds must be at most 86400 (a day)" }).default(900),
    pollIntervalMs: z.number().int().min(10).max(300_000).default(5_000),
  })
  .strict();

export type ActivationInputs = z.infer<typeof activationInputs>;

export interface ActivationOutputs extends ActivationInputs {
  /** ACTIVE, or ACTIVATING while FinHub is still at it (the next pulumi up waits again). */
  status: string;
  kybStatus: string;
  verificationId: string;
  /** The consents accepted, with the version. */
  consentsAccepted: string[];
  /** The individual customer id of the employee who activated. */
  actingUserId: string;
}

const ACTIVATION_KEYS = ["organizationId", "consents", "consentVersion", "actingEmployeeEmail", "timeoutSeconds", "pollIntervalMs"] as const;
const ACTING_ROLES = ["ADMIN_USER", "COMPLIANCE_OFFICER"];

/** The vendor's activation rules, checked on the organization's personnel before any call. */
export async function activationViolations(c: FinHubClient, organizationId: string): Promise<string[]> {
  const all = await everyone(c, organizationId, true);
  const out: string[] = [];
  if (all.director.length < 1) out.push("activation needs at least one director: declare a finhub.Director for the organization");
  if (!all.employee.some(holdsAdmin)) out.push("activation needs at least one employee holding ADMIN_USER: declare a finhub.Employee with role ADMIN_USER");
  const total = ownershipTotal([...all.director, ...all.shareholder]);
  if (Math.abs(total - 100) > 0.001) {
    out.push(`ownershipPercentage: the shareholdings (directors' and shareholders' ownershipPercentage) total ${total}%; activation needs exactly 100%`);
  }
  return out;
}

async function actor(c: FinHubClient, inputs: ActivationInputs): Promise<Compliance> {
  const employees = await c.listEmployees(inputs.organizationId, true);
  const rolesOf = (e: any) => [...new Set([e.role, ...(e.roles ?? [])].filter(Boolean))] as string[];
  const eligible = employees.filter((e) => rolesOf(e).some((r) => ACTING_ROLES.includes(r)));
  let who = inputs.actingEmployeeEmail
    ? eligible.find((e) => String(e.person?.email ?? "").toLowerCase() === inputs.actingEmployeeEmail)
    : eligible.find(holdsAdmin) ?? eligible[0];
  if (!who) {
    throw new Error(
      inputs.actingEmployeeEmail
        ? `finhub: actingEmployeeEmail: ${inputs.actingEmployeeEmail} is not an employee of organization ${inputs.organizationId} holding ADMIN_USER or COMPLIANCE_OFFICER`
        : `finhub: only an ADMIN_USER or COMPLIANCE_OFFICER employee can activate organization ${inputs.organizationId}, and it has none`,
    );
  }
  if (!who.individualCustomerId) throw new Error(`finhub: FinHub listed employee ${who.person?.email} without an individual customer id`);
  return { userId: String(who.individualCustomerId), roles: rolesOf(who) };
}

async function waitFor(
  c: FinHubClient,
  inputs: ActivationInputs,
  deadline: number,
  what: string,
  done: (r: Readiness) => boolean,
  failed?: (r: Readiness) => string | undefined,
): Promise<Readiness | undefined> {
  for (;;) {
    const r = await c.readiness(inputs.organizationId);
    if (done(r)) return r;
    const why = failed?.(r);
    if (why) throw new Error(`finhub: ${why}`);
    if (Date.now() >= deadline) return undefined;
    console.log(`finhub: waiting for ${what} of organization ${inputs.organizationId} (status ${r.status}, KYB ${r.kybStatus})`);
    await sleep(Math.min(inputs.pollIntervalMs, Math.max(0, deadline - Date.now())));
  }
}

async function activate(c: FinHubClient, inputs: ActivationInputs, previous?: Partial<ActivationOutputs>): Promise<ActivationOutputs> {
  const { organizationId } = inputs;
  const deadline = Date.now() + inputs.timeoutSeconds * 1000;
  let outs: ActivationOutputs = {
    ...inputs,
    status: previous?.status ?? "REGISTERED",
    kybStatus: previous?.kybStatus ?? "NOT_STARTED",
    verificationId: previous?.verificationId ?? "",
    consentsAccepted: previous?.consentsAccepted ?? [],
    actingUserId: previous?.actingUserId ?? "",
  };

  let ready = await c.readiness(organizationId);
  if (ready.status === "ACTIVE" && sameList(outs.consentsAccepted, inputs.consents.map((x) => `${x}@${inputs.consentVersion}`))) {
    return { ...outs, status: "ACTIVE", kybStatus: String(ready.kybStatus ?? outs.kybStatus) };
  }
  if (ready.status !== "ACTIVE" && ready.status !== "ACTIVATING") {
    const violations = await activationViolations(c, organizationId);
    if (violations.length) throw new Error(`finhub: organization ${organizationId} cannot be activated yet: ${violations.join("; ")}`);
  }
  const who = await actor(c, inputs);
  outs.actingUserId = who.userId;

  if (ready.status !== "ACTIVE" && ready.kybStatus !== "APPROVED") {
    if (!ready.kybStatus || ready.kybStatus === "NOT_STARTED" || ready.kybStatus === "REJECTED") {
      const v = await c.verify(organizationId, who);
      outs.verificationId = String(v?.verificationId ?? outs.verificationId);
      console.log(`finhub: KYB verification ${outs.verificationId} of organization ${organizationId} started (${v?.status})`);
    }
    const after = await waitFor(c, inputs, deadline, "KYB verification", (r) => r.kybStatus === "APPROVED", (r) =>
      r.kybStatus === "REJECTED" ? `KYB verification of organization ${organizationId} was rejected; contact FinHub compliance with verification ${outs.verificationId}` : undefined,
    );
    if (!after) throw partialFailure(`finhub: KYB verification of organization ${organizationId} is still pending after ${inputs.timeoutSeconds} s; the next pulumi up waits again`, organizationId, { ...outs, kybStatus: "PENDING" });
    ready = after;
  }
  outs.kybStatus = String(ready.kybStatus ?? "APPROVED");

  const accepted: string[] = [];
  for (const consent of inputs.consents) {
    const key = `${consent}@${inputs.consentVersion}`;
    if (!ready.consents?.[consent] || !(previous?.consentsAccepted ?? []).includes(key)) await c.acceptConsent(organizationId, consent, inputs.consentVersion);
    accepted.push(key);
  }
  outs.consentsAccepted = accepted;

  if (ready.status !== "ACTIVE") {
    ready = await c.readiness(organizationId);
    if (ready.status !== "ACTIVE" && ready.status !== "ACTIVATING" && ready.ready === false) {
      throw new Error(`finhub: FinHub says organization ${organizationId} is not ready for activation: ${(ready.missing ?? []).join("; ") || "no reason given"}`);
    }
    if (ready.status === "ACTIVATING") {
      // Asked before (a timeout last time): wait for it, never ask FinHub a second time.
      outs.status = "ACTIVATING";
    } else {
      const res = await c.activate(organizationId, who);
      outs.status = String(res.data?.status ?? "ACTIVATING");
    }
    if (outs.status !== "ACTIVE") {
      const done = await waitFor(c, inputs, deadline, "activation", (r) => r.status === "ACTIVE");
      if (!done) {
        throw partialFailure(
          `finhub: organization ${organizationId} is still ACTIVATING after ${inputs.timeoutSeconds} s; the resource is recorded as ACTIVATING and the next pulumi up waits again`,
          organizationId,
          { ...outs, status: "ACTIVATING" },
        );
      }
      outs.status = "ACTIVE";
    }
  }
  return { ...outs, status: "ACTIVE" };
}

function sameList(a: string[], b: string[]): boolean {
  return JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
}

export const activation: ResourceProvider<ActivationInputs, ActivationOutputs> = {
  async check(_olds, news): Promise<CheckResult<ActivationInputs>> {
    const failures = settingsFailures();
    const result = checkWith(activationInputs, news);
    if (failures.length) return { failures: [...failures, ...(result.failures ?? [])] };
    return result;
  },

  async diff(_id, olds, news): Promise<DiffResult> {
    const replaces = olds.organizationId !== news.organizationId ? ["organizationId"] : [];
    const consentsChanged = !sameList(olds.consents ?? [], news.consents ?? []) || olds.consentVersion !== news.consentVersion;
    const settingsChanged =
      olds.timeoutSeconds !== news.timeoutSeconds || olds.pollIntervalMs !== news.pollIntervalMs || (olds.actingEmployeeEmail ?? "") !== (news.actingEmployeeEmail ?? "");
    // Not ACTIVE (a timeout last time, or deactivated by FinHub): update carries on.
    const notActive = olds.status !== "ACTIVE";
    return { changes: replaces.length > 0 || consentsChanged || settingsChanged || notActive, replaces };
  },

  async create(raw) {
    const inputs = activationInputs.parse(only(raw, ACTIVATION_KEYS));
    const outs = await activate(client(), inputs);
    return { id: inputs.organizationId, outs };
  },

  async read(id, props) {
    const c = client();
    const org = await c.getOrganization(props.organizationId ?? id);
    if (!org) return { id: "" };
    const r = await listOrGone(() => c.readiness(props.organizationId ?? id));
    const outs = { ...props, status: String(org.status ?? r?.status ?? props.status), kybStatus: String(r?.kybStatus ?? org.kybStatus ?? props.kybStatus) };
    const inputs: any = {};
    for (const k of ["organizationId", "consents", "consentVersion", "actingEmployeeEmail", "timeoutSeconds", "pollIntervalMs"] as const) {
      if (props[k] !== undefined) inputs[k] = props[k];
    }
    return { id, props: outs, inputs };
  },

  async update(_id, olds, raw) {
    const news = activationInputs.parse(only(raw, ACTIVATION_KEYS));
    const previous = olds.consentVersion === news.consentVersion ? olds : { ...olds, consentsAccepted: [] };
    return { outs: await activate(client(), news, previous) };
  },

  async delete(id, props) {
    console.log(
      `finhub: FinHub documents no deactivation; organization ${props.organizationId ?? id} stays ${props.status ?? "ACTIVE"} and only leaves the stack`,
    );
  },
};
