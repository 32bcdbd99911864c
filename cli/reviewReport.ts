// The review written for people (Markdown: a summary of findings, then one section per enterprise,
// wallet and organization) and for machines (JSON: the same review, versioned). Both are scrubbed of
// every secret the process knows before they are written.
import { redact } from "../provider/kit/secrets";
import { RULES, Review, UnitReview } from "./audit";

export const REVIEW_JSON_VERSION = 1;

export function reviewJson(review: Review): string {
  const summary = {
    findings: review.findings.length,
    byRule: Object.fromEntries(Object.keys(RULES).map((r) => [r, review.findings.filter((f) => f.rule === r).length]).filter(([, n]) => n)),
    enterprises: review.units.filter((u) => u.kind === "enterprise").length,
    wallets: review.units.filter((u) => u.kind === "wallet").length,
    organizations: review.units.filter((u) => u.kind === "organization").length,
    finhubOrganizations: review.units.filter((u) => u.kind === "finhub").length,
  };
  return redact(JSON.stringify({ version: REVIEW_JSON_VERSION, ...review, summary }, null, 2)) + "\n";
}

/** A table cell: one line, no column break, no HTML. */
const cell = (s: string) => s.replace(/[\r\n]+/g, " ").replace(/\|/g, "\\|").replace(/</g, "&lt;");

function table(head: string[], rows: string[][]): string[] {
  return [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)];
}

export function reviewMarkdown(review: Review): string {
  const out: string[] = [`# Access review: stack ${cell(review.stack)}`, ""];
  out.push(`Generated ${review.generatedAt} by \`orgstack review\`${review.operator ? `, reading the vendors as ${cell(review.operator)} (the identity the stack acts as)` : ""}.`);
  out.push(`Pending approvals count as stale after ${review.maxApprovalAgeDays} days.${review.ignored.length ? ` Rules ignored: ${review.ignored.join(", ")}.` : ""}`, "");
  if (review.units.length === 0) out.push("Nothing to review: the stack declares no BitGo enterprise, wallet or organization and no FinHub organization.", "");
  out.push(review.findings.length ? `**${review.findings.length} finding(s)**` : "**No findings.**", "");
  if (review.findings.length) out.push(...table(["rule", "where", "finding"], review.findings.map((f) => [f.rule, f.where, f.message])), "");
  for (const unit of review.units) out.push(...unitMarkdown(unit));
  out.push("## Rules", "", ...Object.entries(RULES).map(([rule, about]) => `- \`${rule}\`: ${about}`), "");
  return redact(out.join("\n"));
}

function unitMarkdown(unit: UnitReview): string[] {
  const out = [`## ${cell(unit.title)}`, "", ...unit.facts.map((f) => `- ${cell(f)}`), ""];
  if (unit.rows.length) {
    const video = unit.kind === "enterprise";
    const head = ["user", unit.kind === "finhub" ? "record" : unit.kind === "organization" ? "role" : "permissions", "declared", "standing", "status", ...(video ? ["video approver"] : [])];
    out.push(
      ...table(
        head,
        unit.rows.map((r) => [
          r.user,
          permissionsText(r.permissions, r.exact, r.pending),
          r.declared ? `${r.declared.join(", ") || "(member)"}${r.resources.length ? ` (${[...new Set(r.resources)].join(", ")})` : ""}` : "—",
          r.standing,
          r.status,
          ...(video ? [r.videoApprover ?? "—"] : []),
        ]),
      ),
      "",
    );
  } else out.push("No one is listed.", "");
  if (unit.approvals.length) {
    out.push("Pending approvals:", "", ...table(["approval", "asks for", "state", "created", "age (days)"], unit.approvals.map((a) => [a.id, a.what, a.state, a.createdAt ?? "not given", a.ageDays === undefined ? "—" : String(a.ageDays)])), "");
  }
  out.push(unit.findings.length ? "Findings:" : "Findings: none.", "");
  if (unit.findings.length) out.push(...unit.findings.map((f) => `- **${f.rule}**: ${cell(f.message)}`), "");
  return out;
}

function permissionsText(permissions: string[], exact: boolean, pending?: string[]): string {
  let text = permissions.length ? permissions.join(", ") : "—";
  if (!exact) text = permissions.includes("admin") ? "admin (other permissions not read)" : "not admin (exact permissions not read)";
  if (pending?.length) text = `${text === "—" ? "" : `${text}; `}would get ${pending.join(", ")}`;
  return text;
}
