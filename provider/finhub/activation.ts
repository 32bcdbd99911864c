// finhub:Activation: takes an organization to ACTIVE. FinHub's documented path: KYB verification
// (POST .../verify), the three consents (POST .../consents/{type}), then POST .../activation as an
// ADMIN_USER or COMPLIANCE_OFFICER employee (X-User-ID is that employee's data.individual.userId, the
// Employee resource's userId output). The organization's status moves PENDING_VERIFICATION ->
// PENDING_ACTIVATION (KYB approved) -> ACTIVATING -> ACTIVE; the activation answer's status is at
// data.activation.status. Readiness is not called: its answer for organizations is undocumented, and
// the activation call's own refusal (422, naming what is missing) is the documented signal.
//
// Exactly once: a verification whose answer is lost is recorded as requested, waited for and never
// asked for again; an activation whose answer is lost is looked for in the organization's status
// first. Any failure after the first compliance call records what was done (partial state), and a
// timeout records the resource as still under way: the next pulumi up carries on (never asks twice).
// Where the organization's answer shows no status (undocumented), KYB cannot be watched (a 422 on
// activation means "not yet" and is asked again) and the activation route's own answer is polled.
// Delete: FinHub documents no deactivation; the organization stays ACTIVE and only the stack forgets it.
import { z } from "zod";
import { field, int, list, oneOf, text, uuid } from "../kit/fields";
import { vendorId } from "../kit/ids";
import { Ctx, defineResource, partialFailure } from "../kit/resource";
import { log } from "../kit/secrets";
import { envNumber, sleep } from "../kit/util";
import { LostWriteError, done } from "../kit/writes";
import * as api from "./api";
import { Actor, FinHubClient, isVendorError } from "./client";
import { EMPLOYEE_ROLES } from "./people";
import { finhub } from "./vendor";

export const CONSENTS = ["terms", "privacy", "data-processing"] as const;
const AFTER_KYB = ["PENDING_ACTIVATION", "ACTIVATING", "ACTIVE"];

const id = vendorId("finhub:Activation", "organizationId", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);

interface Current {
  organizationId: string;
  status?: string;
  verificationId?: string;
  consentsAccepted?: string[];
}

type Inputs = {
  organizationId: string;
  consents: string[];
  consentVersion: string;
  actingUserId: string;
  actingRoles: string[];
  activationReason: string;
  timeoutSeconds: number;
  pollIntervalMs: number;
};

/** The documented rules FinHub's lists let orgstack check before any compliance call. */
async function violations(c: FinHubClient, organizationId: string): Promise<string[]> {
  const [directors, shareholders, employees] = await Promise.all([api.directors(c, organizationId), api.shareholders(c, organizationId), api.employees(c, organizationId)]);
  const out: string[] = [];
  if (directors.length < 1) out.push("activation needs at least one director: declare a finhub.Director for the organization");
  if (employees.length < 1) out.push("activation needs an ADMIN_USER employee: declare a finhub.Employee with role ADMIN_USER");
  // The 100 % rule counts shareholders only (every FinHub statement of it names shareholders).
  if (shareholders.length === 0) out.push("activation needs shareholders owning 100% between them: declare finhub.Shareholder resources (directors do not count)");
  else if (shareholders.every((s) => s.percentage !== undefined)) {
    const total = Math.round(shareholders.reduce((sum, s) => sum + s.percentage!, 0) * 1000) / 1000;
    if (Math.abs(total - 100) > 0.001) out.push(`ownershipPercentage: the shareholders' ownership totals ${total}%; activation needs exactly 100% (directors do not count)`);
  }
  return out;
}

/** Polls the organization until `until` holds for its status, or the deadline passes; the status last seen. */
async function waitForStatus(c: FinHubClient, i: Inputs, deadline: number, what: string, until: (s: string) => boolean): Promise<string | undefined> {
  for (;;) {
    const status = (await api.organization(c, i.organizationId, Date.now()))?.status;
    if (status === undefined || until(status) || Date.now() >= deadline) return status;
    log(`finhub: waiting for ${what} of organization ${i.organizationId} (status ${status})`);
    await sleep(Math.min(i.pollIntervalMs, Math.max(0, deadline - Date.now())));
  }
}

const activationBody = (i: Inputs) => ({ activationReason: i.activationReason, additionalInfo: { userId: i.actingUserId } });

/** KYB, asked once: FinHub has no lookup of verifications, so a lost answer is recorded as requested and never asked again. */
async function requestKyb(ctx: Ctx<FinHubClient, Current>, i: Inputs, actor: Actor): Promise<string> {
  try {
    const v = await ctx.write({
      what: `starting KYB verification of organization ${i.organizationId}`,
      once: true,
      send: async () => done(await api.verify(ctx.c, i.organizationId, actor, { customerId: i.organizationId, type: "BUSINESS_VERIFICATION", requestedLevel: "TENANT_VERIFIED", requestedByUserId: i.actingUserId, notes: "requested by orgstack" })),
    });
    const verificationId = (v.done && v.value?.verificationId) || "requested";
    log(`finhub: KYB verification ${verificationId} of organization ${i.organizationId} requested`);
    return verificationId;
  } catch (e) {
    if (!(e instanceof LostWriteError)) throw e;
    log(`finhub: the answer to the KYB request of organization ${i.organizationId} was lost; it is recorded as requested, never asked for twice, and waited for`);
    return LOST_KYB;
  }
}
const LOST_KYB = "requested (answer lost)";

/**
 * Activation, found by the organization's status after a lost answer. Where FinHub shows no status, KYB
 * cannot be seen either: FinHub's 422 then means "not yet", and it is asked again until the deadline.
 */
async function requestActivation(ctx: Ctx<FinHubClient, Current>, i: Inputs, actor: Actor, deadline: number, statusShown: boolean): Promise<string> {
  for (;;) {
    try {
      const r = await ctx.write({
        what: `activating organization ${i.organizationId}`,
        send: async () => done((await api.activate(ctx.c, i.organizationId, actor, activationBody(i))).data.status ?? "ACTIVATING"),
        effect: async (since) => {
          const s = (await api.organization(ctx.c, i.organizationId, since))?.status;
          return s === "ACTIVATING" || s === "ACTIVE" ? s : undefined;
        },
      });
      return (r.done && r.value) || "ACTIVATING";
    } catch (e) {
      // With the status shown, KYB is approved by now: a 422 is FinHub's answer, not "not yet".
      if (statusShown || !isVendorError(e, 422) || Date.now() >= deadline) throw e;
      log(`finhub: FinHub refused the activation of ${i.organizationId} for now (${e.message}); asking again in ${i.pollIntervalMs} ms`);
      await sleep(i.pollIntervalMs);
    }
  }
}

/**
 * Where FinHub shows no status on the organization, the activation route tells it: asked again while an
 * activation is under way, FinHub answers that activation's status and starts no second one.
 */
async function pollActivation(ctx: Ctx<FinHubClient, Current>, i: Inputs, actor: Actor, deadline: number): Promise<string> {
  for (;;) {
    await sleep(Math.min(i.pollIntervalMs, Math.max(0, deadline - Date.now())));
    const status = (await api.activate(ctx.c, i.organizationId, actor, activationBody(i))).data.status ?? "ACTIVATING";
    if (status === "ACTIVE" || Date.now() >= deadline) return status;
    log(`finhub: waiting for activation of organization ${i.organizationId} (status ${status})`);
  }
}

async function activateFlow(ctx: Ctx<FinHubClient, Current>, i: Inputs, previous: Partial<Current> = {}): Promise<Current> {
  const c = ctx.c;
  const deadline = Date.now() + i.timeoutSeconds * 1000;
  const actor = { userId: i.actingUserId, roles: i.actingRoles };
  const outs: Current = { organizationId: i.organizationId, verificationId: previous.verificationId, consentsAccepted: previous.consentsAccepted ?? [] };

  const org = await api.organization(c, i.organizationId, Date.now());
  if (!org) throw new Error(`finhub: organization ${i.organizationId} does not exist in tenant ${c.settings.tenantId}`);
  // Where the organization shows no status, the last one FinHub's activation answer gave is the best known.
  const statusShown = org.status !== undefined;
  let status = org.status ?? (previous.status || undefined);
  outs.status = status;
  const wanted = i.consents.map((x) => `${x}@${i.consentVersion}`).sort();
  if (status === "ACTIVE" && wanted.every((w) => outs.consentsAccepted!.includes(w))) return outs;

  try {
    if (status !== "ACTIVE" && status !== "ACTIVATING") {
      const found = await violations(c, i.organizationId);
      if (found.length) throw new Error(`finhub: organization ${i.organizationId} cannot be activated yet: ${found.join("; ")}`);
      if ((status === undefined || status === "PENDING_VERIFICATION") && !outs.verificationId) outs.verificationId = await requestKyb(ctx, i, actor);
      if (statusShown) {
        status = outs.status = await waitForStatus(c, i, deadline, "KYB approval", (s) => AFTER_KYB.includes(s));
        if (status !== undefined && !AFTER_KYB.includes(status)) {
          throw new Error(
            `finhub: KYB verification of organization ${i.organizationId} is still pending after ${i.timeoutSeconds} s; the next pulumi up waits again` +
              (outs.verificationId === LOST_KYB ? ` (the KYB request's answer was lost: if FinHub shows no verification for the organization, run pulumi up --replace on this Activation to ask again)` : ""),
          );
        }
      }
    }

    for (const consent of i.consents) {
      const key = `${consent}@${i.consentVersion}`;
      if (outs.consentsAccepted!.includes(key)) continue;
      await api.acceptConsent(c, i.organizationId, consent, i.consentVersion);
      outs.consentsAccepted = [...outs.consentsAccepted!.filter((x) => !x.startsWith(`${consent}@`)), key].sort();
    }

    if (status !== "ACTIVE" && status !== "ACTIVATING") status = outs.status = await requestActivation(ctx, i, actor, deadline, statusShown);
    if (status !== "ACTIVE") {
      status = outs.status = statusShown ? await waitForStatus(c, i, deadline, "activation", (s) => s === "ACTIVE") : await pollActivation(ctx, i, actor, deadline);
      if (status !== undefined && status !== "ACTIVE") throw new Error(`finhub: organization ${i.organizationId} is still ${status} after ${i.timeoutSeconds} s; it is recorded so, and the next pulumi up waits again (FinHub is not asked twice)`);
    }
    return outs;
  } catch (e) {
    // What FinHub was asked is recorded (partial state), so the next up carries on and asks nothing twice.
    if ((e as { properties?: unknown }).properties || (!outs.verificationId && outs.consentsAccepted!.length === 0)) throw e;
    throw partialFailure(`${(e as Error).message}`, i.organizationId, { ...i, ...outs, status: outs.status ?? "" });
  }
}

export const activation = defineResource<Current>()({
  type: "finhub:Activation",
  doc: "Takes a FinHub organization to ACTIVE: KYB verification, the three consents, activation (asynchronous), each asked for once.",
  vendor: finhub,
  inputs: {
    organizationId: field(uuid("the organization's UUID (pass org.id of a finhub.Organization)"), { replaceOnChange: true, doc: "The organization to activate." }),
    consents: field(
      list(oneOf(CONSENTS, "FinHub consent"), { max: 3, sorted: true, hint: '["terms", "privacy", "data-processing"]' }).refine((l) => CONSENTS.every((x) => l.includes(x)), {
        message: 'FinHub activates an organization only after all three consents are accepted: list "terms", "privacy" and "data-processing"',
      }),
      { doc: "The consents to accept: all three (terms, privacy, data-processing) are needed to activate." },
    ),
    consentVersion: field(text({ max: 20 }).default("1.0"), { doc: "The version of the legal documents accepted; a new version accepts them again." }),
    actingUserId: field(
      uuid(
        "the acting employee's userId (the userId output of an ADMIN_USER or COMPLIANCE_OFFICER Employee; empty when its add answer was lost, credentialStatus \"lost\": then take the user id from FinHub)",
      ),
      {
        doc: "X-User-ID of verify and activation: the userId output of an ADMIN_USER or COMPLIANCE_OFFICER Employee of the organization.",
      },
    ),
    actingRoles: field(list(oneOf(EMPLOYEE_ROLES, "FinHub employee role"), { min: 1, max: 4, sorted: true }).default(["ADMIN_USER"]), {
      behaviour: true,
      doc: "X-User-Roles: the acting employee's roles (default ADMIN_USER).",
    }),
    activationReason: field(text({ max: 500 }).default("Onboarding complete"), { behaviour: true, doc: "FinHub's activationReason." }),
    timeoutSeconds: field(int(1, 86_400, " seconds").default(900), { behaviour: true, doc: "How long to wait for KYB and activation before recording the resource as still under way." }),
    pollIntervalMs: field(int(10, 300_000, " ms").default(envNumber("ORGSTACK_FINHUB_POLL_MS", 5_000)), { behaviour: true, doc: "How often to look at the organization's status (default 5000, or ORGSTACK_FINHUB_POLL_MS)." }),
  },
  outputs: {
    status: field(z.string(), { doc: "The organization's status: ACTIVE, or ACTIVATING while FinHub is still at it (the next up waits again)." }),
    verificationId: field(z.string(), { doc: 'The KYB verification\'s id; "requested (answer lost)" when the request\'s answer was lost (it is never asked for twice).' }),
    consentsAccepted: field(z.array(z.string()), { doc: "The consents accepted, each with its version (terms@1.0)." }),
  },
  id,
  adopt: "own",
  unfinished: (olds) => olds.status !== "ACTIVE",

  idOf: (cur, i) => id.build({ organizationId: cur?.organizationId ?? i.organizationId! }),
  derive: (o) => ({ verificationId: o.verificationId ?? "", consentsAccepted: o.consentsAccepted ?? [], status: o.status ?? "" }),

  async find(ctx, ref, since): Promise<Current | undefined> {
    const organizationId = ref.olds?.organizationId ?? ref.inputs?.organizationId ?? ref.id!;
    const org = await api.organization(ctx.c, organizationId, since);
    if (!org) return undefined;
    // Before a create, only an organization already ACTIVE counts as activated (there is nothing to do).
    if (!ref.olds && !ref.id && org.status !== "ACTIVE") return undefined;
    return { organizationId, status: org.status };
  },
  flatten: (cur) => ({ organizationId: cur.organizationId, status: cur.status, verificationId: cur.verificationId, consentsAccepted: cur.consentsAccepted }),

  async create(ctx, i) {
    return done(await activateFlow(ctx, i));
  },
  async update(ctx, olds, news) {
    const previous = olds.consentVersion === news.consentVersion ? olds : { ...olds, consentsAccepted: [] };
    return done(await activateFlow(ctx, news, previous));
  },
  async remove(_ctx, olds) {
    log(`finhub: FinHub documents no deactivation; organization ${olds.organizationId} stays ${olds.status || "ACTIVE"} and only leaves the stack`);
    return done();
  },
});
