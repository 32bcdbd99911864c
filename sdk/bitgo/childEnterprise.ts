import * as pulumi from "@pulumi/pulumi";
import { dynamicProvider } from "../shim";

// One shim object for every ChildEnterprise: Pulumi serializes it once and caches the text.
const provider = dynamicProvider("bitgo:ChildEnterprise");

export interface ChildEnterpriseArgs {
  /** The BitGo-as-a-Service organization (32 hex). Changing it replaces (a NEW enterprise). */
  organizationId: pulumi.Input<string>;
  /** The end customer's email: BitGo makes (or finds) this user and makes it the enterprise's admin. Changing it replaces. */
  email: pulumi.Input<string>;
  /**
   * User ids (32 hex) of organization users (admins, members, the service user) to make admins of the
   * enterprise. Checked before anything is created. Adding one later adds it in place (organization
   * route); removing one removes it from the enterprise.
   */
  additionalAdmins?: pulumi.Input<pulumi.Input<string>[]>;
  /** individual (default) | entity. Changing it replaces. */
  accountType?: pulumi.Input<"individual" | "entity">;
  /** Third-party identifiers `{ id, label }`. Changing them replaces. */
  thirdPartyIdentifier?: pulumi.Input<pulumi.Input<{ id: pulumi.Input<string>; label: pulumi.Input<string> }>[]>;
  /** BitGo's isCaaS flag (BitGo's default true validates the organization's CaaS set-up). */
  isCaaS?: pulumi.Input<boolean>;
  /**
   * BitGo's idempotency key. By default derived from the organization, this resource's project/stack/name,
   * the email, the account type and the identifiers, so a retry finds the enterprise it made. Set it to
   * take over an enterprise made earlier with a known key.
   */
  idempotencyKey?: pulumi.Input<string>;
  /**
   * BitGo has no endpoint that deletes an enterprise. "leave" (default): destroy leaves it in place and
   * says so. "freeze": destroy freezes it (POST /api/v2/enterprise/{id}/freeze) for freezeSeconds.
   */
  onDelete?: pulumi.Input<"leave" | "freeze">;
  /** How long a freeze lasts (default ten years). */
  freezeSeconds?: pulumi.Input<number>;
}

/**
 * A child enterprise of a BitGo-as-a-Service organization, one per end customer:
 * `POST /api/v2/organization/{id}/enterprise` with an idempotency key. See docs/organizations.md.
 */
export class ChildEnterprise extends pulumi.dynamic.Resource {
  declare readonly organizationId: pulumi.Output<string>;
  declare readonly email: pulumi.Output<string>;
  declare readonly additionalAdmins: pulumi.Output<string[]>;
  declare readonly accountType: pulumi.Output<"individual" | "entity">;
  /** The enterprise id (32 hex); also the resource id. */
  declare readonly enterpriseId: pulumi.Output<string>;
  /** The end user's BitGo user id. */
  declare readonly userId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly idempotencyKey: pulumi.Output<string>;
  declare readonly frozen: pulumi.Output<boolean>;
  /** True when create found the enterprise an earlier attempt made with the same idempotency key. */
  declare readonly adopted: pulumi.Output<boolean>;
  /** What destroying this resource does, in words (BitGo cannot delete an enterprise). */
  declare readonly onDeleteNote: pulumi.Output<string>;

  constructor(name: string, args: ChildEnterpriseArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      {
        ...args,
        logicalName: `${pulumi.getProject()}/${pulumi.getStack()}/${name}`,
        enterpriseId: undefined,
        userId: undefined,
        name: undefined,
        frozen: undefined,
        adopted: undefined,
        onDeleteNote: undefined,
        idempotencyKey: args.idempotencyKey,
      },
      opts,
      "bitgo",
      "ChildEnterprise",
    );
  }
}
