/**
 * @file A small vector scene (lines, polylines, rectangles, circles, text) that plots build once and
 * render to SVG (svg.ts) or to a PNG raster (raster.ts + png.ts), so both formats show the same
 * picture. Coordinates are CSS pixels, y down; colours are '#rrggbb'.
 */
export interface Paint {
  /** Stroke or fill colour, '#rrggbb'. */
  color: string;
  /** 0..1 (default 1). */
  opacity?: number;
}

export type Shape =
  | ({ kind: 'line'; x1: number; y1: number; x2: number; y2: number; width: number } & Paint)
  | ({ kind: 'polyline'; points: readonly [number, number][]; width: number } & Paint)
  | ({ kind: 'rect'; x: number; y: number; w: number; h: number; fill: string | null; strokeWidth: number } & Paint)
  | ({ kind: 'circle'; cx: number; cy: number; r: number } & Paint)
  | ({ kind: 'text'; x: number; y: number; text: string; size: number; anchor: 'start' | 'middle' } & Paint);

export interface Scene {
  width: number;
  height: number;
  background: string;
  shapes: Shape[];
}

/** '#rrggbb' -> [r, g, b] in 0..255 (anything else is black). */
export function parseColor(c: string): [number, number, number] {
  const m = /^#([0-9a-f]{6})$/i.exec(c);
  if (!m) return [0, 0, 0];
  const v = parseInt(m[1]!, 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}
