// Reads the boxes and lines back out of a chart's SVG (the data- attributes chartRender.ts writes), in
// the SVG's own coordinates.
export interface SvgNode {
  id: string;
  kind: string;
  label: string;
  marks: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SvgEdge {
  from: string;
  to: string;
  style: string;
  label: string;
}

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

export function readSvg(svg: string): { width: number; height: number; nodes: SvgNode[]; edges: SvgEdge[]; fontSizes: number[] } {
  const size = /<svg [^>]*width="([\d.]+)" height="([\d.]+)"/.exec(svg);
  const offset = /<g transform="translate\(([\d.]+),([\d.]+)\)">/.exec(svg);
  if (!size || !offset) throw new Error("not a chart SVG: no size or no graph group");
  const [ox, oy] = [Number(offset[1]), Number(offset[2])];
  const nodes = [...svg.matchAll(/<g class="node" id="([^"]*)" data-kind="([^"]*)" data-label="([^"]*)" data-marks="([^"]*)"><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)].map((m) => ({
    id: unescape(m[1]),
    kind: m[2],
    label: unescape(m[3]),
    marks: unescape(m[4]),
    x: Number(m[5]) + ox,
    y: Number(m[6]) + oy,
    width: Number(m[7]),
    height: Number(m[8]),
  }));
  const edges = [...svg.matchAll(/<g class="edge" data-from="([^"]*)" data-to="([^"]*)" data-style="([^"]*)" data-label="([^"]*)">/g)].map((m) => ({
    from: unescape(m[1]),
    to: unescape(m[2]),
    style: m[3],
    label: unescape(m[4]),
  }));
  const fontSizes = [...svg.matchAll(/font-size="([\d.]+)"/g)].map((m) => Number(m[1]));
  return { width: Number(size[1]), height: Number(size[2]), nodes, edges, fontSizes };
}
