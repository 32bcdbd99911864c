// orgstack/bitgo: BitGo enterprises, their users, organizations and wallet shares as Pulumi resources.
export { EnterpriseUser, EnterpriseUserArgs, EnterprisePermission } from "./enterpriseUser";
export { getEnterprise, getEnterpriseOutput, GetEnterpriseArgs, GetEnterpriseResult } from "./getEnterprise";
export { WalletShare, WalletShareArgs, WalletPermission, WalletShareKeychain } from "./walletShare";
export { OrganizationUser, OrganizationUserArgs, OrganizationUserRole } from "./organizationUser";
export { ChildEnterprise, ChildEnterpriseArgs } from "./childEnterprise";
export { getOrganization, getOrganizationOutput, GetOrganizationArgs, GetOrganizationResult } from "./getOrganization";
export { getUser, getUserOutput, GetUserArgs, GetUserResult, getUserSummary, getUserSummaryOutput, GetUserSummaryArgs, GetUserSummaryResult } from "./getUser";
export { EnterpriseAccess, EnterpriseAccessArgs, EnterpriseAccessMember } from "./enterpriseAccess";
export { WalletAccess, WalletAccessArgs, WalletAccessUser } from "./walletAccess";
export { OrganizationAccess, OrganizationAccessArgs, OrganizationAccessUser } from "./organizationAccess";
