// orgstack/bitgo: BitGo enterprises, their users, organizations and wallet shares as Pulumi resources.
export { EnterpriseUser, EnterpriseUserArgs, EnterprisePermission } from "./enterpriseUser";
export { getEnterprise, getEnterpriseOutput, GetEnterpriseArgs, GetEnterpriseResult } from "./getEnterprise";
export { WalletShare, WalletShareArgs, WalletPermission, WalletShareKeychain } from "./walletShare";
