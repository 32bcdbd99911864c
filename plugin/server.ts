// The orgstack provider plugin: Pulumi's ResourceProvider gRPC service, served with @grpc/grpc-js and
// the stubs shipped in @pulumi/pulumi/proto, over the very resource objects the dynamic provider uses
// (provider/index.ts). @pulumi/pulumi/provider's main() is not used: in the 3.x releases we pin it
// drops the provider's configuration, crashes on `pulumi import` and gives no detailed diff
// (plugin/README-toolchain.md). What this file adds to the resources:
//   - configuration: `orgstack:` keys mapped to the settings the resources read (config.ts);
//   - secrets: unwrapped on the way in, wrapped again on the way out (wire.ts);
//   - preview: Create and Update with preview=true answer from the inputs, with no vendor call;
//   - a detailed diff (each changed input, in place or replacing);
//   - import: Read with an id alone answers with the vendor's object, its outputs and inputs.
import * as fs from "fs";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { Any } from "google-protobuf/google/protobuf/any_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import { resource, resources, setConfig } from "../provider";
import { withConfig } from "../provider/config";
import type { Resource } from "../provider/kit/resource";
import { packageSchema } from "../provider/kit/schema";
import { redact, redactError } from "../provider/kit/secrets";
import type { ConfigSource } from "../provider/types";
import { SETTINGS, changedSettings, checkConfig, configSource, pluginWording } from "./config";
import { UNSHOWN, behaviourChanges, previewOutputs, recordedOf, unshownBy, withUnshownDeclared, withoutDefaults } from "./values";
import { Props, fromStruct, toStruct } from "./wire";

export const PACKAGE = "orgstack";
export const GO_IMPORT_BASE_PATH = "github.com/orgstack/orgstack/sdks/go/orgstack";

/** The installed package's version: the plugin's version, the schema's and the SDKs'. */
export function version(): string {
  const file = [path.join(__dirname, "../../package.json"), path.join(__dirname, "../package.json")].find((f) => fs.existsSync(f))!;
  return JSON.parse(fs.readFileSync(file, "utf8")).version;
}

/** The package schema of every resource in the registry. */
export function schema(): Record<string, any> {
  return packageSchema(resources, { name: PACKAGE, version: version(), config: SETTINGS, goImportBasePath: GO_IMPORT_BASE_PATH });
}

/** "urn:…::orgstack:bitgo:EnterpriseUser::name" (or the request's type) → the registry's kind "bitgo:EnterpriseUser". */
export function kindOf(urn: string, type?: string): string {
  const token = type || (urn.split("::")[2] ?? "").split("$").pop()!;
  if (!token.startsWith(`${PACKAGE}:`)) throw new Error(`orgstack: ${token || urn} is not a resource of the orgstack provider`);
  return token.slice(PACKAGE.length + 1);
}

/** The properties a resource keeps secret: those that came in secret, and those it declares secret. */
function secretsOf(r: Resource, ...came: Set<string>[]): Set<string> {
  return new Set([...r.secretInputs, ...r.secretOutputs, ...came.flatMap((s) => [...s])]);
}

const K = provproto.PropertyDiff.Kind;
const CHANGES = provproto.DiffResponse.DiffChanges;

function propertyDiff(kind: provproto.PropertyDiff.Kind): provproto.PropertyDiff {
  const d = new provproto.PropertyDiff();
  d.setKind(kind);
  d.setInputdiff(true);
  return d;
}

/** How one changed input shows: added, removed or changed, in place or replacing the object. */
function diffKind(before: unknown, after: unknown, replaces: boolean): provproto.PropertyDiff.Kind {
  if (before === undefined) return replaces ? K.ADD_REPLACE : K.ADD;
  if (after === undefined) return replaces ? K.DELETE_REPLACE : K.DELETE;
  return replaces ? K.UPDATE_REPLACE : K.UPDATE;
}

function failure(property: string, reason: string): provproto.CheckFailure {
  const f = new provproto.CheckFailure();
  f.setProperty(pluginWording(property));
  f.setReason(pluginWording(redact(reason)));
  return f;
}

/** An error as the engine takes it: scrubbed, worded for the plugin, and a partial state kept when the object exists. */
function grpcError(e: unknown, secrets: Set<string>, inputs?: Props): Partial<grpc.StatusObject> {
  const err = redactError(e) as any;
  const message = pluginWording(err instanceof Error ? err.message : String(err));
  const metadata = new grpc.Metadata();
  if (err?.id && err?.properties) {
    const detail = new provproto.ErrorResourceInitFailed();
    detail.setId(err.id);
    detail.setProperties(toStruct(err.properties, secrets));
    if (inputs) detail.setInputs(toStruct(inputs, secrets));
    detail.setReasonsList((err.reasons ?? [message]).map((r: unknown) => pluginWording(String(r))));
    const any = new Any();
    any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
    const status = new statusproto.Status();
    status.setCode(grpc.status.UNKNOWN);
    status.setMessage(message);
    status.addDetails(any);
    metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  }
  return { code: grpc.status.UNKNOWN, details: message, metadata };
}

type Handler<Req, Res> = grpc.handleUnaryCall<Req, Res>;

/** One RPC: its answer, or its error in the engine's form. */
function rpc<Req, Res>(run: (req: Req) => Promise<Res> | Res, onError?: (req: Req) => { secrets: Set<string>; inputs?: Props }): Handler<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => run(call.request))
      .then(
        (res) => callback(null, res),
        (e) => {
          const ctx = (() => {
            try {
              return onError?.(call.request);
            } catch {
              return undefined;
            }
          })();
          callback(grpcError(e, ctx?.secrets ?? new Set(), ctx?.inputs) as grpc.ServiceError, null);
        },
      );
  };
}

/** The provider: one per plugin process, as the engine starts one process per provider instance. */
export class OrgstackProvider {
  private config: ConfigSource = configSource({});
  private schemaText?: string;

  /** Runs a resource method under this provider's configuration. */
  private run<T>(fn: () => Promise<T>): Promise<T> {
    return withConfig(this.config, fn);
  }

  service(): grpc.UntypedServiceImplementation {
    const impl: Partial<provrpc.IResourceProviderServer> = {
      handshake: rpc(() => {
        const res = new provproto.ProviderHandshakeResponse();
        res.setAcceptSecrets(true);
        res.setAcceptResources(false);
        res.setAcceptOutputs(false);
        return res;
      }),
      getPluginInfo: rpc(() => {
        const info = new plugproto.PluginInfo();
        info.setVersion(version());
        return info;
      }),
      getSchema: rpc(() => {
        const res = new provproto.GetSchemaResponse();
        res.setSchema((this.schemaText ??= JSON.stringify(schema())));
        return res;
      }),
      checkConfig: rpc((req) => this.checkConfig(req)),
      diffConfig: rpc((req) => this.diffConfig(req)),
      configure: rpc((req) => this.configure(req)),
      check: rpc((req) => this.check(req)),
      diff: rpc((req) => this.diff(req)),
      create: rpc((req) => this.create(req), (req) => this.errorContext(req.getUrn(), req.getType(), req.getProperties())),
      read: rpc((req) => this.read(req), (req) => this.errorContext(req.getUrn(), req.getType(), req.getProperties())),
      update: rpc((req) => this.update(req), (req) => this.errorContext(req.getUrn(), req.getType(), req.getNews())),
      delete: rpc((req) => this.delete(req)),
      // Sent at the end of every run: nothing to stop, the engine kills the process next.
      cancel: rpc(() => new Empty()),
    };
    return impl as grpc.UntypedServiceImplementation;
  }

  private errorContext(urn: string, type: string, props: any) {
    const r = resource(kindOf(urn, type));
    const { props: inputs, secrets } = fromStruct(props);
    return { secrets: secretsOf(r, secrets), inputs };
  }

  checkConfig(req: provproto.CheckRequest): provproto.CheckResponse {
    const { props } = fromStruct(req.getNews());
    const res = new provproto.CheckResponse();
    res.setInputs(req.getNews());
    res.setFailuresList(checkConfig(props).map((f) => failure(f.property, f.reason)));
    return res;
  }

  diffConfig(req: provproto.DiffRequest): provproto.DiffResponse {
    const olds = fromStruct(req.getOldInputs() ?? req.getOlds()).props;
    const news = fromStruct(req.getNews()).props;
    const changed = changedSettings(olds, news);
    const res = new provproto.DiffResponse();
    res.setChanges(changed.length ? CHANGES.DIFF_SOME : CHANGES.DIFF_NONE);
    res.setDiffsList(changed);
    for (const k of changed) res.getDetaileddiffMap().set(k, propertyDiff(diffKind(olds[k], news[k], false)));
    res.setHasdetaileddiff(true);
    return res;
  }

  configure(req: provproto.ConfigureRequest): provproto.ConfigureResponse {
    // `variables` hold the stack's orgstack:* config (secrets removed); `args` the provider's inputs, secrets included.
    const values: Props = {};
    for (const [key, value] of req.getVariablesMap().entries()) values[key.replace(/^orgstack:(config:)?/, "")] = value;
    Object.assign(values, fromStruct(req.getArgs()).props);
    this.config = configSource(values);
    setConfig(this.config);
    const res = new provproto.ConfigureResponse();
    res.setAcceptsecrets(true);
    res.setSupportspreview(true);
    res.setAcceptresources(false);
    res.setAcceptoutputs(false);
    return res;
  }

  async check(req: provproto.CheckRequest): Promise<provproto.CheckResponse> {
    const r = resource(kindOf(req.getUrn(), req.getType()));
    const olds = fromStruct(req.getOlds());
    const news = fromStruct(req.getNews());
    const checked = await this.run(() => r.check(olds.props, news.props));
    const res = new provproto.CheckResponse();
    res.setInputs(toStruct(checked.inputs ?? news.props, secretsOf(r, news.secrets)));
    res.setFailuresList((checked.failures ?? []).map((f) => failure(f.property, f.reason)));
    return res;
  }

  async diff(req: provproto.DiffRequest): Promise<provproto.DiffResponse> {
    const r = resource(kindOf(req.getUrn(), req.getType()));
    const news = fromStruct(req.getNews()).props;
    const olds = withUnshownDeclared(fromStruct(req.getOlds()).props, news);
    const d = await this.run(() => r.diff(req.getId(), olds, news));
    const res = new provproto.DiffResponse();
    res.setChanges(d.changes ? CHANGES.DIFF_SOME : CHANGES.DIFF_NONE);
    res.setReplacesList(d.replaces);
    res.setDeletebeforereplace(d.deleteBeforeReplace);
    const changed = d.changes ? [...d.changed, ...behaviourChanges(r, olds, news, d.changed)] : [];
    res.setDiffsList(changed);
    for (const k of changed) res.getDetaileddiffMap().set(k, propertyDiff(diffKind(olds[k], news[k], d.replaces.includes(k))));
    // A change no input shows (an unfinished activation): the engine works out what to show.
    res.setHasdetaileddiff(!d.changes || changed.length > 0);
    return res;
  }

  async create(req: provproto.CreateRequest): Promise<provproto.CreateResponse> {
    const r = resource(kindOf(req.getUrn(), req.getType()));
    const { props, secrets } = fromStruct(req.getProperties());
    const res = new provproto.CreateResponse();
    if (req.getPreview()) {
      // No vendor call at preview: the recorded inputs as declared, every other output not known yet.
      res.setId("");
      res.setProperties(toStruct(previewOutputs(r, props), secretsOf(r, secrets)));
      return res;
    }
    const made = await this.run(() => r.create(props));
    res.setId(made.id);
    res.setProperties(toStruct(made.outs, secretsOf(r, secrets)));
    return res;
  }

  async read(req: provproto.ReadRequest): Promise<provproto.ReadResponse> {
    const r = resource(kindOf(req.getUrn(), req.getType()));
    // `pulumi import` sends the id alone: no properties, no inputs.
    const state = req.hasProperties() ? fromStruct(req.getProperties()) : undefined;
    const inputs = req.hasInputs() ? fromStruct(req.getInputs()) : undefined;
    const found = await this.run(() => r.read(req.getId(), state?.props));
    const res = new provproto.ReadResponse();
    res.setId(found.id);
    if (!found.id) return res; // gone: refresh drops it, import says it does not exist
    const secrets = secretsOf(r, state?.secrets ?? new Set(), inputs?.secrets ?? new Set());
    if (state) {
      res.setProperties(toStruct(found.props ?? {}, secrets));
      res.setInputs(toStruct(found.inputs ?? {}, secrets));
      return res;
    }
    // An import: the inputs become the code `pulumi import` prints (defaults left out, as a person
    // writes it); the outputs note what the vendor could not show, for the program to declare.
    const unshown = unshownBy(r, found.inputs ?? {});
    res.setProperties(toStruct({ ...found.props, ...(unshown.length ? { [UNSHOWN]: unshown } : {}) }, secrets));
    res.setInputs(toStruct(withoutDefaults(r, found.inputs ?? {}), secrets));
    return res;
  }

  async update(req: provproto.UpdateRequest): Promise<provproto.UpdateResponse> {
    const r = resource(kindOf(req.getUrn(), req.getType()));
    const olds = fromStruct(req.getOlds());
    const news = fromStruct(req.getNews());
    const secrets = secretsOf(r, olds.secrets, news.secrets);
    const res = new provproto.UpdateResponse();
    if (req.getPreview()) {
      res.setProperties(toStruct({ ...olds.props, ...recordedOf(r, news.props) }, secrets));
      return res;
    }
    const updated = await this.run(() => r.update(req.getId(), withUnshownDeclared(olds.props, news.props), news.props));
    res.setProperties(toStruct(updated.outs, secrets));
    return res;
  }

  async delete(req: provproto.DeleteRequest): Promise<Empty> {
    const r = resource(kindOf(req.getUrn(), req.getType()));
    await this.run(() => r.delete(req.getId(), fromStruct(req.getProperties()).props));
    return new Empty();
  }
}

/** Serves the provider on a free loopback port; resolves with the port. */
export async function serve(provider = new OrgstackProvider()): Promise<{ port: number; server: grpc.Server }> {
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(provrpc.ResourceProviderService, provider.service());
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { port, server };
}
