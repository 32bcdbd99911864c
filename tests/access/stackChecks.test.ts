// The program-side check across a stack's resources: an enterprise, wallet or organization managed both
// by an access list and by per-member resources, or by two access lists, is an error naming them all;
// different objects are not; an id not known yet (a preview of a new object) groups by its Output.
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { AccessNote, accessFindings } from "../../sdk/stackChecks";

const E1 = "62c5ae8174ac860007aff138a2d74df7";
const E2 = "62c5ae8174ac860007aff1390f0c2a11";
const list = (scope: AccessNote["scope"], id: unknown, name: string, kind = "EnterpriseAccess"): AccessNote => ({ scope, id, kind, name, authoritative: true });
const member = (scope: AccessNote["scope"], id: unknown, name: string, kind = "EnterpriseUser"): AccessNote => ({ scope, id, kind, name, authoritative: false });

describe("managed both ways", () => {
  it("an access list and per-member resources of the same enterprise: one error naming both", async () => {
    const { errors } = await accessFindings([list("enterprise", E1, "custody"), member("enterprise", E1, "ops"), member("enterprise", E1, "auditor"), member("enterprise", E2, "elsewhere")]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`BitGo enterprise ${E1} is managed both by the access list EnterpriseAccess "custody" and by EnterpriseUser "ops", EnterpriseUser "auditor"`);
    expect(errors[0]).toMatch(/declare those users in the list and take the per-member resources out of the stack/);
  });

  it("two access lists of one wallet, and a list beside a WalletShare", async () => {
    const W = "a1b2c3d4e5f60718293a4b5c6d7e8f01";
    const { errors } = await accessFindings([list("wallet", W, "a", "WalletAccess"), list("wallet", W, "b", "WalletAccess"), member("wallet", W, "share", "WalletShare")]);
    expect(errors.some((e) => /wallet a1b2.* has 2 access lists \(WalletAccess "a", WalletAccess "b"\)/.test(e))).toBe(true);
    expect(errors.some((e) => /and by WalletShare "share"/.test(e))).toBe(true);
  });

  it("per-member resources alone, or lists of different objects, are fine", async () => {
    expect((await accessFindings([member("enterprise", E1, "a"), member("enterprise", E1, "b"), list("enterprise", E2, "c"), list("organization", E1, "o", "OrganizationAccess")])).errors).toEqual([]);
  });

  it("an id not known yet groups by the Output passed (every resource given child.id shares it)", async () => {
    const unknownId = pulumi.output(pulumi.unknown as unknown as string); // unknown at preview
    const { errors } = await accessFindings([list("enterprise", unknownId, "child-list"), member("enterprise", unknownId, "child-admin"), member("enterprise", E1, "other")]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/\(not yet known #\d+\) is managed both by the access list EnterpriseAccess "child-list" and by EnterpriseUser "child-admin"/);
  });

  it("says who each list leaves alone", async () => {
    const { infos } = await accessFindings([], [{ ...list("enterprise", E1, "custody"), keep: ["svc@acme.example"] }]);
    expect(infos[0]).toMatch(/EnterpriseAccess "custody" leaves alone, whatever its list says, the identity orgstack runs as.* and those in keep \(svc@acme\.example\)/);
  });
});
