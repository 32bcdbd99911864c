// FinHub as the kit sees it: the client for the stack's settings, the settle window for lost writes,
// and the settings checked at preview. FinHub has no approvals.
import { getConfig } from "../config";
import { checkApiUrl } from "../http/transport";
import type { Vendor } from "../kit/resource";
import { settleWindowMs } from "../kit/writes";
import { FinHubClient, finhubClient, finhubSettings, missingSettings } from "./client";

export const finhub: Vendor<FinHubClient> = {
  name: "finhub",
  client: () => finhubClient(finhubSettings(getConfig())),
  settleMs: (c) => settleWindowMs(c.transport.timeoutMs),
  settingsFailures() {
    const s = finhubSettings(getConfig());
    const out = missingSettings(s).map((reason) => ({ property: "finhub", reason }));
    try {
      checkApiUrl(s.apiUrl, "finhub:apiUrl");
    } catch (e) {
      out.push({ property: "finhub:apiUrl", reason: (e as Error).message });
    }
    return out;
  },
};
