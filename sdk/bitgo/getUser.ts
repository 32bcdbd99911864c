import * as pulumi from "@pulumi/pulumi";
import { UserInfo, UserSummary, UserSummaryOptions, getUserInfo, getUserSummary as summaryOf, requireHex } from "../../provider/bitgo/lookups";
import { programClient } from "./getEnterprise";

export interface GetUserArgs {
  /** A user id (32 hex), an email, or "me" for the token's own user. */
  id: string;
}

/** A user: its enterprises with permissions and its organizations with role. */
export type GetUserResult = UserInfo;

/** Looks up a BitGo user: `GET /api/v2/user/{id}` (BitGo allows 60 of these per 10 minutes; cached per run). */
export async function getUser(args: GetUserArgs): Promise<GetUserResult> {
  const id = (args.id ?? "").trim();
  if (!(id === "me" || /^[0-9a-f]{32}$/.test(id) || /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(id))) {
    throw new Error(`getUser: id must be a 32-character lowercase hex user id, an email address, or "me", got "${args.id}"`);
  }
  return getUserInfo(programClient(), id);
}

export function getUserOutput(args: { id: pulumi.Input<string> }): pulumi.Output<GetUserResult> {
  return pulumi.output(args).apply((a) => getUser(a));
}

export interface GetUserSummaryArgs extends UserSummaryOptions {
  /** The user id (32 hex). */
  userId: string;
}

export type GetUserSummaryResult = UserSummary;

/**
 * BitGo's admin route `GET /api/v2/admin/user/{userId}/summary`, returned whole. Needs a token whose user
 * has a BitGo admin role; otherwise it fails saying so. Without maxEnterprises, a summary with
 * hasMoreEnterprises is fetched again with a larger cap until it holds every enterprise.
 */
export async function getUserSummary(args: GetUserSummaryArgs): Promise<GetUserSummaryResult> {
  requireHex("userId", args.userId, "getUserSummary");
  if (args.maxEnterprises !== undefined && (!Number.isInteger(args.maxEnterprises) || args.maxEnterprises < 1)) {
    throw new Error(`getUserSummary: maxEnterprises must be a positive whole number, got ${args.maxEnterprises}`);
  }
  const { userId, ...opts } = args;
  return summaryOf(programClient(), userId, opts);
}

export function getUserSummaryOutput(args: {
  userId: pulumi.Input<string>;
  includeDeleted?: pulumi.Input<boolean>;
  excludeWalletCounts?: pulumi.Input<boolean>;
  maxEnterprises?: pulumi.Input<number>;
}): pulumi.Output<GetUserSummaryResult> {
  return pulumi.output(args).apply((a) => getUserSummary(a as GetUserSummaryArgs));
}
