// Values as the engine sends them over gRPC (google.protobuf.Struct) and as the resources want them.
//
// Secrets arrive wrapped ({"4dabf1…": "1b4706…", value}) because the plugin accepts secrets; the
// resources get plain values, and the plugin wraps again on the way out: every property that came in
// secret (a whole property, however deep the secret sat inside it) and every field the resource
// declares secret. Values not known yet (preview) come as one sentinel per type; the resources know
// the string one (kit/check.ts UNKNOWN), so the others are turned into it.
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { UNKNOWN } from "../provider/kit/check";

export const SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const UNKNOWNS = new Set([
  UNKNOWN,
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // bool
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
  "030794c1-ac77-496b-92df-f27374a8bd58", // asset
  "e48ece36-62e2-4504-bad9-02848725956a", // archive
]);

export type Props = Record<string, unknown>;

export function isSecret(v: unknown): v is { value: unknown } {
  return v !== null && typeof v === "object" && (v as any)[SIG] === SECRET_SIG;
}

export function secret(value: unknown): unknown {
  return isSecret(value) ? value : { [SIG]: SECRET_SIG, value };
}

function plain(v: unknown): { value: unknown; secret: boolean } {
  if (isSecret(v)) return { value: plain(v.value).value, secret: true };
  if (typeof v === "string" && UNKNOWNS.has(v)) return { value: UNKNOWN, secret: false };
  if (Array.isArray(v)) {
    const items = v.map(plain);
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (v !== null && typeof v === "object") {
    const entries = Object.entries(v).map(([k, x]) => [k, plain(x)] as const);
    return { value: Object.fromEntries(entries.map(([k, x]) => [k, x.value])), secret: entries.some(([, x]) => x.secret) };
  }
  return { value: v, secret: false };
}

/** A Struct's properties with secrets unwrapped, and the names of the properties that held one. */
export function fromStruct(s: Struct | undefined): { props: Props; secrets: Set<string> } {
  const raw = (s?.toJavaScript() ?? {}) as Props;
  const props: Props = {};
  const secrets = new Set<string>();
  for (const [k, v] of Object.entries(raw)) {
    const p = plain(v);
    props[k] = p.value;
    if (p.secret) secrets.add(k);
  }
  return { props, secrets };
}

/** Properties as a Struct, with the named ones wrapped as secrets and nothing undefined. */
export function toStruct(props: Props, secrets: Iterable<string> = []): Struct {
  const out: Props = JSON.parse(JSON.stringify(props ?? {}));
  for (const k of secrets) if (out[k] !== undefined) out[k] = secret(out[k]);
  return Struct.fromJavaScript(out as any);
}
