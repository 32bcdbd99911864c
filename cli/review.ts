// `npx orgstack review`: reads the stack (its state and configuration), reads the live vendors with the
// stack's settings, and reports who has access to each enterprise, wallet and organization the stack
// declares, who is declared and who is not, pending invitations and approvals, video approvers, and
// the findings a custody auditor flags. Exit code: 0 clean, 1 a finding, 2 a usage error.
import * as fs from "fs";
import { redact } from "../provider/kit/secrets";
import { OptionSpec, Parsed, UsageError, intOption, parseArgs, usageText } from "./args";
import { RULES, Rule, audit } from "./audit";
import { readDeclared } from "./declared";
import { readLive } from "./live";
import { reviewJson, reviewMarkdown } from "./reviewReport";
import { loadStack } from "./stackSource";

export const REVIEW_OPTIONS: Record<string, OptionSpec> = {
  stack: { value: true, about: "the stack to review, read with the Pulumi CLI (pulumi stack export and its config)" },
  cwd: { value: true, about: "the Pulumi project's folder (default: the current folder)" },
  state: { value: true, about: "a saved `pulumi stack export` instead of --stack; vendor settings then come from BITGO_* / FINHUB_*" },
  markdown: { value: true, about: "write the Markdown report here (default: standard output)" },
  json: { value: true, about: "also write the review as JSON here" },
  "approval-max-age-days": { value: true, about: "a pending approval older than this is a finding (default 7)" },
  ignore: { value: true, repeat: true, about: `a rule not to report (repeatable): ${Object.keys(RULES).join(", ")}` },
  "user-reads": { value: true, about: "at most this many single-user reads for exact permissions (default 20; BitGo allows 60 per 600 s)" },
  help: { about: "show this help" },
};

const ABOUT = "Reads the live vendors with the stack's configuration and reports who has access. Exit code 0: no finding; 1: a finding; 2: a usage error.";

export async function run(args: string[]): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseArgs(args, REVIEW_OPTIONS);
    if (parsed.help) {
      console.log(usageText("review", ABOUT, REVIEW_OPTIONS));
      return 0;
    }
    return await review(parsed);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`orgstack review: ${redact(e.message)}\n(orgstack review --help shows the options)`);
      return 2;
    }
    console.error(`orgstack review: ${redact(e instanceof Error ? e.message : String(e))}`);
    return 1;
  }
}

function ignoredRules(parsed: Parsed): Rule[] {
  const list = (parsed.ignore as string[] | undefined) ?? [];
  for (const r of list) if (!(r in RULES)) throw new UsageError(`--ignore ${r}: no such rule (rules: ${Object.keys(RULES).join(", ")})`);
  return list as Rule[];
}

async function review(parsed: Parsed): Promise<number> {
  const maxApprovalAgeDays = intOption(parsed, "approval-max-age-days", 7, 0, 3650);
  const userReads = intOption(parsed, "user-reads", 20, 0, 50);
  const ignore = ignoredRules(parsed);
  const source = await loadStack({ stack: parsed.stack as string | undefined, cwd: parsed.cwd as string | undefined, state: parsed.state as string | undefined });
  const declared = readDeclared(source.resources);
  const live = await diagnosticsToStderr(() => readLive(declared, source.config, { userReads }));
  const result = audit(declared, live, { now: new Date(), maxApprovalAgeDays, ignore, stack: source.name });
  const markdown = reviewMarkdown(result);
  if (parsed.json) fs.writeFileSync(parsed.json as string, reviewJson(result));
  if (parsed.markdown) fs.writeFileSync(parsed.markdown as string, markdown);
  else process.stdout.write(markdown);
  const counts = `${result.units.length} unit(s) reviewed, ${result.findings.length} finding(s)`;
  console.error(`orgstack review: ${counts}${declared.unknownKinds.length ? `; resource kinds this version does not read: ${declared.unknownKinds.join(", ")}` : ""}`);
  return result.findings.length ? 1 : 0;
}

/**
 * The provider's clients print their diagnostics (a login, a retry) with console.log; during the
 * vendor reads they go to standard error, so standard output holds only the report.
 */
export async function diagnosticsToStderr<T>(fn: () => Promise<T>): Promise<T> {
  const original = console.log;
  console.log = (...parts: unknown[]) => console.error(...parts);
  try {
    return await fn();
  } finally {
    console.log = original;
  }
}
