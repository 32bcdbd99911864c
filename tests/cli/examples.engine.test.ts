// The review and the chart against the sandbox after each example's `pulumi up` (through the real
// engine), run as a user runs them: `orgstack review --stack dev` / `orgstack chart --stack dev` in the
// project's folder. Every example gets the same checks (each declared enterprise, wallet, organization
// and person is in the review and on the chart, exit code and reports agree, no secret anywhere, a PNG
// a person can read); each known example also gets its own, including an out-of-band change planted
// through the sandbox that the review must report with exit code 1.
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readDeclared, Declared } from "../../cli/declared";
import { resourcesOf } from "../../cli/stackSource";
import { FINHUB_SEED, SEED } from "../../sandbox";
import { repoRoot } from "../engine/harness";
import { ExampleRun, runExample } from "./harness";
import { decodePng, inkRows, inkShare } from "./png";
import { readSvg } from "./svg";

const ALL = ["wallet-team", "baas-organization", "finhub-onboarding", "access-control"];
// Each example found in dist/ is checked; a new one needs its own entry in SPECIFIC (its planted finding).
const EXAMPLES = ALL.filter((n) => fs.existsSync(path.join(repoRoot, "dist", "examples", n, "index.js")));
const CONFIG: Record<string, Record<string, { value: string }>> = { "finhub-onboarding": { "finhub-onboarding:pollIntervalMs": { value: "200" } } };

interface ReviewResult {
  code: number;
  md: string;
  json: any;
  stderr: string;
}

async function review(ex: ExampleRun, tag: string): Promise<ReviewResult> {
  const md = path.join(ex.outDir, `review-${tag}.md`);
  const json = path.join(ex.outDir, `review-${tag}.json`);
  const r = await ex.cli(["review", "--stack", "dev", "--markdown", md, "--json", json]);
  if (r.code === 2 || !fs.existsSync(json)) throw new Error(`review failed (${r.code}): ${r.stderr}`);
  return { code: r.code, md: fs.readFileSync(md, "utf8"), json: JSON.parse(fs.readFileSync(json, "utf8")), stderr: r.stderr };
}

async function chart(ex: ExampleRun, live: boolean) {
  const base = path.join(ex.outDir, `chart-${live ? "live" : "state"}`);
  const r = await ex.cli(["chart", "--stack", "dev", "--svg", `${base}.svg`, "--png", `${base}.png`, ...(live ? ["--live"] : [])]);
  expect(r.code, r.stderr).toBe(0);
  const svgText = fs.readFileSync(`${base}.svg`, "utf8");
  return { svgText, svg: readSvg(svgText), png: decodePng(fs.readFileSync(`${base}.png`)), stdout: r.stdout };
}

/** Every secret the run used: none may appear in any output. */
function secretsOf(ex: ExampleRun): string[] {
  const sessions = (ex.running.sandbox.state.bitgo.sessions as { token: string }[]).map((s) => s.token);
  return [SEED.operator.password, SEED.operator.totpSecret, FINHUB_SEED.tenants.acme.token, ...sessions];
}

const personKey = (d: Declared, p: { username?: string; userId?: string }) => p.username ?? (p.userId && d.directory.get(p.userId)) ?? p.userId!;

describe.each(EXAMPLES)("%s", (name) => {
  let ex: ExampleRun;
  let declared: Declared;

  beforeAll(async () => {
    ex = await runExample(name, { config: CONFIG[name] });
    declared = readDeclared(resourcesOf(await ex.stack.exportStack()));
  }, 300_000);
  afterAll(async () => ex?.cleanup());

  it("review: every declared unit and person is reported, Markdown and JSON agree with the exit code, no secret is shown", async () => {
    const r = await review(ex, "first");
    expect(r.code).toBe(r.json.findings.length ? 1 : 0);
    expect(r.json.summary.findings).toBe(r.json.findings.length);
    expect(r.md).toContain(r.json.findings.length ? `**${r.json.findings.length} finding(s)**` : "**No findings.**");
    const units = new Map<string, any>(r.json.units.map((u: any) => [`${u.kind}:${u.id}`, u]));
    const expected = [
      ...[...declared.organizations.keys()].map((id) => `organization:${id}`),
      ...[...declared.enterprises.keys()].map((id) => `enterprise:${id}`),
      ...[...declared.wallets.keys()].map((id) => `wallet:${id}`),
      ...[...declared.finhub.keys()].map((id) => `finhub:${id}`),
    ];
    expect([...units.keys()].sort()).toEqual(expected.sort());
    expect(expected.length).toBeGreaterThan(0);
    const users = (key: string) => units.get(key).rows.flatMap((row: any) => [row.user, row.userId]);
    for (const e of declared.enterprises.values()) for (const m of e.members) expect(users(`enterprise:${e.id}`)).toContain(personKey(declared, m));
    for (const w of declared.wallets.values()) for (const u of w.users) expect(users(`wallet:${w.id}`)).toContain(personKey(declared, u));
    for (const o of declared.finhub.values()) for (const p of [...o.directors, ...o.shareholders, ...o.employees]) expect(users(`finhub:${o.id}`)).toContain(p.email);
    for (const u of units.values()) expect(r.md).toContain(`## ${u.title}`);
    const everything = r.md + JSON.stringify(r.json) + r.stderr;
    for (const s of secretsOf(ex)) expect(everything).not.toContain(s);
    SPECIFIC[name]?.review?.(r, declared);
  });

  for (const live of [false, true]) {
    it(`chart${live ? " --live" : ""}: a box for every declared unit and person with a line between them, and a readable PNG`, async () => {
      const c = await chart(ex, live);
      const ids = new Set(c.svg.nodes.map((n) => n.id));
      const edge = (from: string, to: string) => c.svg.edges.some((e) => e.from === from && e.to === to);
      for (const o of declared.organizations.values()) expect(ids).toContain(`org:${o.id}`);
      for (const e of declared.enterprises.values()) {
        expect(ids).toContain(`ent:${e.id}`);
        for (const m of e.members) expect(edge(`ent:${e.id}`, `person:${personKey(declared, m)}`), `${e.id} -> ${personKey(declared, m)}`).toBe(true);
      }
      for (const w of declared.wallets.values()) for (const u of w.users) expect(edge(`wallet:${w.id}`, `person:${personKey(declared, u)}`)).toBe(true);
      for (const o of declared.finhub.values()) for (const p of [...o.directors, ...o.shareholders, ...o.employees]) expect(edge(`finhub:${o.id}`, `finhub-person:${p.email}`)).toBe(true);
      for (const s of secretsOf(ex)) expect(c.svgText).not.toContain(s);
      checkPicture(c.svg, c.png);
      SPECIFIC[name]?.chart?.(c.svg, live);
    });
  }

  it("an out-of-band change made through the sandbox is a finding (exit code 1) and shows on the live chart", async () => {
    const plant = SPECIFIC[name]?.plant;
    expect(plant, `examples/${name} needs a planted finding in SPECIFIC`).toBeDefined();
    const expected = await plant!(ex, declared);
    const r = await review(ex, "planted");
    expect(r.code).toBe(1);
    for (const f of expected) expect(r.json.findings).toContainEqual(expect.objectContaining(f));
    SPECIFIC[name]?.afterPlant?.(r, await chart(ex, true));
  });
});

/** The PNG as a person sees it: the SVG's size at a zoom of at least 1, drawn (not blank), and text at least 12 px tall in every person's box. */
function checkPicture(svg: ReturnType<typeof readSvg>, png: ReturnType<typeof decodePng>) {
  const zoom = png.width / svg.width;
  expect(zoom).toBeGreaterThanOrEqual(1);
  expect(Math.abs(png.height / svg.height - zoom)).toBeLessThan(0.01);
  expect(Math.min(...svg.fontSizes)).toBeGreaterThanOrEqual(12);
  const ink = inkShare(png);
  expect(ink).toBeGreaterThan(0.01); // something is drawn
  expect(ink).toBeLessThan(0.6); // and it is not a solid block
  const people = svg.nodes.filter((n) => n.kind === "person" || n.kind === "finhub-person");
  expect(people.length).toBeGreaterThan(0);
  for (const n of people) {
    const box = { x: n.x * zoom, y: n.y * zoom, width: n.width * zoom, height: n.height * zoom };
    // Dark text rows inside the box, its border left out: one line of 13 px text is about 12 rows of ink at zoom 1.
    expect(inkRows(png, box, 3 * zoom), `text in the box of ${n.id}`).toBeGreaterThanOrEqual(12 * zoom * 0.9);
  }
}

interface Specific {
  review?(r: ReviewResult, d: Declared): void;
  chart?(svg: ReturnType<typeof readSvg>, live: boolean): void;
  /** Changes the vendor out of band; answers the findings the review must then show. */
  plant?(ex: ExampleRun, d: Declared): Promise<{ rule: string; who: string }[]>;
  afterPlant?(r: ReviewResult, chart: { svg: ReturnType<typeof readSvg> }): void;
}

const rowOf = (r: ReviewResult, kind: string, user: string) => r.json.units.find((u: any) => u.kind === kind).rows.find((x: any) => x.user === user);

const SPECIFIC: Record<string, Specific> = {
  "access-control": {
    review(r) {
      const units = r.json.units.map((u: any) => u.kind).sort();
      expect(units).toEqual(["enterprise", "wallet"]);
      expect(r.json.units.every((u: any) => u.facts.some((f: string) => f.startsWith("authoritative: ")))).toBe(true);
      expect(r.json.findings.filter((f: any) => f.rule.startsWith("undeclared-"))).toEqual([]);
    },
    async plant(ex, d) {
      // Someone adds an admin to the enterprise and a spender to the wallet in the web UI.
      const enterpriseId = [...d.enterprises.keys()][0];
      const walletId = [...d.wallets.keys()][0];
      await ex.sandbox("POST", "/__sandbox/bitgo/bulk", { count: 1, prefix: "intruder", enterpriseId, permissions: ["admin"] });
      await ex.sandbox("POST", "/__sandbox/bitgo/bulk", { count: 1, prefix: "spender", walletId, walletPermissions: ["spend", "view"] });
      return [
        { rule: "undeclared-admin", who: "intruder-1@acme.example" },
        { rule: "undeclared-spend", who: "spender-1@acme.example" },
      ];
    },
  },
  "wallet-team": {
    review(r) {
      expect(r.code).toBe(0);
      const rows = r.json.units[0].rows;
      expect(rows).toHaveLength(6);
      expect(rows.find((x: any) => x.user === SEED.operator.email)).toMatchObject({ standing: "operator", permissions: ["admin", "spend", "view"] });
      expect(rows.filter((x: any) => x.standing === "declared" && x.status.startsWith("invited")).map((x: any) => x.user).sort()).toEqual(
        ["auditor@acme.example", "compliance@acme.example", "ops@acme.example", "second-admin@acme.example", "treasury@acme.example"],
      );
    },
    chart(svg, live) {
      expect(svg.edges.filter((e) => e.from.startsWith("wallet:")).every((e) => e.style === (e.to === `person:${SEED.operator.email}` ? "declared" : "waiting"))).toBe(true);
      if (live) expect(svg.nodes.find((n) => n.id === `person:${SEED.operator.email}`)!.marks).toBe("operator");
    },
    async plant(ex, d) {
      const wallet = [...d.wallets.values()][0];
      // ops@ accepts their share (followed through acceptance), and someone adds mallory as a wallet admin in the web UI.
      const shareId = (await ex.stack.exportStack()).deployment.resources.find((r: any) => r.urn.endsWith("::wallet-ops")).outputs.shareId;
      await ex.sandbox("POST", `/__sandbox/bitgo/walletshare/${shareId}`, { state: "accepted" });
      await ex.sandbox("POST", "/__sandbox/bitgo/bulk", { count: 1, prefix: "mallory", walletId: wallet.id, walletPermissions: ["admin", "spend", "view"] });
      return [
        { rule: "undeclared-admin", who: "mallory-1@acme.example" },
        { rule: "undeclared-spend", who: "mallory-1@acme.example" },
      ];
    },
    afterPlant(r, c) {
      expect(r.json.findings).toHaveLength(2);
      expect(rowOf(r, "wallet", "ops@acme.example")).toMatchObject({ standing: "declared", status: "active", permissions: ["spend", "view"] });
      expect(c.svg.nodes.find((n) => n.id === "person:mallory-1@acme.example")!.marks).toBe("not declared");
      expect(c.svg.edges.find((e) => e.to === "person:mallory-1@acme.example")).toMatchObject({ style: "undeclared", label: "admin, spend, view (not declared)" });
    },
  },
  "baas-organization": {
    review(r, d) {
      expect(r.code).toBe(1);
      const children = [...d.enterprises.values()].filter((e) => e.child);
      expect(children).toHaveLength(3);
      // The end users are invited, not signed up: the operator is each child's only active admin, and
      // no admin is a video approver. The second organization admin is made by BitGo, not by the stack.
      expect(r.json.findings.map((f: any) => `${f.rule} ${f.who ?? ""}`.trim()).sort()).toEqual(
        [...children.flatMap(() => ["no-video-approver", `single-admin ${SEED.operator.email}`]), "undeclared-admin second-admin@acme.example"].sort(),
      );
      for (const e of children) {
        const unit = r.json.units.find((u: any) => u.id === e.id);
        expect(unit.rows.find((x: any) => x.user === e.members[0].username)).toMatchObject({ standing: "declared", status: "invited (not signed up)", permissions: ["admin"] });
      }
    },
    chart(svg) {
      const children = svg.edges.filter((e) => e.label === "child enterprise");
      expect(children).toHaveLength(3);
      expect(children.every((e) => e.from.startsWith("org:"))).toBe(true);
      // The operator is one box, whether the state names them by email or by id.
      expect(svg.nodes.filter((n) => n.id === `person:${SEED.operator.email}`)).toHaveLength(1);
      expect(svg.nodes.some((n) => n.id === `person:${SEED.operator.id}`)).toBe(false);
    },
    async plant(ex, d) {
      const alice = [...d.enterprises.values()].find((e) => e.members.some((m) => m.username === "alice@customer.example"))!;
      await ex.sandbox("POST", "/__sandbox/bitgo/bulk", { count: 1, prefix: "intruder", enterpriseId: alice.id, permissions: ["admin"] });
      return [{ rule: "undeclared-admin", who: "intruder-1@acme.example" }];
    },
    afterPlant(r) {
      const intruder = r.json.findings.find((f: any) => f.who === "intruder-1@acme.example");
      const unit = r.json.units.find((u: any) => u.findings.some((f: any) => f.who === "intruder-1@acme.example"));
      expect(intruder.where).toContain(unit.id);
      // Two active admins there now: that child is no longer single-admin.
      expect(unit.findings.map((f: any) => f.rule).sort()).toEqual(["no-video-approver", "undeclared-admin"]);
    },
  },
  "finhub-onboarding": {
    review(r) {
      expect(r.code).toBe(0);
      const rows = r.json.units[0].rows;
      expect(rows).toHaveLength(9);
      expect(rows.every((x: any) => x.standing === "declared")).toBe(true);
      expect(rows.find((x: any) => x.user === "noor.haddad@acme.example").permissions).toEqual(["shareholder 60 % (beneficial owner)"]);
      expect(rows.find((x: any) => x.user === "ruth.mensah@acme.example").permissions).toEqual(["shareholder 15 %"]);
      expect(r.json.units[0].facts).toContain("status ACTIVE");
    },
    chart(svg) {
      const owners = svg.nodes.filter((n) => n.marks.includes("beneficial owner")).map((n) => n.id).sort();
      expect(owners).toEqual(["finhub-person:eli.berg@acme.example", "finhub-person:noor.haddad@acme.example"]);
      expect(svg.edges.find((e) => e.to === "finhub-person:ada.ng@acme.example")!.label).toContain("ADMIN_USER");
      expect(svg.edges.find((e) => e.to === "finhub-person:maya.reyes@acme.example")!.label).toBe("director MANAGING_DIRECTOR");
    },
    async plant(ex, d) {
      const org = [...d.finhub.keys()][0];
      // In FinHub's web UI: the analyst is made an ADMIN_USER, and a director is removed.
      await ex.sandbox("PUT", `/__sandbox/finhub/organizations/${org}/employees/ben.costa@acme.example/roles`, { roles: ["ADMIN_USER"] });
      await ex.sandbox("DELETE", `/__sandbox/finhub/organizations/${org}/directors/liam.walsh@acme.example`);
      return [{ rule: "undeclared-admin", who: "ben.costa@acme.example" }];
    },
    afterPlant(r) {
      expect(r.json.findings).toHaveLength(1);
      expect(rowOf(r, "finhub", "liam.walsh@acme.example")).toMatchObject({ standing: "declared", status: "missing (declared, not listed by FinHub)" });
    },
  },
};
