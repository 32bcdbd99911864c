// The FinHub rules that span resources of one organization, checked on the program side at preview
// (the provider only ever sees one resource). Every FinHub resource notes itself here when it is
// declared; one turn of the event loop later the whole batch is checked:
//   errors (the preview fails):  two persons with one email; employees of an organization and none
//                                holds ADMIN_USER.
//   warnings:                    shareholders' ownership not at 100 % (directors do not count: every
//                                FinHub statement of the rule names shareholders);
//                                a non-admin employee that does not dependOn an admin employee of its
//                                organization; an Activation that does not dependOn every person of
//                                its organization declared in the stack; an Activation of an
//                                organization without a director, an ADMIN_USER employee or a shareholder.
// The provider enforces the same rules again before its calls.
import * as pulumi from "@pulumi/pulumi";
import { known, stackWideCheck } from "../stackChecks";

export interface Declared {
  kind: "director" | "shareholder" | "employee" | "activation";
  resource: pulumi.Resource;
  name: string;
  organizationId: unknown;
  email?: unknown;
  role?: unknown;
  roles?: unknown;
  ownershipPercentage?: unknown;
  dependsOn?: unknown;
}

/** Notes a resource for the organization-wide rules; the batch is checked one event-loop turn later. */
export const noteForRules = stackWideCheck<Declared>(async (batch) => {
  const findings = await checkRules(batch);
  for (const f of findings.errors) await pulumi.log.error(f);
  for (const f of findings.warnings) await pulumi.log.warn(f);
});

/**
 * Groups by organization: by the id when it is known, else by the identity of the Output passed
 * (every resource given `org.id` shares the same Output object, so a fresh stack's preview groups too).
 */
const identities = new WeakMap<object, string>();
let nextIdentity = 0;
async function orgKey(value: unknown): Promise<string | undefined> {
  const v = await known(value);
  if (typeof v === "string") return v;
  if (value && typeof value === "object") {
    let k = identities.get(value);
    if (!k) identities.set(value, (k = `output#${++nextIdentity}`));
    return k;
  }
  return undefined;
}

function label(key: string): string {
  return key.startsWith("output#") ? "(not yet registered)" : key;
}

/** dependsOn as declared: a resource or a list of them (an Output of a list is not looked into). */
async function dependencies(value: unknown): Promise<pulumi.Resource[]> {
  if (!value) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.filter((x) => pulumi.Resource.isInstance(x));
}

export async function checkRules(batch: Declared[]): Promise<{ errors: string[]; warnings: string[] }> {
  const errors: string[] = [];
  const warnings: string[] = [];
  const resolved = await Promise.all(
    batch.map(async (d) => ({
      ...d,
      org: await orgKey(d.organizationId),
      email: ((await known(d.email)) as string | undefined)?.trim().toLowerCase(),
      role: (await known(d.role)) as string | undefined,
      roles: (await known(d.roles)) as string[] | undefined,
      ownership: (await known(d.ownershipPercentage)) as number | undefined,
      deps: await dependencies(d.dependsOn),
    })),
  );

  // Emails are unique within the tenant: across organizations and kinds.
  const byEmail = new Map<string, string[]>();
  for (const d of resolved) if (d.email && d.kind !== "activation") byEmail.set(d.email, [...(byEmail.get(d.email) ?? []), `${d.kind} "${d.name}"`]);
  for (const [email, who] of byEmail) {
    if (who.length > 1) {
      errors.push(
        `orgstack: person.email ${email} is used by ${who.join(" and ")}; FinHub needs each person's email to be unique within the tenant: give each person their own email.`,
      );
    }
  }

  const orgs = new Map<string, typeof resolved>();
  for (const d of resolved) if (d.org) orgs.set(d.org, [...(orgs.get(d.org) ?? []), d]);
  for (const [org, list] of orgs) {
    const employees = list.filter((d) => d.kind === "employee");
    const holds = (d: (typeof list)[number]) => d.role === "ADMIN_USER" || (d.roles ?? []).includes("ADMIN_USER");
    const admins = employees.filter(holds);
    if (employees.length > 0 && admins.length === 0 && employees.every((e) => e.role !== undefined)) {
      errors.push(
        `orgstack: role: none of the ${employees.length} employee(s) declared for FinHub organization ${label(org)} holds ADMIN_USER; ` +
          `FinHub requires the first employee to be an ADMIN_USER: give one employee role "ADMIN_USER" and make the others dependOn it.`,
      );
    }
    for (const e of employees) {
      if (holds(e) || admins.length === 0) continue;
      if (!e.deps.some((r) => admins.some((a) => a.resource === r))) {
        warnings.push(
          `orgstack: employee "${e.name}" of FinHub organization ${label(org)} does not dependOn an ADMIN_USER employee; FinHub refuses a first ` +
            `employee without ADMIN_USER, so add dependsOn: [${admins.map((a) => a.name).join(" | ")}] (orgstack waits up to 10 s, ORGSTACK_FINHUB_ADMIN_WAIT_MS, for an admin added in the same run, then fails).`,
        );
      }
    }
    const owners = list.filter((d) => d.kind === "shareholder");
    if (owners.length > 0 && owners.every((d) => d.ownership !== undefined)) {
      const total = Math.round(owners.reduce((s, d) => s + (d.ownership ?? 0), 0) * 1000) / 1000;
      if (Math.abs(total - 100) > 0.001) {
        warnings.push(
          `orgstack: the shareholders declared for FinHub organization ${label(org)} own ${total}% together, not 100%; ` +
            `FinHub's activation requires exactly 100% (directors do not count: declare a director who owns shares as a Shareholder too).`,
        );
      }
    }
    for (const a of list.filter((d) => d.kind === "activation")) {
      const people = list.filter((d) => d.kind !== "activation");
      const missing = people.filter((p) => !a.deps.includes(p.resource));
      if (missing.length) {
        warnings.push(
          `orgstack: activation "${a.name}" of FinHub organization ${label(org)} does not dependOn ${missing.map((m) => `${m.kind} "${m.name}"`).join(", ")}; ` +
            `without dependsOn the engine may activate before they are added: pass { dependsOn: [...personnel] }.`,
        );
      }
      if (!people.some((p) => p.kind === "director")) warnings.push(`orgstack: activation "${a.name}": FinHub activates an organization only with at least one director, and the stack declares none for ${label(org)}.`);
      if (!admins.length) warnings.push(`orgstack: activation "${a.name}": FinHub activates an organization only with an ADMIN_USER employee, and the stack declares none for ${label(org)}.`);
      if (!owners.length) warnings.push(`orgstack: activation "${a.name}": FinHub activates an organization only when its shareholders own 100% (directors do not count), and the stack declares no shareholder for ${label(org)}.`);
    }
  }
  return { errors, warnings };
}
