// What the chart shows, as a graph: the stack; the BitGo organization, its enterprises and child
// enterprises, their users (video approvers marked); wallets and who holds view, spend or admin on
// each; the FinHub organization with its directors, shareholders (percentages, beneficial owners
// marked) and employees with their roles. From the state alone (what the stack declares), or `--live`
// from the review (what the vendors hold, with undeclared people and missing ones marked).
import type { Review, UnitReview } from "./audit";
import { BENEFICIAL_OWNER_PERCENT, Declared, personName } from "./declared";

export type NodeKind = "stack" | "organization" | "enterprise" | "child" | "wallet" | "person" | "finhub" | "finhub-person";

export interface ChartNode {
  id: string;
  kind: NodeKind;
  /** The first line is the title (bold). */
  lines: string[];
  /** Short marks shown on the node ("beneficial owner", "operator", "not declared"). */
  marks: string[];
}

/** How an edge is drawn: declared access, access nobody declared, declared access the vendor lacks, or one still waiting. */
export type EdgeStyle = "declared" | "undeclared" | "missing" | "waiting" | "structure";

export interface ChartEdge {
  id: string;
  from: string;
  to: string;
  label: string;
  style: EdgeStyle;
}

export interface ChartGraph {
  title: string;
  subtitle: string;
  nodes: ChartNode[];
  edges: ChartEdge[];
}

const short = (id: string) => (id.length > 12 ? `${id.slice(0, 8)}…` : id);

class GraphBuilder {
  private readonly nodes = new Map<string, ChartNode>();
  private readonly edges = new Map<string, ChartEdge>();

  node(id: string, kind: NodeKind, lines: string[], marks: string[] = []): string {
    const existing = this.nodes.get(id);
    if (!existing) this.nodes.set(id, { id, kind, lines: lines.filter(Boolean), marks: [...marks] });
    else existing.marks.push(...marks.filter((m) => !existing.marks.includes(m)));
    return id;
  }

  edge(from: string, to: string, label: string, style: EdgeStyle): void {
    const id = `${from}->${to}`;
    const existing = this.edges.get(id);
    if (existing) {
      if (!existing.label.split(" · ").includes(label)) existing.label = `${existing.label} · ${label}`;
      return;
    }
    this.edges.set(id, { id, from, to, label, style });
  }

  has(id: string): boolean {
    return this.nodes.has(id);
  }

  graph(title: string, subtitle: string): ChartGraph {
    return { title, subtitle, nodes: [...this.nodes.values()], edges: [...this.edges.values()] };
  }
}

const bitgoPerson = (b: GraphBuilder, user: string, marks: string[] = []) => b.node(`person:${user}`, "person", [user], marks);
const finhubPerson = (b: GraphBuilder, email: string, name: string, marks: string[] = []) => b.node(`finhub-person:${email}`, "finhub-person", [name, email], marks);
const video = "★ video approver";
const owner = "◆ beneficial owner";

// ---- from the state ----

export function graphFromState(declared: Declared, stack: string): ChartGraph {
  const b = new GraphBuilder();
  const root = b.node("stack", "stack", [`Pulumi stack ${stack}`, "as declared (state)"]);
  for (const o of declared.organizations.values()) {
    const id = b.node(`org:${o.id}`, "organization", ["BitGo organization", short(o.id)], o.authoritative ? ["authoritative"] : []);
    b.edge(root, id, "manages", "structure");
    for (const u of o.users) b.edge(id, bitgoPerson(b, personName(declared, u)), `${u.role}${u.mode === "assert" ? " (asserted)" : ""}`, "declared");
    for (const u of o.authoritative?.seenUnmanaged ?? []) b.edge(id, bitgoPerson(b, personName(declared, u), ["not declared"]), `${u.permissions.join(", ") || "member"} (not declared)`, "undeclared");
  }
  for (const e of declared.enterprises.values()) {
    const id = b.node(`ent:${e.id}`, e.child ? "child" : "enterprise", [e.child ? "Child enterprise" : "Enterprise", e.name ?? short(e.id)], e.authoritative ? ["authoritative"] : []);
    b.edge(e.child && e.organizationId && b.has(`org:${e.organizationId}`) ? `org:${e.organizationId}` : root, id, e.child ? "child enterprise" : "manages", "structure");
    for (const m of e.members) {
      const person = bitgoPerson(b, personName(declared, m));
      b.edge(id, person, [m.permissions.join(", ") || "member", m.videoApprover ? video : ""].filter(Boolean).join(" "), "declared");
    }
    for (const u of e.authoritative?.seenUnmanaged ?? []) b.edge(id, bitgoPerson(b, personName(declared, u), ["not declared"]), `${u.permissions.join(", ") || "member"} (not declared)`, "undeclared");
  }
  for (const w of declared.wallets.values()) {
    const id = b.node(`wallet:${w.id}`, "wallet", [`Wallet (${w.coin})`, w.label ?? short(w.id)], w.authoritative ? ["authoritative"] : []);
    b.edge(root, id, "manages", "structure");
    for (const u of w.users) {
      const waiting = u.state && u.state !== "accepted" ? ` (${shareState(u.state)})` : "";
      b.edge(id, bitgoPerson(b, personName(declared, u)), `${u.permissions.join(", ")}${waiting}`, waiting ? "waiting" : "declared");
    }
    for (const u of w.authoritative?.seenUnmanaged ?? []) b.edge(id, bitgoPerson(b, personName(declared, u), ["not declared"]), `${u.permissions.join(", ")} (not declared)`, "undeclared");
  }
  for (const o of declared.finhub.values()) {
    const id = b.node(`finhub:${o.id}`, "finhub", ["FinHub organization", o.legalName ?? short(o.id), o.status ? `status ${o.status}` : ""]);
    b.edge(root, id, "manages", "structure");
    for (const p of o.directors) b.edge(id, finhubPerson(b, p.email, p.name), `director ${p.role ?? ""}`.trim(), "declared");
    for (const p of o.shareholders) {
      const bo = (p.percentage ?? 0) >= BENEFICIAL_OWNER_PERCENT;
      b.edge(id, finhubPerson(b, p.email, p.name, bo ? [owner] : []), `shareholder${p.percentage !== undefined ? ` ${p.percentage} %` : ""}${bo ? ` ${owner}` : ""}`, "declared");
    }
    for (const p of o.employees) b.edge(id, finhubPerson(b, p.email, p.name), `employee ${(p.roles ?? []).join(", ")}${p.department ? ` · ${p.department}` : ""}`, "declared");
  }
  return b.graph(`orgstack chart: stack ${stack}`, "what the stack declares (from its state)");
}

function shareState(state: string): string {
  return state === "active" ? "invited" : state === "pendingapproval" ? "waiting for approval" : state;
}

// ---- from the live review ----

export function graphFromReview(review: Review, declared: Declared): ChartGraph {
  const b = new GraphBuilder();
  const root = b.node("stack", "stack", [`Pulumi stack ${review.stack}`, "as the vendors hold it (live)"]);
  const orgs = review.units.filter((u) => u.kind === "organization");
  for (const u of orgs) {
    const id = b.node(`org:${u.id}`, "organization", ["BitGo organization", u.title.replace(/^Organization /, "")]);
    b.edge(root, id, "manages", "structure");
    addRows(b, id, u);
  }
  for (const u of review.units.filter((x) => x.kind === "enterprise")) {
    const d = declared.enterprises.get(u.id);
    const orgId = u.facts.find((f) => f.startsWith("organization "))?.slice("organization ".length);
    const id = b.node(`ent:${u.id}`, d?.child ? "child" : "enterprise", [d?.child ? "Child enterprise" : "Enterprise", u.title.replace(/^(Child enterprise|Enterprise) /, "")], d?.authoritative ? ["authoritative"] : []);
    const parent = orgId && b.has(`org:${orgId}`) ? `org:${orgId}` : root;
    b.edge(parent, id, d?.child ? "child enterprise" : "enterprise", "structure");
    addRows(b, id, u);
  }
  for (const u of review.units.filter((x) => x.kind === "wallet")) {
    const entId = u.facts.find((f) => f.startsWith("enterprise "))?.slice("enterprise ".length);
    const id = b.node(`wallet:${u.id}`, "wallet", [u.title.replace(/^Wallet /, "Wallet: ")]);
    b.edge(entId && b.has(`ent:${entId}`) ? `ent:${entId}` : root, id, "wallet", "structure");
    addRows(b, id, u);
  }
  for (const u of review.units.filter((x) => x.kind === "finhub")) {
    const d = declared.finhub.get(u.id);
    const status = u.facts.find((f) => f.startsWith("status "));
    const id = b.node(`finhub:${u.id}`, "finhub", ["FinHub organization", d?.legalName ?? short(u.id), status ?? ""]);
    b.edge(root, id, "manages", "structure");
    const names = new Map([...(d?.directors ?? []), ...(d?.shareholders ?? []), ...(d?.employees ?? [])].map((p) => [p.email, p.name]));
    for (const r of u.rows) {
      const bo = r.permissions.some((p) => p.includes("beneficial owner"));
      const person = finhubPerson(b, r.user, names.get(r.user) ?? r.user, [...(bo ? [owner] : []), ...(r.standing === "not declared" ? ["not declared"] : [])]);
      const text = (r.permissions.length ? r.permissions : r.declared ?? []).join(", ").replace(" (beneficial owner)", ` ${owner}`);
      b.edge(id, person, edgeText(text, r), edgeStyle(r));
    }
  }
  return b.graph(`orgstack chart: stack ${review.stack} (live)`, `what the vendors hold now; ${review.findings.length} finding(s) in the review`);
}

function addRows(b: GraphBuilder, unitNode: string, u: UnitReview): void {
  for (const r of u.rows) {
    const marks = r.standing === "not declared" ? ["not declared"] : r.standing === "operator" ? ["operator"] : r.standing === "kept" ? ["kept"] : [];
    const person = bitgoPerson(b, r.user, marks);
    const held = r.permissions.length ? r.permissions.join(", ") : r.pending?.length ? r.pending.join(", ") : (r.declared ?? []).join(", ");
    const videoMark = r.videoApprover ? ` ${video}${r.videoApprover === "approved" ? "" : ` (${r.videoApprover})`}` : "";
    b.edge(unitNode, person, edgeText(`${held || "member"}${videoMark}`, r), edgeStyle(r));
  }
}

function edgeStyle(r: { standing: string; status: string; permissions: string[] }): EdgeStyle {
  if (r.status.startsWith("missing")) return "missing";
  if (r.standing === "not declared") return "undeclared";
  if (r.status !== "active" && !/^[A-Z_]+$/.test(r.status)) return "waiting";
  return "declared";
}

function edgeText(text: string, r: { standing: string; status: string }): string {
  if (r.status.startsWith("missing")) return `${text} (missing)`;
  const notes: string[] = [];
  if (r.standing === "not declared") notes.push("not declared");
  if (r.status.startsWith("invited")) notes.push("invited");
  else if (r.status.includes("waiting for approval")) notes.push("waiting for approval");
  else if (r.status.startsWith("share ")) notes.push(r.status);
  return notes.length ? `${text} (${notes.join("; ")})` : text;
}
