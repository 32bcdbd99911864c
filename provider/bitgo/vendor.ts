// BitGo as the kit sees it: the client for the stack's settings, the settle window for lost writes,
// the settings checked at preview, and BitGo's pending approvals.
import { getConfig } from "../config";
import { checkApiUrl } from "../http/transport";
import type { Vendor } from "../kit/resource";
import { settleWindowMs } from "../kit/writes";
import { APPROVED_STATES, REJECTED_STATES, approval, setApprovalState } from "./api";
import { BitGoClient, bitgoClient, bitgoSettings } from "./client";

export const bitgo: Vendor<BitGoClient> = {
  name: "bitgo",
  client: () => bitgoClient(bitgoSettings(getConfig())),
  settleMs: (c) => settleWindowMs(c.transport.timeoutMs),
  settingsFailures() {
    let s;
    try {
      s = bitgoSettings(getConfig());
      checkApiUrl(s.apiUrl, "bitgo:apiUrl");
    } catch (e) {
      // The message starts with the key it is about (bitgo:express, bitgo:apiUrl, ...).
      const reason = (e as Error).message;
      return [{ property: /^bitgo:\w+/.exec(reason)?.[0] ?? "bitgo:apiUrl", reason }];
    }
    if (!s.accessToken && !(s.email && s.password && (s.otp || s.totpSecret))) {
      return [
        {
          property: "bitgo",
          reason:
            "bitgo: no credentials: set bitgo:accessToken (secret), or bitgo:email, bitgo:password (secret) and bitgo:otp or bitgo:totpSecret (secret) so orgstack can log in",
        },
      ];
    }
    return [];
  },
  approvals: {
    async state(c, approvalId) {
      const a = await approval(c, approvalId);
      if (!a || REJECTED_STATES.includes(a.state)) return "rejected";
      return APPROVED_STATES.includes(a.state) ? "approved" : "open";
    },
    async withdraw(c, approvalId) {
      await setApprovalState(c, approvalId, "rejected");
    },
  },
};
