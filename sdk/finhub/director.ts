import * as pulumi from "@pulumi/pulumi";
import { director } from "../../provider/finhub/director";
import { Args, resourceClass } from "../resourceClass";
import { noteForRules } from "./rules";

export type DirectorArgs = Args<typeof director>;

/**
 * A director of a FinHub organization. FinHub has no route to change a director: every change
 * replaces it (removed first when the email stays). The temporary password is a secret output.
 */
export class Director extends resourceClass(director, {
  declared: (resource, name, args, opts) =>
    noteForRules({ kind: "director", resource, name, organizationId: args.organizationId, email: pulumi.output(args.person).apply((p: any) => p?.email), dependsOn: opts?.dependsOn }),
}) {}
