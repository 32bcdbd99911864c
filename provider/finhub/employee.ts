// finhub:Employee: an employee of a FinHub organization with a primary role and a list of roles (an
// organization record plus an individual customer with login credentials).
//
//   create  read-before-write (an employee with the same email is taken over; the email in use by
//           another kind of person is refused before any call). The vendor's rule that the first
//           employee holds ADMIN_USER is checked first: a non-admin employee waits (up to
//           ORGSTACK_FINHUB_ADMIN_WAIT_MS, default 5 s) for an ADMIN_USER employee of the same
//           organization being added in this run, and otherwise fails with an error that says to add
//           dependsOn. Then POST /api/v2.1/customer/organization/{id}/employee.
//   read    GET .../employees; gone out of band = empty id; role drift shows on refresh.
//   update  PUT .../employees/{employeeId}/roles { role, roles }: role and roles change in place. Taking
//           ADMIN_USER away first waits (same limit) for another employee to hold it, e.g. an update of
//           this run giving it to someone else, so that moving the role does not race FinHub's rule.
//   delete  DELETE .../employees/{employeeId} (not documented by the vendor: the shape the rest of the
//           API suggests); 404 = already gone.
//
// Replaces: organizationId, the person, department and contact details (FinHub has no route for them;
// deleted first when the email stays).
import { z } from "zod";
import { CheckResult, DiffResult, ResourceProvider, checkWith, sleep } from "../types";
import { FinHubClient, PersonRecord } from "./client";
import {
  EMPLOYEE_ROLES,
  PersonOutputs,
  client,
  contactsChanged,
  credentialsOf,
  detailsChanged,
  findBeforeAdd,
  identityChanged,
  listOrGone,
  mayHaveHappened,
  organizationIdSchema,
  personBody,
  personFromRecord,
  personSchema,
  sameEmail,
  sameJson,
  settingsFailures,
  only,
} from "./person";

const roleEnum = (field: string) =>
  z.enum(EMPLOYEE_ROLES, {
    error: (issue) => `${field}: "${String(issue.input)}" is not a FinHub employee role: use ${EMPLOYEE_ROLES.join(", ")}`,
  });

export const employeeInputs = z
  .object({
    organizationId: organizationIdSchema,
    person: personSchema,
    role: roleEnum("role"),
    roles: z.array(roleEnum("roles")).optional(),
    department: z.string().trim().min(1, { message: "department must not be empty (leave it out instead)" }).optional(),
  })
  .strict()
  .transform((v) => ({ ...v, roles: [...new Set(v.roles ?? [v.role])].sort() }))
  .superRefine((v, ctx) => {
    if (!v.roles.includes(v.role)) {
      ctx.addIssue({ code: "custom", path: ["roles"], message: `roles must include the primary role ${v.role} (FinHub lists the primary role among the roles)` });
    }
  });

export type EmployeeInputs = z.infer<typeof employeeInputs>;
export interface EmployeeOutputs extends EmployeeInputs, PersonOutputs {}

const INPUT_KEYS = ["organizationId", "person", "role", "roles", "department"] as const;

export function holdsAdmin(e: { role?: string; roles?: string[] }): boolean {
  return e.role === "ADMIN_USER" || (e.roles ?? []).includes("ADMIN_USER");
}

function body(inputs: EmployeeInputs) {
  const out: Record<string, unknown> = { ...personBody(inputs.person), role: inputs.role, roles: inputs.roles };
  if (inputs.department !== undefined) out.department = inputs.department;
  return out;
}

function outputsOf(inputs: EmployeeInputs, r: PersonRecord, previous?: Partial<EmployeeOutputs>): EmployeeOutputs {
  return { ...inputs, ...credentialsOf(r, previous) };
}

function current(r: PersonRecord, declared: EmployeeInputs): EmployeeInputs {
  const out: EmployeeInputs = {
    organizationId: declared.organizationId,
    person: personFromRecord(r, declared.person),
    role: (r.role ?? declared.role) as EmployeeInputs["role"],
    roles: [...new Set((r.roles ?? [r.role]) as EmployeeInputs["roles"])].sort(),
  };
  if (r.department !== undefined && r.department !== null && r.department !== "") out.department = r.department;
  return out;
}

// ---- the first-employee rule: ADMIN_USER employees being added in this process, by organization ----

const addingAdmins = new Map<string, Set<Promise<unknown>>>();

function adminWaitMs(): number {
  const v = Number(process.env.ORGSTACK_FINHUB_ADMIN_WAIT_MS);
  return Number.isFinite(v) && v >= 0 ? v : 5_000;
}

/** Makes sure the organization has an ADMIN_USER employee before a non-admin is added. */
async function requireAdmin(c: FinHubClient, organizationId: string, email: string): Promise<void> {
  const deadline = Date.now() + adminWaitMs();
  for (;;) {
    const inFlight = [...(addingAdmins.get(organizationId) ?? [])];
    if (inFlight.length) await Promise.allSettled(inFlight);
    const employees = await c.listEmployees(organizationId, true);
    if (employees.some(holdsAdmin)) return;
    if (Date.now() >= deadline) break;
    await sleep(Math.min(250, Math.max(0, deadline - Date.now())));
  }
  throw new Error(
    `finhub: role: ${email} cannot be the first employee of organization ${organizationId}: FinHub requires the first employee ` +
      `to hold ADMIN_USER, and the organization has none. Declare an Employee with role "ADMIN_USER" and give this one ` +
      `dependsOn: [thatAdmin] so the admin is added first.`,
  );
}

/**
 * Before ADMIN_USER is taken from an employee: FinHub keeps at least one ADMIN_USER, so another employee
 * must hold it. An update giving it to another employee in this run (the engine runs both at once) is
 * waited for, so moving the role from one employee to another does not depend on which PUT goes first.
 */
async function requireOtherAdmin(c: FinHubClient, organizationId: string, id: string, email: string): Promise<void> {
  const deadline = Date.now() + adminWaitMs();
  for (;;) {
    const inFlight = [...(addingAdmins.get(organizationId) ?? [])];
    if (inFlight.length) await Promise.allSettled(inFlight);
    const employees = await c.listEmployees(organizationId, true);
    if (employees.some((e) => String(e.id) !== id && holdsAdmin(e))) return;
    if (Date.now() >= deadline) break;
    await sleep(Math.min(250, Math.max(0, deadline - Date.now())));
  }
  throw new Error(
    `finhub: role: ${email} is the only ADMIN_USER employee of organization ${organizationId}, and FinHub keeps at least one: ` +
      `give ADMIN_USER to another Employee (in the same pulumi up is fine) before taking it from this one.`,
  );
}

export const employee: ResourceProvider<EmployeeInputs, EmployeeOutputs> = {
  async check(_olds, news): Promise<CheckResult<EmployeeInputs>> {
    const failures = settingsFailures();
    const result = checkWith(employeeInputs, news);
    if (failures.length) return { failures: [...failures, ...(result.failures ?? [])] };
    return result;
  },

  async diff(_id, olds, news): Promise<DiffResult> {
    const replaces: string[] = [];
    if (olds.organizationId !== news.organizationId) replaces.push("organizationId");
    if (identityChanged(olds.person, news.person) || detailsChanged(olds.person, news.person) || contactsChanged(olds.person, news.person)) {
      replaces.push("person");
    }
    if ((olds.department ?? "") !== (news.department ?? "")) replaces.push("department");
    const newsRoles = [...new Set(news.roles ?? [news.role])].sort();
    const rolesChanged = olds.role !== news.role || !sameJson([...(olds.roles ?? [])].sort(), newsRoles);
    return { changes: replaces.length > 0 || rolesChanged, replaces, deleteBeforeReplace: replaces.length > 0 && sameEmail(olds.person, news.person) };
  },

  async create(raw) {
    const inputs = employeeInputs.parse(only(raw, INPUT_KEYS));
    const c = client();
    const { organizationId } = inputs;
    for (let attempt = 1; ; attempt++) {
      const existing = await findBeforeAdd(c, organizationId, "employee", inputs.person.email);
      if (existing) {
        const now = current(existing, inputs);
        if (!sameJson({ ...now, role: inputs.role, roles: inputs.roles }, inputs)) {
          throw new Error(
            `finhub: ${inputs.person.email} is already an employee of organization ${organizationId} with other details or department ` +
              `than the stack declares; FinHub can change only roles in place. Declare what it has so orgstack takes it over, or remove it in FinHub first.`,
          );
        }
        console.log(`finhub: employee ${inputs.person.email} is already in organization ${organizationId}; taking it over (its temporary password was issued earlier)`);
        const adopted = { ...outputsOf(now, existing), adopted: true };
        const outs = (await employee.update(String(existing.id), adopted, inputs)).outs!;
        return { id: String(existing.id), outs: { ...outs, adopted: true } };
      }
      const isAdmin = holdsAdmin(inputs);
      if (!isAdmin) await requireAdmin(c, organizationId, inputs.person.email);
      const adding = c.addEmployee(organizationId, body(inputs));
      if (isAdmin) track(organizationId, adding);
      try {
        const added = await adding;
        return { id: String(added.id), outs: outputsOf(inputs, added) };
      } catch (e) {
        if (!mayHaveHappened(e) || attempt >= 3) throw e;
        console.log(`finhub: adding employee ${inputs.person.email} may or may not have happened (${(e as Error).message}); checking before trying again`);
      }
    }
  },

  async read(id, props) {
    const c = client();
    const found = (await listOrGone(() => c.listEmployees(props.organizationId, true)))?.find((r) => String(r.id) === id);
    if (!found) return { id: "" };
    const inputs = current(found, props);
    return { id, props: { ...props, ...outputsOf(inputs, found, props) }, inputs };
  },

  async update(id, olds, raw) {
    const news = employeeInputs.parse(only(raw, INPUT_KEYS));
    const d = await employee.diff(id, olds, news);
    if (d.replaces?.length) throw new Error(`finhub: FinHub has no route to change an employee's ${d.replaces.join(", ")}; this change replaces it`);
    let record: PersonRecord | undefined;
    if (olds.role !== news.role || !sameJson([...(olds.roles ?? [])].sort(), news.roles)) {
      const c = client();
      if (holdsAdmin(olds) && !holdsAdmin(news)) await requireOtherAdmin(c, news.organizationId, id, news.person.email);
      const setting = c.setEmployeeRoles(news.organizationId, id, { role: news.role, roles: news.roles });
      if (holdsAdmin(news) && !holdsAdmin(olds)) track(news.organizationId, setting);
      record = await setting;
    }
    const roles = record ? ([...new Set(record.roles ?? news.roles)].sort() as EmployeeInputs["roles"]) : news.roles;
    return { outs: { ...olds, ...news, role: (record?.role ?? news.role) as EmployeeInputs["role"], roles } };
  },

  async delete(id, props) {
    const status = await client().removeEmployee(props.organizationId, id);
    if (status === 404) console.log(`finhub: employee ${props.person?.email} was already gone from organization ${props.organizationId}`);
  },
};

function track(organizationId: string, p: Promise<unknown>): void {
  let set = addingAdmins.get(organizationId);
  if (!set) addingAdmins.set(organizationId, (set = new Set()));
  const entry = p.catch(() => undefined);
  set.add(entry);
  void entry.finally(() => set!.delete(entry));
}
