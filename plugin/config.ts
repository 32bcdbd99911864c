// The provider plugin's configuration: namespaced `orgstack:` keys, each standing for one vendor
// setting the resources read (`orgstack:bitgoAccessToken` is what the dynamic resources call
// `bitgo:accessToken`). A plugin only receives the config of its own namespace, so the vendors' own
// keys cannot be used; the environment variables stay the same fallback for both.
import { closest } from "../provider/kit/check";
import type { CheckFailure } from "../provider/kit/check";
import type { ConfigVariable } from "../provider/kit/schema";
import { flag } from "../provider/config";
import { checkApiUrl } from "../provider/http/transport";
import type { ConfigSource } from "../provider/types";

export interface Setting extends ConfigVariable {
  /** The key the resources read (`bitgo:accessToken`). */
  vendorKey: string;
  /** The environment variable used when the key is not set. */
  env: string;
}

const s = (name: string, vendorKey: string, env: string, description: string, extra: Partial<Setting> = {}): Setting => ({
  name,
  vendorKey,
  env,
  type: "string",
  description: `${description} Falls back to ${env}.`,
  ...extra,
});

export const SETTINGS: Setting[] = [
  s("bitgoApiUrl", "bitgo:apiUrl", "BITGO_API_URL", "BitGo's API (https://app.bitgo-test.com when unset; https://app.bitgo.com for production), or a BitGo Express instance."),
  s("bitgoAccessToken", "bitgo:accessToken", "BITGO_ACCESS_TOKEN", "A BitGo access token (secret). Adding users needs user_manage, which only a login's short-lived token carries: give bitgoEmail, bitgoPassword and bitgoTotpSecret (or bitgoOtp) instead.", { secret: true }),
  s("bitgoEmail", "bitgo:email", "BITGO_EMAIL", "The BitGo user's email, to log in."),
  s("bitgoPassword", "bitgo:password", "BITGO_PASSWORD", "The BitGo user's password (secret), to log in.", { secret: true }),
  s("bitgoOtp", "bitgo:otp", "BITGO_OTP", "A one-time code for the login (secret); bitgoTotpSecret lets orgstack make its own.", { secret: true }),
  s("bitgoTotpSecret", "bitgo:totpSecret", "BITGO_TOTP_SECRET", "The base32 TOTP secret of the BitGo user (secret), so CI logs in by itself.", { secret: true }),
  s("bitgoExpress", "bitgo:express", "BITGO_EXPRESS", "bitgoApiUrl is a BitGo Express instance (it builds spend shares' keychains itself). Never guessed.", { type: "boolean" }),
  s("finhubApiUrl", "finhub:apiUrl", "FINHUB_API_URL", "FinHub's API (https://sandbox.finhub.cloud when unset)."),
  s("finhubToken", "finhub:token", "FINHUB_TOKEN", "The FinHub tenant's JWT (secret).", { secret: true }),
  s("finhubTenantId", "finhub:tenantId", "FINHUB_TENANT_ID", "The FinHub tenant (X-Tenant-ID)."),
  s("finhubForwardedFor", "finhub:forwardedFor", "FINHUB_FORWARDED_FOR", "X-Forwarded-For: the address of the person acting (default: this machine's)."),
];

const byName = new Map(SETTINGS.map((x) => [x.name, x]));
const byVendorKey = new Map(SETTINGS.map((x) => [x.vendorKey, x]));

/** Keys the engine itself puts in a provider's inputs. */
const ENGINE_KEYS = new Set(["version", "pluginDownloadURL", "pluginChecksums", "name", "parameterization"]);

/** A configured value as the resources read it: text, as stack config is. */
function text(v: unknown): string | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** The resources' view of the provider's inputs: `get("bitgo:accessToken")` reads `bitgoAccessToken`. */
export function configSource(values: Record<string, unknown>): ConfigSource {
  return { get: (key) => text(values[byVendorKey.get(key)?.name ?? ""]) };
}

/** Checks the provider's settings: unknown keys (with the likely one), types, URLs, the express flag. */
export function checkConfig(values: Record<string, unknown>): CheckFailure[] {
  const failures: CheckFailure[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (key.startsWith("__") || ENGINE_KEYS.has(key)) continue;
    const setting = byName.get(key);
    if (!setting) {
      failures.push({ property: key, reason: unknownKey(key) });
      continue;
    }
    if (value === undefined || value === null || value === "") continue;
    if (setting.type === "string" && typeof value !== "string") {
      failures.push({ property: key, reason: `orgstack:${key} must be text, not ${JSON.stringify(value).slice(0, 40)}` });
      continue;
    }
    try {
      if (setting.type === "boolean") flag(text(value), `orgstack:${key}`);
      if (key.endsWith("ApiUrl")) checkApiUrl(String(value), `orgstack:${key}`);
    } catch (e) {
      failures.push({ property: key, reason: (e as Error).message });
    }
  }
  return failures;
}

function unknownKey(key: string): string {
  const vendor = byVendorKey.get(key.replace(/^(bitgo|finhub)[:_.]/, "$1:"));
  const guess = vendor?.name ?? closest(key, [...byName.keys()]);
  const fix = guess
    ? `did you mean orgstack:${guess}? Run \`pulumi config rm orgstack:${key}\` and \`pulumi config set ${byName.get(guess)!.secret ? "--secret " : ""}orgstack:${guess} <value>\``
    : `remove it with \`pulumi config rm orgstack:${key}\``;
  return `orgstack:${key} is not a setting of the orgstack provider: ${fix} (the settings are ${[...byName.keys()].join(", ")})`;
}

/** The settings whose change the engine should show: where the vendors are, not the credentials. */
const LOCATION = new Set(["bitgoApiUrl", "bitgoExpress", "finhubApiUrl", "finhubTenantId"]);

/**
 * The settings that changed in a way a preview should show: a vendor's URL or FinHub's tenant (the
 * objects in the state live there). New credentials change nothing the stack manages, so a rotated
 * token is no change. Nothing ever replaces the provider (its resources would all be replaced).
 */
export function changedSettings(olds: Record<string, unknown>, news: Record<string, unknown>): string[] {
  return [...LOCATION].filter((k) => (text(olds[k]) ?? "") !== (text(news[k]) ?? ""));
}

const VENDOR_KEY = new RegExp(`\\b(${SETTINGS.map((x) => x.vendorKey).join("|")})\\b`, "g");

/**
 * A message from the resources, worded for the plugin: they name the dynamic resources' keys
 * (`bitgo:accessToken`), which a plugin user sets as `orgstack:bitgoAccessToken`.
 */
export function pluginWording(message: string): string {
  return message.replace(VENDOR_KEY, (key) => `orgstack:${byVendorKey.get(key)!.name}`);
}
