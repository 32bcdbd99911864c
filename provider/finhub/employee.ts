// finhub:Employee: an employee of a FinHub organization with a primary role (`position`) and roles.
//
//   find    GET .../employees (every page; one list per organization per run), by record id or email;
//           the list shows one role (the primary) and the department, not the roles list.
//   create  POST .../employee { person, position, roles, department }: the answer is
//           data.individual{ userId, email } and no record id, which comes from the list by email.
//           FinHub requires the first employee to hold ADMIN_USER: a non-admin employee waits for the
//           ADMIN_USER employees this run is adding to the same organization, and when FinHub still
//           refuses it for want of one (nothing was made) it is sent again for a while
//           (ORGSTACK_FINHUB_ADMIN_WAIT_MS, default 10 s): the admin's add may start later.
//   update  PUT .../employees/{id}/roles { position, roles }.
//   remove  DELETE .../employees/{id} (named by no page: the shape the rest of the API suggests).
//
// Replaces: organizationId, person, department (FinHub has no route for them).
import { z } from "zod";
import { field, list, oneOf, text } from "../kit/fields";
import { defineResource } from "../kit/resource";
import { log } from "../kit/secrets";
import { envNumber, sleep } from "../kit/util";
import { done } from "../kit/writes";
import * as api from "./api";
import { isVendorError } from "./client";
import { EMPLOYEE_ROLES, Found, credentialOutputs, deriveCredentials, findPerson, flattenPerson, afterAdd, listedRole, organizationIdInput, personBody, personId, personInput, sameEmail } from "./people";
import { finhub } from "./vendor";

const id = personId("employee");
type Role = (typeof EMPLOYEE_ROLES)[number];

export const holdsAdmin = (e: { role?: string; roles?: string[] }) => e.role === "ADMIN_USER" || (e.roles ?? []).includes("ADMIN_USER");

/** ADMIN_USER employees being added in this process, by organization: others wait for them. */
const addingAdmins = new Map<string, Set<Promise<unknown>>>();

function track(organizationId: string, p: Promise<unknown>): void {
  let set = addingAdmins.get(organizationId);
  if (!set) addingAdmins.set(organizationId, (set = new Set()));
  const entry = p.catch(() => undefined);
  set.add(entry);
  void entry.finally(() => set!.delete(entry));
}

/** A non-admin's add, after this run's admins; FinHub's refusal for want of an ADMIN_USER (nothing made) is waited out. */
async function afterAdmins<T>(organizationId: string, send: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + envNumber("ORGSTACK_FINHUB_ADMIN_WAIT_MS", 10_000);
  for (let waited = false; ; waited = true) {
    await Promise.allSettled([...(addingAdmins.get(organizationId) ?? [])]);
    try {
      return await send();
    } catch (e) {
      if (!isVendorError(e) || e.code !== "MISSING_ADMIN_USER" || Date.now() >= deadline) throw e;
      if (!waited) log(`finhub: organization ${organizationId} has no ADMIN_USER employee yet; waiting for one before adding the others`);
      await sleep(250);
    }
  }
}

export const employee = defineResource<Found>()({
  type: "finhub:Employee",
  doc: "An employee of a FinHub organization (POST .../employee) with a primary role and roles that change in place.",
  vendor: finhub,
  inputs: {
    organizationId: organizationIdInput,
    person: personInput,
    role: field(oneOf(EMPLOYEE_ROLES, "FinHub employee role"), { doc: "The primary role (FinHub's position): ADMIN_USER | TRANSACTION_APPROVER | COMPLIANCE_OFFICER | EMPLOYEE. Changes in place." }),
    roles: field(list(oneOf(EMPLOYEE_ROLES, "FinHub employee role"), { max: 4, sorted: true }).optional(), { doc: "Every role the employee holds, including the primary one (default: the primary role alone). Changes in place." }),
    department: field(text({ max: 100 }).optional(), { replaceOnChange: true, doc: "The department, such as Finance." }),
  },
  outputs: credentialOutputs,
  id,
  adopt: "input",

  rules(i) {
    const roles = i.roles ?? [i.role];
    return roles.includes(i.role) ? [] : [{ property: "roles", reason: `roles: must include the primary role ${i.role} (FinHub lists the primary role among the roles)` }];
  },
  deleteBeforeReplace: (olds, news) => sameEmail(olds.person, news.person),

  idOf: (cur, i) => id.build({ organizationId: cur?.organizationId ?? i.organizationId!, recordId: cur!.recordId }),
  find: (ctx, ref, since): Promise<Found | undefined> => findPerson(ctx, "employee", ref, since),
  flatten: (cur, declared) => ({
    ...flattenPerson(cur, declared),
    role: listedRole(EMPLOYEE_ROLES, cur.role),
    department: cur.department,
    // The list shows only the primary role: the declared roles stand unless the primary one moved.
    roles: cur.role && declared.role && cur.role !== declared.role ? undefined : declared.roles,
  }),
  // roles stays as declared: left out, it means the primary role alone (deriving it would be a change on every preview).
  derive: deriveCredentials,

  async create(ctx, i) {
    const roles = i.roles ?? [i.role];
    const admin = holdsAdmin({ role: i.role, roles });
    const body: Record<string, unknown> = { ...personBody(i.person), position: i.role, roles };
    if (i.department !== undefined) body.department = i.department;
    const add = () =>
      ctx.guarded(`adding employee ${i.person.email} to organization ${i.organizationId}`, async () => {
        const added = await api.addEmployee(ctx.c, i.organizationId, body);
        return done(await afterAdd(ctx, "employee", i.organizationId, i.person.email, added));
      });
    // FinHub refuses a first employee without ADMIN_USER: this run's admins go first.
    const outcome = admin ? add() : afterAdmins(i.organizationId, add);
    if (admin) track(i.organizationId, outcome);
    const result = await outcome;
    if (result.done && result.value && !result.value.credentialStatus) result.value.credentialStatus = "lost";
    return result;
  },

  async update(ctx, olds, news) {
    const roles = news.roles ?? [news.role];
    const had = holdsAdmin(olds);
    const has = holdsAdmin({ role: news.role, roles });
    // FinHub keeps one ADMIN_USER: taking it away waits for this run's updates that give it to another.
    if (had && !has) await Promise.allSettled([...(addingAdmins.get(news.organizationId) ?? [])]);
    const setting = api.setEmployeeRoles(ctx.c, news.organizationId, olds.organizationRecordId, news.role, roles);
    if (has && !had) track(news.organizationId, setting);
    await setting;
    return done();
  },

  async remove(ctx, _olds, cur) {
    await api.removePerson(ctx.c, "employee", cur.organizationId, cur.recordId);
    return done();
  },
});

export type EmployeeRole = Role;
export const employeeRoleSchema = z.enum(EMPLOYEE_ROLES);
