// `npx orgstack chart`: draws the stack as SVG and PNG, from its state (what it declares; no vendor
// call, no credentials) or `--live` (what the vendors hold, read as the review reads them, with
// undeclared and missing people marked). Exit code 0 written, 1 failed, 2 usage error.
import * as fs from "fs";
import * as path from "path";
import { redact } from "../provider/kit/secrets";
import { OptionSpec, Parsed, UsageError, intOption, parseArgs, usageText } from "./args";
import { audit } from "./audit";
import { graphFromReview, graphFromState } from "./chartGraph";
import { drawSvg, layout, renderPng } from "./chartRender";
import { readDeclared } from "./declared";
import { readLive } from "./live";
import { diagnosticsToStderr } from "./review";
import { loadStack } from "./stackSource";

export const CHART_OPTIONS: Record<string, OptionSpec> = {
  stack: { value: true, about: "the stack to draw, read with the Pulumi CLI (pulumi stack export)" },
  cwd: { value: true, about: "the Pulumi project's folder (default: the current folder)" },
  state: { value: true, about: "a saved `pulumi stack export` instead of --stack" },
  live: { about: "draw what the vendors hold now (reads them with the stack's settings) instead of the state" },
  svg: { value: true, about: "where to write the SVG (default orgstack-chart.svg)" },
  png: { value: true, about: "where to write the PNG (default orgstack-chart.png)" },
  "user-reads": { value: true, about: "with --live: at most this many single-user reads (default 20)" },
  help: { about: "show this help" },
};

const ABOUT = "Draws the stack's organizations, enterprises, wallets and people as SVG and PNG (layout: ELK's layered algorithm).";

export async function run(args: string[]): Promise<number> {
  try {
    const parsed = parseArgs(args, CHART_OPTIONS);
    if (parsed.help) {
      console.log(usageText("chart", ABOUT, CHART_OPTIONS));
      return 0;
    }
    return await chart(parsed);
  } catch (e) {
    const usage = e instanceof UsageError;
    console.error(`orgstack chart: ${redact(e instanceof Error ? e.message : String(e))}${usage ? "\n(orgstack chart --help shows the options)" : ""}`);
    return usage ? 2 : 1;
  }
}

async function chart(parsed: Parsed): Promise<number> {
  const svgFile = (parsed.svg as string | undefined) ?? "orgstack-chart.svg";
  const pngFile = (parsed.png as string | undefined) ?? "orgstack-chart.png";
  for (const f of [svgFile, pngFile]) if (!fs.existsSync(path.dirname(path.resolve(f)))) throw new UsageError(`the folder of ${f} does not exist`);
  const userReads = intOption(parsed, "user-reads", 20, 0, 50);
  const source = await loadStack({ stack: parsed.stack as string | undefined, cwd: parsed.cwd as string | undefined, state: parsed.state as string | undefined });
  const declared = readDeclared(source.resources);
  let graph = graphFromState(declared, source.name);
  if (parsed.live) {
    const live = await diagnosticsToStderr(() => readLive(declared, source.config, { userReads }));
    graph = graphFromReview(audit(declared, live, { now: new Date(), maxApprovalAgeDays: 7, ignore: [], stack: source.name }), declared);
  }
  const drawn = drawSvg(graph, await layout(graph));
  const svg = { ...drawn, svg: redact(drawn.svg) };
  const png = renderPng(svg);
  fs.writeFileSync(svgFile, svg.svg);
  fs.writeFileSync(pngFile, png.png);
  console.log(`orgstack chart: ${graph.nodes.length} boxes, ${graph.edges.length} lines; wrote ${svgFile} (${svg.width}×${svg.height}) and ${pngFile} (${png.width}×${png.height} px)`);
  return 0;
}
