// Lays the chart's graph out with ELK (elkjs, the Eclipse Layout Kernel's layered algorithm: layers
// from the stack to the people, fewest crossings, edge labels placed by the layout itself) and draws it
// as SVG; resvg (@resvg/resvg-js) renders the SVG to PNG. Text is set in a monospaced font so every
// box is sized from its text exactly, with no browser to measure it.
import { Resvg } from "@resvg/resvg-js";
import type { ChartEdge, ChartGraph, ChartNode, EdgeStyle, NodeKind } from "./chartGraph";

// elk.bundled runs the layout in this process (no worker thread).
// eslint-disable-next-line @typescript-eslint/no-var-requires
const ELK = require("elkjs/lib/elk.bundled.js");

export const FONT_FAMILY = "DejaVu Sans Mono, Menlo, Consolas, Liberation Mono, monospace";
/** Body text; the PNG is drawn at least at this size (at zoom 1), titles a bit larger. */
export const FONT_SIZE = 13;
const TITLE_SIZE = 14;
const LABEL_SIZE = 12;
/** Advance of one character of a monospaced font, in em (DejaVu Sans Mono: 1233/2048). */
const CHAR_EM = 0.602;
const LINE = 18;
const PAD_X = 12;
const PAD_Y = 9;
const MARGIN = 24;
const HEADER = 56;

const STYLE: Record<NodeKind, { fill: string; stroke: string; text: string }> = {
  stack: { fill: "#263238", stroke: "#263238", text: "#ffffff" },
  organization: { fill: "#0d47a1", stroke: "#0d47a1", text: "#ffffff" },
  enterprise: { fill: "#1976d2", stroke: "#0d47a1", text: "#ffffff" },
  child: { fill: "#bbdefb", stroke: "#1976d2", text: "#0d2a4a" },
  wallet: { fill: "#ffe082", stroke: "#ff8f00", text: "#3e2723" },
  person: { fill: "#ffffff", stroke: "#546e7a", text: "#212121" },
  finhub: { fill: "#2e7d32", stroke: "#1b5e20", text: "#ffffff" },
  "finhub-person": { fill: "#f1f8e9", stroke: "#558b2f", text: "#1b3a0f" },
};

const EDGE: Record<EdgeStyle, { stroke: string; dash?: string; text: string }> = {
  structure: { stroke: "#90a4ae", text: "#607d8b" },
  declared: { stroke: "#37474f", text: "#263238" },
  waiting: { stroke: "#f57c00", dash: "6 4", text: "#e65100" },
  undeclared: { stroke: "#c62828", dash: "6 4", text: "#b71c1c" },
  missing: { stroke: "#9e9e9e", dash: "2 4", text: "#757575" },
};

/** Display width of a text in character cells (East Asian wide characters take two). */
export function cells(text: string): number {
  let n = 0;
  for (const ch of text) n += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return n;
}
const textWidth = (text: string, size: number) => Math.ceil(cells(text) * size * CHAR_EM);

/** The lines a node shows: its own, then its marks. */
const nodeLines = (n: ChartNode) => [...n.lines, ...n.marks.map((m) => `[${m}]`)];

function nodeSize(n: ChartNode): { width: number; height: number } {
  const lines = nodeLines(n);
  const width = Math.max(...lines.map((l, i) => textWidth(l, i === 0 ? TITLE_SIZE : FONT_SIZE))) + 2 * PAD_X;
  return { width: Math.max(width, 120), height: lines.length * LINE + 2 * PAD_Y };
}

export interface PlacedNode extends ChartNode {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge extends ChartEdge {
  points: { x: number; y: number }[];
  labelBox?: { x: number; y: number; width: number; height: number };
}

export interface Layout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

export async function layout(graph: ChartGraph): Promise<Layout> {
  const elk = new ELK();
  const result = await elk.layout({
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "RIGHT",
      "elk.edgeRouting": "ORTHOGONAL",
      "elk.layered.spacing.nodeNodeBetweenLayers": "70",
      "elk.spacing.nodeNode": "22",
      "elk.spacing.edgeLabel": "3",
      "elk.layered.spacing.edgeNodeBetweenLayers": "24",
      "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
      "elk.layered.edgeLabels.sideSelection": "ALWAYS_UP",
      "elk.edgeLabels.placement": "CENTER",
    },
    children: graph.nodes.map((n) => ({ id: n.id, ...nodeSize(n) })),
    edges: graph.edges.map((e) => ({
      id: e.id,
      sources: [e.from],
      targets: [e.to],
      labels: [{ text: e.label, width: textWidth(e.label, LABEL_SIZE) + 8, height: LABEL_SIZE + 6 }],
    })),
  });
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const nodes: PlacedNode[] = (result.children ?? []).map((c: any) => ({ ...byId.get(c.id)!, x: c.x, y: c.y, width: c.width, height: c.height }));
  const edgeById = new Map(graph.edges.map((e) => [e.id, e]));
  const edges: PlacedEdge[] = (result.edges ?? []).map((e: any) => {
    const s = e.sections?.[0];
    const points = s ? [s.startPoint, ...(s.bendPoints ?? []), s.endPoint] : [];
    const l = e.labels?.[0];
    return { ...edgeById.get(e.id)!, points, labelBox: l && l.x !== undefined ? { x: l.x, y: l.y, width: l.width, height: l.height } : undefined };
  });
  return { width: Math.ceil(result.width ?? 0), height: Math.ceil(result.height ?? 0), nodes, edges };
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
const fmt = (n: number) => String(Math.round(n * 10) / 10);

export interface Svg {
  svg: string;
  width: number;
  height: number;
}

/** The SVG: a header, the graph below it, a legend at the bottom. Every node and edge carries data- attributes naming it. */
export function drawSvg(graph: ChartGraph, placed: Layout): Svg {
  const legend = legendItems();
  const width = Math.max(placed.width, textWidth(graph.title, 18), legend.width) + 2 * MARGIN;
  const legendTop = HEADER + placed.height + 24;
  const height = legendTop + legend.height + MARGIN;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}" font-size="${FONT_SIZE}">`,
    `<title>${esc(graph.title)}</title>`,
    `<defs>${Object.entries(EDGE).map(([k, v]) => `<marker id="arrow-${k}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="${v.stroke}"/></marker>`).join("")}</defs>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${MARGIN}" y="${MARGIN + 8}" font-size="18" font-weight="bold" fill="#212121">${esc(graph.title)}</text>`,
    `<text x="${MARGIN}" y="${MARGIN + 28}" font-size="${LABEL_SIZE}" fill="#546e7a">${esc(graph.subtitle)}</text>`,
    `<g transform="translate(${MARGIN},${HEADER})">`,
    ...placed.edges.map(drawEdge),
    ...placed.nodes.map(drawNode),
    `</g>`,
    `<g transform="translate(${MARGIN},${legendTop})">${legend.svg}</g>`,
    `</svg>`,
  ];
  return { svg: parts.join("\n"), width, height };
}

function drawNode(n: PlacedNode): string {
  const st = STYLE[n.kind];
  const lines = nodeLines(n);
  const text = lines
    .map((l, i) => {
      const y = n.y + PAD_Y + (i + 1) * LINE - 5;
      const mark = i >= n.lines.length;
      const fill = mark && l.includes("not declared") ? "#b71c1c" : st.text;
      return `<text x="${fmt(n.x + PAD_X)}" y="${fmt(y)}" font-size="${i === 0 ? TITLE_SIZE : FONT_SIZE}"${i === 0 ? ' font-weight="bold"' : ""} fill="${fill}">${esc(l)}</text>`;
    })
    .join("");
  const undeclared = n.marks.includes("not declared");
  return (
    `<g class="node" id="${esc(n.id)}" data-kind="${n.kind}" data-label="${esc(n.lines.join(" / "))}" data-marks="${esc(n.marks.join(", "))}">` +
    `<rect x="${fmt(n.x)}" y="${fmt(n.y)}" width="${fmt(n.width)}" height="${fmt(n.height)}" rx="6" fill="${st.fill}" stroke="${undeclared ? "#c62828" : st.stroke}" stroke-width="${undeclared ? 2.5 : 1.5}"${undeclared ? ' stroke-dasharray="6 4"' : ""}/>` +
    text +
    `</g>`
  );
}

function drawEdge(e: PlacedEdge): string {
  const st = EDGE[e.style];
  const d = e.points.map((p, i) => `${i ? "L" : "M"}${fmt(p.x)},${fmt(p.y)}`).join(" ");
  const path = `<path d="${d}" fill="none" stroke="${st.stroke}" stroke-width="1.4"${st.dash ? ` stroke-dasharray="${st.dash}"` : ""} marker-end="url(#arrow-${e.style})"/>`;
  const l = e.labelBox;
  const label = l
    ? `<rect x="${fmt(l.x)}" y="${fmt(l.y)}" width="${fmt(l.width)}" height="${fmt(l.height)}" fill="#ffffff" fill-opacity="0.9"/>` +
      `<text x="${fmt(l.x + 4)}" y="${fmt(l.y + l.height - 5)}" font-size="${LABEL_SIZE}" fill="${st.text}">${esc(e.label)}</text>`
    : "";
  return `<g class="edge" data-from="${esc(e.from)}" data-to="${esc(e.to)}" data-style="${e.style}" data-label="${esc(e.label)}">${path}${label}</g>`;
}

function legendItems(): { svg: string; width: number; height: number } {
  const nodes: [NodeKind, string][] = [
    ["organization", "BitGo organization"],
    ["enterprise", "enterprise"],
    ["child", "child enterprise"],
    ["wallet", "wallet"],
    ["person", "BitGo user"],
    ["finhub", "FinHub organization"],
    ["finhub-person", "FinHub person"],
  ];
  const edges: [EdgeStyle, string][] = [
    ["declared", "declared access"],
    ["waiting", "invited / waiting for approval"],
    ["undeclared", "held but not declared"],
    ["missing", "declared but missing"],
  ];
  const parts: string[] = [`<text x="0" y="12" font-size="${LABEL_SIZE}" font-weight="bold" fill="#212121">Legend</text>`];
  let x = 0;
  for (const [kind, text] of nodes) {
    const st = STYLE[kind];
    parts.push(`<rect x="${x}" y="22" width="16" height="14" rx="3" fill="${st.fill}" stroke="${st.stroke}"/><text x="${x + 22}" y="33" font-size="${LABEL_SIZE}" fill="#212121">${esc(text)}</text>`);
    x += 22 + textWidth(text, LABEL_SIZE) + 18;
  }
  let x2 = 0;
  for (const [style, text] of edges) {
    const st = EDGE[style];
    parts.push(`<path d="M${x2},52 L${x2 + 30},52" stroke="${st.stroke}" stroke-width="1.6"${st.dash ? ` stroke-dasharray="${st.dash}"` : ""}/><text x="${x2 + 36}" y="56" font-size="${LABEL_SIZE}" fill="#212121">${esc(text)}</text>`);
    x2 += 36 + textWidth(text, LABEL_SIZE) + 18;
  }
  parts.push(`<text x="0" y="78" font-size="${LABEL_SIZE}" fill="#212121" xml:space="preserve">${esc("★ video approver   ◆ beneficial owner (25 % or more)   [marks] on a box: not declared, operator (the stack's identity), kept")}</text>`);
  return { svg: parts.join(""), width: Math.max(x, x2, textWidth("★ video approver   ◆ beneficial owner (25 % or more)   [marks] on a box: not declared, operator (the stack's identity), kept", LABEL_SIZE)), height: 84 };
}

export interface Png {
  png: Buffer;
  width: number;
  height: number;
  /** Pixels per SVG unit: text is drawn at FONT_SIZE × zoom pixels. */
  zoom: number;
}

/** The PNG at twice the SVG's size (sharp text), or less for a very large chart (at least 1). */
export function renderPng(svg: Svg, maxSide = 8000): Png {
  const zoom = Math.max(1, Math.min(2, maxSide / Math.max(svg.width, svg.height)));
  const image = new Resvg(svg.svg, {
    fitTo: { mode: "zoom", value: zoom },
    background: "#ffffff",
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans Mono", monospaceFamily: "DejaVu Sans Mono" },
    logLevel: "off",
  }).render();
  return { png: image.asPng(), width: image.width, height: image.height, zoom };
}
