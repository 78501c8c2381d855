/**
 * @file Canvas drawing for the playground page: the model's decision regions (or fitted values) as
 * a heatmap under the training points, the fitted 1-D function, the train/test loss curves (log
 * scale), and a KAN's edge functions as one small plot per edge, layer by layer (as in Liu et al.
 * 2024, Fig. 2.4). Plain 2-D canvas, no library.
 */
import type { DataInfo, EdgeLayer, Progress } from './protocol.js';

/** Class colours (colour-blind friendly, Okabe-Ito). */
export const PALETTE: readonly [number, number, number][] = [
  [230, 159, 0], [86, 180, 233], [0, 158, 115], [204, 121, 167], [213, 94, 0], [0, 114, 178], [240, 228, 66], [120, 120, 120],
];
const colour = (k: number): [number, number, number] => PALETTE[((k % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
const css = ([r, g, b]: [number, number, number], a = 1): string => `rgba(${r},${g},${b},${a})`;

/** Blue-white-red for a value t in [0, 1] (linear through white at 0.5). */
function diverging(t: number): [number, number, number] {
  const u = Math.max(0, Math.min(1, t));
  const lerp = (p: readonly number[], q: readonly number[], w: number): [number, number, number] =>
    [0, 1, 2].map((k) => Math.round(p[k]! + (q[k]! - p[k]!) * w)) as [number, number, number];
  return u < 0.5 ? lerp([59, 76, 192], [245, 245, 245], 2 * u) : lerp([245, 245, 245], [180, 4, 38], 2 * u - 1);
}

function range(v: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < v.length; i++) {
    if (Number.isFinite(v[i]!)) {
      lo = Math.min(lo, v[i]!);
      hi = Math.max(hi, v[i]!);
    }
  }
  if (!(hi > lo)) return [lo - 1, lo + 1];
  return [lo, hi];
}

/** The model's view of a 2-D dataset (heatmap + points), or of a 1-D one (curve + points). */
export function drawModel(canvas: HTMLCanvasElement, data: DataInfo, p: Progress | null): void {
  const ctx = canvas.getContext('2d')!;
  const W = canvas.width;
  const H = canvas.height;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, W, H);
  const b = data.bounds;
  if (b.length === 2) {
    if (p?.grid) drawGrid(ctx, W, H, data, p.grid);
    const sx = (x: number): number => ((x - b[0]![0]) / (b[0]![1] - b[0]![0])) * W;
    const sy = (y: number): number => H - ((y - b[1]![0]) / (b[1]![1] - b[1]![0])) * H;
    const [lo, hi] = range(data.labels);
    for (let i = 0; i < data.labels.length; i++) {
      const lab = data.labels[i]!;
      ctx.beginPath();
      ctx.arc(sx(data.points[2 * i]!), sy(data.points[2 * i + 1]!), 3.2, 0, 2 * Math.PI);
      ctx.fillStyle = css(data.task === 'classification' ? colour(lab) : diverging((lab - lo) / (hi - lo)));
      ctx.fill();
      ctx.strokeStyle = 'rgba(0,0,0,0.7)';
      ctx.lineWidth = 0.8;
      ctx.stroke();
    }
    return;
  }
  // 1-D regression: points and the fitted curve.
  const [ylo, yhi] = range([...data.labels, ...(p?.curve ? Array.from(p.curve.ys) : [])]);
  const pad = 0.1 * (yhi - ylo);
  const sx = (x: number): number => ((x - b[0]![0]) / (b[0]![1] - b[0]![0])) * W;
  const sy = (y: number): number => H - ((y - ylo + pad) / (yhi - ylo + 2 * pad)) * H;
  ctx.fillStyle = 'rgba(0,114,178,0.55)';
  for (let i = 0; i < data.labels.length; i++) {
    ctx.beginPath();
    ctx.arc(sx(data.points[i]!), sy(data.labels[i]!), 2.2, 0, 2 * Math.PI);
    ctx.fill();
  }
  if (p?.curve) {
    ctx.strokeStyle = '#d55e00';
    ctx.lineWidth = 2.2;
    ctx.beginPath();
    p.curve.xs.forEach((x, i) => (i === 0 ? ctx.moveTo(sx(x), sy(p.curve!.ys[i]!)) : ctx.lineTo(sx(x), sy(p.curve!.ys[i]!))));
    ctx.stroke();
  }
}

function drawGrid(ctx: CanvasRenderingContext2D, W: number, H: number, data: DataInfo, g: NonNullable<Progress['grid']>): void {
  const img = new ImageData(g.res, g.res);
  const [lo, hi] = data.task === 'regression' ? range(g.cls) : [0, 1];
  for (let i = 0; i < g.res * g.res; i++) {
    let rgb: [number, number, number];
    let a = 1;
    if (data.task === 'classification') {
      rgb = colour(g.cls[i]!);
      // Confidence 1/K (undecided) shows white, 1 shows the class colour at 60%.
      const k = data.classes!.length;
      a = 0.15 + 0.45 * Math.max(0, (g.conf[i]! - 1 / k) / (1 - 1 / k));
    } else rgb = diverging((g.cls[i]! - lo) / (hi - lo));
    img.data[4 * i] = Math.round(255 + (rgb[0] - 255) * a);
    img.data[4 * i + 1] = Math.round(255 + (rgb[1] - 255) * a);
    img.data[4 * i + 2] = Math.round(255 + (rgb[2] - 255) * a);
    img.data[4 * i + 3] = 255;
  }
  const off = new OffscreenCanvas(g.res, g.res);
  off.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(off, 0, 0, W, H);
}

export interface LossPoint {
  step: number;
  train: number;
  test: number;
}

/** Train (solid) and test (dashed) loss against steps, log-scaled. */
export function drawLoss(canvas: HTMLCanvasElement, pts: readonly LossPoint[]): void {
  const ctx = canvas.getContext('2d')!;
  const W = canvas.width;
  const H = canvas.height;
  const m = { l: 44, r: 10, t: 10, b: 22 };
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, W, H);
  ctx.strokeStyle = '#999';
  ctx.strokeRect(m.l, m.t, W - m.l - m.r, H - m.t - m.b);
  if (pts.length === 0) return;
  const logs = pts.flatMap((p) => [p.train, p.test]).filter((v) => v > 0 && Number.isFinite(v)).map(Math.log10);
  const [lo, hi] = range(logs);
  const maxStep = Math.max(1, pts[pts.length - 1]!.step);
  const sx = (s: number): number => m.l + (s / maxStep) * (W - m.l - m.r);
  const sy = (v: number): number => m.t + (1 - (Math.log10(Math.max(v, 1e-12)) - lo) / (hi - lo)) * (H - m.t - m.b);
  ctx.fillStyle = '#333';
  ctx.font = '11px sans-serif';
  ctx.fillText(`${(10 ** hi).toPrecision(2)}`, 2, m.t + 9);
  ctx.fillText(`${(10 ** lo).toPrecision(2)}`, 2, H - m.b);
  ctx.fillText(`step ${maxStep}`, W - m.r - 60, H - 6);
  const line = (key: 'train' | 'test', color: string, dash: number[]): void => {
    ctx.strokeStyle = color;
    ctx.setLineDash(dash);
    ctx.lineWidth = 1.6;
    ctx.beginPath();
    pts.forEach((p, i) => (i === 0 ? ctx.moveTo(sx(p.step), sy(p[key])) : ctx.lineTo(sx(p.step), sy(p[key]))));
    ctx.stroke();
    ctx.setLineDash([]);
  };
  line('train', '#0072b2', []);
  line('test', '#d55e00', [5, 3]);
  ctx.fillStyle = '#0072b2';
  ctx.fillText('train', m.l + 6, m.t + 12);
  ctx.fillStyle = '#d55e00';
  ctx.fillText('test', m.l + 40, m.t + 12);
}

const EDGE_W = 54;
const EDGE_H = 36;

/**
 * One canvas per KAN edge phi_ji, grouped in a row per layer (output layer on top). Each plot is
 * the edge's values at the sample inputs, sorted by x_i; its stroke fades with the edge's mean
 * |phi| relative to the layer's largest (the importance pruning uses).
 */
export function drawEdges(host: HTMLElement, layers: readonly EdgeLayer[] | null, note: string): void {
  host.replaceChildren();
  if (!layers) {
    const p = document.createElement('p');
    p.className = 'note';
    p.textContent = note;
    host.append(p);
    return;
  }
  for (let l = layers.length - 1; l >= 0; l--) {
    const L = layers[l]!;
    const row = document.createElement('div');
    row.className = 'edge-row';
    row.dataset.layer = String(l);
    const title = document.createElement('span');
    title.className = 'edge-title';
    title.textContent = `layer ${l + 1}: ${L.in} -> ${L.out}`;
    row.append(title);
    const mags = new Float64Array(L.out * L.in);
    for (let s = 0; s < L.n; s++) for (let k = 0; k < L.out * L.in; k++) mags[k]! += Math.abs(L.edges[s * L.out * L.in + k]!) / L.n;
    const top = Math.max(...mags, 1e-12);
    for (let j = 0; j < L.out; j++) {
      for (let i = 0; i < L.in; i++) {
        const c = document.createElement('canvas');
        c.width = EDGE_W;
        c.height = EDGE_H;
        c.className = 'edge';
        c.title = `phi[${l + 1}](${j + 1}, ${i + 1}): x${i + 1} -> node ${j + 1}`;
        drawEdge(c, L, j, i, Math.max(0.08, Math.tanh((3 * mags[j * L.in + i]!) / top)));
        row.append(c);
      }
    }
    host.append(row);
  }
}

function drawEdge(c: HTMLCanvasElement, L: EdgeLayer, j: number, i: number, alpha: number): void {
  const ctx = c.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, c.width, c.height);
  ctx.strokeStyle = '#bbb';
  ctx.strokeRect(0.5, 0.5, c.width - 1, c.height - 1);
  const xs = Array.from({ length: L.n }, (_, s) => L.inputs[s * L.in + i]!);
  const ys = Array.from({ length: L.n }, (_, s) => L.edges[(s * L.out + j) * L.in + i]!);
  const order = xs.map((_, s) => s).sort((a, b) => xs[a]! - xs[b]!);
  const [xlo, xhi] = range(xs);
  const [ylo, yhi] = range(ys);
  const px = (x: number): number => 3 + ((x - xlo) / (xhi - xlo)) * (c.width - 6);
  const py = (y: number): number => c.height - 3 - ((y - ylo) / (yhi - ylo)) * (c.height - 6);
  ctx.strokeStyle = `rgba(20,20,20,${alpha})`;
  ctx.lineWidth = 1.4;
  ctx.beginPath();
  order.forEach((s, k) => (k === 0 ? ctx.moveTo(px(xs[s]!), py(ys[s]!)) : ctx.lineTo(px(xs[s]!), py(ys[s]!))));
  ctx.stroke();
}
