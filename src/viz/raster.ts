/**
 * @file Scene -> RGB pixels: anti-aliased strokes (coverage from the distance to each segment),
 * filled rectangles and circles, and text from a glyph atlas (font-data.ts, box-filtered to the
 * requested size). Each shape's coverage is collected first (the max over its segments, so the
 * joints of a polyline are not blended twice) and then blended once with its colour and opacity.
 */
import { FONT_ATLAS_BASE64, FONT_CELL } from './font-data.js';
import { type Scene, type Shape, parseColor } from './scene.js';

/** Coverage of one shape over the pixel box [x0, x0+w) x [y0, y0+h). */
class Mask {
  readonly a: Float32Array;
  constructor(readonly x0: number, readonly y0: number, readonly w: number, readonly h: number) {
    this.a = new Float32Array(Math.max(0, w * h));
  }
  max(x: number, y: number, v: number): void {
    const i = (y - this.y0) * this.w + (x - this.x0);
    if (v > this.a[i]!) this.a[i] = v;
  }
}

let atlas: Uint8Array | null = null;
function glyphs(): Uint8Array {
  if (!atlas) {
    const bin = atob(FONT_ATLAS_BASE64);
    atlas = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  }
  return atlas;
}

export class Raster {
  readonly rgb: Float32Array;
  constructor(readonly width: number, readonly height: number, background: string) {
    this.rgb = new Float32Array(width * height * 3);
    const [r, g, b] = parseColor(background);
    for (let i = 0; i < width * height * 3; i += 3) {
      this.rgb[i] = r;
      this.rgb[i + 1] = g;
      this.rgb[i + 2] = b;
    }
  }

  /** An empty mask covering [x0, x1] x [y0, y1] clipped to the image. */
  mask(x0: number, y0: number, x1: number, y1: number): Mask {
    const a = Math.max(0, Math.floor(x0));
    const b = Math.max(0, Math.floor(y0));
    const c = Math.min(this.width - 1, Math.ceil(x1));
    const d = Math.min(this.height - 1, Math.ceil(y1));
    return new Mask(a, b, Math.max(0, c - a + 1), Math.max(0, d - b + 1));
  }

  blend(m: Mask, color: string, opacity: number): void {
    const [r, g, b] = parseColor(color);
    for (let y = 0; y < m.h; y++) {
      for (let x = 0; x < m.w; x++) {
        const a = m.a[y * m.w + x]! * opacity;
        if (a <= 0) continue;
        const i = ((m.y0 + y) * this.width + m.x0 + x) * 3;
        this.rgb[i] = this.rgb[i]! * (1 - a) + r * a;
        this.rgb[i + 1] = this.rgb[i + 1]! * (1 - a) + g * a;
        this.rgb[i + 2] = this.rgb[i + 2]! * (1 - a) + b * a;
      }
    }
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.rgb, (v) => Math.max(0, Math.min(255, Math.round(v))));
  }
}

/** Adds the coverage of a stroked segment of width w to m. */
function segment(m: Mask, x1: number, y1: number, x2: number, y2: number, w: number): void {
  const half = Math.max(w, 1) / 2;
  const faint = Math.min(1, w); // hairlines thinner than a pixel are drawn 1 px wide but lighter
  const dx = x2 - x1;
  const dy = y2 - y1;
  const len2 = dx * dx + dy * dy;
  const xa = Math.max(m.x0, Math.floor(Math.min(x1, x2) - half - 1));
  const xb = Math.min(m.x0 + m.w - 1, Math.ceil(Math.max(x1, x2) + half + 1));
  const ya = Math.max(m.y0, Math.floor(Math.min(y1, y2) - half - 1));
  const yb = Math.min(m.y0 + m.h - 1, Math.ceil(Math.max(y1, y2) + half + 1));
  for (let y = ya; y <= yb; y++) {
    for (let x = xa; x <= xb; x++) {
      const px = x + 0.5 - x1;
      const py = y + 0.5 - y1;
      const t = len2 > 0 ? Math.max(0, Math.min(1, (px * dx + py * dy) / len2)) : 0;
      const d = Math.hypot(px - t * dx, py - t * dy);
      const c = Math.max(0, Math.min(1, half + 0.5 - d)) * faint;
      if (c > 0) m.max(x, y, c);
    }
  }
}

function stroke(r: Raster, pts: readonly [number, number][], w: number): Mask {
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const pad = w / 2 + 2;
  const m = r.mask(Math.min(...xs) - pad, Math.min(...ys) - pad, Math.max(...xs) + pad, Math.max(...ys) + pad);
  for (let i = 1; i < pts.length; i++) segment(m, pts[i - 1]![0], pts[i - 1]![1], pts[i]![0], pts[i]![1], w);
  return m;
}

/** Text with its baseline at y; each character box-filtered from the atlas cell. */
function text(r: Raster, s: Extract<Shape, { kind: 'text' }>, k: number): Mask {
  const f = (s.size * k) / FONT_CELL.size; // atlas pixels -> image pixels
  const cw = FONT_CELL.width * f;
  const total = cw * s.text.length;
  const left = s.x * k - (s.anchor === 'middle' ? total / 2 : 0);
  const top = s.y * k - FONT_CELL.ascent * f;
  const m = r.mask(left, top, left + total, top + FONT_CELL.height * f);
  const g = glyphs();
  const cell = FONT_CELL.width * FONT_CELL.height;
  for (let y = m.y0; y < m.y0 + m.h; y++) {
    const sy0 = (y - top) / f;
    const sy1 = (y + 1 - top) / f;
    for (let x = m.x0; x < m.x0 + m.w; x++) {
      const cx = Math.floor((x + 0.5 - left) / cw);
      const code = s.text.charCodeAt(cx);
      if (cx < 0 || cx >= s.text.length || code < 32 || code > 126) continue;
      const sx0 = (x - left - cx * cw) / f;
      const sx1 = (x + 1 - left - cx * cw) / f;
      let sum = 0;
      let n = 0;
      // Box filter: the atlas pixels whose centres fall in this pixel's footprint (>= 1 sample).
      const ya = Math.max(0, Math.min(FONT_CELL.height - 1, Math.floor(sy0)));
      const yb = Math.max(ya, Math.min(FONT_CELL.height - 1, Math.ceil(sy1) - 1));
      const xa = Math.max(0, Math.min(FONT_CELL.width - 1, Math.floor(sx0)));
      const xb = Math.max(xa, Math.min(FONT_CELL.width - 1, Math.ceil(sx1) - 1));
      for (let yy = ya; yy <= yb; yy++) for (let xx = xa; xx <= xb; xx++, n++) sum += g[(code - 32) * cell + yy * FONT_CELL.width + xx]!;
      if (sum > 0) m.max(x, y, sum / n / 255);
    }
  }
  return m;
}

/** Draws `scene` at `scale` device pixels per CSS pixel. */
export function rasterize(scene: Scene, scale = 2): Raster {
  const k = scale;
  const r = new Raster(Math.ceil(scene.width * k), Math.ceil(scene.height * k), scene.background);
  for (const s of scene.shapes) {
    const op = s.opacity ?? 1;
    switch (s.kind) {
      case 'line':
        r.blend(stroke(r, [[s.x1 * k, s.y1 * k], [s.x2 * k, s.y2 * k]], s.width * k), s.color, op);
        break;
      case 'polyline':
        r.blend(stroke(r, s.points.map(([x, y]) => [x * k, y * k] as [number, number]), s.width * k), s.color, op);
        break;
      case 'rect': {
        const [x0, y0, x1, y1] = [s.x * k, s.y * k, (s.x + s.w) * k, (s.y + s.h) * k];
        if (s.fill) {
          const m = r.mask(x0, y0, x1, y1);
          for (let y = m.y0; y < m.y0 + m.h; y++) for (let x = m.x0; x < m.x0 + m.w; x++) if (x + 0.5 >= x0 && x + 0.5 < x1 && y + 0.5 >= y0 && y + 0.5 < y1) m.max(x, y, 1);
          r.blend(m, s.fill, op);
        }
        if (s.strokeWidth > 0) r.blend(stroke(r, [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]], s.strokeWidth * k), s.color, op);
        break;
      }
      case 'circle': {
        const [cx, cy, rad] = [s.cx * k, s.cy * k, s.r * k];
        const m = r.mask(cx - rad - 1, cy - rad - 1, cx + rad + 1, cy + rad + 1);
        for (let y = m.y0; y < m.y0 + m.h; y++) for (let x = m.x0; x < m.x0 + m.w; x++) m.max(x, y, Math.max(0, Math.min(1, rad + 0.5 - Math.hypot(x + 0.5 - cx, y + 0.5 - cy))));
        r.blend(m, s.color, op);
        break;
      }
      case 'text':
        r.blend(text(r, s, k), s.color, op);
        break;
    }
  }
  return r;
}
