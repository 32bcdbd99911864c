// The chart from a hand-made state with the authoritative resources (EnterpriseAccess, WalletAccess) and
// names that need escaping: the graph holds the boxes and lines it should, ELK places every box apart,
// the SVG renders and the PNG decodes.
import { describe, expect, it } from "vitest";
import { graphFromState } from "../../cli/chartGraph";
import { drawSvg, layout, renderPng } from "../../cli/chartRender";
import { readDeclared } from "../../cli/declared";
import { resourcesOf } from "../../cli/stackSource";
import { IDS, stackExport } from "./fixtures";
import { decodePng, inkShare } from "./png";
import { readSvg } from "./svg";

const state = stackExport([
  {
    kind: "bitgo:EnterpriseAccess",
    name: "custody-admins",
    inputs: { enterpriseId: IDS.enterprise, members: [{ username: "ops@acme.example", permissions: ["admin"], videoApprover: true }, { username: "audit@acme.example", permissions: ["auditor"] }], unmanaged: "report", keep: [] },
    outputs: { unmanagedMembers: [{ user: "intruder@evil.example", userId: IDS.mallory, permissions: ["admin"], status: "active" }] },
  },
  { kind: "bitgo:WalletAccess", name: "hot", inputs: { coin: "tbtc", walletId: IDS.wallet, users: [{ user: "ops@acme.example", permissions: ["spend", "view"] }], keep: [] }, outputs: { walletLabel: 'Hot <"&"> wallet' } },
  { kind: "finhub:Shareholder", name: "founder", inputs: { organizationId: IDS.finhub, person: { firstName: "Zoë", lastName: "Ødegård", email: "zoe@acme.example" }, ownershipPercentage: 25 } },
]);

describe("chart from the state", () => {
  const declared = readDeclared(resourcesOf(state));
  const graph = graphFromState(declared, "dev");

  it("has the boxes and lines the stack declares: video approvers and beneficial owners marked, what an authoritative list last saw drawn as not declared", () => {
    const edge = (to: string) => graph.edges.find((e) => e.to === to && e.from !== "stack")!;
    expect(graph.edges.filter((e) => e.to === "person:ops@acme.example").map((e) => e.label).sort()).toEqual(["admin ★ video approver", "spend, view"]);
    expect(edge("person:audit@acme.example").label).toBe("auditor");
    expect(edge("person:intruder@evil.example")).toMatchObject({ style: "undeclared", label: "admin (not declared)" });
    expect(graph.nodes.find((n) => n.id === "person:intruder@evil.example")!.marks).toEqual(["not declared"]);
    expect(graph.nodes.find((n) => n.id === `ent:${IDS.enterprise}`)!.marks).toEqual(["authoritative"]);
    expect(edge("finhub-person:zoe@acme.example").label).toBe("shareholder 25 % ◆ beneficial owner");
  });

  it("lays out every box apart, escapes names in the SVG, and renders a PNG", async () => {
    const placed = await layout(graph);
    for (const a of placed.nodes) {
      for (const b of placed.nodes) {
        if (a === b) continue;
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        expect(apart, `${a.id} and ${b.id} overlap`).toBe(true);
      }
    }
    const svg = drawSvg(graph, placed);
    expect(svg.svg).toContain("Hot &lt;&quot;&amp;&quot;&gt; wallet");
    const read = readSvg(svg.svg);
    expect(read.nodes).toHaveLength(graph.nodes.length);
    expect(read.edges).toHaveLength(graph.edges.length);
    const png = renderPng(svg);
    const image = decodePng(png.png);
    expect([image.width, image.height]).toEqual([png.width, png.height]);
    expect(png.zoom).toBe(2);
    expect(inkShare(image)).toBeGreaterThan(0.01);
  });
});
