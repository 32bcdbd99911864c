// BitGo reads the review needs that provider/bitgo/api.ts does not offer, written on the same client
// (so the same login, pacing, HTTPS rule, retries and redaction apply). Reads only: the review never
// writes to a vendor.
import type { Approval } from "../provider/bitgo/api";
import type { BitGoClient } from "../provider/bitgo/client";

export interface EnterpriseMember {
  id: string;
  username: string;
  isAdmin: boolean;
  /**
   * False for a user BitGo lists as inactive: invited to the enterprise and not signed up yet (their
   * email is unverified). undefined when BitGo does not say.
   */
  active?: boolean;
}

/**
 * GET /api/v1/enterprise/{id}/user?allowInactiveUsers=true, keeping `isActive` (api.members drops it):
 * an inactive user is an invitation still pending, which the review lists as such.
 */
export async function enterpriseMembers(c: BitGoClient, enterpriseId: string): Promise<EnterpriseMember[]> {
  return c.cache.get(`review:members:${enterpriseId}`, async () => {
    const { data } = await c.call("GET", "/api/v1/enterprise/{id}/user", { id: enterpriseId }, { kind: "read", query: { allowInactiveUsers: true } });
    const map = (list: unknown, isAdmin: boolean): EnterpriseMember[] =>
      (Array.isArray(list) ? list : []).map((u: any) => ({
        id: String(u.id),
        username: String(u.username ?? u.email?.email ?? "").toLowerCase(),
        isAdmin,
        active: typeof u.isActive === "boolean" ? u.isActive : undefined,
      }));
    return [...map(data?.adminUsers, true), ...map(data?.nonAdminUsers, false)];
  });
}

/** A pending approval with the fields the review shows (BitGo's PendingApproval carries createDate). */
export interface DatedApproval extends Approval {
  createDate?: string;
  approvalsRequired?: number;
}
