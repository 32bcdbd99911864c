// BitGo organization reads shared by the lookups (getOrganization, getUser, getUserSummary) and the
// OrganizationUser and ChildEnterprise resources: the organization, its child enterprises page by page,
// its users with their roles, a user, and BitGo's admin user summary.
import { BitGoClient, isVendorError } from "./client";

export const HEX32 = /^[0-9a-f]{32}$/;
export const ORGANIZATION_ROLES = ["serviceUser", "admin", "member", "customer"] as const;
export type OrganizationRole = (typeof ORGANIZATION_ROLES)[number];

export interface OrganizationInfo {
  id: string;
  name: string;
  businessModel: string;
  /** Enterprise ids as the organization record lists them. */
  enterpriseIds: string[];
}

export interface ChildEnterpriseSummary {
  id: string;
  name: string;
  accountType: string;
  frozen: boolean;
}

export interface OrganizationMember {
  id: string;
  username: string;
  role: string;
}

export function requireHex(field: string, value: string | undefined, who: string): string {
  if (typeof value !== "string" || !HEX32.test(value)) {
    throw new Error(`${who}: ${field} must be a 32-character lowercase hex id such as 62c5ae8174ac860007aff1555ffb960d, got "${value ?? ""}"`);
  }
  return value;
}

/** GET /api/v2/organization/{id}. */
export function getOrganizationRecord(c: BitGoClient, organizationId: string): Promise<OrganizationInfo> {
  return c.cached(`organization:${organizationId}`, async () => {
    const { data } = await c.call("GET", `/api/v2/organization/${organizationId}`);
    const o = data?.organization ?? {};
    return {
      id: String(o.id ?? organizationId),
      name: String(o.name ?? ""),
      businessModel: o.businessModel == null ? "" : String(o.businessModel),
      enterpriseIds: Array.isArray(o.enterprises) ? o.enterprises.map(String) : [],
    };
  });
}

/** The organization an enterprise belongs to (BitGo's set-up guide: GET /api/v2/enterprise/{id}). */
export async function organizationIdOfEnterprise(c: BitGoClient, enterpriseId: string): Promise<string> {
  const e = await c.getEnterprise(enterpriseId);
  if (!e.organizationId) throw new Error(`bitgo: enterprise ${enterpriseId} (${e.name}) belongs to no organization`);
  return e.organizationId;
}

/**
 * Every child enterprise of an organization: GET /api/v2/organization/{id}/enterprise, following
 * `nextBatchPrevId` with `prevId` until the last page. `idempotencyKey` narrows to the one created with it.
 */
export async function listChildEnterprises(
  c: BitGoClient,
  organizationId: string,
  opts: { idempotencyKey?: string; pageSize?: number } = {},
): Promise<ChildEnterpriseSummary[]> {
  const out: ChildEnterpriseSummary[] = [];
  const seen = new Set<string>();
  let prevId: string | undefined;
  for (let page = 0; page < 10_000; page++) {
    const { data } = await c.call("GET", `/api/v2/organization/${organizationId}/enterprise`, {
      query: { limit: opts.pageSize ?? 500, prevId, idempotencyKey: opts.idempotencyKey },
    });
    for (const e of data?.enterprises ?? []) {
      out.push({ id: String(e.id), name: String(e.name ?? ""), accountType: String(e.accountType ?? ""), frozen: !!e.freeze });
    }
    const next = data?.nextBatchPrevId;
    if (typeof next !== "string" || next === "" || seen.has(next)) break;
    seen.add(next);
    prevId = next;
  }
  return out;
}

/** The organization's users with their roles: GET /api/org/users?organizationId= (page by page). */
export async function listOrganizationUsers(
  c: BitGoClient,
  organizationId: string,
  filter: { userId?: string; username?: string } = {},
): Promise<OrganizationMember[]> {
  const key = `orgusers:${organizationId}:${filter.userId ?? ""}:${filter.username ?? ""}`;
  return c.cached(key, async () => {
    const out: OrganizationMember[] = [];
    const seen = new Set<string>();
    let prevId: string | undefined;
    for (let page = 0; page < 10_000; page++) {
      const { data } = await c.call("GET", "/api/org/users", { query: { organizationId, ...filter, prevId } });
      for (const u of data?.users ?? []) {
        const role = (u.organizations ?? []).find((o: any) => o.id === organizationId)?.role;
        if (!role) continue;
        out.push({ id: String(u.id), username: String(u.username ?? u.email?.email ?? "").toLowerCase(), role: String(role) });
      }
      const next = data?.nextBatchPrevId;
      if (typeof next !== "string" || next === "" || seen.has(next)) break;
      seen.add(next);
      prevId = next;
    }
    return out;
  });
}

/** Forgets the cached user lists of an organization (after a write). */
export function forgetOrganizationUsers(c: BitGoClient, organizationId: string): void {
  c.invalidate(`orgusers:${organizationId}:`);
  c.invalidate(`organization:${organizationId}`);
}

/**
 * One user's role in an organization, or undefined when not in it. The organization's user list first
 * (it is not rate limited as GET /api/v2/user is); then the user record, which also shows a serviceUser.
 */
export async function organizationRoleOf(
  c: BitGoClient,
  organizationId: string,
  who: { username?: string; userId?: string },
): Promise<{ userId: string; username: string; role: string } | undefined> {
  const list = await listOrganizationUsers(c, organizationId);
  const hit = list.find((m) => (who.userId && m.id === who.userId) || (who.username && m.username === who.username.toLowerCase()));
  if (hit) return { userId: hit.id, username: hit.username, role: hit.role };
  // GET /api/v2/user/{id} by id only: the spec's path pattern is 32 hex (its description also allows an email).
  if (!who.userId) return undefined;
  try {
    const user = await c.getUser(who.userId);
    const role = user.organizations?.find((o) => o.id === organizationId)?.role;
    return role ? { userId: user.id, username: String(user.username).toLowerCase(), role } : undefined;
  } catch (e) {
    if (isVendorError(e, 404)) return undefined;
    throw e;
  }
}

// ---- users ----

export interface UserInfo {
  id: string;
  username: string;
  email: string;
  name: string;
  isActive: boolean;
  enterprises: { id: string; permissions: string[] }[];
  organizations: { id: string; role: string }[];
}

/** A user by id, email or `me`: GET /api/v2/user/{id}. */
export async function getUserInfo(c: BitGoClient, idOrEmail: string): Promise<UserInfo> {
  // "me" is resolved through the session first, so the user call carries a 32-hex id as the spec's pattern asks.
  let key = idOrEmail;
  if (key === "me") key = String((await c.call("GET", "/api/v2/user/session")).data?.session?.user ?? "me");
  const u: any = await c.getUser(key);
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
  name: { first: string; full: string; last: string };
  email: { email: string; verified?: boolean };
  enterprises: { id: string; name?: string; permissions: string[]; [k: string]: unknown }[];
  organizations: { id?: string; name?: string; role: string; permissions: string[] }[];
  walletCounts?: Record<string, unknown>;
  /** False once orgstack has fetched every enterprise (it asks again with a larger maxEnterprises). */
  hasMoreEnterprises: boolean;
  bitgoAdminRoles: string[];
  identity: Record<string, unknown>;
  shardKey: string;
  agreements: Record<string, unknown>;
  allowedCoins: string[];
  bitgoEmployee: boolean;
  currency: { bitcoinUnit: string; currency: string };
  disableReset2FA: boolean;
  featureFlags: string[];
  forceResetPassword: boolean;
  otpDevices: Record<string, unknown>[];
  phone: { phone: string | null; verified: boolean };
  timezone: string;
  country?: string;
  isActive?: boolean;
  isFrozen?: boolean;
  lastLogin?: string;
  [k: string]: unknown;
}

export interface UserSummaryOptions {
  includeDeleted?: boolean;
  excludeWalletCounts?: boolean;
  /** Caps the enterprises BitGo returns; when set, hasMoreEnterprises is passed on as BitGo says it. */
  maxEnterprises?: number;
}

/**
 * The admin summary of a user. Without maxEnterprises, a summary that says hasMoreEnterprises is asked
 * for again with a larger maxEnterprises until it is complete (up to 10,000 enterprises).
 */
export async function getUserSummary(c: BitGoClient, userId: string, opts: UserSummaryOptions = {}): Promise<UserSummary> {
  const fetchOnce = async (max?: number) => {
    try {
      const { data } = await c.call("GET", `/api/v2/admin/user/${userId}/summary`, {
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
            `(the route is for BitGo staff and partners BitGo has granted it). Use getUser (GET /api/v2/user/{id}) instead, ` +
            `or ask BitGo to grant the admin user-summary right. BitGo said: ${(e as Error).message}`,
        );
      }
      throw e;
    }
  };
  let max = opts.maxEnterprises;
  let summary = await fetchOnce(max);
  if (opts.maxEnterprises !== undefined) return { ...summary, hasMoreEnterprises: !!summary.hasMoreEnterprises };
  while (summary.hasMoreEnterprises) {
    const have = summary.enterprises?.length ?? 0;
    if (have >= 10_000) break;
    max = Math.min(10_000, Math.max(have * 4, 100));
    const next = await fetchOnce(max);
    // BitGo gave no more than last time (it caps below what was asked): stop, hasMoreEnterprises stays true.
    if ((next.enterprises?.length ?? 0) <= have) break;
    summary = next;
  }
  return { ...summary, hasMoreEnterprises: !!summary.hasMoreEnterprises };
}

// ---- the whole organization, for getOrganization ----

export interface OrganizationTree extends OrganizationInfo {
  enterprises: ChildEnterpriseSummary[];
  users: OrganizationMember[];
  admins: OrganizationMember[];
  members: OrganizationMember[];
}

export async function organizationTree(
  c: BitGoClient,
  args: { organizationId?: string; enterpriseId?: string; includeUsers?: boolean; pageSize?: number },
): Promise<OrganizationTree> {
  let organizationId = args.organizationId;
  if (!organizationId) {
    if (!args.enterpriseId) throw new Error("getOrganization: give organizationId, or enterpriseId to find the enterprise's organization");
    requireHex("enterpriseId", args.enterpriseId, "getOrganization");
    organizationId = await organizationIdOfEnterprise(c, args.enterpriseId);
  }
  requireHex("organizationId", organizationId, "getOrganization");
  const [info, enterprises, users] = await Promise.all([
    getOrganizationRecord(c, organizationId),
    listChildEnterprises(c, organizationId, { pageSize: args.pageSize }),
    args.includeUsers === false ? Promise.resolve([] as OrganizationMember[]) : listOrganizationUsers(c, organizationId),
  ]);
  return {
    ...info,
    enterprises,
    users,
    admins: users.filter((u) => u.role === "admin"),
    members: users.filter((u) => u.role === "member"),
  };
}
