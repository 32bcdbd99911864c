// A small PNG reader for the chart tests: checks the signature and chunk CRCs, inflates the image data
// and undoes the row filters (8-bit RGB or RGBA, not interlaced: what resvg writes), so the tests look
// at the pixels a person would see rather than at the renderer's own report.
import * as zlib from "zlib";

export interface Image {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel. */
  rgba: Buffer;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

export function decodePng(file: Buffer): Image {
  if (!file.subarray(0, 8).equals(SIGNATURE)) throw new Error("not a PNG (bad signature)");
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (pos < file.length) {
    const length = file.readUInt32BE(pos);
    const type = file.toString("latin1", pos + 4, pos + 8);
    const data = file.subarray(pos + 8, pos + 8 + length);
    if (crc32(file.subarray(pos + 4, pos + 8 + length)) !== file.readUInt32BE(pos + 8 + length)) throw new Error(`PNG chunk ${type}: bad CRC`);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, colour, , , interlace] = data.subarray(8, 13);
      if (depth !== 8 || (colour !== 6 && colour !== 2) || interlace !== 0) throw new Error(`PNG: unsupported format (depth ${depth}, colour ${colour}, interlace ${interlace})`);
      channels = colour === 6 ? 4 : 3;
    } else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
    pos += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = Buffer.alloc(width * height * 4);
  let prev = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? line[i - channels] : 0;
      const b = prev[i];
      const c = i >= channels ? prev[i - channels] : 0;
      line[i] = (line[i] + [0, a, b, Math.floor((a + b) / 2), paeth(a, b, c)][filter]) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < 3; k++) out[(y * width + x) * 4 + k] = line[x * channels + k];
      out[(y * width + x) * 4 + 3] = channels === 4 ? line[x * channels + 3] : 255;
    }
    prev = line;
  }
  return { width, height, rgba: out };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Luminance (0 black .. 255 white) of a pixel. */
export function luminance(img: Image, x: number, y: number): number {
  const i = (y * img.width + x) * 4;
  return 0.299 * img.rgba[i] + 0.587 * img.rgba[i + 1] + 0.114 * img.rgba[i + 2];
}

/** Share of pixels that are not (near) white. */
export function inkShare(img: Image): number {
  let ink = 0;
  for (let y = 0; y < img.height; y += 2) for (let x = 0; x < img.width; x += 2) if (luminance(img, x, y) < 235) ink++;
  return ink / (Math.ceil(img.height / 2) * Math.ceil(img.width / 2));
}

/**
 * How many pixel rows of a box hold dark text ink (luminance under `dark`), inside a margin that
 * leaves the border out: about the height of the text drawn there.
 */
export function inkRows(img: Image, box: { x: number; y: number; width: number; height: number }, margin: number, dark = 110): number {
  let rows = 0;
  for (let y = Math.ceil(box.y + margin); y < Math.floor(box.y + box.height - margin); y++) {
    for (let x = Math.ceil(box.x + margin); x < Math.floor(box.x + box.width - margin); x++) {
      if (luminance(img, x, y) < dark) {
        rows++;
        break;
      }
    }
  }
  return rows;
}
