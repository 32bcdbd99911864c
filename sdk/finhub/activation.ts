import * as pulumi from "@pulumi/pulumi";
import { dynamicProvider } from "../shim";
import { noteForRules } from "./rules";
import { Consent } from "./types";

const provider = dynamicProvider("finhub:Activation");

export interface ActivationArgs {
  /** The organization's UUID (org.id). */
  organizationId: pulumi.Input<string>;
  /** All three are needed: ["terms", "privacy", "data-processing"]. */
  consents: pulumi.Input<pulumi.Input<Consent>[]>;
  /** The version of the legal documents accepted (default "1.0"); a change accepts them again in place. */
  consentVersion?: pulumi.Input<string>;
  /** The employee who activates (ADMIN_USER or COMPLIANCE_OFFICER); default the first ADMIN_USER. */
  actingEmployeeEmail?: pulumi.Input<string>;
  /** How long to wait for KYB and for ACTIVATING to become ACTIVE (default 900 s). */
  timeoutSeconds?: pulumi.Input<number>;
  /** How often to ask (default 5000 ms). */
  pollIntervalMs?: pulumi.Input<number>;
}

/**
 * Takes a FinHub organization to ACTIVE: KYB verification, the three consents, the readiness check and
 * activation, following FinHub's asynchronous ACTIVATING state until ACTIVE or the timeout. Declare it
 * with `dependsOn` on every director, shareholder and employee of the organization.
 */
export class Activation extends pulumi.dynamic.Resource {
  declare readonly organizationId: pulumi.Output<string>;
  declare readonly consents: pulumi.Output<Consent[]>;
  declare readonly consentVersion: pulumi.Output<string>;
  /** ACTIVE, or ACTIVATING after a timeout (the next pulumi up waits again). */
  declare readonly status: pulumi.Output<string>;
  declare readonly kybStatus: pulumi.Output<string>;
  declare readonly verificationId: pulumi.Output<string>;
  /** "consent@version" for each consent accepted. */
  declare readonly consentsAccepted: pulumi.Output<string[]>;
  /** The individual customer id of the employee who activated. */
  declare readonly actingUserId: pulumi.Output<string>;

  constructor(name: string, args: ActivationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      { ...args, status: undefined, kybStatus: undefined, verificationId: undefined, consentsAccepted: undefined, actingUserId: undefined },
      opts,
      "finhub",
      "Activation",
    );
    if (!opts?.id) noteForRules({ kind: "activation", resource: this, name, organizationId: args.organizationId, dependsOn: opts?.dependsOn });
  }
}
