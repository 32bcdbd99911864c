// FinHub's endpoints as orgstack calls them, reading exactly the shapes finhub-responses.md documents
// and tolerating the alternatives it names (each noted where it is read). Where FinHub documents
// nothing, the code says so and reads defensively: a field that is not there is unknown, never empty.
import type { Actor, Answer, FinHubClient } from "./client";

// ---- organizations ----

/** POST .../registration answers `data{ id, organizationId, tenantId, email }` (id = organizationId). */
export interface Registered {
  organizationId: string;
  customerId: string;
  tenantId?: string;
}

/** Registration is sent at most once: FinHub documents no lookup of organizations to find a lost one. */
export async function register(c: FinHubClient, body: Record<string, unknown>): Promise<Registered> {
  const { data } = await c.call("POST", "/api/v2.1/customer/organization/registration", {}, { kind: "once", body });
  const organizationId = str(data?.organizationId) ?? str(data?.id);
  if (!organizationId) {
    throw new Error(
      `finhub: FinHub accepted the registration but its answer has no organizationId (data.organizationId or data.id); nothing was recorded. ` +
        `Do not run pulumi up again as is (it would register a second organization): set existingOrganizationId to the id FinHub shows for ${String(body.email)}, then run pulumi up`,
    );
  }
  return { organizationId, customerId: str(data?.id) ?? organizationId, tenantId: str(data?.tenantId) };
}

export interface OrganizationInfo {
  organizationId: string;
  /** Undocumented body: read at data.status when present, else unknown. */
  status?: string;
  email?: string;
  tenantId?: string;
}

/** GET .../organization/{id} ("Get Organization Details": its answer is undocumented); undefined when gone. */
export async function organization(c: FinHubClient, organizationId: string, since?: number): Promise<OrganizationInfo | undefined> {
  return c.cache.get(`org:${organizationId}`, async () => {
    const res = await c.call("GET", "/api/v2.1/customer/organization/{id}", { id: organizationId }, { kind: "read", accept: [404] });
    if (res.status === 404) return undefined;
    const d = res.data ?? {};
    return { organizationId, status: str(d.status) ?? str(d.organization?.status), email: str(d.email), tenantId: str(d.tenantId) };
  }, { notBefore: since });
}

/** Undocumented route (the shape the rest suggests): 404 gone, 405 FinHub has no such route. */
export async function removeOrganization(c: FinHubClient, organizationId: string): Promise<number> {
  c.cache.forget(`org:${organizationId}`);
  return (await c.call("DELETE", "/api/v2.1/customer/organization/{id}", { id: organizationId }, { kind: "idempotent", accept: [404, 405] })).status;
}

// ---- people ----

/** A person as FinHub's lists show them (flat items; fields a list does not carry are undefined). */
export interface Listed {
  recordId: string;
  email: string;
  firstName?: string;
  lastName?: string;
  role?: string;
  department?: string;
  status?: string;
  /** Shareholders' list is undocumented: `ownershipPercentage` or `sharePercentage`, when present. */
  percentage?: number;
}

/** What an add answers: the record id where FinHub gives one, the user id, and credentials if any. */
export interface Added {
  recordId?: string;
  userId?: string;
  username?: string;
  temporaryPassword?: string;
}

/** Items of a list answer: `data.<key>[]`, or a bare array (tolerated where the contract names it). */
function items(data: any, key: string): any[] {
  if (Array.isArray(data?.[key])) return data[key];
  if (Array.isArray(data)) return data;
  if (data === null || data === undefined) return [];
  throw new Error(`FinHub answered the ${key} list in an unknown shape; check finhub:apiUrl (the FinHub API host, such as https://sandbox.finhub.cloud)`);
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

function listed(x: any, idKeys: string[]): Listed | undefined {
  const recordId = idKeys.map((k) => str(x?.[k])).find(Boolean);
  const email = str(x?.email)?.toLowerCase();
  if (!recordId || !email) return undefined; // an item without an id or email cannot be matched: skipped
  return {
    recordId,
    email,
    firstName: str(x.firstName),
    lastName: str(x.lastName),
    role: str(x.role),
    department: str(x.department),
    status: str(x.status),
    percentage: num(x.ownershipPercentage) ?? num(x.sharePercentage),
  };
}

/** Credentials where FinHub may put them: data.individual.{username,temporaryPassword}, the top of data, or nowhere. */
function credentials(data: any): Pick<Added, "username" | "temporaryPassword"> {
  const ind = data?.individual && typeof data.individual === "object" ? data.individual : {};
  return { username: str(ind.username) ?? str(data?.username), temporaryPassword: str(ind.temporaryPassword) ?? str(data?.temporaryPassword) };
}

export type Kind = "director" | "shareholder" | "employee";

/** One read of a list FinHub answers whole (directors, shareholders): shared by a run, fresh after `since`. */
function wholeList(c: FinHubClient, organizationId: string, kind: Kind, path: string, idKeys: string[], since?: number): Promise<Listed[]> {
  return c.cache.get(
    `people:${organizationId}:${kind}`,
    async () => items((await c.call("GET", path, { id: organizationId })).data, `${kind}s`).flatMap((x) => listed(x, idKeys) ?? []),
    { notBefore: since },
  );
}

/** GET .../directors: `{ success, data: { directors: [{ directorId, firstName, lastName, email, role, appointedDate, status }] } }`. */
export const directors = (c: FinHubClient, organizationId: string, since?: number) =>
  wholeList(c, organizationId, "director", "/api/v2.1/customer/organization/{id}/directors", ["directorId", "id"], since);

/** GET /api/v2/organizations/{id}/shareholders (undocumented answer: data[] or data.shareholders[], keyed id or shareholderId). */
export const shareholders = (c: FinHubClient, organizationId: string, since?: number) =>
  wholeList(c, organizationId, "shareholder", "/api/v2/organizations/{id}/shareholders", ["shareholderId", "id"], since);

/** GET .../employees (paged from page 0; `data.employees[]` with `pagination{ total, page, size }`). */
export function employees(c: FinHubClient, organizationId: string, since?: number): Promise<Listed[]> {
  return c.cache.get(
    `people:${organizationId}:employee`,
    async () => {
      const out: Listed[] = [];
      const size = 100;
      for (let page = 0; page < 1_000; page++) {
        const { data } = await c.call("GET", "/api/v2.1/customer/organization/{id}/employees", { id: organizationId }, { kind: "read", query: { page, size } });
        const batch = items(data, "employees");
        out.push(...batch.flatMap((x) => listed(x, ["employeeId", "id"]) ?? []));
        const total = num(data?.pagination?.total);
        const pageSize = num(data?.pagination?.size) ?? size;
        // Follow pages until the total is reached; without pagination, a short page is the last.
        if (batch.length === 0 || (total !== undefined ? out.length >= total : batch.length < pageSize)) break;
      }
      return out;
    },
    { notBefore: since },
  );
}

export function people(c: FinHubClient, kind: Kind, organizationId: string, since?: number): Promise<Listed[]> {
  return kind === "director" ? directors(c, organizationId, since) : kind === "shareholder" ? shareholders(c, organizationId, since) : employees(c, organizationId, since);
}

/**
 * Runs a write to an organization's list of `kind`: while it is on its way, a fresh read of the list
 * waits for it (one read after a wave of additions serves them all). Afterwards the list is read
 * again, unless the write succeeded and `known` says what it did to the list.
 */
async function changingPeople<T>(
  c: FinHubClient,
  organizationId: string,
  kind: Kind,
  run: () => Promise<T>,
  known?: (result: T) => ((list: Listed[]) => Listed[]) | undefined,
): Promise<T> {
  const key = `people:${organizationId}:${kind}`;
  const ended = c.cache.writing([key]);
  let change: ((list: Listed[]) => Listed[]) | undefined;
  try {
    const result = await run();
    change = known?.(result);
    return result;
  } finally {
    if (change) c.cache.update(key, change);
    else c.cache.forget(key);
    ended();
  }
}

/** After an addition the caller reads the list again at once (to learn the record): until then the
 * list others look themselves up in stays. */
const keepForFreshRead = () => (list: Listed[]) => list;

/** POST .../director: the record id is data.organization.id (flows page); credentials as `credentials()` reads them. */
export async function addDirector(c: FinHubClient, organizationId: string, body: unknown): Promise<Added> {
  return changingPeople(c, organizationId, "director", async () => {
    const { data } = await c.call("POST", "/api/v2.1/customer/organization/{id}/director", { id: organizationId }, { kind: "guarded", body });
    return { recordId: str(data?.organization?.id), userId: str(data?.individual?.userId), ...credentials(data) };
  }, keepForFreshRead);
}

/**
 * POST .../shareholders with an array. The answer for an array is undocumented: one item or an array
 * of `{ shareholderId, status, createdAt }`, with no email to match by; the safe reading is to re-list
 * and match by email, which the caller does.
 */
export async function addShareholders(c: FinHubClient, organizationId: string, body: unknown[]): Promise<void> {
  return changingPeople(c, organizationId, "shareholder", async () => {
    await c.call("POST", "/api/v2.1/customer/organization/{id}/shareholders", { id: organizationId }, { kind: "guarded", body });
  }, keepForFreshRead);
}

/** PUT /api/v2.1/shareholder/update/{id}: the flat body with its required fields (X-Forwarded-For is always sent). */
export async function updateShareholder(c: FinHubClient, organizationId: string, shareholderId: string, body: Record<string, unknown>): Promise<void> {
  return changingPeople(c, organizationId, "shareholder", async () => {
    await c.call("PUT", "/api/v2.1/shareholder/update/{id}", { id: shareholderId }, { kind: "idempotent", body });
  });
}

/** POST .../employee answers `data.individual{ userId, email }` and no record id (it comes from the list). */
export async function addEmployee(c: FinHubClient, organizationId: string, body: unknown): Promise<Added> {
  return changingPeople(c, organizationId, "employee", async () => {
    const { data } = await c.call("POST", "/api/v2.1/customer/organization/{id}/employee", { id: organizationId }, { kind: "guarded", body });
    return { recordId: str(data?.employeeId), userId: str(data?.individual?.userId), ...credentials(data) };
  }, keepForFreshRead);
}

/** PUT .../employees/{id}/roles `{ position, roles[] }` (answer undocumented: not read). Setting the same roles again changes nothing. */
export async function setEmployeeRoles(c: FinHubClient, organizationId: string, employeeId: string, position: string, roles: string[]): Promise<void> {
  return changingPeople(c, organizationId, "employee", async () => {
    await c.call("PUT", "/api/v2.1/customer/organization/{id}/employees/{employee}/roles", { id: organizationId, employee: employeeId }, { kind: "idempotent", body: { position, roles } });
  });
}

const REMOVE: Record<Kind, string> = {
  director: "/api/v2.1/customer/organization/{id}/directors/{record}",
  shareholder: "/api/v2/organizations/{id}/shareholders/{record}",
  // Not named by any page: the shape the rest of the API suggests (API-NOTES).
  employee: "/api/v2.1/customer/organization/{id}/employees/{record}",
};

/** DELETE a person's record (204, or 200 with an envelope); 404 = already gone. Removing twice removes nothing more. */
export async function removePerson(c: FinHubClient, kind: Kind, organizationId: string, recordId: string): Promise<number> {
  return changingPeople(
    c,
    organizationId,
    kind,
    async () => (await c.call("DELETE", REMOVE[kind], { id: organizationId, record: recordId }, { kind: "idempotent", accept: [404] })).status,
    // Removed now: off the list. A 404 (someone else removed it, they say) is read again.
    (status) => (status === 404 ? undefined : (list) => list.filter((x) => x.recordId !== recordId)),
  );
}

// ---- compliance ----

/** POST .../verify answers `data{ verificationId, status: PENDING, verificationType: KYB }`. */
export async function verify(c: FinHubClient, organizationId: string, actor: Actor, body: Record<string, unknown>): Promise<{ verificationId?: string; status?: string }> {
  const { data } = await c.call("POST", "/api/v2.1/customer/organization/{id}/verify", { id: organizationId }, { kind: "guarded", actor, body });
  c.cache.forget(`org:${organizationId}`);
  return { verificationId: str(data?.verificationId), status: str(data?.status) };
}

/** POST .../consents/{type} `{ accepted: true, version }`; the runner page's answer has no data (not read). Accepting again changes nothing. */
export async function acceptConsent(c: FinHubClient, organizationId: string, consent: string, version: string): Promise<void> {
  await c.call("POST", "/api/v2.1/customer/organization/{id}/consents/{consent}", { id: organizationId, consent }, { kind: "idempotent", body: { accepted: true, version } });
}

/** POST .../activation: the status is at data.activation.status (ACTIVATING on the newer page, ACTIVE on older ones). */
export async function activate(c: FinHubClient, organizationId: string, actor: Actor, body: Record<string, unknown>): Promise<Answer<{ status?: string }>> {
  const res = await c.call("POST", "/api/v2.1/customer/organization/{id}/activation", { id: organizationId }, { kind: "guarded", actor, body });
  c.cache.forget(`org:${organizationId}`);
  return { ...res, data: { status: str(res.data?.activation?.status) } };
}
