// The BitGo reads the authoritative access resources need beyond api.ts: an enterprise's member list
// with each member's active flag (an inactive member is an invitation still waiting), and the
// identity orgstack runs as (the operator, never removed by an access list). Everything else they
// call lives in api.ts and is shared with the per-member resources (one list per run).
import * as api from "./api";
import type { BitGoClient } from "./client";

export interface RosterMember {
  id: string;
  username: string;
  isAdmin: boolean;
  /** False while BitGo's invitation waits (the user has not verified their email or signed up). */
  active: boolean;
}

/**
 * Every member of an enterprise in one call: GET /api/v1/enterprise/{id}/user?allowInactiveUsers=true.
 * The spec gives this route no paging: `adminUsers` and `nonAdminUsers` hold every member.
 */
export function enterpriseRoster(c: BitGoClient, enterpriseId: string, since?: number): Promise<RosterMember[]> {
  return c.cache.get(
    `roster:${enterpriseId}`,
    async () => {
      const { data } = await c.call("GET", "/api/v1/enterprise/{id}/user", { id: enterpriseId }, { kind: "read", query: { allowInactiveUsers: true } });
      const map = (list: any[] | undefined, isAdmin: boolean): RosterMember[] =>
        (list ?? []).map((u) => ({
          id: String(u.id),
          username: String(u.username ?? u.email?.email ?? "").toLowerCase(),
          isAdmin,
          active: u.isActive !== false && u.verified !== false,
        }));
      return [...map(data?.adminUsers, true), ...map(data?.nonAdminUsers, false)];
    },
    { notBefore: since },
  );
}

export interface Operator {
  /** BitGo user ids the provider acts as (the token's user, and the login's). */
  ids: string[];
  /** Their usernames where known without a call (the configured login email). */
  usernames: string[];
}

/**
 * The identity orgstack runs as. A login's user is the configured email; a token's user is what
 * GET /api/v2/user/session says (`session.user`), read once per run. Both when both are configured
 * (a token for reads, a login for user_manage writes).
 */
export function operator(c: BitGoClient): Promise<Operator> {
  return c.cache.get("access:operator", async () => {
    const usernames = c.settings.email ? [c.settings.email.toLowerCase()] : [];
    if (!c.settings.accessToken && usernames.length) return { ids: [], usernames };
    const { data } = await c.call("GET", "/api/v2/user/session", {});
    const id = data?.session?.user;
    return { ids: typeof id === "string" && id ? [id] : [], usernames };
  });
}

export const isOperator = (op: Operator, who: { id?: string; username?: string }) =>
  (!!who.id && op.ids.includes(who.id)) || (!!who.username && op.usernames.includes(who.username.toLowerCase()));

/** Where each approval that is no longer open ended: "approved" or "rejected" (gone counts as rejected). */
export async function decisions(c: BitGoClient, approvalIds: string[]): Promise<Record<string, "approved" | "rejected">> {
  const out: Record<string, "approved" | "rejected"> = {};
  await Promise.all(
    [...new Set(approvalIds)].map(async (id) => {
      const a = await api.approval(c, id);
      if (!a || api.REJECTED_STATES.includes(a.state)) out[id] = "rejected";
      else if (api.APPROVED_STATES.includes(a.state)) out[id] = "approved";
    }),
  );
  return out;
}

export interface StaffUser {
  id: string;
  username: string;
  role: "admin" | "member";
}

/**
 * An organization's admins and members, every page: GET /api/org/users?organizationId=&role=admin&role=member
 * (500 a page). The role filter leaves out customers, of whom a BitGo-as-a-Service organization may
 * have thousands, so a list of people stays a page or two.
 */
export function organizationStaff(c: BitGoClient, organizationId: string, since?: number): Promise<StaffUser[]> {
  const load = async () => {
    const out: StaffUser[] = [];
    const seen = new Set<string>();
    let prevId: string | undefined;
    for (let page = 0; page < 1_000; page++) {
      const { data } = await c.call("GET", "/api/org/users", {}, { kind: "read", query: { organizationId, role: ["admin", "member"], limit: 500, prevId } });
      for (const u of data?.users ?? []) {
        const role = (u.organizations ?? []).find((o: any) => o.id === organizationId)?.role;
        if (role === "admin" || role === "member") out.push({ id: String(u.id), username: String(u.username ?? u.email?.email ?? "").toLowerCase(), role });
      }
      const next = data?.nextBatchPrevId;
      if (typeof next !== "string" || next === "" || seen.has(next)) break;
      seen.add(next);
      prevId = next;
    }
    return out;
  };
  return c.cache.get(`orgstaff:${organizationId}`, load, { notBefore: since });
}
