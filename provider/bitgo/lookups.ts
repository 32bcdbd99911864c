// BitGo reads behind the program-side lookups (getOrganization, getUser, getUserSummary): the
// organization with its child enterprises and users, a user, and BitGo's admin user summary.
import * as api from "./api";
import { BitGoClient, isVendorError } from "./client";

export const HEX32 = /^[0-9a-f]{32}$/;

export function requireHex(fieldName: string, value: string | undefined, who: string): string {
  if (typeof value !== "string" || !HEX32.test(value)) {
    throw new Error(`${who}: ${fieldName} must be a 32-character lowercase hex id such as 62c5ae8174ac860007aff1555ffb960d, got "${String(value ?? "").slice(0, 60)}"`);
  }
  return value;
}

export interface OrganizationTree extends api.Organization {
  enterprises: api.ChildEnterpriseSummary[];
  users: api.OrgUser[];
  admins: api.OrgUser[];
  members: api.OrgUser[];
}

/** The organization (given, or the enterprise's), its child enterprises (every page) and its users. */
export async function organizationTree(c: BitGoClient, args: { organizationId?: string; enterpriseId?: string; includeUsers?: boolean; pageSize?: number }): Promise<OrganizationTree> {
  let organizationId = args.organizationId;
  if (!organizationId) {
    if (!args.enterpriseId) throw new Error("getOrganization: give organizationId, or enterpriseId to find the enterprise's organization");
    const e = await api.enterprise(c, requireHex("enterpriseId", args.enterpriseId, "getOrganization"));
    if (!e.organizationId) throw new Error(`bitgo: enterprise ${args.enterpriseId} (${e.name}) belongs to no organization`);
    organizationId = e.organizationId;
  }
  requireHex("organizationId", organizationId, "getOrganization");
  const [info, enterprises, users] = await Promise.all([
    api.organization(c, organizationId),
    api.childEnterprises(c, organizationId, { pageSize: args.pageSize }),
    args.includeUsers === false ? Promise.resolve([] as api.OrgUser[]) : api.orgUsers(c, organizationId),
  ]);
  return { ...info, enterprises, users, admins: users.filter((u) => u.role === "admin"), members: users.filter((u) => u.role === "member") };
}

export interface UserInfo {
  id: string;
  username: string;
  email: string;
  name: string;
  isActive: boolean;
  enterprises: { id: string; permissions: string[] }[];
  organizations: { id: string; role: string }[];
}

/** A user by id, or `me` (resolved through the session so the call carries a 32-hex id, as the spec's pattern asks). */
export async function getUserInfo(c: BitGoClient, idOrMe: string): Promise<UserInfo> {
  let key = idOrMe;
  if (key === "me") key = String((await c.call("GET", "/api/v2/user/session", {})).data?.session?.user ?? "");
  // By id as the spec's path pattern asks; an email, which the route's description also allows, as given.
  const u: any = await api.user(c, key.includes("@") ? key : requireHex("userId", key, "getUser"));
  return {
    id: String(u.id),
    username: String(u.username ?? ""),
    email: String(u.email?.email ?? u.username ?? ""),
    name: String(u.name?.full ?? ""),
    isActive: u.isActive !== false,
    enterprises: (u.enterprises ?? []).map((e: any) => ({ id: String(e.id), permissions: [...(e.permissions ?? [])].map(String) })),
    organizations: (u.organizations ?? []).map((o: any) => ({ id: String(o.id ?? ""), role: String(o.role ?? "") })),
  };
}

/** GET /api/v2/admin/user/{userId}/summary, as BitGo documents it (bitgo-admin-user-summary.txt). */
export interface UserSummary {
  id: string;
  username: string;
  enterprises: { id: string; name?: string; permissions: string[]; [k: string]: unknown }[];
  organizations: { id?: string; name?: string; role: string; permissions: string[] }[];
  /** False once orgstack has fetched every enterprise (it asks again with a larger maxEnterprises). */
  hasMoreEnterprises: boolean;
  [k: string]: unknown;
}

export interface UserSummaryOptions {
  includeDeleted?: boolean;
  excludeWalletCounts?: boolean;
  /** Caps the enterprises BitGo returns; when set, hasMoreEnterprises is passed on as BitGo says it. */
  maxEnterprises?: number;
}

/** The admin summary of a user; without maxEnterprises it asks again with a larger cap until complete (10,000 at most). */
export async function getUserSummary(c: BitGoClient, userId: string, opts: UserSummaryOptions = {}): Promise<UserSummary> {
  requireHex("userId", userId, "getUserSummary");
  const fetchOnce = async (max?: number): Promise<UserSummary> => {
    try {
      const { data } = await c.call("GET", "/api/v2/admin/user/{id}/summary", { id: userId }, {
        kind: "read",
        query: {
          includeDeleted: opts.includeDeleted === undefined ? undefined : String(opts.includeDeleted),
          excludeWalletCounts: opts.excludeWalletCounts === undefined ? undefined : String(opts.excludeWalletCounts),
          maxEnterprises: max === undefined ? undefined : String(max),
        },
      });
      return (data?.user ?? data) as UserSummary;
    } catch (e) {
      if (isVendorError(e, 403) || isVendorError(e, 401)) {
        throw new Error(
          `getUserSummary: BitGo refused its admin route GET /api/v2/admin/user/${userId}/summary: this token's user has no BitGo admin role ` +
            `(the route is for BitGo staff and partners BitGo has granted it). Use getUser (GET /api/v2/user/{id}) instead, or ask BitGo to grant the admin user-summary right. BitGo said: ${(e as Error).message}`,
        );
      }
      throw e;
    }
  };
  let summary = await fetchOnce(opts.maxEnterprises);
  if (opts.maxEnterprises !== undefined) return { ...summary, hasMoreEnterprises: !!summary.hasMoreEnterprises };
  while (summary.hasMoreEnterprises) {
    const have = summary.enterprises?.length ?? 0;
    if (have >= 10_000) break;
    const next = await fetchOnce(Math.min(10_000, Math.max(have * 4, 100)));
    // BitGo gave no more than last time (it caps below what was asked): stop; hasMoreEnterprises stays true.
    if ((next.enterprises?.length ?? 0) <= have) break;
    summary = next;
  }
  return { ...summary, hasMoreEnterprises: !!summary.hasMoreEnterprises };
}
