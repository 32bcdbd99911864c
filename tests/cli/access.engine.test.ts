// The review and the chart on a stack of the authoritative resources themselves (bitgo:EnterpriseAccess
// and bitgo:WalletAccess, through the real engine against the sandbox): the declared lists come from
// their inputs, the operator stands apart, an admin added out of band is a finding at once (review,
// live chart) and, after `pulumi refresh` with unmanaged: "report", is drawn from the state too.
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EnterpriseAccess, WalletAccess } from "../../sdk/bitgo";
import { SEED, WALLET_SEED } from "../../sandbox";
import { ExampleRun, runExample } from "./harness";
import { readSvg } from "./svg";

const custody = SEED.enterprises.custody.id;
const team = WALLET_SEED.wallets.team.id;

describe("EnterpriseAccess and WalletAccess", () => {
  let ex: ExampleRun;

  beforeAll(async () => {
    ex = await runExample("access", {
      program: async () => {
        new EnterpriseAccess("custody-admins", {
          enterpriseId: custody,
          members: [
            { username: "ops@acme.example", permissions: ["admin"], videoApprover: true },
            { username: "auditor@acme.example", permissions: ["auditor"] },
          ],
          unmanaged: "report",
          keep: [],
        });
        new WalletAccess("team-wallet", {
          coin: "tbtc",
          walletId: team,
          users: [
            { user: "ops@acme.example", permissions: ["spend", "view"] },
            { user: "auditor@acme.example", permissions: ["view"] },
          ],
          skipKeychain: true,
          unmanaged: "report",
          keep: [],
        });
      },
    });
  }, 300_000);
  afterAll(async () => ex?.cleanup());

  async function review(tag: string) {
    const json = path.join(ex.outDir, `${tag}.json`);
    const r = await ex.cli(["review", "--stack", "dev", "--markdown", path.join(ex.outDir, `${tag}.md`), "--json", json]);
    expect(r.code, r.stderr).not.toBe(2);
    return { code: r.code, json: JSON.parse(fs.readFileSync(json, "utf8")) };
  }
  async function chart(tag: string, live: boolean) {
    const svg = path.join(ex.outDir, `${tag}.svg`);
    const r = await ex.cli(["chart", "--stack", "dev", "--svg", svg, "--png", path.join(ex.outDir, `${tag}.png`), ...(live ? ["--live"] : [])]);
    expect(r.code, r.stderr).toBe(0);
    return readSvg(fs.readFileSync(svg, "utf8"));
  }

  it("reviews the declared lists against the vendor: members, invitations, the operator, the video approver's state", async () => {
    const { code, json } = await review("first");
    const ent = json.units.find((u: any) => u.kind === "enterprise");
    const row = (user: string) => ent.rows.find((r: any) => r.user === user);
    expect(ent.facts).toContain("authoritative: custody-admins (unmanaged: report)");
    expect(row(SEED.operator.email).standing).toBe("operator");
    expect(row("ops@acme.example")).toMatchObject({ standing: "declared", declared: ["admin"], permissions: ["admin"] });
    expect(row("auditor@acme.example")).toMatchObject({ standing: "declared", declared: ["auditor"] });
    expect(row("ops@acme.example").videoApprover).toBeTruthy();
    const wallet = json.units.find((u: any) => u.kind === "wallet");
    expect(wallet.rows.filter((r: any) => r.standing === "declared").map((r: any) => r.user).sort()).toEqual(["auditor@acme.example", "ops@acme.example"]);
    // No finding but the video approver's video ID, which the sandbox never approves.
    expect(json.findings.map((f: any) => f.rule)).toEqual(["no-video-approver"]);
    expect(code).toBe(1);
  });

  it("an admin added out of band: a finding now, on the live chart, and on the state's chart after refresh", async () => {
    await ex.sandbox("POST", "/__sandbox/bitgo/bulk", { count: 1, prefix: "mallory", enterpriseId: custody, permissions: ["admin"] });
    const { json } = await review("planted");
    expect(json.findings).toContainEqual(expect.objectContaining({ rule: "undeclared-admin", who: "mallory-1@acme.example" }));
    const live = await chart("live", true);
    expect(live.edges.find((e) => e.from === `ent:${custody}` && e.to === "person:mallory-1@acme.example")).toMatchObject({ style: "undeclared" });
    const before = await chart("state-before", false);
    expect(before.nodes.some((n) => n.id === "person:mallory-1@acme.example")).toBe(false);
    await ex.stack.refresh();
    const after = await chart("state-after", false);
    expect(after.edges.find((e) => e.to === "person:mallory-1@acme.example")).toMatchObject({ from: `ent:${custody}`, style: "undeclared", label: "admin (not declared)" });
    expect(after.nodes.find((n) => n.id === `ent:${custody}`)!.marks).toBe("authoritative");
  });
});
